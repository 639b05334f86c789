// dns::resolver: the async resolver on a detail::blocking_runner (a thread
// of its own); each caller waits for its own lookup.
#include <lettre/dns/async_resolver.hpp>
#include <lettre/dns/resolver.hpp>

#include "detail/blocking_runner.hpp"

#include <fmt/format.h>

namespace lettre::dns {

struct resolver::impl {
    explicit impl(resolver_config config) : async(runner.executor(), std::move(config)) {}

    /// Waits for one lookup started by `start(handler)`.
    template <class Value, class Start>
    Value wait(Start&& start, std::error_code& ec) {
        auto [e, value] = runner.wait<Value>(std::forward<Start>(start));
        ec = std::error_code(e);
        return std::move(value);
    }

    // Destroyed in reverse: the resolver first (its lookups abort and the
    // channel shuts down on the runner's thread), then the runner, which
    // lets that finish and joins.
    lettre::detail::blocking_runner runner;
    async_resolver async;
};

resolver::resolver(resolver_config config) : impl_(std::make_unique<impl>(std::move(config))) {}
resolver::~resolver() = default;
resolver::resolver(resolver&&) noexcept = default;
resolver& resolver::operator=(resolver&&) noexcept = default;

const resolver_config& resolver::config() const noexcept {
    return impl_->async.config();
}

namespace {
template <class T>
T or_throw(T v, const std::error_code& ec, std::string_view what, std::string_view name) {
    if (ec)
        throw lettre::error(
            error_info{ec, fmt::format("{} lookup for {}: {}", what, name, ec.message())});
    return v;
}
}  // namespace

#define LETTRE_DNS_BLOCKING(fn, Value, label)                                                   \
    Value resolver::fn(std::string_view name, std::error_code& ec) {                            \
        return impl_->wait<Value>([&](auto h) { impl_->async.async_##fn(name, std::move(h)); }, \
                                  ec);                                                          \
    }                                                                                           \
    Value resolver::fn(std::string_view name) {                                                 \
        std::error_code ec;                                                                     \
        auto r = fn(name, ec);                                                                  \
        return or_throw(std::move(r), ec, label, name);                                         \
    }

LETTRE_DNS_BLOCKING(resolve_mx, std::vector<mx_record>, "MX")
LETTRE_DNS_BLOCKING(resolve_a, std::vector<address_record>, "A")
LETTRE_DNS_BLOCKING(resolve_aaaa, std::vector<address_record>, "AAAA")
LETTRE_DNS_BLOCKING(resolve_txt, std::vector<txt_record>, "TXT")
LETTRE_DNS_BLOCKING(resolve_tlsa, std::vector<tlsa_record>, "TLSA")
LETTRE_DNS_BLOCKING(resolve_mx_dnssec, answer<mx_record>, "MX")
LETTRE_DNS_BLOCKING(resolve_a_dnssec, answer<address_record>, "A")
LETTRE_DNS_BLOCKING(resolve_aaaa_dnssec, answer<address_record>, "AAAA")
LETTRE_DNS_BLOCKING(resolve_txt_dnssec, answer<txt_record>, "TXT")
LETTRE_DNS_BLOCKING(resolve_tlsa_dnssec, answer<tlsa_record>, "TLSA")

#undef LETTRE_DNS_BLOCKING

}  // namespace lettre::dns
