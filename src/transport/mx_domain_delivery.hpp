// Delivery to one recipient domain: MX lookup, then each host in order and
// each of its addresses in turn, until every recipient has a final outcome
// or no host is left. Runs on the send's strand. Internal.
#pragma once

#include "transport/mx_context.hpp"
#include "transport/mx_recipients.hpp"

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
    domain_delivery(std::shared_ptr<async_mx_transport::impl> owner, strand_type strand,
                    std::shared_ptr<const outgoing> msg, domain_group group,
                    std::function<void()> done);
    ~domain_delivery();

    void start();
    std::vector<recipient_result> results() const { return tracker_.results(); }

private:
    void on_mx(const std::error_code& ec, std::vector<dns::mx_record> records);
    void next_host();
    void on_addresses(host_addresses a);
    void next_address();
    void after_attempt(const std::error_code& ec, const smtp::send_report& report);
    void finish();

    std::shared_ptr<async_mx_transport::impl> owner_;
    strand_type strand_;
    std::shared_ptr<const outgoing> msg_;
    std::string domain_;
    recipient_tracker tracker_;
    std::function<void()> done_;

    bool implicit_ = false;
    std::vector<dns::mx_record> hosts_;
    std::size_t host_index_ = 0;
    std::string host_;    ///< the current host
    host_policy policy_;  ///< for the current host
    std::vector<boost::asio::ip::address> addresses_;
    std::size_t address_index_ = 0;
    std::string ip_;              ///< the current address
    bool attempted_ = false;      ///< some address was tried
    std::error_code dns_error_;   ///< the last host address lookup error
    bool dns_transient_ = false;  ///< some address lookup failed transiently
    std::string skipped_reason_;  ///< the policy refused a host

    std::unique_ptr<smtp::transport_config> conn_cfg_;
    std::shared_ptr<smtp::detail::connection> conn_;
    std::optional<envelope> env_;
};

}  // namespace lettre::mx::detail
