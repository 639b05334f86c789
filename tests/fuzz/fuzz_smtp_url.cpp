// libFuzzer target: smtp::parse_url, which reads URLs from the command line,
// configuration files and the environment.
//
// parse_url(input), and parse_url of the input behind a scheme and a known
// password ("smtps://fz:hunter2XYZ@" + input):
//   - no crash, leak or undefined behaviour;
//   - an error is invalid_url, and its message never shows the password;
//   - on success: the host is non-empty with no CR, LF or NUL; the port is
//     not 0; the hello name passes check_hello_name; smtp:// never ends up on
//     465 without implicit TLS; and the user name and password are the
//     percent-decoding of the URL's userinfo by a reference written here
//     (RFC 3986 §2.1: '%' and exactly two hex digits).
#include "fuzz_common.hpp"

#include <lettre/smtp/config.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace {

namespace smtp = lettre::smtp;

constexpr std::string_view password = "hunter2XYZ";

int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> reference_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        const int hi = hex(s[i + 1]);
        const int lo = hex(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

/// The userinfo of a URL parse_url accepted: between "://" and the last '@'
/// before the query.
std::optional<std::string_view> userinfo(std::string_view url) {
    std::string_view rest = url.substr(url.find("://") + 3);
    rest = rest.substr(0, rest.find('?'));
    const auto at = rest.rfind('@');
    if (at == std::string_view::npos) return std::nullopt;
    return rest.substr(0, at);
}

void check(std::string_view url, std::string_view input, bool has_password) {
    const auto r = smtp::parse_url(url);
    if (!r) {
        if (r.error().code != lettre::make_error_code(lettre::errc::invalid_url))
            fuzz::fail("error other than invalid_url", input, r.error().message);
        if (has_password && r.error().message.find(password) != std::string::npos)
            fuzz::fail("the error message shows the password", input, r.error().message);
        return;
    }
    const auto& cfg = *r;
    if (cfg.host.empty()) fuzz::fail("empty host", input);
    if (cfg.host.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
        fuzz::fail("CR, LF or NUL in the host", input, cfg.host);
    if (cfg.port == 0) fuzz::fail("port 0", input);
    if (!smtp::check_hello_name(cfg.client.hello_name))
        fuzz::fail("hello name that check_hello_name refuses", input, cfg.client.hello_name);
    if (cfg.port == 465 && cfg.client.tls != smtp::tls_mode::implicit)
        fuzz::fail("port 465 without implicit TLS", input);
    const auto info = userinfo(url);
    if (info.has_value() != cfg.client.credentials.has_value())
        fuzz::fail("credentials without userinfo or the reverse", input);
    if (!info) return;
    const auto colon = info->find(':');
    const auto user = reference_decode(info->substr(0, colon));
    const auto pass = colon == std::string_view::npos ? std::optional<std::string>("")
                                                      : reference_decode(info->substr(colon + 1));
    if (!user || *user != cfg.client.credentials->username)
        fuzz::fail("user name is not the percent-decoded userinfo", input,
                   fuzz::escape(cfg.client.credentials->username));
    if (!pass || *pass != cfg.client.credentials->secret)
        fuzz::fail("password is not the percent-decoded userinfo", input,
                   fuzz::escape(cfg.client.credentials->secret));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    check(input, input, false);
    // (An input that holds the password itself may show it.)
    check("smtps://fz:" + std::string(password) + "@" + std::string(input), input,
          input.find(password) == std::string_view::npos);
    return 0;
}
