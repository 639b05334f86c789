// Delivery to one recipient domain: MX lookup, then each host in order and
// each of its addresses in turn, until every recipient has a final outcome
// or no host is left. Runs on the send's strand. Internal.
//
// Cancellation (cancel(), on the strand): a DNS lookup in progress is
// abandoned at once; an SMTP session in progress is closed, and its
// outcome still recorded (the server may have accepted some recipients
// already). Every recipient without a final outcome then fails
// transiently with operation_aborted.
#pragma once

#include "transport/mx_context.hpp"
#include "transport/mx_recipients.hpp"

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
    void next_host();
    /// Drops the addresses that are this machine (unless the
    /// configuration allows them), noting why in loop_reason_.
    void drop_local_targets(const std::string& host, std::vector<dns::ip_address>& addresses);
    void on_addresses(host_addresses a);
    void next_address();
    void after_attempt(const std::error_code& ec, const smtp::send_report& report,
                       bool tls = false);
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
    /// The lookups in progress: MX, then each host's A and AAAA.
    boost::asio::cancellation_signal cancel_mx_, cancel_a_, cancel_aaaa_;

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

    bool in_session_ = false;  ///< an SMTP connection is in progress
    std::weak_ptr<smtp::detail::connection> conn_;
    std::optional<envelope> env_;
};

}  // namespace lettre::mx::detail
