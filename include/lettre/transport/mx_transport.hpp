// Direct delivery to the recipients' MX hosts (RFC 5321 §5), without a
// relay: recipients grouped by domain, MX records in preference order with
// ties shuffled, null MX (RFC 7505) and the implicit MX honoured, every
// address of every host tried in turn, one result per recipient.
//
// This header holds the configuration, the report types and the blocking
// transport; it includes no Asio or Boost header. The asynchronous
// transport is in lettre/transport/async_mx_transport.hpp.
#pragma once

#include <lettre/dns/records.hpp>
#include <lettre/dns/resolver.hpp>
#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>
#include <lettre/smtp/config.hpp>
#include <lettre/smtp/response.hpp>
#include <lettre/transport/mta_sts_config.hpp>
#include <lettre/transport/mx_policy.hpp>
#include <lettre/transport/tls_report.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lettre {
namespace mx {

/// Which addresses of an MX host are tried, and in which order.
enum class address_order {

    /// IPv4 addresses of a host first: many receivers are stricter with
    /// IPv6 senders (PTR, SPF), and hosts without IPv6 routes fail fast anyway.
    ipv4_first,
    ipv6_first,
    ipv4_only,
    ipv6_only,
};

/// A traced line with the session it belongs to: the MX host name and the
/// address connected to. Sessions to different domains run at the same
/// time, so their lines interleave; this tells them apart.
using host_trace_hook = std::function<void(std::string_view host, std::string_view ip,
                                           smtp::trace_direction, std::string_view line)>;

/// How mx_transport delivers: TLS policy, limits, DNS and hooks.
struct config {
    /// The SMTP port of the MX hosts (25; another only for tests).
    std::uint16_t port = 25;
    /// EHLO name: best a name whose A and PTR records match the sending
    /// address. Empty: the machine's host name when it is fully qualified
    /// (has a dot), otherwise the address literal of each connection's
    /// local end, e.g. `[192.0.2.1]` (RFC 5321 §4.1.4); receivers often
    /// refuse a bare "vm" or "localhost".
    std::string hello_name;
    tls_policy tls = tls_policy::opportunistic;  ///< the policy of every host (see `policy`)
    /// Opportunistic hosts only: when a host offers STARTTLS but the TLS
    /// handshake fails, connect to the same address once more without
    /// STARTTLS and deliver in plaintext (RFC 7435; Exim does the same by
    /// default). False: that address counts as failed (transient,
    /// tls_failed) and the next one is tried. `required`, `verified` and
    /// `dane_only` hosts never fall back.
    bool plaintext_after_tls_failure = true;
    /// CA file or directory for `verified` (the system store otherwise).
    smtp::tls_parameters tls_parameters;
    policy_hook policy;        ///< per-host TLS policy, when set
    smtp::timeouts timeouts;   ///< per-phase limits of each SMTP session
    dns::resolver_config dns;  ///< the resolver for MX and address lookups
    /// Domains delivered at the same time.
    std::size_t max_concurrent_domains = 4;
    /// MX hosts tried per domain, in order (RFC 5321 §5.1 asks for a limit).
    std::size_t max_hosts = 5;
    address_order addresses = address_order::ipv4_first;  ///< which addresses, in which order
    /// False (the default): an MX host (or address literal) whose address
    /// is loopback (127.0.0.0/8, ::1), unspecified (0.0.0.0, ::) or one of
    /// this machine's own addresses is skipped, and when no other host is
    /// left the recipients fail permanently (no_mx_host, "mail for D loops
    /// back to myself: H has A (loopback)"), as an MTA does. True: such
    /// hosts are used, for tests and local setups.
    bool allow_local_targets = false;
    smtp::trace_hook trace;  ///< every line of every session, when set
    /// Every line of every session with its host and address, when set
    /// (after `trace`, for the same line).
    host_trace_hook host_trace;
    /// RFC 3461 DSN parameters for every session: RET= and ENVID= on MAIL
    /// FROM, NOTIFY= on each RCPT TO, sent to hosts that offer DSN and left
    /// out for those that do not. Empty: none (the receivers' defaults).
    std::optional<smtp::dsn_request> dsn;

    /// DANE for SMTP (RFC 7672): the MX, address and TLSA lookups ask for
    /// DNSSEC (DO and AD bits, see dns::resolver_config::trust_ad). A host
    /// found securely, whose secure `_25._tcp.HOST` TLSA records hold a
    /// usable one (DANE-TA 2 or DANE-EE 3), must do STARTTLS and present a
    /// certificate matching them, never falling back to plaintext; records
    /// none of which is usable still make STARTTLS mandatory; a bogus or
    /// failed TLSA lookup makes that host a transient failure. Only ever
    /// stricter, where the receiving domain asked for it (or everywhere,
    /// with tls_policy::dane_only). False: no DNSSEC, no TLSA lookups (the
    /// plain lookups of earlier versions); `dane_only` hosts then all fail.
    bool dane = true;

    /// MTA-STS (RFC 8461): each recipient domain's policy is looked for
    /// (`_mta-sts` TXT, then HTTPS) while its MX records are. `enforce`:
    /// MX hosts the policy does not list are not used, the others need a
    /// certificate valid for their name (PKIX, against
    /// `tls_parameters`' CA), and never fall back to plaintext; `testing`:
    /// only reported. DANE wins for a host with usable TLSA records (RFC
    /// 8461 §2). Only ever stricter, where the receiving domain asked.
    struct mta_sts_settings {
        bool enabled = true;  ///< false: no policy lookups
        /// CA file for the policy host, port, timeout, cache. Its `dns`:
        /// empty `servers` means the transport's `dns` above.
        lettre::mta_sts::config source;
    };
    mta_sts_settings mta_sts;  ///< on by default, with a cache in memory

    /// RFC 8460 TLS reporting: called with the TLS result of every session
    /// attempt (policy tlsa, sts or no-policy-found; success or the result
    /// type) and of every host DANE made unusable (dnssec-invalid), and
    /// with the MTA-STS discovery problem of a domain (sts-*). Runs on the
    /// transport's thread; must not block. A tls_report_collector's hook()
    /// builds the report JSON.
    tls_result_hook tls_report;
};

/// How a recipient's message was protected on the way to its MX host.
enum class tls_protection {
    none,           ///< plaintext
    opportunistic,  ///< TLS, the certificate not checked
    verified,       ///< TLS, the certificate valid for the MX host (tls_policy::verified)
    mta_sts,        ///< TLS, certificate verified because of the domain's MTA-STS policy
    dane,           ///< TLS, the certificate matched the host's DNSSEC-signed TLSA records
};

/// "plaintext", "TLS", "TLS verified", "TLS MTA-STS" or "TLS DANE".
LETTRE_EXPORT std::string_view to_string(tls_protection p) noexcept;

/// One MX host of a delivery plan.
struct planned_host {
    std::string name;                        ///< the MX host name
    std::uint16_t preference = 0;            ///< its MX preference
    std::vector<dns::ip_address> addresses;  ///< in the order they are tried
    std::error_code error;                   ///< why it has no address (DNS error), if so
};

/// Where mail for a domain goes, or why it cannot.
struct plan {
    std::string domain;  ///< A-label form
    /// No MX record: the domain itself is the host (RFC 5321 §5.1).
    bool implicit_mx = false;
    std::vector<planned_host> hosts;  ///< in the order they are tried
    /// Set when there is no host: dns_nxdomain, null_mx, dns_servfail...
    /// Compare it with lettre::condition: `permanent` will not go away by
    /// retrying (NXDOMAIN, null MX, no host with an address);
    /// `transient` may (SERVFAIL, a timeout; delivery_deferred when the
    /// code alone would say otherwise, e.g. no host address because a
    /// lookup failed).
    std::error_code error;
    std::string message;  ///< a sentence for humans
};

/// What happened to one recipient.
struct recipient_result {
    address recipient;  ///< the envelope recipient
    std::string host;   ///< MX host of the delivery, or of the last attempt
    std::string ip;     ///< the address connected to
    /// Delivered over TLS (STARTTLS). False for a plaintext delivery: the
    /// host offered no STARTTLS, or its handshake failed and the message
    /// went in plaintext (plaintext_after_tls_failure).
    bool tls = false;
    /// Delivered: how the session was protected (`none` when `tls` is
    /// false); failed: `none`.
    tls_protection protection = tls_protection::none;
    /// Delivered: the reply to the end of data. Failed: the last reply that
    /// concerned this recipient (RCPT, MAIL, DATA or the session), if any.
    std::optional<smtp::reply> reply;
    /// Empty: delivered. Otherwise why not, and what to do: compare it
    /// with lettre::condition.
    /// - `permanent`: bounce (dns_nxdomain, null_mx, no_mx_host,
    ///   smtp_permanent, message_too_big...);
    /// - `transient`: retry later (dns_servfail, smtp_transient, a refused
    ///   connection, a timeout, operation_aborted; delivery_deferred when
    ///   the last host failed in a way that is transient only for MX
    ///   delivery, e.g. "STARTTLS required but not offered": `message`
    ///   says what);
    /// - `outcome_unknown`: the end of data went out and no reply came; the
    ///   host may have the message, so a retry may deliver it twice.
    std::error_code error;
    std::string message;                                ///< a sentence for humans
    bool delivered() const noexcept { return !error; }  ///< `error` is empty
};

/// "delivered", "transient failure" (condition transient or
/// outcome_unknown) or "permanent failure": what `lettre send --mx` prints.
LETTRE_EXPORT std::string_view outcome(const recipient_result& r) noexcept;

/// The outcome of one send, recipient by recipient.
struct report {
    std::vector<recipient_result> recipients;  ///< in envelope order

    /// True when there are recipients and every one was delivered.
    bool all_delivered() const noexcept {
        for (const auto& r : recipients)
            if (!r.delivered()) return false;
        return !recipients.empty();
    }
    LETTRE_EXPORT std::vector<recipient_result> delivered() const;  ///< the delivered recipients
    /// Retry these later (queue them): errors equal to condition::transient
    /// or condition::outcome_unknown.
    LETTRE_EXPORT std::vector<recipient_result> transient_failures() const;
    /// Bounce these: errors equal to condition::permanent.
    LETTRE_EXPORT std::vector<recipient_result> permanent_failures() const;
};

/// Thrown by the blocking forms when no recipient got the message.
class LETTRE_EXPORT delivery_error : public lettre::error {
public:
    /// what() describes the failure from `code` and the report.
    delivery_error(std::error_code code, mx::report report);
    const mx::report& report() const noexcept { return report_; }  ///< every recipient's outcome

private:
    mx::report report_;
};

}  // namespace mx

/// The blocking transport: the async engine on a thread of its own; each
/// caller waits for its own send. Safe to share between threads (sends from
/// several threads run concurrently). Movable (a moved-from transport may
/// only be assigned to or destroyed). The policy and trace hooks run on the
/// transport's thread.
///
/// Models lettre::transport. The error (thrown, set or returned) is empty
/// when at least one recipient got the message (look at the report for the
/// others); otherwise it is the first recipient's error.
class LETTRE_EXPORT mx_transport {
public:
    using report_type = mx::report;  ///< what a send reports

    /// A transport for `config`; its engine runs on a thread of its own.
    explicit mx_transport(mx::config config = {});
    /// Waits for the engine to shut down.
    ~mx_transport();
    mx_transport(mx_transport&&) noexcept;             ///< movable, not copyable
    mx_transport& operator=(mx_transport&&) noexcept;  ///< movable, not copyable

    /// Throws mx::delivery_error (with the report) when no recipient got
    /// the message; check the report's failures otherwise.
    mx::report send(const message& msg);
    /// The same, setting `ec` (cleared on success) instead of throwing.
    mx::report send(const message& msg, std::error_code& ec);
    /// The error with a sentence naming the first failed recipient.
    result<mx::report> try_send(const message& msg);
    /// SMTPUTF8 is asked for when the envelope or the header section needs it.
    mx::report send_raw(const envelope& env, std::string_view bytes);
    /// The same, setting `ec` (cleared on success) instead of throwing.
    mx::report send_raw(const envelope& env, std::string_view bytes, std::error_code& ec);
    /// send_raw() returning the error instead of throwing it.
    result<mx::report> try_send_raw(const envelope& env, std::string_view bytes);

    /// Never throws for DNS answers: see plan::error.
    [[nodiscard]] mx::plan plan(std::string_view domain);
    /// The configuration the transport was made with.
    const mx::config& config() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace lettre
