// SMTP AUTH credentials and the SASL mechanisms lettre speaks (RFC 4954):
// PLAIN, LOGIN, XOAUTH2, OAUTHBEARER (RFC 7628), SCRAM-SHA-256 (RFC 7677)
// and, only when asked for by name, CRAM-MD5.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace lettre::smtp {

/// A SASL mechanism for AUTH.
enum class mechanism { scram_sha_256, oauthbearer, xoauth2, plain, login, cram_md5 };

/// The SASL name, e.g. "SCRAM-SHA-256", "PLAIN".
LETTRE_EXPORT std::string_view mechanism_name(mechanism m) noexcept;

/// What AUTH sends: a user name and a password or OAuth 2.0 token.
struct LETTRE_EXPORT credentials {
    std::string username;      ///< the authentication identity
    std::string secret;        ///< password, or OAuth 2.0 access token
    bool oauth_token = false;  ///< secret is a bearer token (XOAUTH2/OAUTHBEARER)
    std::string authzid;       ///< optional authorization identity

    /// A user name and password.
    static credentials password(std::string user, std::string pass) {
        return {std::move(user), std::move(pass), false, {}};
    }
    /// A user name and OAuth 2.0 access token (XOAUTH2, OAUTHBEARER).
    static credentials oauth2(std::string user, std::string token) {
        return {std::move(user), std::move(token), true, {}};
    }
};

/// Refuses credentials no mechanism can carry faithfully: a NUL in the
/// user name, secret or authzid (SASL PLAIN separates them with NUL, RFC
/// 4616, so one would cut or inject a field), and a `\x01` in a token login

/// (the XOAUTH2/OAUTHBEARER separator). errc::invalid_smtp_argument, naming
/// the field, never the secret. The SMTP transports check this before they
/// connect.
LETTRE_EXPORT result<void> check_credentials(const credentials& c);

/// Mechanisms tried by default, strongest first. CRAM-MD5 is absent: it needs
/// the server to store the password in the clear and MD5; name it to use it.
LETTRE_EXPORT std::span<const mechanism> default_mechanisms() noexcept;

}  // namespace lettre::smtp
