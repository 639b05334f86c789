// check_credentials: what no SASL mechanism can carry, refused before any
// connection (docs/security.md, "Decisions on careless input").
#include <lettre/smtp/credentials.hpp>

#include <fmt/format.h>

#include <optional>
#include <string_view>

namespace lettre::smtp {
namespace {

/// The field holding `c`, if any; the message never quotes the value (it
/// may be the secret).
std::optional<std::string_view> field_with(const credentials& c, char bad) {
    if (c.username.find(bad) != std::string::npos) return "user name";
    if (c.secret.find(bad) != std::string::npos) return c.oauth_token ? "token" : "password";
    if (c.authzid.find(bad) != std::string::npos) return "authorization identity";
    return std::nullopt;
}

}  // namespace

result<void> check_credentials(const credentials& c) {
    if (const auto field = field_with(c, '\0'))
        return make_error(errc::invalid_smtp_argument,
                          fmt::format("the {} holds a NUL byte, which SASL cannot carry (PLAIN "
                                      "separates its fields with NUL); check where it came from",
                                      *field));
    if (const auto field = field_with(c, '\x01'); field && c.oauth_token)
        return make_error(errc::invalid_smtp_argument,
                          fmt::format("the {} holds a \\x01 byte, the XOAUTH2/OAUTHBEARER field "
                                      "separator",
                                      *field));
    return {};
}

}  // namespace lettre::smtp
