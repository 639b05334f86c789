// SMTP TLS reporting (RFC 8460): the result of each MX session's TLS, a
// collector that aggregates them into the report's JSON, and the
// `_smtp._tls` TXT record that says where a domain wants its reports.
// Sending a report is the user's choice: lettre builds it, and the user
// mails or POSTs it to the record's `rua`.
#pragma once

#include <lettre/dns/records.hpp>
#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::mx {

/// Why a session did not get the TLS its policy asks for: the result types
/// of RFC 8460 §4.3 (IANA "STARTTLS Validation Result Types").
enum class tls_result_type {
    starttls_not_supported,     ///< the MX did not offer STARTTLS
    certificate_host_mismatch,  ///< the certificate does not name the MX host
    certificate_expired,        ///< the certificate has expired (or is not valid yet)
    certificate_not_trusted,    ///< no trusted issuer (self-signed, unknown CA)
    validation_failure,         ///< any other failure to validate the peer
    tlsa_invalid,               ///< the TLSA records could not be used or matched nothing
    dnssec_invalid,             ///< the resolver returned no valid (bogus) records
    dane_required,              ///< DANE was required and no secure TLSA records exist
    sts_policy_fetch_error,     ///< the MTA-STS policy could not be fetched
    sts_policy_invalid,         ///< the MTA-STS policy did not parse
    sts_webpki_invalid,         ///< the policy host's certificate did not validate
};

/// The RFC 8460 name: "starttls-not-supported", "certificate-expired", ...
LETTRE_EXPORT std::string_view to_string(tls_result_type t) noexcept;

/// The policy a session was held to (RFC 8460 §4.4 "policy").
struct tls_report_policy {
    /// RFC 8460 policy-type.
    enum class kind {
        tlsa,             ///< DANE: usable TLSA records for the MX host
        sts,              ///< an MTA-STS policy
        no_policy_found,  ///< neither (opportunistic TLS)
    };
    kind type = kind::no_policy_found;  ///< policy-type
    /// policy-string: the TLSA records in presentation form ("3 1 1 ABCD...")
    /// or the lines of the MTA-STS policy; empty for no_policy_found.
    std::vector<std::string> strings;
    std::string domain;  ///< policy-domain: the recipient domain
    /// mx-host: the MTA-STS policy's mx patterns, or the MX host the TLSA
    /// records belong to.
    std::vector<std::string> mx_hosts;

    /// Same policy (the collector aggregates per policy).
    friend bool operator==(const tls_report_policy&, const tls_report_policy&) = default;
};

/// The TLS outcome of one session attempt with an MX host (RFC 8460 §4.3):
/// what a tls_result_hook receives and a tls_report_collector counts.
struct tls_session_result {
    tls_report_policy policy;  ///< the policy it was held to
    /// Empty: TLS was established as the policy asks (a successful session).
    std::optional<tls_result_type> failure;
    std::string receiving_mx_hostname;  ///< the MX host
    std::string receiving_ip;           ///< the address connected to
    std::string sending_mta_ip;         ///< the local address, when known
    std::string receiving_mx_helo;      ///< the host's greeting name, when known
    /// failure-reason-code: what the sender saw, e.g. OpenSSL's verify
    /// result "certificate has expired".
    std::string failure_reason;
};

/// Called with each session's TLS result as it happens (logs, metrics, a
/// tls_report_collector). Runs on the transport's executor; must not block.
using tls_result_hook = std::function<void(const tls_session_result&)>;

/// A TLSA record as a policy-string line: "3 1 1 " and the data in
/// upper-case hex (RFC 6698 §2.2 presentation form).
LETTRE_EXPORT std::string tlsa_policy_string(const dns::tlsa_record& r);

/// The report's own fields (RFC 8460 §4.4).
struct tls_report_header {
    std::string organization_name;                ///< organization-name: who sends the report
    std::string contact_info;                     ///< contact-info: e.g. a mailbox
    std::string report_id;                        ///< report-id: unique per report
    std::chrono::system_clock::time_point start;  ///< date-range start-datetime
    std::chrono::system_clock::time_point end;    ///< date-range end-datetime
};

/// Aggregates session results into RFC 8460 reports: per policy domain,
/// per policy, success and failure counts and the failures grouped by
/// result type, MX host and addresses. Thread-safe (one mutex), so one
/// collector can serve several transports through hook().
class LETTRE_EXPORT tls_report_collector {
public:
    tls_report_collector();
    ~tls_report_collector();
    tls_report_collector(const tls_report_collector&) = delete;
    tls_report_collector& operator=(const tls_report_collector&) = delete;

    /// Counts one session.
    void add(const tls_session_result& r);
    /// A hook that calls add(); the collector must outlive the transport.
    tls_result_hook hook();
    /// The policy domains with at least one session, in order.
    std::vector<std::string> domains() const;
    /// The report for one policy domain (RFC 8460 §4.4 JSON, media type
    /// application/tlsrpt+json); a report with no policies when the domain
    /// had no session.
    std::string report_json(const tls_report_header& header, std::string_view domain) const;
    /// Forgets every count (after the reports of a period were taken).
    void clear();

private:
    struct state;
    std::unique_ptr<state> state_;
};

/// A domain's `_smtp._tls` TXT record (RFC 8460 §3): where reports go.
struct tlsrpt_record {
    /// rua: the report URIs, "mailto:..." or "https://...", in order.
    std::vector<std::string> rua;
};

/// Reads one TXT record's text: `v=TLSRPTv1; rua=mailto:a@example.com,https://r.example/`.
/// Errors (invalid_argument) name the bad field.
LETTRE_EXPORT result<tlsrpt_record> parse_tlsrpt_record(std::string_view text);

/// Picks the record among a domain's TXT strings (RFC 8460 §3): those not
/// starting with "v=TLSRPTv1" are ignored; not exactly one left means the
/// domain asks for no reports (nullopt). A malformed single record too.
LETTRE_EXPORT std::optional<tlsrpt_record> select_tlsrpt_record(
    const std::vector<std::string>& txt_texts);

/// `_smtp._tls.<domain>`, the owner name of the record.
LETTRE_EXPORT std::string tlsrpt_name(std::string_view domain);

}  // namespace lettre::mx
