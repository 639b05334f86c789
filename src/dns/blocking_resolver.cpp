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
    template <class Record, class Start>
    std::vector<Record> wait(Start&& start, std::error_code& ec) {
        auto [e, records] = runner.wait<std::vector<Record>>(std::forward<Start>(start));
        ec = std::error_code(e);
        return std::move(records);
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
std::vector<T> or_throw(std::vector<T> v, const std::error_code& ec, std::string_view what,
                        std::string_view name) {
    if (ec)
        throw lettre::error(
            error_info{ec, fmt::format("{} lookup for {}: {}", what, name, ec.message())});
    return v;
}
}  // namespace

#define LETTRE_DNS_BLOCKING(fn, Record, label)                                                   \
    std::vector<Record> resolver::fn(std::string_view name, std::error_code& ec) {               \
        return impl_->wait<Record>([&](auto h) { impl_->async.async_##fn(name, std::move(h)); }, \
                                   ec);                                                          \
    }                                                                                            \
    std::vector<Record> resolver::fn(std::string_view name) {                                    \
        std::error_code ec;                                                                      \
        auto r = fn(name, ec);                                                                   \
        return or_throw(std::move(r), ec, label, name);                                          \
    }

LETTRE_DNS_BLOCKING(resolve_mx, mx_record, "MX")
LETTRE_DNS_BLOCKING(resolve_a, address_record, "A")
LETTRE_DNS_BLOCKING(resolve_aaaa, address_record, "AAAA")
LETTRE_DNS_BLOCKING(resolve_txt, txt_record, "TXT")
LETTRE_DNS_BLOCKING(resolve_tlsa, tlsa_record, "TLSA")

#undef LETTRE_DNS_BLOCKING

}  // namespace lettre::dns
