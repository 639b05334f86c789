// The blocking DNS resolver (c-ares underneath; MX, A, AAAA, TXT, TLSA) and
// what configures it. No Asio or c-ares in this header: the asynchronous
// form, on an executor of yours, is in lettre/dns/async_resolver.hpp.
#pragma once

#include <lettre/dns/records.hpp>
#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lettre::dns {

/// Where and how to ask. Every field has a usable default: the servers,
/// timeout and tries of the system (/etc/resolv.conf) when left alone.
struct resolver_config {
    /// "127.0.0.1:5353", "192.0.2.53", "[::1]:53". Empty: the system's.
    std::vector<std::string> servers;
    /// Per try; zero keeps the system default (c-ares: 2 s, or resolv.conf's).
    std::chrono::milliseconds timeout{0};
    /// Attempts per server; zero keeps the system default.
    int tries = 0;
    /// Ask over TCP only (UDP otherwise, with TCP retry on truncation).
    bool tcp_only = false;
};

/// Splits "a:53,b" into servers (the CLI's --dns value). Checks the syntax.
LETTRE_EXPORT result<std::vector<std::string>> parse_servers(std::string_view csv);

/// The TLSA owner name of a TCP service: `_25._tcp.mx.example.com`.
LETTRE_EXPORT std::string tlsa_name(std::string_view host, std::uint16_t port);

/// The blocking resolver: the async engine on a thread of its own. Safe to
/// share between threads; lookups from several threads run concurrently.
/// Movable (a moved-from resolver may only be assigned to or destroyed).
///
/// Errors: errc::dns_nxdomain and dns_nodata (answers: compare equal to
/// lettre::condition::permanent, as does invalid_domain), dns_servfail,
/// dns_timeout, dns_refused and dns_failed (the server or the network:
/// lettre::condition::transient, try later).
class LETTRE_EXPORT resolver {
public:
    /// A resolver; its engine runs on a thread of its own.
    explicit resolver(resolver_config config = {});
    /// Waits for the engine to shut down (no lookup is in flight then).
    ~resolver();
    resolver(resolver&&) noexcept;             ///< movable, not copyable
    resolver& operator=(resolver&&) noexcept;  ///< movable, not copyable

    /// Throw lettre::error on failure.
    std::vector<mx_record> resolve_mx(std::string_view name);
    std::vector<address_record> resolve_a(std::string_view name);     ///< A records (IPv4)
    std::vector<address_record> resolve_aaaa(std::string_view name);  ///< AAAA records (IPv6)
    std::vector<txt_record> resolve_txt(std::string_view name);       ///< TXT records
    /// `name` is the owner name, e.g. tlsa_name("mx.example.com", 25).
    std::vector<tlsa_record> resolve_tlsa(std::string_view name);

    /// Set `ec` (cleared on success) instead of throwing.
    std::vector<mx_record> resolve_mx(std::string_view name, std::error_code& ec);
    /// The same, setting `ec` (cleared on success) instead of throwing.
    std::vector<address_record> resolve_a(std::string_view name, std::error_code& ec);
    /// The same, setting `ec` (cleared on success) instead of throwing.
    std::vector<address_record> resolve_aaaa(std::string_view name, std::error_code& ec);
    /// The same, setting `ec` (cleared on success) instead of throwing.
    std::vector<txt_record> resolve_txt(std::string_view name, std::error_code& ec);
    /// The same, setting `ec` (cleared on success) instead of throwing.
    std::vector<tlsa_record> resolve_tlsa(std::string_view name, std::error_code& ec);

    /// The configuration the resolver was made with.
    const resolver_config& config() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace lettre::dns
