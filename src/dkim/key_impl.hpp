// The OpenSSL side of dkim::private_key. Internal.
#pragma once

#include <lettre/dkim/key.hpp>

#include <openssl/evp.h>

#include <memory>

struct lettre::dkim::private_key::impl {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{nullptr, &EVP_PKEY_free};
};
