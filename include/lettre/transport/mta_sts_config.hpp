// How MTA-STS policies (RFC 8461) are found and fetched: mta_sts::config,
// apart from lettre/transport/mta_sts.hpp so that mx::config can hold one
// without that header's weight (<filesystem>, the cache and parsers).
#pragma once

#include <lettre/dns/resolver.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace lettre::mta_sts {

class policy_cache;  // lettre/transport/mta_sts.hpp

/// The clock of the cache's expiry decisions (replaceable in tests).
using clock_function = std::function<std::chrono::system_clock::time_point()>;

/// How policies are found and fetched.
struct config {
    /// Trust anchors (PEM) for the policy host's certificate; the system
    /// store when empty.
    std::optional<std::string> ca_file;
    /// The HTTPS port of `mta-sts.<domain>` (443; another only for tests).
    std::uint16_t port = 443;
    /// The whole fetch: address lookup, connect, TLS, request and response.
    std::chrono::milliseconds timeout{std::chrono::seconds(60)};
    /// The resolver for the TXT record and the policy host's addresses.
    dns::resolver_config dns;
    /// Where policies are kept; a memory cache of the source's own when null.
    std::shared_ptr<policy_cache> cache;
    /// The time; std::chrono::system_clock::now when empty.
    clock_function clock;
};

}  // namespace lettre::mta_sts
