// The asynchronous policy source: TXT lookup, cache, fetch (RFC 8461 §5.1).
#include <lettre/transport/async_mta_sts.hpp>

#include <lettre/dns/async_resolver.hpp>

#include "detail/utf8.hpp"
#include "transport/mta_sts_fetch.hpp"
#include "transport/mta_sts_lifecycle.hpp"

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>

namespace lettre::mta_sts {

namespace asio = boost::asio;
using boost::system::error_code;

namespace detail {

struct async_source_state {
    fetch_context fetch;
    std::shared_ptr<policy_cache> cache;
    clock_function clock;

    std::chrono::system_clock::time_point now() const { return clock(); }
};

namespace {

/// One discovery: TXT lookup, then maybe a fetch.
class discover_op : public std::enable_shared_from_this<discover_op> {
public:
    discover_op(std::shared_ptr<async_source_state> state, std::string domain,
                asio::any_completion_handler<discover_signature> handler)
        : state_(std::move(state)),
          domain_(lettre::detail::to_lower_ascii(domain)),
          handler_(std::move(handler)),
          busy_(asio::make_work_guard(asio::get_associated_executor(handler_, state_->fetch.ex))),
          resolver_(state_->fetch.ex, state_->fetch.dns) {}

    void start() {
        resolver_.async_resolve_txt(
            sts_record_name(domain_),
            [self = shared_from_this()](error_code ec, std::vector<dns::txt_record> records) {
                if (ec == asio::error::operation_aborted) return self->complete(ec, {});
                self->on_txt(read_txt_answer(self->domain_, ec, records));
            });
    }

private:
    void on_txt(txt_answer txt) {
        cached_ = state_->cache->load(domain_);
        const auto now = state_->now();
        if (next_step(txt, cached_, now) != step::fetch)
            return complete({}, without_fetch(txt, std::move(cached_), now));
        id_ = txt.record->id;
        start_fetch(state_->fetch, domain_,
                    [self = shared_from_this()](error_code, result<policy> fetched) {
                        auto& s = *self->state_;
                        self->complete({},
                                       after_fetch(self->domain_, std::move(fetched), self->id_,
                                                   std::move(self->cached_), s.now(), *s.cache));
                    });
    }

    void complete(error_code ec, discovery d) {
        auto busy = std::move(busy_);
        asio::dispatch(busy.get_executor(),
                       [h = std::move(handler_), ec, d = std::move(d)]() mutable {
                           std::move(h)(ec, std::move(d));
                       });
    }

    std::shared_ptr<async_source_state> state_;
    std::string domain_;
    asio::any_completion_handler<discover_signature> handler_;
    asio::executor_work_guard<asio::any_completion_executor> busy_;
    dns::async_resolver resolver_;
    std::optional<cached_policy> cached_;
    std::string id_;
};

}  // namespace
}  // namespace detail

async_policy_source::async_policy_source(asio::any_io_executor ex, config cfg)
    : impl_(std::make_shared<detail::async_source_state>()) {
    impl_->fetch = {ex, detail::make_fetch_tls_context(cfg.ca_file), std::move(cfg.dns), cfg.port,
                    cfg.timeout};
    impl_->cache = cfg.cache ? std::move(cfg.cache) : memory_cache();
    impl_->clock =
        cfg.clock ? std::move(cfg.clock) : clock_function(std::chrono::system_clock::now);
}

async_policy_source::~async_policy_source() = default;
async_policy_source::async_policy_source(async_policy_source&&) noexcept = default;
async_policy_source& async_policy_source::operator=(async_policy_source&&) noexcept = default;

asio::any_io_executor async_policy_source::get_executor() const noexcept {
    return impl_->fetch.ex;
}

void async_policy_source::start_discover(std::string domain,
                                         asio::any_completion_handler<discover_signature> handler) {
    std::make_shared<detail::discover_op>(impl_, std::move(domain), std::move(handler))->start();
}

void async_policy_source::start_fetch(std::string domain,
                                      asio::any_completion_handler<fetch_signature> handler) {
    detail::start_fetch(impl_->fetch, std::move(domain), std::move(handler));
}

}  // namespace lettre::mta_sts
