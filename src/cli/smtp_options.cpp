#include "smtp_options.hpp"

#include "cli_error.hpp"
#include "io_files.hpp"
#include "secrets.hpp"

#include <lettre/smtp/config.hpp>
#include <lettre/smtp/credentials.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <sstream>
#include <utility>

namespace lettre::cli {
namespace {

constexpr option_spec smtp_spec{"smtp", '\0', true, false};
constexpr std::array<option_spec, 12> specs{{
    smtp_spec,
    {"user", '\0', true, false},
    {"password-file", '\0', true, false},
    {"auth", '\0', true, true},
    {"ca", '\0', true, false},
    {"timeout", '\0', true, false},
    {"ehlo", '\0', true, false},
    {"trace", '\0', false, false},
    {"notify", '\0', true, false},
    {"ret", '\0', true, false},
    {"envid", '\0', true, false},
    {"requiretls", '\0', false, false},
}};

/// The longest --timeout: a day (the library's own defaults are minutes).
constexpr std::uint64_t max_timeout_seconds = 86400;
/// RFC 3461 §4.4: ENVID is at most 100 characters.
constexpr std::size_t max_envid = 100;

constexpr std::array<lettre::smtp::mechanism, 6> all_mechanisms{
    lettre::smtp::mechanism::scram_sha_256, lettre::smtp::mechanism::oauthbearer,
    lettre::smtp::mechanism::xoauth2,       lettre::smtp::mechanism::plain,
    lettre::smtp::mechanism::login,         lettre::smtp::mechanism::cram_md5,
};

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        const auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        };
        return lower(x) == lower(y);
    });
}

std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

/// Calls `f` with every comma-separated item of `text`, trimmed.
template <class F>
void for_each_item(std::string_view text, F&& f) {
    while (true) {
        const std::size_t comma = text.find(',');
        f(trim_blanks(text.substr(0, comma)));
        if (comma == std::string_view::npos) return;
        text.remove_prefix(comma + 1);
    }
}

bool is_token_mechanism(lettre::smtp::mechanism m) noexcept {
    return m == lettre::smtp::mechanism::xoauth2 || m == lettre::smtp::mechanism::oauthbearer;
}

std::string mechanism_list() {
    std::string out;
    for (const auto m : all_mechanisms) {
        if (!out.empty()) out += ", ";
        out += lettre::smtp::mechanism_name(m);
    }
    return out;
}

std::vector<lettre::smtp::mechanism> parse_mechanisms(const std::vector<std::string>& values) {
    std::vector<lettre::smtp::mechanism> out;
    for (const std::string& value : values) {
        for_each_item(value, [&](std::string_view name) {
            const auto it = std::find_if(all_mechanisms.begin(), all_mechanisms.end(),
                                         [&](lettre::smtp::mechanism m) {
                                             return iequals(lettre::smtp::mechanism_name(m), name);
                                         });
            if (it == all_mechanisms.end()) {
                throw usage_error("--auth: unknown mechanism " + in_quotes(name) +
                                  " (known: " + mechanism_list() + ")");
            }
            if (std::find(out.begin(), out.end(), *it) == out.end()) out.push_back(*it);
        });
    }
    return out;
}

std::chrono::milliseconds parse_timeout(const std::string& text) {
    std::uint64_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    const bool digits = !text.empty() && text.front() != '-' && text.front() != '+';
    if (!digits || ec != std::errc() || ptr != end || value < 1 || value > max_timeout_seconds) {
        throw usage_error("--timeout takes a whole number of seconds from 1 to " +
                          std::to_string(max_timeout_seconds) + ", got " + in_quotes(text));
    }
    return std::chrono::seconds(static_cast<std::int64_t>(value));
}

void parse_notify(const std::string& text, lettre::smtp::dsn_request& dsn) {
    const std::string hint =
        "--notify takes 'never' or a comma list of success, failure and delay, got " +
        in_quotes(text);
    for_each_item(text, [&](std::string_view item) {
        if (iequals(item, "never")) {
            dsn.notify_never = true;
        } else if (iequals(item, "success")) {
            dsn.notify_success = true;
        } else if (iequals(item, "failure")) {
            dsn.notify_failure = true;
        } else if (iequals(item, "delay")) {
            dsn.notify_delay = true;
        } else {
            throw usage_error(hint);
        }
    });
    // RFC 3461 §4.1: NEVER stands alone.
    if (dsn.notify_never && (dsn.notify_success || dsn.notify_failure || dsn.notify_delay)) {
        throw usage_error(hint);
    }
}

lettre::smtp::dsn_request::return_content parse_ret(const std::string& text) {
    if (iequals(text, "full")) return lettre::smtp::dsn_request::return_content::full;
    if (iequals(text, "hdrs")) return lettre::smtp::dsn_request::return_content::headers;
    throw usage_error("--ret takes full or hdrs, got " + in_quotes(text));
}

void check_envid(const std::string& text) {
    // RFC 3461 §4.4: printable US-ASCII (it is xtext-encoded on the wire).
    const bool printable_ascii = std::all_of(text.begin(), text.end(), [](char c) {
        return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
    });
    if (text.empty() || !printable_ascii || text.size() > max_envid) {
        throw cli_error(exit_code::data_error,
                        "--envid " + in_quotes(text) + ": an envelope id is 1 to " +
                            std::to_string(max_envid) +
                            " printable ASCII characters without spaces (RFC 3461)");
    }
}

/// The first line of the file, without its line end.
std::string read_password_file(const std::string& path, std::istream& in) {
    std::string line = read_first_line("--password-file", path, in, password_limit);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
        throw cli_error(exit_code::data_error,
                        "--password-file " + in_quotes(path) + ": the first line is empty");
    }
    return line;
}

void check_readable(std::string_view option, const std::string& path) {
    if (path == "-") throw usage_error(std::string(option) + " needs a file, not standard input");
    // OpenSSL reads the file again; this read checks that it is there and
    // within the limit (a CA bundle is some hundred KiB).
    std::istringstream no_stdin;
    static_cast<void>(read_input(option, path, no_stdin, ca_file_limit));
}

bool tls_is_required(lettre::smtp::tls_mode mode) noexcept {
    return mode == lettre::smtp::tls_mode::implicit ||
           mode == lettre::smtp::tls_mode::starttls_required;
}

/// Who logs in, and whether the secret is an OAuth 2.0 token.
struct login_plan {
    std::string user;
    bool token = false;
};

/// Checks the login options (usage errors only; nothing is read yet). Takes
/// the user name out of the URL's credentials.
std::optional<login_plan> plan_login(const smtp_options& opts,
                                     const std::optional<std::string>& password_env,
                                     lettre::smtp::transport_config& cfg) {
    std::optional<std::string> user = opts.user;
    if (cfg.client.credentials) {
        // parse_url keeps user:password from the URL; a password there would
        // show in `ps` like a --password option would.
        if (!cfg.client.credentials->secret.empty()) {
            throw usage_error(
                "--smtp: the URL holds a password, which other users can read in the process "
                "list; give it with --password-file FILE or the LETTRE_PASSWORD environment "
                "variable");
        }
        if (!user) user = cfg.client.credentials->username;
        cfg.client.credentials.reset();
    }
    if (!user) {
        if (opts.password_file) throw usage_error("--password-file needs --user NAME");
        if (!opts.auth.empty()) throw usage_error("--auth needs --user NAME");
        return std::nullopt;  // LETTRE_PASSWORD alone is not a reason to log in
    }
    if (user->empty()) throw usage_error("--user needs a non-empty name");
    if (!opts.password_file && (!password_env || password_env->empty())) {
        throw usage_error("the user " + in_quotes(*user) +
                          " needs a password: give --password-file FILE or set the "
                          "LETTRE_PASSWORD environment variable");
    }

    if (!opts.auth.empty()) cfg.client.mechanisms = parse_mechanisms(opts.auth);
    const auto& mechs = cfg.client.mechanisms;
    const auto defaults = lettre::smtp::default_mechanisms();
    // --auth, or auth= in the URL, names the mechanisms; the default list
    // holds both kinds and the library picks one that fits a password.
    const bool named = !opts.auth.empty() ||
                       !std::equal(mechs.begin(), mechs.end(), defaults.begin(), defaults.end());
    const bool any_token = std::any_of(mechs.begin(), mechs.end(), is_token_mechanism);
    const bool token =
        named && any_token && std::all_of(mechs.begin(), mechs.end(), is_token_mechanism);
    if (named && any_token && !token) {
        throw usage_error(
            "--auth: XOAUTH2 and OAUTHBEARER take an OAuth 2.0 token, the other mechanisms a "
            "password; do not mix them");
    }
    if (cfg.client.tls == lettre::smtp::tls_mode::none_dangerous &&
        !cfg.client.allow_plaintext_auth_dangerous) {
        throw usage_error(
            "--user with tls=none would send the password in the clear; use TLS, or add "
            "plaintext_auth=dangerous to the URL to allow it");
    }
    return login_plan{std::move(*user), token};
}

}  // namespace

std::span<const option_spec> smtp_option_specs() noexcept {
    return specs;
}

bool is_smtp_option(const option_spec& spec) noexcept {
    return std::any_of(specs.begin(), specs.end(),
                       [&](const option_spec& s) { return s.name == spec.name; });
}

void apply_smtp_option(smtp_options& opts, const parsed_option& opt) {
    const std::string_view name = opt.spec->name;
    if (name == smtp_spec.name) {
        opts.url = opt.value;
        return;
    }
    if (name == "user") {
        opts.user = opt.value;
    } else if (name == "password-file") {
        opts.password_file = opt.value;
    } else if (name == "auth") {
        opts.auth.push_back(opt.value);
    } else if (name == "ca") {
        opts.ca = opt.value;
    } else if (name == "timeout") {
        opts.timeout = opt.value;
    } else if (name == "ehlo") {
        opts.ehlo = opt.value;
    } else if (name == "trace") {
        opts.trace = true;
    } else if (name == "notify") {
        opts.notify = opt.value;
    } else if (name == "ret") {
        opts.ret = opt.value;
    } else if (name == "envid") {
        opts.envid = opt.value;
    } else if (name == "requiretls") {
        opts.requiretls = true;
    }
}

session_values parse_session_values(const smtp_options& opts) {
    session_values out;
    if (opts.timeout) out.timeouts = lettre::smtp::timeouts::all(parse_timeout(*opts.timeout));
    if (opts.notify || opts.ret || opts.envid) {
        out.dsn.emplace();
        if (opts.notify) parse_notify(*opts.notify, *out.dsn);
        if (opts.ret) out.dsn->ret = parse_ret(*opts.ret);
    }
    return out;
}

void check_session_data(const smtp_options& opts, session_values& values) {
    if (opts.ehlo) {
        if (auto ok = lettre::smtp::check_hello_name(*opts.ehlo); !ok) {
            throw from_library(ok.error(), "--ehlo", *opts.ehlo);
        }
        values.hello_name = *opts.ehlo;
    }
    if (opts.envid) {
        check_envid(*opts.envid);
        values.dsn->envid = *opts.envid;  // parse_session_values made it
    }
}

smtp_settings make_smtp_settings(const smtp_options& opts,
                                 const std::optional<std::string>& password_env, std::istream& in) {
    if (!opts.url) {
        throw usage_error("--smtp URL is needed");  // send_targets.cpp checks first
    }
    auto parsed = lettre::smtp::parse_url(*opts.url);
    if (!parsed) {
        // parse_url's message shows the URL with any password masked.
        throw usage_error("--smtp: " + printable(parsed.error().message));
    }
    smtp_settings out{std::move(parsed).value(), opts.trace, {}};
    lettre::smtp::transport_config& cfg = out.config;

    // Option values first (usage errors), then data, then files.
    session_values session = parse_session_values(opts);
    if (session.timeouts) cfg.timeouts = *session.timeouts;
    if (opts.requiretls && !tls_is_required(cfg.client.tls)) {
        throw usage_error(
            "--requiretls needs TLS on this hop as on every later one: use smtps:// or smtp:// "
            "with tls=required (the default)");
    }
    if (cfg.client.tls == lettre::smtp::tls_mode::none_dangerous) {
        if (opts.ca) throw usage_error("--ca has no use with tls=none");
        if (cfg.tls.ca_file) throw usage_error("--smtp: ca_file= has no use with tls=none");
    }
    const std::optional<login_plan> login = plan_login(opts, password_env, cfg);
    check_session_data(opts, session);
    if (session.hello_name) cfg.client.hello_name = std::move(*session.hello_name);
    if (session.dsn) cfg.client.dsn = std::move(session.dsn);
    cfg.client.requiretls = opts.requiretls;

    if (opts.ca) {
        check_readable("--ca", *opts.ca);
        cfg.tls.ca_file = *opts.ca;
    } else if (cfg.tls.ca_file) {
        check_readable("--smtp ca_file=", *cfg.tls.ca_file);
    }
    if (login) {
        std::string secret;
        if (opts.password_file) {
            secret = read_password_file(*opts.password_file, in);
            check_password("--password-file " + in_quotes(*opts.password_file), secret);
            if (auto w = readable_by_others("--password-file", *opts.password_file))
                out.warnings.push_back(std::move(*w));
        } else {
            secret = *password_env;
            check_password("LETTRE_PASSWORD", secret);
        }
        cfg.client.credentials =
            login->token ? lettre::smtp::credentials::oauth2(login->user, std::move(secret))
                         : lettre::smtp::credentials::password(login->user, std::move(secret));
    }
    return out;
}

}  // namespace lettre::cli
