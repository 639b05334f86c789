// RFC 8460 TLS reports: counting session results and writing the JSON.
#include <lettre/transport/tls_report.hpp>

#include "detail/json_string.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <tuple>

namespace lettre::mx {

using detail::json_string;

std::string_view to_string(tls_result_type t) noexcept {
    switch (t) {
        case tls_result_type::starttls_not_supported: return "starttls-not-supported";
        case tls_result_type::certificate_host_mismatch: return "certificate-host-mismatch";
        case tls_result_type::certificate_expired: return "certificate-expired";
        case tls_result_type::certificate_not_trusted: return "certificate-not-trusted";
        case tls_result_type::validation_failure: return "validation-failure";
        case tls_result_type::tlsa_invalid: return "tlsa-invalid";
        case tls_result_type::dnssec_invalid: return "dnssec-invalid";
        case tls_result_type::dane_required: return "dane-required";
        case tls_result_type::sts_policy_fetch_error: return "sts-policy-fetch-error";
        case tls_result_type::sts_policy_invalid: return "sts-policy-invalid";
        case tls_result_type::sts_webpki_invalid: return "sts-webpki-invalid";
    }
    return "validation-failure";
}

std::string tlsa_policy_string(const dns::tlsa_record& r) {
    std::string out = fmt::format("{} {} {} ", r.usage, r.selector, r.matching_type);
    for (auto b : r.data) out += fmt::format("{:02X}", b);
    return out;
}

namespace {

std::string_view policy_type_name(tls_report_policy::kind k) {
    switch (k) {
        case tls_report_policy::kind::tlsa: return "tlsa";
        case tls_report_policy::kind::sts: return "sts";
        case tls_report_policy::kind::no_policy_found: return "no-policy-found";
    }
    return "no-policy-found";
}

/// One row of failure-details: the sessions that failed the same way with
/// the same host.
struct failure_key {
    tls_result_type type;
    std::string sending_ip, mx_host, helo, receiving_ip, reason;
    friend auto operator<=>(const failure_key&, const failure_key&) = default;
};

struct policy_counts {
    tls_report_policy policy;
    std::size_t successes = 0;
    std::size_t failures = 0;
    std::map<failure_key, std::size_t> details;
};

std::string json_array(const std::vector<std::string>& v) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ", ";
        out += json_string(v[i]);
    }
    return out + "]";
}

/// RFC 3339 in UTC with a "Z", as RFC 8460 §4.4's examples write it.
std::string rfc3339(std::chrono::system_clock::time_point t) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                       std::chrono::time_point_cast<std::chrono::seconds>(t));
}

/// `"name": "value"` when the value is known; RFC 8460 makes these optional.
void optional_field(std::string& out, std::string_view name, const std::string& value) {
    if (!value.empty()) out += fmt::format(", {}: {}", json_string(name), json_string(value));
}

std::string failure_json(const failure_key& k, std::size_t count) {
    std::string out = fmt::format("{{\"result-type\": {}", json_string(to_string(k.type)));
    optional_field(out, "sending-mta-ip", k.sending_ip);
    optional_field(out, "receiving-mx-hostname", k.mx_host);
    optional_field(out, "receiving-mx-helo", k.helo);
    optional_field(out, "receiving-ip", k.receiving_ip);
    out += fmt::format(", \"failed-session-count\": {}", count);
    optional_field(out, "failure-reason-code", k.reason);
    return out + "}";
}

std::string policy_json(const policy_counts& c) {
    const auto& p = c.policy;
    std::string out = fmt::format(
        "{{\"policy\": {{\"policy-type\": {}, \"policy-string\": {}, \"policy-domain\": {}, "
        "\"mx-host\": {}}}, \"summary\": {{\"total-successful-session-count\": {}, "
        "\"total-failure-session-count\": {}}}",
        json_string(policy_type_name(p.type)), json_array(p.strings), json_string(p.domain),
        json_array(p.mx_hosts), c.successes, c.failures);
    if (!c.details.empty()) {
        out += ", \"failure-details\": [";
        bool first = true;
        for (const auto& [key, count] : c.details) {
            if (!first) out += ", ";
            first = false;
            out += failure_json(key, count);
        }
        out += "]";
    }
    return out + "}";
}

}  // namespace

struct tls_report_collector::state {
    mutable std::mutex mutex;
    std::vector<policy_counts> policies;  ///< in order of first session
};

tls_report_collector::tls_report_collector() : state_(std::make_unique<state>()) {}
tls_report_collector::~tls_report_collector() = default;

void tls_report_collector::add(const tls_session_result& r) {
    std::lock_guard lock(state_->mutex);
    auto& v = state_->policies;
    auto it = std::find_if(v.begin(), v.end(), [&](const auto& c) { return c.policy == r.policy; });
    if (it == v.end()) it = v.insert(v.end(), policy_counts{r.policy, 0, 0, {}});
    if (!r.failure) {
        ++it->successes;
        return;
    }
    ++it->failures;
    ++it->details[failure_key{*r.failure, r.sending_mta_ip, r.receiving_mx_hostname,
                              r.receiving_mx_helo, r.receiving_ip, r.failure_reason}];
}

tls_result_hook tls_report_collector::hook() {
    return [this](const tls_session_result& r) { add(r); };
}

std::vector<std::string> tls_report_collector::domains() const {
    std::lock_guard lock(state_->mutex);
    std::vector<std::string> out;
    for (const auto& c : state_->policies)
        if (std::find(out.begin(), out.end(), c.policy.domain) == out.end())
            out.push_back(c.policy.domain);
    return out;
}

std::string tls_report_collector::report_json(const tls_report_header& h,
                                              std::string_view domain) const {
    std::string out = fmt::format(
        "{{\"organization-name\": {}, \"date-range\": {{\"start-datetime\": {}, "
        "\"end-datetime\": {}}}, \"contact-info\": {}, \"report-id\": {}, \"policies\": [",
        json_string(h.organization_name), json_string(rfc3339(h.start)),
        json_string(rfc3339(h.end)), json_string(h.contact_info), json_string(h.report_id));
    std::lock_guard lock(state_->mutex);
    bool first = true;
    for (const auto& c : state_->policies) {
        if (c.policy.domain != domain) continue;
        if (!first) out += ", ";
        first = false;
        out += policy_json(c);
    }
    return out + "]}\n";
}

void tls_report_collector::clear() {
    std::lock_guard lock(state_->mutex);
    state_->policies.clear();
}

}  // namespace lettre::mx
