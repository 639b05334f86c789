// Direct delivery to the recipients' MX hosts (RFC 5321 §5), without a
// relay: recipients grouped by domain, MX records in preference order with
// ties shuffled, null MX (RFC 7505) and the implicit MX honoured, every
// address of every host tried in turn, one result per recipient.
#pragma once

#include <lettre/dns/resolver.hpp>
#include <lettre/export.hpp>
#include <lettre/message/message.hpp>
#include <lettre/smtp/config.hpp>
#include <lettre/smtp/response.hpp>
#include <lettre/smtp/transport.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/address.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace lettre {
namespace mx {

/// How much TLS a host must give.
enum class tls_policy {
    /// STARTTLS when offered, the certificate not checked; plaintext when not
    /// offered (RFC 7435 opportunistic security: the default of MTAs).
    opportunistic,
    /// STARTTLS or a transient failure; the certificate not checked.
    required,
    /// STARTTLS with a certificate valid for the MX host name.
    verified,
};

LETTRE_EXPORT std::string_view to_string(tls_policy p) noexcept;
/// "opportunistic", "required" or "verified".
LETTRE_EXPORT std::optional<tls_policy> parse_tls_policy(std::string_view s) noexcept;

/// What the policy hook decides for one MX host.
struct host_policy {
    tls_policy tls = tls_policy::opportunistic;
    /// False: do not use this host (e.g. not in an MTA-STS policy's mx list).
    bool allowed = true;
    std::string reason;  ///< why not allowed, for the report
};

/// Called before connecting to each MX host with the recipient domain, the
/// host name and the configured policy. MTA-STS (RFC 8461) and DANE (RFC
/// 7672) plug in here: a cached MTA-STS policy in "enforce" mode turns hosts
/// it lists into `verified` and forbids the others; DANE would turn hosts
/// with usable TLSA records into a stricter policy. Without a hook, every
/// host gets the configured policy.
using policy_hook = std::function<host_policy(std::string_view domain, std::string_view mx_host,
                                              tls_policy configured)>;

enum class address_order {
    /// IPv4 addresses of a host first: many receivers are stricter with
    /// IPv6 senders (PTR, SPF), and hosts without IPv6 routes fail fast anyway.
    ipv4_first,
    ipv6_first,
    ipv4_only,
    ipv6_only,
};

struct config {
    /// The SMTP port of the MX hosts (25; another only for tests).
    std::uint16_t port = 25;
    /// EHLO name: best a name whose A and PTR records match the sending
    /// address. Empty: the machine's host name when it is fully qualified
    /// (has a dot), otherwise the address literal of each connection's
    /// local end, e.g. `[192.0.2.1]` (RFC 5321 §4.1.4); receivers often
    /// refuse a bare "vm" or "localhost".
    std::string hello_name;
    tls_policy tls = tls_policy::opportunistic;
    /// Opportunistic hosts only: when a host offers STARTTLS but the TLS
    /// handshake fails, connect to the same address once more without
    /// STARTTLS and deliver in plaintext (RFC 7435; Exim does the same by
    /// default). False: that address counts as failed (transient,
    /// tls_failed) and the next one is tried. `required` and `verified`
    /// hosts never fall back.
    bool plaintext_after_tls_failure = true;
    /// CA file or directory for `verified` (the system store otherwise).
    smtp::tls_parameters tls_parameters;
    policy_hook policy;
    smtp::timeouts timeouts;
    dns::resolver_config dns;
    /// Domains delivered at the same time.
    std::size_t max_concurrent_domains = 4;
    /// MX hosts tried per domain, in order (RFC 5321 §5.1 asks for a limit).
    std::size_t max_hosts = 5;
    address_order addresses = address_order::ipv4_first;
    smtp::trace_hook trace;
};

/// One MX host of a delivery plan.
struct planned_host {
    std::string name;
    std::uint16_t preference = 0;
    std::vector<boost::asio::ip::address> addresses;  ///< in the order they are tried
    std::error_code error;                            ///< why it has no address (DNS error), if so
};

/// Where mail for a domain goes, or why it cannot.
struct plan {
    std::string domain;  ///< A-label form
    /// No MX record: the domain itself is the host (RFC 5321 §5.1).
    bool implicit_mx = false;
    std::vector<planned_host> hosts;  ///< in the order they are tried
    /// Set when there is no host: dns_nxdomain, null_mx, dns_servfail...
    std::error_code error;
    bool permanent = false;  ///< `error` will not go away by retrying
    std::string message;     ///< a sentence for humans
};

enum class status { delivered, transient_failure, permanent_failure };

LETTRE_EXPORT std::string_view to_string(status s) noexcept;

struct recipient_result {
    address recipient;
    mx::status status = mx::status::transient_failure;
    std::string host;  ///< MX host of the delivery, or of the last attempt
    std::string ip;    ///< the address connected to
    /// Delivered over TLS (STARTTLS). False for a plaintext delivery: the
    /// host offered no STARTTLS, or its handshake failed and the message
    /// went in plaintext (plaintext_after_tls_failure).
    bool tls = false;
    /// Delivered: the reply to the end of data. Failed: the last reply that
    /// concerned this recipient (RCPT, MAIL, DATA or the session), if any.
    std::optional<smtp::reply> reply;
    /// Failed: why (dns_nxdomain, null_mx, smtp_permanent, a connection error...).
    std::error_code error;
    std::string message;  ///< a sentence for humans
    bool delivered() const noexcept { return status == mx::status::delivered; }
};

struct report {
    std::vector<recipient_result> recipients;  ///< in envelope order

    bool all_delivered() const noexcept {
        for (const auto& r : recipients)
            if (!r.delivered()) return false;
        return !recipients.empty();
    }
    std::vector<recipient_result> with(mx::status s) const {
        std::vector<recipient_result> out;
        for (const auto& r : recipients)
            if (r.status == s) out.push_back(r);
        return out;
    }
    std::vector<recipient_result> delivered() const { return with(mx::status::delivered); }
    /// Retry these later (queue them).
    std::vector<recipient_result> transient_failures() const {
        return with(mx::status::transient_failure);
    }
    /// Bounce these.
    std::vector<recipient_result> permanent_failures() const {
        return with(mx::status::permanent_failure);
    }
};

/// The error is empty when at least one recipient got the message (look at
/// the report for the others); otherwise the first recipient's error.
using send_signature = void(boost::system::error_code, report);
using plan_signature = void(boost::system::error_code, plan);

/// Thrown by the blocking forms when no recipient got the message.
class LETTRE_EXPORT delivery_error : public lettre::error {
public:
    delivery_error(std::error_code code, mx::report report);
    const mx::report& report() const noexcept { return report_; }

private:
    mx::report report_;
};

}  // namespace mx

/// Delivers from an executor. Operations take any completion token and never
/// complete inline.
class LETTRE_EXPORT async_mx_transport {
public:
    explicit async_mx_transport(boost::asio::any_io_executor ex, mx::config config = {});
    ~async_mx_transport();
    async_mx_transport(async_mx_transport&&) noexcept;
    async_mx_transport& operator=(async_mx_transport&&) noexcept;

    /// Delivers to every recipient domain; see mx::report.
    ///
    /// Per-operation cancellation (terminal or partial, e.g. through
    /// bind_cancellation_slot or a coroutine's cancellation): domains not
    /// started are not started, DNS lookups are abandoned, SMTP sessions are
    /// closed at once. The operation completes with operation_aborted and a
    /// full report: recipients a server already accepted are `delivered`;
    /// the others are transient failures with operation_aborted (or
    /// outcome_unknown when the session was closed after the final dot).
    template <class CompletionToken>
    auto async_send(const message& msg, CompletionToken&& token) {
        return async_send_raw(msg.envelope(), msg.formatted(), msg.requires_smtputf8(),
                              std::forward<CompletionToken>(token));
    }

    template <class CompletionToken>
    auto async_send_raw(const envelope& env, std::string bytes, bool smtputf8,
                        CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, mx::send_signature>(
            [this](auto handler, envelope e, std::string b, bool u) {
                start_send(
                    std::move(e), std::move(b), u,
                    boost::asio::any_completion_handler<mx::send_signature>(std::move(handler)));
            },
            token, env, std::move(bytes), smtputf8);
    }

    /// The delivery plan of a domain (what `lettre mx DOMAIN` prints). The
    /// error is the plan's error, if any. Per-operation cancellation
    /// (terminal or partial) abandons the lookups; the plan then completes
    /// with operation_aborted.
    template <class CompletionToken>
    auto async_plan(std::string_view domain, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, mx::plan_signature>(
            [this](auto handler, std::string d) {
                start_plan(std::move(d), boost::asio::any_completion_handler<mx::plan_signature>(
                                             std::move(handler)));
            },
            token, std::string(domain));
    }

    boost::asio::any_io_executor get_executor() const noexcept;
    const mx::config& config() const noexcept;

    struct impl;  ///< internal

private:
    void start_send(envelope env, std::string bytes, bool smtputf8,
                    boost::asio::any_completion_handler<mx::send_signature> handler);
    void start_plan(std::string domain,
                    boost::asio::any_completion_handler<mx::plan_signature> handler);
    std::shared_ptr<impl> impl_;
};

/// The blocking transport: the same engine on an io_context of its own.
/// Safe to share between threads (sends are serialized).
class LETTRE_EXPORT mx_transport {
public:
    explicit mx_transport(mx::config config = {});
    ~mx_transport();

    /// Throws mx::delivery_error when no recipient got the message; check
    /// the report's failures otherwise.
    mx::report send(const message& msg);
    mx::report send(const message& msg, boost::system::error_code& ec);
    mx::report send_raw(const envelope& env, std::string_view bytes);
    mx::report send_raw(const envelope& env, std::string_view bytes, boost::system::error_code& ec);

    mx::plan plan(std::string_view domain);  ///< never throws for DNS answers: see plan::error
    const mx::config& config() const noexcept;

private:
    std::unique_ptr<boost::asio::io_context> ioc_;
    std::unique_ptr<async_mx_transport> async_;
    std::mutex mutex_;
};

}  // namespace lettre
