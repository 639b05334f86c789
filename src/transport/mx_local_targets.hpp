// MX delivery never connects to this machine unless told to: an MX record
// (or an address literal) that points at loopback, an unspecified address
// or one of this machine's own addresses would make the message loop back
// to the sender ("mail loops back to myself", as MTAs say). Internal.
#pragma once

#include <lettre/dns/records.hpp>

#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace lettre::mx::detail {

/// Why `a` is this machine ("loopback", "unspecified", "an address of this
/// machine"), or nullopt. IPv4-mapped IPv6 addresses count as their IPv4
/// address. `own` are the addresses of the machine's interfaces.
std::optional<std::string_view> local_target(const dns::ip_address& a,
                                             std::span<const dns::ip_address> own);

/// The addresses of this machine's interfaces (getifaddrs); empty when
/// they cannot be listed.
std::vector<dns::ip_address> own_addresses();

}  // namespace lettre::mx::detail
