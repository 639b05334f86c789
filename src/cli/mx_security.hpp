// What `lettre mx DOMAIN` prints besides the plan: the DNSSEC status of the
// MX answer, each host's TLSA records and DANE state (RFC 7672), and the
// domain's MTA-STS policy (RFC 8461), as mx_transport would use them.
#pragma once

#include <lettre/transport/mx_transport.hpp>

#include <ostream>

namespace lettre::cli {

/// `dnssec: ...` first, then per host of `plan` its TLSA records and DANE
/// state, then `mta-sts: ...`. DANE and MTA-STS lines only when `cfg` has
/// them on.
void print_mx_security(const lettre::mx::config& cfg, const lettre::mx::plan& plan,
                       std::ostream& out);

}  // namespace lettre::cli
