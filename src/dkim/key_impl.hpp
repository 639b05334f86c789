// The OpenSSL side of dkim::private_key. Internal.
#pragma once

#include <lettre/dkim/key.hpp>

#include <openssl/evp.h>

#include <memory>

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
