// Unpredictable tokens for Message-IDs, boundaries and file names.
#pragma once
// LETTRE_EXPORT: also called by lettre::smtp / lettre::mx, which are separate
// shared libraries when BUILD_SHARED_LIBS=ON. Internal all the same: src/
// headers are not installed.

#include <lettre/export.hpp>

#include <cstddef>
#include <string>

namespace lettre::detail {

/// `n` characters from [0-9a-z], from OpenSSL's CSPRNG.
LETTRE_EXPORT std::string random_token(std::size_t n);

}  // namespace lettre::detail
