// The SASL client for SMTP AUTH. Sans-io; crypto lives in the .cpp (OpenSSL). Internal.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/smtp/credentials.hpp>

#include "smtp/protocol/capabilities.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::smtp {

/// The first of `preferred` that the server offers and that fits the
/// credentials (tokens need XOAUTH2/OAUTHBEARER, passwords the others).
LETTRE_EXPORT std::optional<mechanism> choose_mechanism(const capabilities& caps,
                                                        const credentials& creds,
                                                        std::span<const mechanism> preferred);

/// One AUTH exchange. Challenges and responses are base64 as on the wire.
class LETTRE_EXPORT sasl_client {
public:
    /// `host`/`port` go into OAUTHBEARER; `nonce` fixes SCRAM's client nonce
    /// (tests only; random otherwise).
    sasl_client(mechanism m, credentials creds, std::string host = {}, std::uint16_t port = 0,
                std::optional<std::string> nonce = std::nullopt);

    mechanism kind() const noexcept { return mech_; }
    /// The initial response for `AUTH MECH <ir>`, when the mechanism has one.
    std::optional<std::string> initial_response();
    /// Answers a 334 challenge.
    result<std::string> respond(std::string_view challenge_base64);
    /// After 235: true when the mechanism's server proof (SCRAM) was checked.
    result<void> finish() const;

private:
    mechanism mech_;
    credentials creds_;
    std::string host_;
    std::uint16_t port_;
    int step_ = 0;
    std::string nonce_;
    std::string client_first_bare_;
    std::string server_signature_;  ///< expected SCRAM v= (base64)
    bool server_verified_ = false;
    bool failed_once_ = false;
};

}  // namespace lettre::smtp
