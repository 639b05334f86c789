#include "smtp/protocol/sasl.hpp"

#include "detail/base64.hpp"
#include "detail/random.hpp"
#include "detail/utf8.hpp"

#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>

namespace lettre::smtp {
namespace {

constexpr std::array<mechanism, 5> defaults{mechanism::scram_sha_256, mechanism::oauthbearer,
                                            mechanism::xoauth2, mechanism::plain, mechanism::login};

std::string b64(std::string_view s) {
    std::string out;
    detail::append_base64(out, s);
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<char*>(out), len);
}

std::string sha256(std::string_view data) {
    unsigned char out[32];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), out, &len, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<char*>(out), len);
}

/// RFC 5802 §5.1: ',' and '=' in names are written =2C and =3D.
std::string scram_name(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == ',')
            out += "=2C";
        else if (c == '=')
            out += "=3D";
        else
            out += c;
    }
    return out;
}

std::optional<std::string_view> scram_attr(std::string_view msg, char key) {
    std::size_t i = 0;
    while (i < msg.size()) {
        const std::size_t end = std::min(msg.find(',', i), msg.size());
        const std::string_view part = msg.substr(i, end - i);
        if (part.size() >= 2 && part[0] == key && part[1] == '=') return part.substr(2);
        i = end + 1;
    }
    return std::nullopt;
}

error_info auth_error(std::string what) {
    return make_error(errc::auth_failed, std::move(what));
}

}  // namespace

std::string_view mechanism_name(mechanism m) noexcept {
    switch (m) {
        case mechanism::scram_sha_256: return "SCRAM-SHA-256";
        case mechanism::oauthbearer: return "OAUTHBEARER";
        case mechanism::xoauth2: return "XOAUTH2";
        case mechanism::plain: return "PLAIN";
        case mechanism::login: return "LOGIN";
        case mechanism::cram_md5: return "CRAM-MD5";
    }
    return "PLAIN";
}

std::span<const mechanism> default_mechanisms() noexcept {
    return defaults;
}

std::optional<mechanism> choose_mechanism(const capabilities& caps, const credentials& creds,
                                          std::span<const mechanism> preferred) {
    for (mechanism m : preferred) {
        const bool token_mech = m == mechanism::xoauth2 || m == mechanism::oauthbearer;
        if (token_mech != creds.oauth_token) continue;
        if (caps.has_auth(mechanism_name(m))) return m;
    }
    return std::nullopt;
}

sasl_client::sasl_client(mechanism m, credentials creds, std::string host, std::uint16_t port,
                         std::optional<std::string> nonce)
    : mech_(m),
      creds_(std::move(creds)),
      host_(std::move(host)),
      port_(port),
      nonce_(nonce ? std::move(*nonce) : detail::random_token(24)) {}

std::optional<std::string> sasl_client::initial_response() {
    switch (mech_) {
        case mechanism::plain: {
            std::string raw = creds_.authzid;
            raw += '\0';
            raw += creds_.username;
            raw += '\0';
            raw += creds_.secret;
            step_ = 1;
            return b64(raw);
        }
        case mechanism::xoauth2:
            step_ = 1;
            return b64(
                fmt::format("user={}\x01"
                            "auth=Bearer {}\x01\x01",
                            creds_.username, creds_.secret));
        case mechanism::oauthbearer: {
            std::string gs2 = "n,";
            if (!creds_.authzid.empty() || !creds_.username.empty())
                gs2 += "a=" + scram_name(creds_.authzid.empty() ? creds_.username : creds_.authzid);
            gs2 += ",";
            std::string raw = gs2 + '\x01';
            if (!host_.empty()) raw += fmt::format("host={}\x01", host_);
            if (port_ != 0) raw += fmt::format("port={}\x01", port_);
            raw += fmt::format("auth=Bearer {}\x01\x01", creds_.secret);
            step_ = 1;
            return b64(raw);
        }
        case mechanism::scram_sha_256:
            client_first_bare_ = fmt::format("n={},r={}", scram_name(creds_.username), nonce_);
            step_ = 1;
            return b64("n,," + client_first_bare_);
        case mechanism::login:
        case mechanism::cram_md5: return std::nullopt;
    }
    return std::nullopt;
}

result<std::string> sasl_client::respond(std::string_view challenge_b64) {
    std::string challenge;
    if (!detail::decode_base64(challenge_b64, challenge))
        return make_error(errc::smtp_protocol,
                          fmt::format("the server's AUTH challenge is not base64: \"{}\"",
                                      challenge_b64.substr(0, 60)));
    switch (mech_) {
        case mechanism::plain: return auth_error("the server sent a challenge after AUTH PLAIN");
        case mechanism::xoauth2:
            // Google sends a JSON error as a challenge; the client answers with
            // an empty line to get the final 535.
            if (failed_once_) return auth_error("XOAUTH2 refused");
            failed_once_ = true;
            return std::string();
        case mechanism::oauthbearer:
            if (failed_once_) return auth_error("OAUTHBEARER refused");
            failed_once_ = true;
            return b64("\x01");  // RFC 7628 §3.2.3: acknowledge the error
        case mechanism::login: {
            // The prompts are "Username:" and "Password:", but servers vary;
            // answer in order.
            ++step_;
            if (step_ == 1) return b64(creds_.username);
            if (step_ == 2) return b64(creds_.secret);
            return auth_error("the server kept asking after LOGIN username and password");
        }
        case mechanism::cram_md5: {
            if (step_++ > 0) return auth_error("unexpected second CRAM-MD5 challenge");
            unsigned char mac[EVP_MAX_MD_SIZE];
            unsigned int len = 0;
            HMAC(EVP_md5(), creds_.secret.data(), static_cast<int>(creds_.secret.size()),
                 reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(), mac,
                 &len);
            std::string hex;
            for (unsigned i = 0; i < len; ++i) hex += fmt::format("{:02x}", mac[i]);
            return b64(creds_.username + ' ' + hex);
        }
        case mechanism::scram_sha_256: {
            if (step_ == 1) {
                // server-first: r=<nonce>,s=<salt>,i=<iterations>
                // RFC 5802 §5.1: a mandatory extension (m=) we do not know ends the exchange.
                if (challenge.starts_with("m="))
                    return auth_error("SCRAM: unsupported mandatory extension");
                const auto r = scram_attr(challenge, 'r');
                const auto s = scram_attr(challenge, 's');
                const auto i = scram_attr(challenge, 'i');
                if (!r || !s || !i || !r->starts_with(nonce_) || r->size() == nonce_.size())
                    return auth_error("SCRAM: the server's first message is invalid");
                std::string salt;
                if (!detail::decode_base64(*s, salt)) return auth_error("SCRAM: bad salt");
                // The cap bounds the PBKDF2 work a hostile server can ask for
                // (checked after each digit: "i=99999999" once passed).
                constexpr int max_iterations = 10'000'000;
                int iterations = 0;
                for (char c : *i) {
                    if (c < '0' || c > '9') return auth_error("SCRAM: bad iteration count");
                    iterations = iterations * 10 + (c - '0');
                    if (iterations > max_iterations)
                        return auth_error("SCRAM: iteration count over 10000000");
                }
                if (iterations < 4096) return auth_error("SCRAM: iteration count under 4096");
                unsigned char salted[32];
                PKCS5_PBKDF2_HMAC(creds_.secret.data(), static_cast<int>(creds_.secret.size()),
                                  reinterpret_cast<const unsigned char*>(salt.data()),
                                  static_cast<int>(salt.size()), iterations, EVP_sha256(),
                                  sizeof salted, salted);
                const std::string salted_pw(reinterpret_cast<char*>(salted), sizeof salted);
                const std::string client_key = hmac_sha256(salted_pw, "Client Key");
                const std::string stored_key = sha256(client_key);
                const std::string without_proof = fmt::format("c=biws,r={}", *r);
                const std::string auth_message =
                    client_first_bare_ + ',' + challenge + ',' + without_proof;
                const std::string signature = hmac_sha256(stored_key, auth_message);
                std::string proof = client_key;
                for (std::size_t k = 0; k < proof.size(); ++k)
                    proof[k] = static_cast<char>(proof[k] ^ signature[k]);
                const std::string server_key = hmac_sha256(salted_pw, "Server Key");
                server_signature_ = b64(hmac_sha256(server_key, auth_message));
                OPENSSL_cleanse(salted, sizeof salted);
                step_ = 2;
                return b64(without_proof + ",p=" + b64(proof));
            }
            if (step_ == 2) {
                const auto v = scram_attr(challenge, 'v');
                if (!v || *v != server_signature_)
                    return auth_error(
                        "SCRAM: the server's proof is wrong; it may not know the "
                        "password (possible impostor)");
                server_verified_ = true;
                step_ = 3;
                return std::string();
            }
            return auth_error("SCRAM: unexpected challenge");
        }
    }
    return auth_error("unknown mechanism");
}

result<void> sasl_client::finish() const {
    if (mech_ == mechanism::scram_sha_256 && !server_verified_)
        return auth_error("SCRAM: the server accepted without proving it knows the password");
    return {};
}

}  // namespace lettre::smtp
