// The OpenSSL side of dkim::private_key. Internal.
#pragma once

#include <lettre/dkim/key.hpp>

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

/// The key and signing contexts prepared once per key: each signature
/// duplicates one (EVP_PKEY_CTX_dup, EVP_MD_CTX_copy_ex; read-only on the
/// template, so a key may sign on several threads at once) instead of
/// setting one up from the key. Null when the preparation failed; the
/// signer then sets up a context from `pkey`.
struct lettre::dkim::private_key::impl {
    /// SHA-256, fetched once: EVP_sha256() makes OpenSSL 3 look the
    /// implementation up again at every EVP_DigestInit.
    static const EVP_MD* sha256();

    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{nullptr, &EVP_PKEY_free};
    /// RSA: EVP_PKEY_sign_init, PKCS#1 v1.5 padding, SHA-256 DigestInfo.
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> rsa_sign{nullptr,
                                                                         &EVP_PKEY_CTX_free};
    /// Ed25519: EVP_DigestSignInit without digest (pure Ed25519).
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ed25519_sign{nullptr, &EVP_MD_CTX_free};
};

namespace lettre::dkim {

/// The library's way into private_key (its friend): the OpenSSL key for the
/// signer and the canonicalizer, and the constructor the loaders use.
struct key_access {
    using impl = private_key::impl;

    static const impl& native(const private_key& key) noexcept { return *key.impl_; }

    /// Wraps a checked key.
    static private_key make(std::shared_ptr<const impl> impl, algorithm alg, unsigned bits,
                            std::vector<std::string> warnings) {
        private_key k;
        k.impl_ = std::move(impl);
        k.alg_ = alg;
        k.bits_ = bits;
        k.warnings_ = std::move(warnings);
        return k;
    }
};

}  // namespace lettre::dkim
