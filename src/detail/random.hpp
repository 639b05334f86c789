// Unpredictable tokens for Message-IDs, boundaries and file names.
#pragma once

#include <cstddef>
#include <string>

namespace lettre::detail {

/// `n` characters from [0-9a-z], from OpenSSL's CSPRNG.
std::string random_token(std::size_t n);

}  // namespace lettre::detail
