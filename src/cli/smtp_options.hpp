// `lettre send --smtp URL` and the options that go with it (--user,
// --password-file, --auth, --ca, --timeout, --ehlo, --trace, DSN and
// REQUIRETLS), turned into an smtp::transport_config: the URL is read with
// smtp::parse_url, then the options are laid over it.
#pragma once

#include "arguments.hpp"

#include <lettre/smtp/config.hpp>

#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lettre::cli {

struct smtp_options {
    std::optional<std::string> url;
    std::optional<std::string> user, password_file, ca, timeout, ehlo;
    std::optional<std::string> notify, ret, envid;
    std::vector<std::string> auth;  ///< each value may be a comma list
    bool trace = false;
    bool requiretls = false;
};

/// --smtp and every option that needs it.
std::span<const option_spec> smtp_option_specs() noexcept;
bool is_smtp_option(const option_spec& spec) noexcept;

/// Stores one parsed option.
void apply_smtp_option(smtp_options& opts, const parsed_option& opt);

/// What `send --smtp` delivers with.
struct smtp_settings {
    lettre::smtp::transport_config config;
    bool trace = false;
    /// For standard error, e.g. a --password-file others can read.
    std::vector<std::string> warnings;
};

/// What a session is conducted with, from --timeout, --ehlo and the DSN
/// options (--notify, --ret, --envid): shared by --smtp and --mx.
struct session_values {
    std::optional<lettre::smtp::timeouts> timeouts;  ///< --timeout: each step's deadline
    std::optional<std::string> hello_name;           ///< --ehlo
    std::optional<lettre::smtp::dsn_request> dsn;    ///< --notify, --ret, --envid
};

/// --timeout, --notify and --ret: usage errors (64) for bad values.
session_values parse_session_values(const smtp_options& opts);
/// --ehlo and --envid into `values` (from parse_session_values): a bad EHLO
/// name or envelope id is bad data (65), refused before connecting.
void check_session_data(const smtp_options& opts, session_values& values);

/// Checks the options and reads the password. Usage errors (64): a bad URL
/// (ehlo= included), a password in the URL, a user without a password
/// source (or the other way round), unknown or mixed mechanisms, bad
/// --timeout/--notify/--ret, --requiretls, --ca or ca_file= without TLS, AUTH
/// over tls=none without plaintext_auth=dangerous. (Whether the options
/// apply to the target at all is send_targets.hpp's table.) Bad data (65):
/// an empty password, one with a NUL, CR or LF, a bad --ehlo name or --envid, a --password-file
/// line or CA file over its limit. Unreadable --password-file or CA file: 66. `password_env` is
/// LETTRE_PASSWORD's value (empty or absent: not set); `in` serves `--password-file -`.
smtp_settings make_smtp_settings(const smtp_options& opts,
                                 const std::optional<std::string>& password_env, std::istream& in);

}  // namespace lettre::cli
