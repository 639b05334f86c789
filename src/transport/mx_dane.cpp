#include "transport/mx_dane.hpp"

namespace lettre::mx::detail {

dane_decision decide_dane(bool mx_secure, bool addresses_secure, const std::error_code& tlsa_error,
                          const dns::answer<dns::tlsa_record>& tlsa, const std::string& host,
                          const std::string& domain) {
    dane_decision d;
    // RFC 7672 §2.2: an MX host name or address an attacker could have
    // forged makes its TLSA records worthless; no lookup is trusted then.
    if (!mx_secure || !addresses_secure) return d;
    if (tlsa_error) {
        // §2.1.1: a failed or bogus TLSA lookup must not downgrade to
        // plaintext or to unauthenticated TLS; try the host later.
        d.state = dane_state::lookup_failed;
        return d;
    }
    // An insecure answer (no AD bit) is as good as none (§2.2.3).
    if (!tlsa.secure()) return d;
    if (tlsa.empty()) {  // NXDOMAIN or NODATA, proven
        d.state = dane_state::no_records;
        return d;
    }
    for (const auto& r : tlsa.records) {
        smtp::detail::dane_tlsa t{r.usage, r.selector, r.matching_type, r.data};
        if (smtp::detail::usable_for_smtp(t)) d.requirement.records.push_back(std::move(t));
    }
    if (d.requirement.records.empty()) {
        // §3.1.3: records that cannot be used still say the host does TLS.
        d.state = dane_state::unusable_only;
        return d;
    }
    d.state = dane_state::authenticated;
    // §3.2.2: the reference identifiers of DANE-TA are the MX host name
    // (the TLSA base domain) and, the MX answer being secure, the domain.
    d.requirement.names.push_back(host);
    if (domain != host) d.requirement.names.push_back(domain);
    return d;
}

}  // namespace lettre::mx::detail
