// What every MX operation of one transport shares: the configuration, the
// resolver, the two TLS contexts (verifying for `verified`, not verifying
// for opportunistic security) and the random source for MX ties. Internal.
#pragma once

#include <lettre/dns/resolver.hpp>
#include <lettre/transport/mx_transport.hpp>

#include "transport/mx_plan.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lettre {

struct async_mx_transport::impl {
    impl(boost::asio::any_io_executor e, mx::config c);

    boost::asio::any_io_executor ex;
    mx::config cfg;
    dns::async_resolver resolver;
    std::shared_ptr<boost::asio::ssl::context> tls_verify;
    std::shared_ptr<boost::asio::ssl::context> tls_opportunistic;
    std::error_code tls_error;  ///< the verifying context could not be made
    std::string tls_why;
    mx::detail::random_source rnd;
};

namespace mx::detail {

using strand_type = boost::asio::strand<boost::asio::any_io_executor>;

/// The addresses of one host (A and AAAA at once), ordered per the
/// configuration; `error` is set when there are none (the transient of the
/// two lookup errors when they differ). Completes on `strand`.
struct host_addresses {
    std::vector<boost::asio::ip::address> addresses;
    std::error_code error;
};
void resolve_host(const std::shared_ptr<async_mx_transport::impl>& owner, const strand_type& strand,
                  const std::string& host, std::function<void(host_addresses)> done);

}  // namespace mx::detail
}  // namespace lettre
