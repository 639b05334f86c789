// Domain validation and IDNA (UTS #46) conversion to A-labels via libidn2.
#pragma once

#include <lettre/error.hpp>

#include <string>
#include <string_view>

namespace lettre::detail {

/// Checks a domain (dot-atom of labels, or a `[domain literal]`) and returns
/// its ASCII form: non-ASCII labels become A-labels (UTS #46
/// non-transitional), ASCII ones are kept. Enforces 255 octets per domain
/// and 63 per label. `context` is the whole input, for error messages.
result<std::string> domain_to_ascii(std::string_view domain, std::string_view context);

}  // namespace lettre::detail
