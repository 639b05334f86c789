// What every MX operation of one transport shares: the configuration, the
// resolver, the two TLS contexts (verifying for `verified`, not verifying
// for opportunistic security) and the random source for MX ties. Internal.
#pragma once

#include <lettre/dns/async_resolver.hpp>
#include <lettre/dns/records.hpp>
#include <lettre/transport/async_mta_sts.hpp>
#include <lettre/transport/async_mx_transport.hpp>

#include "smtp/tls_session_cache.hpp"
#include "transport/mx_plan.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lettre::mx::detail {

struct transport_context {
    transport_context(boost::asio::any_io_executor e, mx::config c);

    boost::asio::any_io_executor ex;
    mx::config cfg;
    dns::async_resolver resolver;
    std::shared_ptr<boost::asio::ssl::context> tls_verify;
    std::shared_ptr<boost::asio::ssl::context> tls_opportunistic;
    std::error_code tls_error;  ///< the verifying context could not be made
    std::string tls_why;
    /// DANE (cfg.dane): the context of hosts with usable TLSA records, or
    /// why it could not be made (those hosts then fail transiently).
    std::shared_ptr<boost::asio::ssl::context> tls_dane;
    std::error_code dane_error;
    std::string dane_why;
    /// The TLS sessions of this transport's MX connections, resumed by the
    /// next connection to the same address under the same settings.
    std::shared_ptr<smtp::detail::tls_session_cache> tls_sessions =
        std::make_shared<smtp::detail::tls_session_cache>();
    /// MTA-STS (cfg.mta_sts.enabled): the policy source, its cache shared
    /// by every send of the transport.
    std::optional<mta_sts::async_policy_source> sts;
    random_source rnd;
    /// cfg.hello_name was empty: each connection picks its EHLO name with
    /// hello_name_for(machine_name, its local address).
    bool hello_from_machine = false;
    std::string machine_name;
};

using strand_type = boost::asio::strand<boost::asio::any_io_executor>;

/// The addresses of one host (A and AAAA at once), ordered per the
/// configuration; `error` is set when there are none (the transient of the
/// two lookup errors when they differ). Completes on `strand`. The A and
/// AAAA lookups take their cancellation from `cancel_a` and `cancel_aaaa`
/// (emitted on `strand`), if connected.
struct host_addresses {
    std::vector<dns::ip_address> addresses;
    std::error_code error;
    /// DNSSEC lookups (cfg.dane) only: every answer that gave addresses
    /// was secure.
    bool secure = false;
};
void resolve_host(const std::shared_ptr<transport_context>& owner, const strand_type& strand,
                  const std::string& host, std::function<void(host_addresses)> done,
                  boost::asio::cancellation_slot cancel_a = {},
                  boost::asio::cancellation_slot cancel_aaaa = {});

/// The EHLO name for a connection from `local` when none is configured:
/// `machine_name` if it is a fully qualified domain name (it has a dot),
/// otherwise the address literal of the local end, `[192.0.2.1]` or
/// `[IPv6:2001:db8::1]` (RFC 5321 §4.1.4: a client without a meaningful
/// domain name sends an address literal). MX hosts often refuse a bare
/// host name such as "vm" or "localhost".
std::string hello_name_for(const std::string& machine_name, const boost::asio::ip::address& local);

/// The local address the system would use to reach `peer` (a UDP connect,
/// nothing is sent); nullopt if there is no route.
std::optional<boost::asio::ip::address> local_address_towards(const boost::asio::ip::address& peer);

}  // namespace lettre::mx::detail
