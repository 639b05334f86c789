// The HTTPS GET of an MTA-STS policy (RFC 8461 §3.3). Internal.
#pragma once

#include <lettre/dns/resolver.hpp>
#include <lettre/transport/async_mta_sts.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace lettre::mta_sts::detail {

/// What every fetch of a source shares.
struct fetch_context {
    boost::asio::any_io_executor ex;
    std::shared_ptr<boost::asio::ssl::context> tls;
    dns::resolver_config dns;
    std::uint16_t port = 443;
    std::chrono::milliseconds timeout{};
};

/// TLS 1.2+, peer verification against `ca_file` or the system store.
/// Throws lettre::error (errc::tls_failed) when the trust store cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> make_fetch_tls_context(
    const std::optional<std::string>& ca_file);

/// Fetches and parses the policy of `domain`: addresses of mta-sts.<domain>
/// from the lettre resolver, connect, TLS (SNI, certificate and name
/// verified), GET, only a 200 with text/plain and at most 64 KiB, all
/// within ctx.timeout. Completes on the handler's executor, never inline.
void start_fetch(const fetch_context& ctx, std::string domain,
                 boost::asio::any_completion_handler<fetch_signature> handler);

}  // namespace lettre::mta_sts::detail
