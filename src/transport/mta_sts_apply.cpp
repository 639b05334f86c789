// What a domain's MTA-STS policy means for its MX hosts (RFC 8461 §4, §5),
// and the RFC 8460 result types of policy discovery.
#include <lettre/transport/mta_sts.hpp>

#include "detail/utf8.hpp"

#include <fmt/format.h>

namespace lettre::mta_sts {

namespace {

host_verdict verdict_for(const policy& p, std::string_view domain, const std::string& host) {
    host_verdict v;
    v.host = host;
    v.matched = p.matches(host);
    if (p.mode == policy_mode::enforce) {
        v.allowed = v.matched;
        v.requires_verified_tls = v.matched;
        if (!v.matched)
            v.reason = fmt::format("MTA-STS enforce: {} is not in the policy of {}", host, domain);
    } else if (p.mode == policy_mode::testing) {
        v.report_only = true;
        if (!v.matched)
            v.reason = fmt::format("MTA-STS testing: {} is not in the policy of {} (reported only)",
                                   host, domain);
    }
    return v;
}

}  // namespace

std::string_view to_string(failure_type t) noexcept {
    switch (t) {
        case failure_type::policy_fetch_error: return "sts-policy-fetch-error";
        case failure_type::policy_invalid: return "sts-policy-invalid";
        case failure_type::webpki_invalid: return "sts-webpki-invalid";
    }
    return "sts-policy-fetch-error";
}

failure_type failure_type_of(const std::error_code& ec) noexcept {
    if (ec == errc::mta_sts_invalid_policy) return failure_type::policy_invalid;
    if (ec == errc::mta_sts_certificate_invalid) return failure_type::webpki_invalid;
    return failure_type::policy_fetch_error;
}

std::vector<std::string> mx_decision::allowed_hosts() const {
    std::vector<std::string> out;
    for (const auto& h : hosts)
        if (h.allowed) out.push_back(h.host);
    return out;
}

const host_verdict* mx_decision::find(std::string_view host) const {
    if (host.ends_with('.')) host.remove_suffix(1);
    for (const auto& h : hosts) {
        std::string_view name = h.host;
        if (name.ends_with('.')) name.remove_suffix(1);
        if (lettre::detail::iequals(name, host)) return &h;
    }
    return nullptr;
}

mx_decision apply_policy(const std::optional<policy>& p, std::string_view domain,
                         const std::vector<std::string>& mx_hosts) {
    mx_decision d;
    d.mode = p ? p->mode : policy_mode::none;
    for (const auto& host : mx_hosts) {
        if (!p || p->mode == policy_mode::none) {
            d.hosts.push_back(host_verdict{host, true, false, false, true, {}});
            continue;
        }
        d.hosts.push_back(verdict_for(*p, domain, host));
    }
    return d;
}

mx::host_policy host_policy_for(const mx_decision& d, std::string_view host,
                                mx::tls_policy configured) {
    const host_verdict* v = d.find(host);
    if (!v) {
        // A host the decision was not made for: under enforce it cannot
        // have been checked against the policy, so it is not used.
        if (d.mode != policy_mode::enforce) return {configured, true, {}};
        return {configured, false,
                fmt::format("MTA-STS enforce: {} was not checked against the policy", host)};
    }
    if (!v->allowed) return {configured, false, v->reason};
    // Verified at least: a stricter configured policy (dane_only) stays.
    if (v->requires_verified_tls)
        return {configured == mx::tls_policy::dane_only ? configured : mx::tls_policy::verified,
                true,
                {}};
    return {configured, true, {}};
}

}  // namespace lettre::mta_sts
