// DKIM private keys read from files. Kept apart from key.hpp so that
// lettre/dkim.hpp does not pull <filesystem>; private_key::load() takes the
// bytes from memory.
#pragma once

#include <lettre/dkim/key.hpp>
#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include <cstddef>
#include <filesystem>

namespace lettre::dkim {

/// The largest key file read: a 16384-bit RSA key in PEM is about 12 KiB.
inline constexpr std::size_t max_key_file_size = 64 * 1024;

/// Reads and loads a key in any form private_key::load() detects (PEM,
/// DER, base64 Ed25519 seed). Errors (file_not_found, file_unreadable,
/// invalid_key...) name the path; a file larger than max_key_file_size is
/// invalid_key, found without reading more than one byte past the limit.
[[nodiscard]] LETTRE_EXPORT private_key load_key_file(const std::filesystem::path& path);
/// load_key_file() returning the error instead of throwing it.
[[nodiscard]] LETTRE_EXPORT result<private_key> try_load_key_file(

    const std::filesystem::path& path);

}  // namespace lettre::dkim
