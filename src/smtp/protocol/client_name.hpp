// What EHLO and HELO may carry as the client's name (RFC 5321 §4.1.1.1,
// §4.1.2, §4.1.3): a Domain of letter-digit-hyphen labels, or an address
// literal [IPv4] / [IPv6:...] that parses. Sans-io, internal.
#pragma once

#include <optional>
#include <string_view>

namespace lettre::smtp::detail {

/// Why `name` is no client name ("an empty label", "999 is not an octet"...),
/// or nothing when it is one.
std::optional<std::string_view> client_name_problem(std::string_view name) noexcept;

}  // namespace lettre::smtp::detail
