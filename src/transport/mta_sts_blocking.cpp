// The blocking policy source: the async one on a blocking_runner's thread.
#include <lettre/transport/async_mta_sts.hpp>
#include <lettre/transport/mta_sts.hpp>

#include "detail/blocking_runner.hpp"

namespace lettre::mta_sts {

struct policy_source::impl {
    // Destroyed in reverse: the source first (pending operations keep their
    // state alive), then the runner, which lets them finish and joins.
    lettre::detail::blocking_runner runner;
    async_policy_source source;

    explicit impl(config cfg) : source(runner.executor(), std::move(cfg)) {}
};

policy_source::policy_source(config cfg) : impl_(std::make_unique<impl>(std::move(cfg))) {}
policy_source::~policy_source() = default;
policy_source::policy_source(policy_source&&) noexcept = default;
policy_source& policy_source::operator=(policy_source&&) noexcept = default;

discovery policy_source::discover(std::string_view domain) {
    return impl_->runner
        .wait<discovery>(
            [&](auto handler) { impl_->source.async_discover(domain, std::move(handler)); })
        .second;
}

result<policy> policy_source::fetch(std::string_view domain) {
    return impl_->runner
        .wait<result<policy>>(
            [&](auto handler) { impl_->source.async_fetch(domain, std::move(handler)); })
        .second;
}

}  // namespace lettre::mta_sts
