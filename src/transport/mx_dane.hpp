// What DANE (RFC 7672 §2.2) asks of one MX host, from what DNS said about
// it: a pure decision, so that every case is testable without a resolver.
// Internal.
#pragma once

#include <lettre/dns/answer.hpp>
#include <lettre/dns/records.hpp>
#include "smtp/connection.hpp"

#include <string>
#include <system_error>
#include <vector>

namespace lettre::mx::detail {

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
/// answers were. `tlsa_error` and `tlsa` are the DNSSEC-aware TLSA lookup
/// of `_25._tcp.<host>` (resolve_tlsa_dnssec: NXDOMAIN and NODATA are empty
/// answers; an error, SERVFAIL from a validating resolver included, may be
/// a bogus answer); only read when both are true.
dane_decision decide_dane(bool mx_secure, bool addresses_secure, const std::error_code& tlsa_error,
                          const dns::answer<dns::tlsa_record>& tlsa, const std::string& host,
                          const std::string& domain);

}  // namespace lettre::mx::detail
