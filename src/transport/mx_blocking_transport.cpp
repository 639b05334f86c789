// mx_transport: async_mx_transport on a detail::blocking_runner (a thread of
// its own); each caller waits for its own send, so callers on several
// threads are delivered concurrently.
#include <lettre/transport/async_mx_transport.hpp>
#include <lettre/transport/mx_transport.hpp>

#include "detail/blocking_runner.hpp"

namespace lettre {

struct mx_transport::impl {
    explicit impl(mx::config config) : async(runner.executor(), std::move(config)) {}

    mx::report send(const envelope& env, std::string bytes, std::error_code& ec) {
        auto [e, report] = runner.wait<mx::report>(
            [&](auto handler) { async.async_send_raw(env, std::move(bytes), std::move(handler)); });
        ec = std::error_code(e);
        return std::move(report);
    }

    // Destroyed in reverse: the transport first, then the runner, which
    // lets the resolver shut down on its thread and joins.
    detail::blocking_runner runner;
    async_mx_transport async;
};

mx_transport::mx_transport(mx::config config) : impl_(std::make_unique<impl>(std::move(config))) {}
mx_transport::~mx_transport() = default;
mx_transport::mx_transport(mx_transport&&) noexcept = default;
mx_transport& mx_transport::operator=(mx_transport&&) noexcept = default;

const mx::config& mx_transport::config() const noexcept {
    return impl_->async.config();
}

mx::connection_stats mx_transport::connections() const noexcept {
    return impl_->async.connections();
}

namespace {
mx::report or_throw(mx::report r, const std::error_code& ec) {
    if (ec) throw mx::delivery_error(ec, std::move(r));
    return r;
}
result<mx::report> or_error(mx::report r, const std::error_code& ec) {
    // delivery_error's sentence names the first failed recipient.
    if (ec) return mx::delivery_error(ec, std::move(r)).info();
    return r;
}
}  // namespace

mx::report mx_transport::send_raw(const envelope& env, std::string_view bytes,
                                  std::error_code& ec) {
    return impl_->send(env, std::string(bytes), ec);
}

mx::report mx_transport::send_raw(const envelope& env, std::string_view bytes) {
    std::error_code ec;
    auto r = impl_->send(env, std::string(bytes), ec);
    return or_throw(std::move(r), ec);
}

result<mx::report> mx_transport::try_send_raw(const envelope& env, std::string_view bytes) {
    std::error_code ec;
    auto r = impl_->send(env, std::string(bytes), ec);
    return or_error(std::move(r), ec);
}

mx::report mx_transport::send(const message& msg, std::error_code& ec) {
    return impl_->send(msg.envelope(), msg.formatted(), ec);
}

mx::report mx_transport::send(const message& msg) {
    std::error_code ec;
    auto r = impl_->send(msg.envelope(), msg.formatted(), ec);
    return or_throw(std::move(r), ec);
}

result<mx::report> mx_transport::try_send(const message& msg) {
    std::error_code ec;
    auto r = impl_->send(msg.envelope(), msg.formatted(), ec);
    return or_error(std::move(r), ec);
}

mx::plan mx_transport::plan(std::string_view domain) {
    return impl_->runner
        .wait<mx::plan>([&](auto handler) { impl_->async.async_plan(domain, std::move(handler)); })
        .second;
}

}  // namespace lettre
