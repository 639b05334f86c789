#include "transport/mx_context.hpp"

#include "smtp/connection.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/ip/udp.hpp>

#include <fmt/format.h>

#include <sys/socket.h>
#include <unistd.h>

namespace lettre::mx::detail {

namespace asio = boost::asio;
using boost::system::error_code;

transport_context::transport_context(asio::any_io_executor e, mx::config c)
    : ex(e),
      strand(asio::make_strand(e)),
      cfg(std::move(c)),
      resolver(e, cfg.dns),
      conn_cache(cfg.connection_cache),
      rnd(default_random()) {
    if (cfg.hello_name.empty()) {
        // Decided per connection: the FQDN when the machine has one, else
        // the address literal of the connection's local end.
        hello_from_machine = true;
        machine_name = smtp::default_hello_name();
    }
    tls_verify = smtp::detail::make_tls_context(cfg.tls_parameters, tls_error, tls_why);
    smtp::tls_parameters loose = cfg.tls_parameters;
    loose.accept_invalid_certificates_dangerous = true;  // RFC 7435: encrypt, do not authenticate
    std::error_code ignored;
    std::string why;
    tls_opportunistic = smtp::detail::make_tls_context(loose, ignored, why);
    if (cfg.dane) tls_dane = smtp::detail::make_dane_tls_context(dane_error, dane_why);
    if (cfg.mta_sts.enabled) {
        auto source = cfg.mta_sts.source;
        // The policy's TXT record and host: asked where the MX records are.
        if (source.dns.servers.empty()) source.dns = cfg.dns;
        // Throws (errc::tls_failed) for a CA file that cannot be loaded: a
        // configuration error, not a reason to deliver without the policy.
        sts.emplace(e, std::move(source));
    }
}

namespace {

struct host_lookup {
    std::vector<dns::address_record> v4, v6;
    std::error_code e4, e6;
    bool secure4 = false, secure6 = false;
    int left = 0;
    address_order order = address_order::ipv4_first;
    std::function<void(host_addresses)> done;

    void finished() {
        if (--left > 0) return;
        host_addresses out;
        out.addresses = order_addresses(v4, v6, order);
        out.secure = !out.addresses.empty() && (v4.empty() || secure4) && (v6.empty() || secure6);
        if (out.addresses.empty()) {
            // Report the error that matters: a transient one wins (the host
            // may have addresses), else the first definitive one.
            if (e4 && !is_definitive(e4))
                out.error = e4;
            else if (e6 && !is_definitive(e6))
                out.error = e6;
            else
                out.error = e4 ? e4 : e6 ? e6 : make_error_code(errc::dns_nodata);
        }
        auto d = std::move(done);
        d(std::move(out));
    }
};

}  // namespace

namespace {

/// The plain lookup's error for an empty DNSSEC answer.
std::error_code empty_answer_error(const dns::answer<dns::address_record>& a) {
    return make_error_code(a.nxdomain ? errc::dns_nxdomain : errc::dns_nodata);
}

/// A and AAAA with their DNSSEC status (cfg.dane).
void resolve_host_dnssec(const std::shared_ptr<transport_context>& owner, const strand_type& strand,
                         const std::string& host, const std::shared_ptr<host_lookup>& l, bool want4,
                         bool want6, asio::cancellation_slot cancel_a,
                         asio::cancellation_slot cancel_aaaa) {
    using answer = dns::answer<dns::address_record>;
    if (want4)
        owner->resolver.async_resolve_a_dnssec(
            host, asio::bind_cancellation_slot(
                      cancel_a, asio::bind_executor(strand, [l](error_code ec, answer a) {
                          l->e4 = ec          ? std::error_code(ec)
                                  : a.empty() ? empty_answer_error(a)
                                              : std::error_code();
                          l->secure4 = !ec && a.secure();
                          l->v4 = std::move(a.records);
                          l->finished();
                      })));
    if (want6)
        owner->resolver.async_resolve_aaaa_dnssec(
            host, asio::bind_cancellation_slot(
                      cancel_aaaa, asio::bind_executor(strand, [l](error_code ec, answer a) {
                          l->e6 = ec          ? std::error_code(ec)
                                  : a.empty() ? empty_answer_error(a)
                                              : std::error_code();
                          l->secure6 = !ec && a.secure();
                          l->v6 = std::move(a.records);
                          l->finished();
                      })));
}

}  // namespace

void resolve_host(const std::shared_ptr<transport_context>& owner, const strand_type& strand,
                  const std::string& host, std::function<void(host_addresses)> done,
                  asio::cancellation_slot cancel_a, asio::cancellation_slot cancel_aaaa) {
    auto l = std::make_shared<host_lookup>();
    l->order = owner->cfg.addresses;
    l->done = std::move(done);
    const bool want4 = l->order != address_order::ipv6_only;
    const bool want6 = l->order != address_order::ipv4_only;
    l->left = (want4 ? 1 : 0) + (want6 ? 1 : 0);
    if (owner->cfg.dane)
        return resolve_host_dnssec(owner, strand, host, l, want4, want6, cancel_a, cancel_aaaa);
    if (want4)
        owner->resolver.async_resolve_a(
            host, asio::bind_cancellation_slot(
                      cancel_a, asio::bind_executor(
                                    strand, [l](error_code ec, std::vector<dns::address_record> r) {
                                        l->e4 = ec;
                                        l->v4 = std::move(r);
                                        l->finished();
                                    })));
    if (want6)
        owner->resolver.async_resolve_aaaa(
            host,
            asio::bind_cancellation_slot(
                cancel_aaaa,
                asio::bind_executor(strand, [l](error_code ec, std::vector<dns::address_record> r) {
                    l->e6 = ec;
                    l->v6 = std::move(r);
                    l->finished();
                })));
}

std::string hello_name_for(const std::string& machine_name, const asio::ip::address& local) {
    if (machine_name.find('.') != std::string::npos && machine_name.front() != '.' &&
        machine_name.back() != '.')
        return machine_name;
    // fmt, not operator+: GCC 12 -O3 reports a false -Wrestrict on "[" + s + "]".
    if (local.is_v6()) {
        auto v6 = local.to_v6();
        if (v6.is_v4_mapped())
            return fmt::format("[{}]",
                               asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string());
        v6.scope_id(0);
        return fmt::format("[IPv6:{}]", v6.to_string());
    }
    return fmt::format("[{}]", local.to_string());
}

std::optional<asio::ip::address> local_address_towards(const asio::ip::address& peer) {
    // A connected UDP socket: the kernel picks the route and the source
    // address, and nothing goes on the wire.
    asio::ip::udp::endpoint remote(peer, 9);
    const int fd = ::socket(remote.protocol().family(), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::nullopt;
    std::optional<asio::ip::address> out;
    asio::ip::udp::endpoint local;
    socklen_t len = static_cast<socklen_t>(local.capacity());
    if (::connect(fd, remote.data(), static_cast<socklen_t>(remote.size())) == 0 &&
        ::getsockname(fd, local.data(), &len) == 0) {
        local.resize(len);
        out = local.address();
    }
    ::close(fd);
    return out;
}

}  // namespace lettre::mx::detail
