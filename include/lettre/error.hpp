// Error codes, error details and the result type used by every fallible step.
#pragma once

#include <lettre/export.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace lettre {

/// What went wrong. Each code comes with a message naming the offending
/// value and, for parsers, the position (see error_info).
enum class errc {
    invalid_address = 1,   ///< address or mailbox syntax error
    address_too_long,      ///< local part > 64, domain > 255 or label > 63 octets
    invalid_domain,        ///< IDNA conversion refused the domain
    invalid_header_name,   ///< header name empty or with bytes outside 33..126 or ':'
    header_injection,      ///< CR, LF or NUL in a user-supplied header value
    line_too_long,         ///< a header cannot be folded under 998 octets
    invalid_utf8,          ///< text that must be UTF-8 is not
    invalid_header_value,  ///< a value breaks its header's syntax (bad URI, ...)
    invalid_content_type,  ///< media type or parameter syntax error
    invalid_date,          ///< not an RFC 5322 date-time
    invalid_message_id,    ///< not an RFC 5322 msg-id
    missing_from,          ///< message has no From
    missing_recipient,     ///< message has no To, Cc or Bcc (and no envelope)
    missing_sender,        ///< several From mailboxes but no Sender
    invalid_part,          ///< MIME structure misuse (child added to a leaf, ...)
    file_not_found,        ///< input file does not exist
    file_unreadable,       ///< input file exists but cannot be read
    io_error,              ///< writing output failed
    invalid_key,           ///< a DKIM key cannot be read (format, algorithm)
    weak_key,              ///< an RSA key under 1024 bits (RFC 8301)
    malformed_message,     ///< no header/body separator, broken header field
    invalid_dkim_config,   ///< bad domain, selector, identity or header list
    signing_failed,        ///< the crypto library refused to sign
    // SMTP
    smtp_protocol,           ///< malformed or oversized reply, unexpected data
    smtp_transient,          ///< the server answered 4xx
    smtp_permanent,          ///< the server answered 5xx
    invalid_smtp_argument,   ///< CR/LF/NUL or an over-long value in a command
    no_recipient_accepted,   ///< every RCPT TO was refused
    starttls_unavailable,    ///< TLS required but the server offers no STARTTLS
    tls_failed,              ///< handshake or certificate verification failed
    auth_unavailable,        ///< no common AUTH mechanism, or AUTH not offered
    auth_failed,             ///< the server refused the credentials
    plaintext_auth_refused,  ///< AUTH over an unencrypted connection not allowed
    smtputf8_unavailable,    ///< the message needs SMTPUTF8 and the server lacks it
    message_too_big,         ///< larger than the server's SIZE
    timeout,                 ///< a phase took longer than its timeout
    connection_closed,       ///< the server closed the connection
    outcome_unknown,         ///< the end of data was sent but no reply came
    invalid_url,             ///< an smtp:// or smtps:// URL cannot be read
    // DNS and direct MX delivery
    dns_nxdomain,  ///< the name does not exist (NXDOMAIN)
    dns_nodata,    ///< the name exists but has no record of that type
    dns_servfail,  ///< the name server failed (SERVFAIL)
    dns_timeout,   ///< no name server answered in time
    dns_refused,   ///< the name server refused the query (REFUSED)
    dns_failed,    ///< any other resolver failure (unreachable, malformed)
    null_mx,       ///< the domain accepts no mail (null MX, RFC 7505)
    no_mx_host,    ///< no MX host of the domain has an address
    pool_full,     ///< the pool's waiting queue is full
    shut_down,     ///< the transport is shutting down
    // SMTP (added later; kept at the end so that the values above stay)
    eight_bit_unavailable,  ///< the message has 8-bit octets and the server lacks 8BITMIME
    // The sendmail transport
    sendmail_failed,     ///< the sendmail program could not run, or exited non-zero, or died
    sendmail_transient,  ///< the sendmail program exited with EX_TEMPFAIL (75): try later
    // Added for API 1.0 (kept at the end so that the values above stay)
    recipients_deferred,  ///< every RCPT TO got a 4xx reply: try the message later
    delivery_deferred,    ///< MX: no host took the message this time; the message says why
    auth_deferred,        ///< AUTH answered 4xx (e.g. 454): the server cannot check now
    // MTA-STS (RFC 8461) policy discovery (kept at the end so that the values above stay)
    mta_sts_fetch_failed,         ///< the policy could not be fetched (HTTP, TLS, DNS, size)
    mta_sts_invalid_policy,       ///< the _mta-sts TXT record or the policy breaks RFC 8461
    mta_sts_certificate_invalid,  ///< the policy host's certificate failed verification
    // TLS reporting (RFC 8460)
    tlsrpt_invalid_record,  ///< a _smtp._tls TXT record breaks RFC 8460 §3
};

/// What a failure means for the caller, whatever produced it (any transport,
/// the resolver, the message layer). Compare any error code with it:
///
///     if (ec == lettre::condition::transient) queue_for_retry(msg);
///
/// `transient`: the same send may succeed later (a 4xx reply, a timeout, a
/// dropped or refused connection, DNS SERVFAIL or timeout, sendmail's
/// EX_TEMPFAIL, a full pool). `permanent`: it will fail again until
/// something changes (a 5xx reply, NXDOMAIN, a null MX, refused
/// credentials or certificate, invalid input). `outcome_unknown`: the end of
/// data went out but no reply came; the message may have been delivered, so
/// a blind retry may deliver it twice. An error code is at most one of them;
/// a cancelled operation (operation_aborted) counts as transient.
enum class condition {
    transient = 1,
    permanent,
    outcome_unknown,
};

/// The category of lettre::condition ("lettre.condition").
LETTRE_EXPORT const std::error_category& condition_category() noexcept;
/// `c` as a std::error_condition (makes `ec == condition::transient` work).
LETTRE_EXPORT std::error_condition make_error_condition(condition c) noexcept;

/// The category of lettre::errc ("lettre").
LETTRE_EXPORT const std::error_category& error_category() noexcept;
/// `e` as a std::error_code.
LETTRE_EXPORT std::error_code make_error_code(errc e) noexcept;

/// An error code plus a sentence for humans that names what and where.
struct error_info {
    std::error_code code;  ///< what went wrong, comparable with lettre::condition
    std::string message;   ///< the sentence for humans
};

/// An error_info with `code` and `message`.
LETTRE_EXPORT error_info make_error(errc code, std::string message);

/// Thrown by the throwing forms; carries the same error_info the result
/// forms return.
class LETTRE_EXPORT error : public std::system_error {
public:
    /// Carries `info`; what() includes its message.
    explicit error(error_info info);
    /// The code and message this error was made from.
    const error_info& info() const noexcept { return info_; }

private:
    error_info info_;
};

/// Either a value or an error_info (std::expected is C++23).
template <class T>
class [[nodiscard]] result {
public:
    /// A success holding `value`.
    result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT implicit
    /// A failure holding `e`.
    result(error_info e) : v_(std::in_place_index<1>, std::move(e)) {}  // NOLINT implicit

    /// True when this holds a value.
    bool has_value() const noexcept { return v_.index() == 0; }
    /// has_value().
    explicit operator bool() const noexcept { return has_value(); }

    /// The value; throws lettre::error with the error when there is none.
    T& value() & {
        check();
        return std::get<0>(v_);
    }
    /// @overload
    const T& value() const& {
        check();
        return std::get<0>(v_);
    }
    /// @overload
    T&& value() && {
        check();
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }                     ///< value()
    const T& operator*() const& { return value(); }          ///< value()
    T&& operator*() && { return std::move(*this).value(); }  ///< value()
    T* operator->() { return &value(); }                     ///< &value()
    const T* operator->() const { return &value(); }         ///< &value()

    /// The error; only valid when has_value() is false.
    const error_info& error() const& { return std::get<1>(v_); }
    /// @overload
    error_info&& error() && { return std::get<1>(std::move(v_)); }

private:
    void check() const {
        if (v_.index() != 0) throw lettre::error(std::get<1>(v_));
    }
    std::variant<T, error_info> v_;
};

/// Success or an error_info, for operations that return nothing.
template <>
class [[nodiscard]] result<void> {
public:
    /// Success.
    result() = default;
    /// A failure holding `e`.
    result(error_info e) : err_(std::move(e)), failed_(true) {}  // NOLINT implicit
    /// True on success.
    bool has_value() const noexcept { return !failed_; }
    /// has_value().
    explicit operator bool() const noexcept { return !failed_; }
    /// Throws lettre::error with the error on failure; does nothing on success.
    void value() const {
        if (failed_) throw lettre::error(err_);
    }
    /// The error; only valid when has_value() is false.
    const error_info& error() const& { return err_; }

private:
    error_info err_;
    bool failed_ = false;
};

}  // namespace lettre

template <>
struct std::is_error_code_enum<lettre::errc> : std::true_type {};
template <>
struct std::is_error_condition_enum<lettre::condition> : std::true_type {};
