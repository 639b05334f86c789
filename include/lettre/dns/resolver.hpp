// The blocking DNS resolver (c-ares underneath; MX, A, AAAA, TXT, TLSA) and
// what configures it. No Asio or c-ares in this header: the asynchronous
// form, on an executor of yours, is in lettre/dns/async_resolver.hpp.
#pragma once

#include <lettre/dns/answer.hpp>
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

/// Whose AD bit the DNSSEC-aware lookups (`*_dnssec`) believe. The AD bit
/// travels unsigned and unencrypted (RFC 4035 §4.9.3, RFC 6698 §4.1, RFC
/// 7672 §1.3): anyone on the path between the resolver and us can set it.
/// A validating resolver on this host (loopback) has no such path; one
/// across a network is trusted only when the user says the link is secured
/// (IPsec, a VPN, a private network they control).
enum class ad_trust : std::uint8_t {
    /// Believe the AD bit only when every configured name server is on
    /// loopback (127.0.0.0/8 or ::1). The default.
    loopback,
    /// Believe the AD bit of every configured name server: they are
    /// validating resolvers reached over a path the user secured.
    always,
    /// Never believe it: every answer is security::insecure.
    never,
};

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
    /// Whose AD bit the `*_dnssec` lookups believe (see ad_trust). With the
    /// system's servers (`servers` empty), those of /etc/resolv.conf count.
    ad_trust trust_ad = ad_trust::loopback;
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

    /// DNSSEC-aware lookups: the query carries the DO and AD bits and the
    /// answer says whether DNSSEC vouches for it (answer::security, see
    /// resolver_config::trust_ad). NXDOMAIN and NODATA are empty answers,
    /// not errors. Throw lettre::error on failure: errc::dns_servfail (how a
    /// validating resolver reports a bogus answer, too), dns_timeout,
    /// dns_refused, dns_failed (all transient), invalid_domain. The `ec`
    /// forms also return answer::bogus on failure.
    answer<mx_record> resolve_mx_dnssec(std::string_view name);
    /// A records (IPv4) with their DNSSEC status; as resolve_mx_dnssec().
    answer<address_record> resolve_a_dnssec(std::string_view name);
    /// AAAA records (IPv6) with their DNSSEC status; as resolve_mx_dnssec().
    answer<address_record> resolve_aaaa_dnssec(std::string_view name);
    /// TXT records with their DNSSEC status; as resolve_mx_dnssec().
    answer<txt_record> resolve_txt_dnssec(std::string_view name);
    /// TLSA records with their DNSSEC status; `name` is the owner name, e.g.
    /// tlsa_name("mx.example.com", 25). As resolve_mx_dnssec().
    answer<tlsa_record> resolve_tlsa_dnssec(std::string_view name);

    /// The same, setting `ec` (cleared on success) instead of throwing.
    answer<mx_record> resolve_mx_dnssec(std::string_view name, std::error_code& ec);
    /// The same, setting `ec` (cleared on success) instead of throwing.
    answer<address_record> resolve_a_dnssec(std::string_view name, std::error_code& ec);
    /// The same, setting `ec` (cleared on success) instead of throwing.
    answer<address_record> resolve_aaaa_dnssec(std::string_view name, std::error_code& ec);
    /// The same, setting `ec` (cleared on success) instead of throwing.
    answer<txt_record> resolve_txt_dnssec(std::string_view name, std::error_code& ec);
    /// The same, setting `ec` (cleared on success) instead of throwing.
    answer<tlsa_record> resolve_tlsa_dnssec(std::string_view name, std::error_code& ec);

    /// The configuration the resolver was made with.
    const resolver_config& config() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace lettre::dns
