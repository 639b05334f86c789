// DKIM private keys read from files. Kept apart from key.hpp so that
// lettre/dkim.hpp does not pull <filesystem>; private_key::load() takes the
// bytes from memory.
#pragma once

#include <lettre/dkim/key.hpp>
#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include <filesystem>

namespace lettre::dkim {

/// Reads and loads a key in any form private_key::load() detects (PEM,
/// DER, base64 Ed25519 seed). Errors (file_not_found, file_unreadable,
/// invalid_key...) name the path.
[[nodiscard]] LETTRE_EXPORT private_key load_key_file(const std::filesystem::path& path);
[[nodiscard]] LETTRE_EXPORT result<private_key> try_load_key_file(
    const std::filesystem::path& path);

}  // namespace lettre::dkim
