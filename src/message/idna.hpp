// Domain validation and IDNA (UTS #46) conversion to A-labels via libidn2.
#pragma once
// LETTRE_EXPORT: also called by lettre::smtp / lettre::mx, which are separate
// shared libraries when BUILD_SHARED_LIBS=ON. Internal all the same: src/
// headers are not installed.

#include <lettre/export.hpp>

#include <lettre/error.hpp>

#include <string>
#include <string_view>

namespace lettre::detail {

/// Checks a domain (dot-atom of labels, or a `[domain literal]`) and returns
/// its ASCII form: non-ASCII labels become A-labels (UTS #46
/// non-transitional), ASCII ones are kept. Enforces 255 octets per domain
/// and 63 per label. `context` is the whole input, for error messages.
LETTRE_EXPORT result<std::string> domain_to_ascii(std::string_view domain,
                                                  std::string_view context);

}  // namespace lettre::detail
