// The rule that decides whether a name server's AD bit is believed
// (resolver_config::trust_ad). Sans-io. Internal.
#pragma once

#include <lettre/dns/records.hpp>
#include <lettre/dns/resolver.hpp>

#include <span>

namespace lettre::dns::detail {

/// 127.0.0.0/8 or ::1: a resolver on this host, no network path between
/// it and us. (An IPv4-mapped ::ffff:127.x.y.z is not counted: c-ares
/// never gets one from a configuration.)
bool is_loopback(const ip_address& a) noexcept;

/// Whether the AD bit of answers from `servers` is believed under `mode`:
/// ad_trust::loopback needs every server on loopback (c-ares may ask any of
/// them, and does not say which one answered), and at least one server.
bool ad_trusted(std::span<const ip_address> servers, ad_trust mode) noexcept;

}  // namespace lettre::dns::detail
