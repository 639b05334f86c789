#include "transport/mx_context.hpp"

#include "smtp/connection.hpp"

#include <boost/asio/bind_executor.hpp>

namespace lettre {

namespace asio = boost::asio;
using boost::system::error_code;

async_mx_transport::impl::impl(asio::any_io_executor e, mx::config c)
    : ex(e), cfg(std::move(c)), resolver(e, cfg.dns), rnd(mx::detail::default_random()) {
    if (cfg.hello_name.empty()) cfg.hello_name = smtp::default_hello_name();
    tls_verify = smtp::detail::make_tls_context(cfg.tls_parameters, tls_error, tls_why);
    smtp::tls_parameters loose = cfg.tls_parameters;
    loose.accept_invalid_certificates_dangerous = true;  // RFC 7435: encrypt, do not authenticate
    std::error_code ignored;
    std::string why;
    tls_opportunistic = smtp::detail::make_tls_context(loose, ignored, why);
}

namespace mx::detail {

namespace {

struct host_lookup {
    std::vector<dns::address_record> v4, v6;
    std::error_code e4, e6;
    int left = 0;
    address_order order = address_order::ipv4_first;
    std::function<void(host_addresses)> done;

    void finished() {
        if (--left > 0) return;
        host_addresses out;
        out.addresses = order_addresses(v4, v6, order);
        if (out.addresses.empty()) {
            // Report the error that matters: a transient one wins (the host
            // may have addresses), else the first definitive one.
            if (e4 && dns::is_transient(e4))
                out.error = e4;
            else if (e6 && dns::is_transient(e6))
                out.error = e6;
            else
                out.error = e4 ? e4 : e6 ? e6 : make_error_code(errc::dns_nodata);
        }
        auto d = std::move(done);
        d(std::move(out));
    }
};

}  // namespace

void resolve_host(const std::shared_ptr<async_mx_transport::impl>& owner, const strand_type& strand,
                  const std::string& host, std::function<void(host_addresses)> done) {
    auto l = std::make_shared<host_lookup>();
    l->order = owner->cfg.addresses;
    l->done = std::move(done);
    const bool want4 = l->order != address_order::ipv6_only;
    const bool want6 = l->order != address_order::ipv4_only;
    l->left = (want4 ? 1 : 0) + (want6 ? 1 : 0);
    if (want4)
        owner->resolver.async_resolve_a(
            host,
            asio::bind_executor(strand, [l](error_code ec, std::vector<dns::address_record> r) {
                l->e4 = ec;
                l->v4 = std::move(r);
                l->finished();
            }));
    if (want6)
        owner->resolver.async_resolve_aaaa(
            host,
            asio::bind_executor(strand, [l](error_code ec, std::vector<dns::address_record> r) {
                l->e6 = ec;
                l->v6 = std::move(r);
                l->finished();
            }));
}

}  // namespace mx::detail
}  // namespace lettre
