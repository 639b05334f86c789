// What DANE (RFC 7672 §2.2) asks of one MX host, from what DNS said about
// it: a pure decision, so that every case is testable without a resolver.
// Internal.
#pragma once

#include <lettre/dns/records.hpp>
#include "smtp/connection.hpp"

#include <string>
#include <system_error>
#include <vector>

namespace lettre::mx::detail {

/// The TLSA lookup of `_25._tcp.<host>`: records (possibly none, with
/// `error` dns_nxdomain or dns_nodata), whether the answer was DNSSEC-secure,
/// or another error (SERVFAIL from a validating resolver: bogus).
struct tlsa_lookup {
    std::error_code error;
    bool secure = false;
    std::vector<dns::tlsa_record> records;
};

/// The host's DANE state.
enum class dane_state {
    not_applicable,  ///< MX or address answers insecure: DANE plays no part
    no_records,      ///< TLSA securely denied: the ordinary policy (or MTA-STS)
    authenticated,   ///< usable records: STARTTLS mandatory, checked against them
    unusable_only,   ///< records, none usable: STARTTLS mandatory, unauthenticated
    lookup_failed,   ///< bogus or failed lookup: the host is a transient failure
};

struct dane_decision {
    dane_state state = dane_state::not_applicable;
    /// For `authenticated`: the records and reference names to give the
    /// connection (smtp::detail::connection::use_dane).
    smtp::detail::dane_requirement requirement;
};

/// `mx_secure`: the MX answer was secure (or, for the implicit MX, the
/// domain's own address answer); `addresses_secure`: the host's A/AAAA
/// answers were. `tlsa` is only read when both are true.
dane_decision decide_dane(bool mx_secure, bool addresses_secure, const tlsa_lookup& tlsa,
                          const std::string& host, const std::string& domain);

}  // namespace lettre::mx::detail
