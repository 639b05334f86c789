// SMTP command writer. Every caller-supplied value is checked: no CR, LF,
// NUL or bytes outside what the command allows, RFC 5321 limits (path 256,
// command line 512). Sans-io: appends bytes to a buffer.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/address.hpp>
#include <lettre/smtp/config.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lettre::smtp {

struct mail_parameters {
    std::optional<std::uint64_t> size;  ///< SIZE= (RFC 1870)
    bool eightbitmime = false;          ///< BODY=8BITMIME
    bool smtputf8 = false;              ///< SMTPUTF8
    bool requiretls = false;            ///< REQUIRETLS (RFC 8689)
    std::optional<dsn_request::return_content> ret;
    std::optional<std::string> envid;
};

struct rcpt_parameters {
    std::optional<dsn_request> notify;  ///< NOTIFY= from the flags
    std::optional<std::string> orcpt;   ///< ORCPT=rfc822;<xtext>
};

namespace commands {

inline constexpr std::size_t max_path = 256;          ///< RFC 5321 §4.5.3.1.3
inline constexpr std::size_t max_command_line = 512;  ///< RFC 5321 §4.5.3.1.4

LETTRE_EXPORT result<void> ehlo(std::string& out, std::string_view client_name);
LETTRE_EXPORT result<void> helo(std::string& out, std::string_view client_name);
/// `from` empty: the null reverse-path `<>`.
LETTRE_EXPORT result<void> mail_from(std::string& out, const std::optional<address>& from,
                                     const mail_parameters& params);
LETTRE_EXPORT result<void> rcpt_to(std::string& out, const address& to,
                                   const rcpt_parameters& params);
LETTRE_EXPORT void data(std::string& out);
LETTRE_EXPORT void bdat(std::string& out, std::size_t size, bool last);
LETTRE_EXPORT void rset(std::string& out);
LETTRE_EXPORT void noop(std::string& out);
LETTRE_EXPORT void quit(std::string& out);
LETTRE_EXPORT void starttls(std::string& out);
/// `AUTH MECH [initial-response]`; the response is base64 already ("=" for
/// an empty one, RFC 4954 §4).
LETTRE_EXPORT result<void> auth(std::string& out, std::string_view mechanism,
                                std::optional<std::string_view> initial_response);
/// One SASL continuation line (base64, or "*" to cancel).
LETTRE_EXPORT result<void> auth_continue(std::string& out, std::string_view response);

/// RFC 3461 §4 xtext: '+' and '=' and bytes outside '!'..'~' as "+XX".
LETTRE_EXPORT std::string xtext(std::string_view s);

}  // namespace commands

/// What DATA and BDAT framing need to know about a message, from one
/// vectorized pass over it (scan_message).
struct message_scan {
    bool bare_line_end = false;  ///< a CR not followed by LF, or an LF not after CR
    std::size_t dot_lines = 0;   ///< lines after the first that start with '.'
    bool first_dot = false;      ///< the first line starts with '.'
    bool eight_bit = false;      ///< some octet >= 0x80
    /// Every line already ends with CRLF (no bare CR, no bare LF): what
    /// message::formatted() produces. Framing then copies whole runs.
    bool crlf_only() const noexcept { return !bare_line_end; }
};
LETTRE_EXPORT message_scan scan_message(std::string_view message) noexcept;

/// Dot-stuffs `message` for DATA and ends it with CRLF "." CRLF. Every bare
/// CR and bare LF becomes CRLF first, so no input can end DATA early or
/// smuggle a second message (the CVE-2023-51764 class).
LETTRE_EXPORT void frame_data(std::string& out, std::string_view message);
/// The message size RFC 1870 means: CRLF-normalized octets, without the
/// dot-stuffing and the terminating dot (a final CRLF is counted).
LETTRE_EXPORT std::size_t message_size(std::string_view message) noexcept;
/// Size of frame_data's output.
LETTRE_EXPORT std::size_t framed_size(std::string_view message) noexcept;
/// The same, with the scan of `message` done already.
LETTRE_EXPORT void frame_data(std::string& out, std::string_view message, const message_scan& scan);
LETTRE_EXPORT std::size_t message_size(std::string_view message, const message_scan& scan) noexcept;
LETTRE_EXPORT std::size_t framed_size(std::string_view message, const message_scan& scan) noexcept;
/// CRLF normalization only (for BDAT, which needs no dot-stuffing).
LETTRE_EXPORT void normalize_crlf(std::string& out, std::string_view message);

}  // namespace lettre::smtp
