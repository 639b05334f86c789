// Small text helpers shared by the message layer.
#pragma once
// LETTRE_EXPORT: also called by lettre::smtp / lettre::mx, which are separate
// shared libraries when BUILD_SHARED_LIBS=ON. Internal all the same: src/
// headers are not installed.

#include <lettre/export.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace lettre::detail {

bool is_ascii(std::string_view s) noexcept;
/// Strict UTF-8 validation (no overlongs, surrogates or values > U+10FFFF).
bool is_valid_utf8(std::string_view s) noexcept;
/// Length of the UTF-8 sequence starting with `lead` (1 for invalid leads).
std::size_t utf8_sequence_length(unsigned char lead) noexcept;
/// Position of the first CR, LF or NUL, or npos.
LETTRE_EXPORT std::size_t find_line_break_or_nul(std::string_view s) noexcept;
LETTRE_EXPORT bool iequals(std::string_view a, std::string_view b) noexcept;
LETTRE_EXPORT std::string to_lower_ascii(std::string_view s);
/// Quotes `s` for an error message: printable ASCII kept, others escaped.
LETTRE_EXPORT std::string quote_for_error(std::string_view s);

}  // namespace lettre::detail
