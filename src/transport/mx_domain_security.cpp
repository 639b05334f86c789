// The authenticated-TLS part of one domain's delivery: the MTA-STS policy
// (RFC 8461) applied to the MX set, each host's DANE state (RFC 7672) and
// the TLS result of every attempt for the report (RFC 8460).
#include "transport/mx_domain_delivery.hpp"

#include "smtp/connection.hpp"

#include <fmt/format.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <utility>

namespace lettre::mx::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

/// The port whose TLSA records SMTP uses (RFC 7672 §2.2.3), whatever
/// port the configuration connects to (tests).
constexpr std::uint16_t smtp_port = 25;

/// The stricter of two policies (opportunistic < required < verified <
/// dane_only: the enumerators' order).
tls_policy stricter(tls_policy a, tls_policy b) {
    return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

/// The lines of a policy body: its RFC 8460 policy-string.
std::vector<std::string> policy_lines(std::string_view text) {
    std::vector<std::string> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (!line.empty()) out.emplace_back(line);
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return out;
}

tls_result_type result_type_of(mta_sts::failure_type t) {
    switch (t) {
        case mta_sts::failure_type::policy_fetch_error:
            return tls_result_type::sts_policy_fetch_error;
        case mta_sts::failure_type::policy_invalid: return tls_result_type::sts_policy_invalid;
        case mta_sts::failure_type::webpki_invalid: return tls_result_type::sts_webpki_invalid;
    }
    return tls_result_type::sts_policy_fetch_error;
}

}  // namespace

host_policy domain_delivery::host_policy_now() {
    host_policy p{owner_->cfg.tls, true, {}};
    // What the domain asked for, which nothing below may loosen.
    tls_policy floor = tls_policy::opportunistic;
    if (const auto* v = sts_verdicts_.find(host_)) {
        if (!v->allowed) return {p.tls, false, v->reason};
        if (v->requires_verified_tls) floor = tls_policy::verified;
    }
    p.tls = stricter(p.tls, floor);
    if (!owner_->cfg.policy) return p;
    host_policy h = owner_->cfg.policy(domain_, host_, p.tls);
    // Stricter only: neither the configured policy (a configured dane_only
    // is a promise about every host) nor what the domain requires is
    // loosened by the hook.
    h.tls = stricter(h.tls, p.tls);
    return h;
}

void domain_delivery::start_mta_sts() {
    if (!owner_->sts) return;
    sts_done_ = false;
    owner_->sts->async_discover(
        domain_, asio::bind_executor(
                     strand_, [self = shared_from_this()](error_code ec, mta_sts::discovery d) {
                         self->on_mta_sts(ec ? mta_sts::discovery{} : std::move(d));
                     }));
}

void domain_delivery::on_mta_sts(mta_sts::discovery d) {
    sts_done_ = true;
    if (finished_) return;  // the MX lookup failed, or cancelled meanwhile
    if (d.active && d.active->mode != mta_sts::policy_mode::none) sts_policy_ = std::move(d.active);
    if (d.problem && owner_->cfg.tls_report) {
        // RFC 8460 §4.3.2: the policy could not be found or used.
        tls_session_result r;
        r.policy.type = tls_report_policy::kind::sts;
        r.policy.domain = domain_;
        if (sts_policy_) {
            r.policy.strings = policy_lines(sts_policy_->text);
            r.policy.mx_hosts = sts_policy_->mx;
        }
        r.failure = result_type_of(d.problem->type);
        r.failure_reason = d.problem->message;
        owner_->cfg.tls_report(r);
    }
    if (mx_done_) hosts_ready();
}

void domain_delivery::hosts_ready() {
    if (!sts_done_) return;  // on_mta_sts() comes back here
    if (sts_policy_) {
        // Applied to this domain's MX set only: another domain sharing the
        // hosts is not held to it.
        std::vector<std::string> names;
        for (const auto& h : hosts_) names.push_back(h.host);
        sts_verdicts_ = mta_sts::apply_policy(sts_policy_, domain_, names);
    }
    next_host();
}

void domain_delivery::check_dane() {
    if (!owner_->cfg.dane || !mx_secure_ || !addresses_secure_) return dane_decided();
    owner_->resolver.async_resolve_tlsa_dnssec(
        dns::tlsa_name(host_, smtp_port),
        asio::bind_cancellation_slot(
            cancel_tlsa_.slot(),
            asio::bind_executor(strand_, [self = shared_from_this()](
                                             error_code ec, dns::answer<dns::tlsa_record> a) {
                self->on_tlsa(ec, std::move(a));
            })));
}

void domain_delivery::on_tlsa(const std::error_code& ec, dns::answer<dns::tlsa_record> a) {
    if (finished_) return;  // cancelled meanwhile
    if (cancelled_) {
        abort_pending();
        return finish();
    }
    dane_ = decide_dane(mx_secure_, addresses_secure_, ec, a, host_, domain_);
    tlsa_ = std::move(a.records);
    switch (dane_.state) {
        case dane_state::lookup_failed: {
            // RFC 7672 §2.1.1: never downgrade; this host waits for DNS.
            ip_ = addresses_.front().to_string();
            const std::string why = fmt::format(
                "DANE: the TLSA lookup of {} failed ({}{}); the host is not used until it "
                "succeeds (RFC 7672 §2.1.1)",
                dns::tlsa_name(host_, smtp_port), ec.message(),
                a.bogus ? ", DNSSEC validation failed" : "");
            report_tls(tls_result_type::dnssec_invalid, why);
            smtp::send_report r;
            r.diagnostics.message = why;
            attempted_ = true;
            tracker_.apply(host_, ip_, tls_protection::none,
                           agreeing_error(ec, condition::transient, errc::no_mx_host), r);
            return next_host();
        }
        case dane_state::authenticated:
        case dane_state::unusable_only:
            // STARTTLS mandatory: never plaintext, not even after a failed handshake.
            policy_.tls = stricter(policy_.tls, tls_policy::required);
            break;
        case dane_state::not_applicable:
        case dane_state::no_records: break;
    }
    dane_decided();
}

std::string domain_delivery::why_no_dane() const {
    if (host_.starts_with('['))
        return fmt::format("{} is an address literal, which has no TLSA records", host_);
    if (!owner_->cfg.dane) return "DANE is turned off (mx::config::dane is false)";
    if (!mx_secure_)
        return fmt::format(
            "the MX answer for {} is not DNSSEC-validated (an unsigned zone, or no validating "
            "resolver on loopback)",
            domain_);
    if (!addresses_secure_)
        return fmt::format("{} is in an unsigned zone (its addresses are not DNSSEC-validated)",
                           host_);
    const std::string name = dns::tlsa_name(host_, smtp_port);
    switch (dane_.state) {
        case dane_state::no_records: return fmt::format("{} has no TLSA records", name);
        case dane_state::unusable_only:
            return fmt::format("none of the TLSA records of {} is usable for SMTP (RFC 7672 §3.1)",
                               name);
        default: return fmt::format("the TLSA answer for {} is not DNSSEC-validated", name);
    }
}

void domain_delivery::dane_decided() {
    if (policy_.tls != tls_policy::dane_only || dane_.state == dane_state::authenticated)
        return next_address();
    // RFC 7672 §6: mandatory DANE; this host is not used (never plaintext,
    // never unauthenticated TLS) until it has usable secure TLSA records.
    const std::string why = "DANE: dane-only policy, but " + why_no_dane();
    ip_ = addresses_.front().to_string();
    report_tls(tls_result_type::dane_required, why);
    smtp::send_report r;
    r.diagnostics.message = why;
    attempted_ = true;
    tracker_.apply(host_, ip_, tls_protection::none, make_error_code(errc::delivery_deferred), r);
    next_host();
}

tls_report_policy domain_delivery::report_policy() const {
    tls_report_policy p;
    p.domain = domain_;
    if (dane_.state == dane_state::authenticated || dane_.state == dane_state::unusable_only ||
        dane_.state == dane_state::lookup_failed) {
        p.type = tls_report_policy::kind::tlsa;
        for (const auto& r : tlsa_) p.strings.push_back(tlsa_policy_string(r));
        p.mx_hosts = {host_};
        return p;
    }
    if (sts_policy_) {
        p.type = tls_report_policy::kind::sts;
        p.strings = policy_lines(sts_policy_->text);
        p.mx_hosts = sts_policy_->mx;
    }
    return p;
}

void domain_delivery::report_tls(std::optional<tls_result_type> failure, std::string reason) {
    if (!owner_->cfg.tls_report) return;
    tls_session_result r;
    r.policy = report_policy();
    r.failure = failure;
    r.receiving_mx_hostname = host_;
    r.receiving_ip = ip_;
    if (failure) {
        r.failure_reason = std::move(reason);
        // sending-mta-ip: the address the system routes from (no packet sent).
        error_code bad;
        const auto peer = asio::ip::make_address(ip_, bad);
        if (!bad)
            if (const auto local = local_address_towards(peer))
                r.sending_mta_ip = local->to_string();
    }
    owner_->cfg.tls_report(r);
}

tls_protection domain_delivery::protection(bool tls) const {
    if (!tls) return tls_protection::none;
    if (dane_.state == dane_state::authenticated) return tls_protection::dane;
    if (policy_.tls != tls_policy::verified) return tls_protection::opportunistic;
    const auto* v = sts_verdicts_.find(host_);
    return v && v->requires_verified_tls ? tls_protection::mta_sts : tls_protection::verified;
}

std::string domain_delivery::policy_prefix() const {
    if (dane_.state == dane_state::authenticated) return "DANE: ";
    if (dane_.state == dane_state::unusable_only) return "DANE (TLSA records, none usable): ";
    const auto* v = sts_verdicts_.find(host_);
    if (v && v->requires_verified_tls) return "MTA-STS enforce: ";
    return {};
}

}  // namespace lettre::mx::detail
