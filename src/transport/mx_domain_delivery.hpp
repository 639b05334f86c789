// Delivery to one recipient domain: MX lookup, then each host in order and
// each of its addresses in turn, until every recipient has a final outcome
// or no host is left. Runs on the send's strand. Internal.
//
// Cancellation (cancel(), on the strand): a DNS lookup in progress is
// abandoned at once; an SMTP session in progress is closed, and its
// outcome still recorded (the server may have accepted some recipients
// already). Every recipient without a final outcome then fails
// transiently with operation_aborted.
//
// Authenticated TLS (mx_domain_security.cpp): the MTA-STS policy is looked
// for while the MX records are, and applied to the MX set before any
// host is tried; each host's DANE state is decided from its TLSA records
// after its addresses; every attempt's TLS outcome goes to the TLS report
// hook.
#pragma once

#include "transport/mx_context.hpp"
#include "transport/mx_dane.hpp"
#include "transport/mx_recipients.hpp"

#include <lettre/dns/answer.hpp>
#include <lettre/transport/mta_sts.hpp>
#include <lettre/transport/tls_report.hpp>

#include <boost/asio/cancellation_signal.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lettre::smtp {
struct transport_config;
namespace detail {
class connection;
}
}  // namespace lettre::smtp

namespace lettre::mx::detail {

/// The message of one send, shared by its domains.
struct outgoing {
    std::optional<address> from;
    std::string bytes;
    bool smtputf8 = false;
};

/// What an attempt's connection knew about TLS.
struct attempt_tls {
    bool active = false;   ///< the session was encrypted
    long verify = 0;       ///< OpenSSL's verify result (X509_V_OK)
    bool started = false;  ///< the client got to STARTTLS (or past EHLO without it)
};

class domain_delivery : public std::enable_shared_from_this<domain_delivery> {
public:
    domain_delivery(std::shared_ptr<transport_context> owner, strand_type strand,
                    std::shared_ptr<const outgoing> msg, domain_group group,
                    std::function<void(std::vector<recipient_result>)> done);
    ~domain_delivery();

    void start();
    /// Stops the delivery (see above); `done` is still called, never inline.
    void cancel();

private:
    void on_mx(const std::error_code& ec, std::vector<dns::mx_record> records);
    void on_mx_answer(const std::error_code& ec, dns::answer<dns::mx_record> a);
    void next_host();
    /// The policy of host_: configured, MTA-STS, then the hook (stricter only).
    host_policy host_policy_now();

    // mx_domain_security.cpp
    void start_mta_sts();
    void on_mta_sts(mta_sts::discovery d);
    /// Both the MX lookup and the policy discovery are done: apply the
    /// policy to the MX set, then try the hosts.
    void hosts_ready();
    /// After the host's addresses: the TLSA lookup when DANE applies,
    /// otherwise straight to next_address().
    void check_dane();
    void on_tlsa(const std::error_code& ec, dns::answer<dns::tlsa_record> a);
    /// The host's DANE state is known: a dane_only host that DANE does not
    /// authenticate fails (dane-required); otherwise next_address().
    void dane_decided();
    /// Why DANE cannot authenticate the current host, for that failure.
    std::string why_no_dane() const;
    /// How the current host is held: the RFC 8460 policy of its sessions.
    tls_report_policy report_policy() const;
    /// Reports one session's TLS outcome (when cfg.tls_report is set).
    void report_tls(std::optional<tls_result_type> failure, std::string reason = {});
    /// What a delivery through the current host counts as.
    tls_protection protection(bool tls) const;
    /// The policy that made this failed attempt's TLS mandatory, for its message.
    std::string policy_prefix() const;

    /// Drops the addresses that are this machine (unless the
    /// configuration allows them), noting why in loop_reason_.
    void drop_local_targets(const std::string& host, std::vector<dns::ip_address>& addresses);
    void on_addresses(host_addresses a);
    void next_address();
    void after_attempt(const std::error_code& ec, smtp::send_report report, attempt_tls tls = {});
    void abort_pending();
    void finish();

    std::shared_ptr<transport_context> owner_;
    strand_type strand_;
    std::shared_ptr<const outgoing> msg_;
    std::string domain_;
    recipient_tracker tracker_;
    /// Called once with the results. It owns the send: we are owned only
    /// by our pending operations, so a destroyed io_context frees us all.
    std::function<void(std::vector<recipient_result>)> done_;
    bool cancelled_ = false;
    bool finished_ = false;
    /// The lookups in progress: MX, then each host's A and AAAA and TLSA.
    boost::asio::cancellation_signal cancel_mx_, cancel_a_, cancel_aaaa_, cancel_tlsa_;

    bool mx_done_ = false;    ///< the MX answer is in (hosts_ set)
    bool sts_done_ = true;    ///< no MTA-STS discovery pending
    bool mx_secure_ = false;  ///< the MX answer was DNSSEC-secure
    /// The domain's MTA-STS policy, and what it says of each MX host.
    std::optional<mta_sts::policy> sts_policy_;
    mta_sts::mx_decision sts_verdicts_;
    bool addresses_secure_ = false;       ///< the current host's addresses were secure
    dane_decision dane_;                  ///< for the current host
    std::vector<dns::tlsa_record> tlsa_;  ///< the current host's TLSA records (for the report)

    bool implicit_ = false;
    std::vector<dns::mx_record> hosts_;
    std::size_t host_index_ = 0;
    std::string host_;    ///< the current host
    host_policy policy_;  ///< for the current host
    std::vector<dns::ip_address> addresses_;
    std::size_t address_index_ = 0;
    std::string ip_;              ///< the current address
    bool attempted_ = false;      ///< some address was tried
    std::error_code dns_error_;   ///< the last host address lookup error
    bool dns_transient_ = false;  ///< some address lookup failed transiently
    std::string skipped_reason_;  ///< the policy refused a host
    std::string loop_reason_;     ///< a host was this machine ("H has A (loopback)")

    /// The next attempt repeats the last address without STARTTLS, after
    /// its TLS handshake failed (opportunistic policy only).
    bool retry_in_plaintext_ = false;
    bool plaintext_attempt_ = false;  ///< the attempt in progress is that retry

    bool in_session_ = false;  ///< an SMTP connection is in progress
    std::weak_ptr<smtp::detail::connection> conn_;
    std::optional<envelope> env_;
};

}  // namespace lettre::mx::detail
