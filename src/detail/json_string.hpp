// A JSON string literal (RFC 8259 §7) for the few JSON documents lettre
// writes: the file transport's envelope and the TLS report (RFC 8460).
#pragma once
// LETTRE_EXPORT: lettre::mx calls it across the library boundary in a shared
// build. Internal all the same: src/ headers are not installed.

#include <lettre/export.hpp>

#include <string>
#include <string_view>

namespace lettre::detail {

/// `s` quoted, with `"`, `\` and control characters escaped; other bytes
/// (UTF-8) as they are.
LETTRE_EXPORT std::string json_string(std::string_view s);

}  // namespace lettre::detail
