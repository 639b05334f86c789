// Per-recipient bookkeeping of MX delivery, sans-io: recipients grouped by
// domain, and what each SMTP attempt means for each of them (RFC 5321 §5.1:
// 4xx or a failed connection moves on to the next host; 5xx is final for
// the recipients it names). Internal; unit-tested without sockets.
#pragma once

#include <lettre/message/envelope.hpp>
#include <lettre/smtp/response.hpp>
#include <lettre/transport/mx_transport.hpp>

#include "transport/mx_plan.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace lettre::mx::detail {

struct domain_group {
    std::string domain;  ///< lower case A-labels (or a domain literal)
    std::vector<address> recipients;
};

/// Recipients grouped by domain (addresses already hold A-labels), in order
/// of first appearance.
std::vector<domain_group> group_by_domain(const std::vector<address>& recipients);

/// One domain's recipients while its hosts are tried.
class recipient_tracker {
public:
    explicit recipient_tracker(std::vector<address> recipients);

    /// Recipients without a final outcome yet.
    std::vector<address> pending() const;
    bool done() const;

    /// Applies one SMTP attempt on `host`/`ip`. `ec` and `report` are the
    /// send's outcome (ec from opening the session or from the transaction;
    /// report.recipients holds the RCPT replies received, and
    /// report.diagnostics the failure). Returns false when no further host
    /// may be tried (the outcome is unknown: another host could duplicate).
    /// `protection`: how the session was protected (none: plaintext).
    bool apply(const std::string& host, const std::string& ip, tls_protection protection,
               const std::error_code& ec, const smtp::send_report& report);
    /// `tls`: the session was encrypted (opportunistic TLS).
    bool apply(const std::string& host, const std::string& ip, bool tls, const std::error_code& ec,
               const smtp::send_report& report) {
        return apply(host, ip, tls ? tls_protection::opportunistic : tls_protection::none, ec,
                     report);
    }

    /// A final failure for every pending recipient (DNS verdicts), decided
    /// `transient` or `permanent`; the recorded error agrees with the
    /// decision (agreeing_error, `permanent_fallback` for a permanent one).
    void fail_pending(condition decided, const std::error_code& ec, const std::string& message,
                      const std::string& host = {}, errc permanent_fallback = errc::no_mx_host);
    /// No host left: pending recipients fail with their last attempt's
    /// error; transient unless that attempt was a permanent refusal.
    void exhaust();

    std::vector<recipient_result> results() const;

private:
    struct entry {
        recipient_result result;
        bool final = false;
        bool attempted = false;
    };
    entry* find(const address& a);
    void attempt_failed(entry& e, const std::string& host, const std::string& ip,
                        std::optional<smtp::reply> reply, const std::error_code& ec,
                        std::string message, bool permanent_class);

    std::vector<entry> entries_;
};

}  // namespace lettre::mx::detail
