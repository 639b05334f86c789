#include "mx_security.hpp"

#include "cli_error.hpp"

#include <lettre/dns/resolver.hpp>
#include <lettre/transport/mta_sts.hpp>
#include <lettre/transport/tls_report.hpp>

#include <algorithm>
#include <string>

namespace lettre::cli {
namespace {

using lettre::dns::answer;

/// RFC 7672 §3.1: DANE-TA(2) or DANE-EE(3), a known selector and matching type.
bool usable(const lettre::dns::tlsa_record& r) {
    return (r.usage == 2 || r.usage == 3) && r.selector <= 1 && r.matching_type <= 2;
}

/// The host's A and AAAA answers are both secure (empty ones included).
/// As the transport decides: every answer that gave addresses is secure.
bool addresses_secure(lettre::dns::resolver& dns, const std::string& host) {
    std::error_code e4, e6;
    const auto a = dns.resolve_a_dnssec(host, e4);
    const auto aaaa = dns.resolve_aaaa_dnssec(host, e6);
    const bool has4 = !e4 && !a.empty();
    const bool has6 = !e6 && !aaaa.empty();
    return (has4 || has6) && (!has4 || a.secure()) && (!has6 || aaaa.secure());
}

/// The `tlsa:` lines and the `dane:` verdict of one host.
void print_host_dane(lettre::dns::resolver& dns, bool mx_secure, const std::string& host,
                     std::ostream& out) {
    std::error_code ec;
    const auto tlsa = dns.resolve_tlsa_dnssec(lettre::dns::tlsa_name(host, 25), ec);
    if (ec) {
        out << "      tlsa: lookup failed: " << printable(ec.message()) << '\n';
    } else if (tlsa.empty()) {
        out << "      tlsa: none" << (tlsa.secure() ? " (securely denied)" : "") << '\n';
    } else {
        for (const auto& r : tlsa.records)
            out << "      tlsa: " << lettre::mx::tlsa_policy_string(r) << '\n';
    }
    out << "      dane: ";
    if (!mx_secure || !addresses_secure(dns, host))
        out << "not applicable (the MX or address answers are not DNSSEC-secure)";
    else if (ec)
        out << "lookup failed: the host is not used until it succeeds";
    else if (!tlsa.secure())
        out << "not applicable (the TLSA answer is not DNSSEC-secure)";
    else if (tlsa.empty())
        out << "no records (opportunistic TLS, or MTA-STS)";
    else if (std::any_of(tlsa.records.begin(), tlsa.records.end(), usable))
        out << "authenticated (STARTTLS required, certificate checked against the records)";
    else
        out << "records, none usable (STARTTLS required, certificate not checked)";
    out << '\n';
}

void print_mta_sts(const lettre::mx::config& cfg, const std::string& domain, std::ostream& out) {
    auto source = cfg.mta_sts.source;
    if (source.dns.servers.empty()) source.dns = cfg.dns;
    lettre::mta_sts::policy_source sts(std::move(source));
    const auto d = sts.discover(domain);
    out << "  mta-sts: ";
    if (d.active) {
        const auto& p = *d.active;
        out << lettre::mta_sts::to_string(p.mode) << " id=" << printable(d.id)
            << " max_age=" << p.max_age << " mx=";
        for (std::size_t i = 0; i < p.mx.size(); ++i) out << (i ? "," : "") << printable(p.mx[i]);
    } else if (!d.problem) {
        out << "none";
    }
    if (d.problem)
        out << (d.active ? " (" : "") << lettre::mta_sts::to_string(d.problem->type) << ": "
            << printable(d.problem->message) << (d.active ? ")" : "");
    out << '\n';
}

}  // namespace

void print_mx_security(const lettre::mx::config& cfg, const lettre::mx::plan& plan,
                       std::ostream& out) {
    if (cfg.dane && !plan.domain.starts_with('[')) {
        lettre::dns::resolver dns(cfg.dns);
        std::error_code ec;
        const auto mx = dns.resolve_mx_dnssec(plan.domain, ec);
        out << "  dnssec: MX answer ";
        if (ec)
            out << "failed (" << printable(ec.message()) << ")";
        else
            out << (mx.secure() ? "secure" : "insecure");
        out << '\n';
        const bool mx_secure = !ec && mx.secure();
        for (const auto& host : plan.hosts) {
            out << "    " << printable(host.name) << '\n';
            print_host_dane(dns, mx_secure, host.name, out);
        }
    }
    if (cfg.mta_sts.enabled && !plan.domain.starts_with('[')) print_mta_sts(cfg, plan.domain, out);
}

}  // namespace lettre::cli
