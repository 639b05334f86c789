#include <lettre/smtp/config.hpp>

#include "detail/utf8.hpp"
#include "smtp/protocol/commands.hpp"

#include <fmt/format.h>

#include <boost/asio/ip/host_name.hpp>

#include <charconv>

namespace lettre::smtp {
namespace {

error_info bad_url(std::string_view url, std::string_view what) {
    // The password must not end up in logs: show the URL without it.
    std::string shown(url);
    if (const auto at = shown.rfind('@'); at != std::string::npos) {
        if (const auto scheme = shown.find("://"); scheme != std::string::npos && scheme < at) {
            const auto colon = shown.find(':', scheme + 3);
            if (colon != std::string::npos && colon < at)
                shown.replace(colon + 1, at - colon - 1, "***");
        }
    }
    return make_error(errc::invalid_url, fmt::format("invalid SMTP URL \"{}\": {}", shown, what));
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        // Two hex digits exactly: from_chars would also take a sign ("%-1").
        const int hi = hex_digit(s[i + 1]);
        const int lo = hex_digit(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::optional<mechanism> mechanism_from(std::string_view name) {
    for (mechanism m : {mechanism::scram_sha_256, mechanism::oauthbearer, mechanism::xoauth2,
                        mechanism::plain, mechanism::login, mechanism::cram_md5})
        if (detail::iequals(mechanism_name(m), name)) return m;
    return std::nullopt;
}

}  // namespace

result<void> check_hello_name(std::string_view name) {
    std::string line;
    return commands::ehlo(line, name);
}

std::string default_hello_name() {
    boost::system::error_code ec;
    std::string name = boost::asio::ip::host_name(ec);
    if (ec || !check_hello_name(name)) return "localhost";
    return name;
}

std::chrono::milliseconds timeouts::of(phase p) const noexcept {
    switch (p) {
        case phase::connect: return connect;
        case phase::tls_handshake: return tls_handshake;
        case phase::greeting: return greeting;
        case phase::data: return data_initiation;
        case phase::data_transfer: return data_block;
        case phase::data_final: return data_termination;
        default: return command;
    }
}

timeouts timeouts::all(std::chrono::milliseconds d) noexcept {
    return {d, d, d, d, d, d, d, d};
}

result<transport_config> parse_url(std::string_view url) {
    transport_config cfg;
    cfg.client.hello_name = default_hello_name();
    std::string_view rest;
    if (url.starts_with("smtps://")) {
        cfg.client.tls = tls_mode::implicit;
        cfg.port = 465;
        rest = url.substr(8);
    } else if (url.starts_with("smtp://")) {
        cfg.client.tls = tls_mode::starttls_required;
        cfg.port = 587;
        rest = url.substr(7);
    } else {
        return bad_url(url, "the scheme must be smtp:// or smtps://");
    }
    if (detail::find_line_break_or_nul(url) != std::string_view::npos)
        return bad_url(url, "CR, LF or NUL in the URL");

    std::string_view query;
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos) return bad_url(url, "unexpected path");

    std::optional<credentials> creds;
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
        const std::string_view userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        const auto colon = userinfo.find(':');
        auto user = percent_decode(userinfo.substr(0, colon));
        auto pass = colon == std::string_view::npos ? std::optional<std::string>("")
                                                    : percent_decode(userinfo.substr(colon + 1));
        if (!user || !pass) return bad_url(url, "bad percent-encoding in the credentials");
        if (user->empty()) return bad_url(url, "empty user name");
        creds = credentials::password(std::move(*user), std::move(*pass));
        if (auto ok = check_credentials(*creds); !ok) return bad_url(url, ok.error().message);
    }

    std::string_view host = rest;
    if (!rest.empty() && rest.front() == '[') {  // [IPv6]
        const auto close = rest.find(']');
        if (close == std::string_view::npos) return bad_url(url, "unterminated [IPv6] host");
        host = rest.substr(1, close - 1);
        rest = rest.substr(close + 1);
    } else {
        const auto colon = rest.find(':');
        host = rest.substr(0, colon);
        rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon);
    }
    if (host.empty()) return bad_url(url, "no host");
    if (!rest.empty()) {
        if (rest.front() != ':') return bad_url(url, "unexpected text after the host");
        unsigned port = 0;
        const auto p = rest.substr(1);
        const auto r = std::from_chars(p.data(), p.data() + p.size(), port);
        if (r.ec != std::errc() || r.ptr != p.data() + p.size() || port == 0 || port > 65535)
            return bad_url(url, "bad port");
        cfg.port = static_cast<std::uint16_t>(port);
    }
    cfg.host = std::string(host);
    cfg.client.credentials = std::move(creds);

    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view kv = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (kv.empty()) continue;
        const auto eq = kv.find('=');
        const std::string_view key = kv.substr(0, eq);
        auto value_opt = percent_decode(eq == std::string_view::npos ? "" : kv.substr(eq + 1));
        if (!value_opt) return bad_url(url, fmt::format("bad percent-encoding in {}", key));
        const std::string value = std::move(*value_opt);
        if (key == "tls") {
            if (cfg.client.tls == tls_mode::implicit)
                return bad_url(url, "tls= applies to smtp:// only (smtps:// is always TLS)");
            if (value == "required")
                cfg.client.tls = tls_mode::starttls_required;
            else if (value == "opportunistic")
                cfg.client.tls = tls_mode::starttls_opportunistic;
            else if (value == "none")
                cfg.client.tls = tls_mode::none_dangerous;
            else
                return bad_url(url, "tls= must be required, opportunistic or none");
        } else if (key == "auth") {
            cfg.client.mechanisms.clear();
            std::string_view list = value;
            while (!list.empty()) {
                const auto comma = list.find(',');
                const auto name = list.substr(0, comma);
                const auto m = mechanism_from(name);
                if (!m) return bad_url(url, fmt::format("unknown AUTH mechanism {}", name));
                cfg.client.mechanisms.push_back(*m);
                list =
                    comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
            }
        } else if (key == "ehlo") {
            // Refused here, before any connection, rather than at EHLO time.
            if (auto ok = check_hello_name(value); !ok)
                return bad_url(url, fmt::format("ehlo=: {}", ok.error().message));
            cfg.client.hello_name = value;
        } else if (key == "timeout") {
            unsigned secs = 0;
            const auto r = std::from_chars(value.data(), value.data() + value.size(), secs);
            if (r.ec != std::errc() || r.ptr != value.data() + value.size() || secs == 0)
                return bad_url(url, "timeout= must be a number of seconds");
            cfg.timeouts = timeouts::all(std::chrono::seconds(secs));
        } else if (key == "pipelining") {
            if (value != "true" && value != "false") return bad_url(url, "pipelining= true|false");
            cfg.client.pipelining = value == "true";
        } else if (key == "chunking") {
            if (value != "true" && value != "false") return bad_url(url, "chunking= true|false");
            cfg.client.chunking = value == "true";
        } else if (key == "ca_file") {
            cfg.tls.ca_file = value;
        } else if (key == "plaintext_auth") {
            if (value != "dangerous") return bad_url(url, "plaintext_auth= takes only 'dangerous'");
            cfg.client.allow_plaintext_auth_dangerous = true;
        } else if (key == "certificates") {
            if (value != "dangerous-accept-invalid")
                return bad_url(url, "certificates= takes only 'dangerous-accept-invalid'");
            cfg.tls.accept_invalid_certificates_dangerous = true;
        } else {
            return bad_url(url, fmt::format("unknown option {}", key));
        }
    }
    // A server on 465 waits for a TLS ClientHello, an smtp:// client for a
    // greeting: refused here rather than waiting out the greeting timeout.
    if (cfg.port == 465 && cfg.client.tls != tls_mode::implicit)
        return bad_url(url, "port 465 is implicit TLS (RFC 8314): use smtps:// for port 465");
    return cfg;
}

}  // namespace lettre::smtp
