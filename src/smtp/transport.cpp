#include <lettre/smtp/async_transport.hpp>

#include "detail/blocking_runner.hpp"
#include "detail/smtputf8.hpp"

#include "smtp/connection.hpp"
#include "smtp/pool.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <fmt/format.h>

namespace lettre {

namespace asio = boost::asio;
using boost::system::error_code;

namespace smtp {

send_error::send_error(std::error_code code, send_report report)
    : lettre::error(error_info{
          code, report.diagnostics.message.empty() ? code.message() : report.diagnostics.message}),
      report_(std::move(report)) {}

}  // namespace smtp

// ---- builder ------------------------------------------------------------

namespace {

smtp_transport_builder make_builder(std::string host, smtp::tls_mode mode, std::uint16_t port) {
    smtp::transport_config cfg;
    cfg.host = std::move(host);
    cfg.port = port;
    cfg.client.tls = mode;
    cfg.client.hello_name = smtp::default_hello_name();
    return smtp_transport_builder(std::move(cfg));
}

}  // namespace

smtp_transport_builder& smtp_transport_builder::port(std::uint16_t p) {
    cfg_.port = p;
    return *this;
}
smtp_transport_builder& smtp_transport_builder::credentials(std::string user, std::string pass) {
    cfg_.client.credentials = smtp::credentials::password(std::move(user), std::move(pass));
    return *this;
}
smtp_transport_builder& smtp_transport_builder::credentials(smtp::credentials c) {
    cfg_.client.credentials = std::move(c);
    return *this;
}
smtp_transport_builder& smtp_transport_builder::authentication(
    std::vector<smtp::mechanism> mechanisms) {
    cfg_.client.mechanisms = std::move(mechanisms);
    return *this;
}
smtp_transport_builder& smtp_transport_builder::hello_name(std::string name) {
    cfg_.client.hello_name = std::move(name);
    return *this;
}
smtp_transport_builder& smtp_transport_builder::tls(smtp::tls_parameters params) {
    cfg_.tls = std::move(params);
    return *this;
}
smtp_transport_builder& smtp_transport_builder::timeouts(smtp::timeouts t) {
    cfg_.timeouts = t;
    return *this;
}
smtp_transport_builder& smtp_transport_builder::allow_plaintext_auth_dangerous() {
    cfg_.client.allow_plaintext_auth_dangerous = true;
    return *this;
}
smtp_transport_builder& smtp_transport_builder::pipelining(bool on) {
    cfg_.client.pipelining = on;
    return *this;
}
smtp_transport_builder& smtp_transport_builder::chunking(bool on) {
    cfg_.client.chunking = on;
    return *this;
}
smtp_transport_builder& smtp_transport_builder::requiretls(bool on) {
    cfg_.client.requiretls = on;
    return *this;
}
smtp_transport_builder& smtp_transport_builder::dsn(smtp::dsn_request request) {
    cfg_.client.dsn = std::move(request);
    return *this;
}
smtp_transport_builder& smtp_transport_builder::trace(smtp::trace_hook hook) {
    cfg_.trace = std::move(hook);
    return *this;
}
smtp_transport_builder& smtp_transport_builder::dkim(dkim::signer signer) {
    cfg_.dkim.push_back(std::move(signer));
    return *this;
}

smtp_transport_builder& smtp_transport_builder::pool(smtp::pool_config config) {
    cfg_.pool = std::move(config);
    return *this;
}
smtp_transport_builder& smtp_transport_builder::max_connections(std::size_t n) {
    cfg_.pool.enabled = true;
    cfg_.pool.max_connections = n;
    return *this;
}
smtp_transport_builder& smtp_transport_builder::rate_limit(std::size_t messages,
                                                           std::chrono::milliseconds interval) {
    cfg_.pool.rate = {messages, interval};
    return *this;
}
smtp_transport_builder& smtp_transport_builder::no_pool() {
    cfg_.pool.enabled = false;
    return *this;
}

smtp_transport smtp_transport_builder::build() const {
    return smtp_transport(cfg_);
}

// ---- async transport -----------------------------------------------------

struct smtp::detail::transport_engine {
    asio::any_io_executor ex;
    smtp::transport_config cfg;
    std::shared_ptr<asio::ssl::context> tls;
    std::error_code tls_error;
    std::string tls_why;
    /// Every send goes through it; without pooling it keeps no connection.
    /// Null only when the TLS context could not be set up.
    std::shared_ptr<smtp::detail::pool> pool;

    ~transport_engine() {
        if (pool) pool->shutdown();
    }
};

smtp_transport_builder smtp_transport::relay(std::string host) {
    return make_builder(std::move(host), smtp::tls_mode::implicit, 465);
}
smtp_transport_builder smtp_transport::starttls_relay(std::string host) {
    return make_builder(std::move(host), smtp::tls_mode::starttls_required, 587);
}
smtp_transport_builder smtp_transport::builder_dangerous(std::string host) {
    return make_builder(std::move(host), smtp::tls_mode::none_dangerous, 25);
}
result<smtp_transport_builder> smtp_transport::from_url(std::string_view url) {
    auto cfg = smtp::parse_url(url);
    if (!cfg) return std::move(cfg).error();
    return smtp_transport_builder(std::move(*cfg));
}

async_smtp_transport::async_smtp_transport(asio::any_io_executor ex, smtp::transport_config config)
    : impl_(std::make_shared<smtp::detail::transport_engine>()) {
    impl_->ex = std::move(ex);
    impl_->cfg = std::move(config);
    impl_->tls =
        smtp::detail::make_tls_context(impl_->cfg.tls, impl_->tls_error, impl_->tls_why,
                                       impl_->cfg.client.tls != smtp::tls_mode::none_dangerous);
    if (impl_->tls)
        impl_->pool = std::make_shared<smtp::detail::pool>(asio::make_strand(impl_->ex), impl_->cfg,
                                                           impl_->tls);
}

smtp::pool_metrics async_smtp_transport::metrics() const noexcept {
    return impl_ && impl_->pool ? impl_->pool->metrics() : smtp::pool_metrics{};
}

void async_smtp_transport::shutdown() {
    if (impl_ && impl_->pool) impl_->pool->shutdown();
}

async_smtp_transport::~async_smtp_transport() = default;
async_smtp_transport::async_smtp_transport(async_smtp_transport&&) noexcept = default;
async_smtp_transport& async_smtp_transport::operator=(async_smtp_transport&&) noexcept = default;

asio::any_io_executor async_smtp_transport::get_executor() const noexcept {
    return impl_->ex;
}
const smtp::transport_config& async_smtp_transport::config() const noexcept {
    return impl_->cfg;
}

namespace {

/// Completes a send that failed before it reached the pool (DKIM, TLS
/// setup): never inline, then on the handler's own executor.
void complete_now(const asio::any_io_executor& ex, smtp::detail::send_handler handler,
                  error_code ec, smtp::send_report report) {
    asio::post(ex, [h = std::move(handler), ec, r = std::move(report), ex]() mutable {
        auto hex = asio::get_associated_executor(h, ex);
        // A lambda, not asio::append: Boost 1.81's any_completion_handler
        // recurses when it is copied from an lvalue.
        asio::dispatch(hex, [h = std::move(h), ec, r = std::move(r)]() mutable {
            std::move(h)(ec, std::move(r));
        });
    });
}

}  // namespace

void async_smtp_transport::start_send(const std::shared_ptr<impl>& engine, envelope env,
                                      std::shared_ptr<const void> owner, std::string_view bytes,
                                      asio::any_completion_handler<smtp::send_signature> handler) {
    auto req = std::make_shared<smtp::detail::send_request>();
    req->smtputf8 = detail::needs_smtputf8(env, bytes);
    req->env = std::move(env);
    req->owner = std::move(owner);
    req->bytes = bytes;
    if (!engine->cfg.dkim.empty()) {
        // Signed here, in the initiating call: a send that cannot be signed
        // fails before it takes a connection.
        auto signed_bytes = dkim::try_sign_all(engine->cfg.dkim, req->bytes);
        if (!signed_bytes) {
            const error_info& err = signed_bytes.error();
            smtp::send_report report;
            report.diagnostics.message = "DKIM signing failed: " + err.message;
            report.diagnostics.error = err.code;
            return complete_now(engine->ex, std::move(handler), error_code(err.code),
                                std::move(report));
        }
        auto owned = std::make_shared<const std::string>(std::move(*signed_bytes));
        req->bytes = *owned;
        req->owner = std::move(owned);
    }
    if (!engine->pool) {  // the TLS context could not be set up
        smtp::send_report report;
        report.diagnostics.phase = smtp::phase::connect;
        report.diagnostics.message = engine->tls_why;
        report.diagnostics.error = engine->tls_error;
        return complete_now(engine->ex, std::move(handler), error_code(engine->tls_error),
                            std::move(report));
    }
    req->handler.emplace(std::move(handler));
    engine->pool->submit(std::move(req));
}

// ---- blocking transport --------------------------------------------------

struct smtp_transport::impl {
    detail::blocking_runner runner;
    async_smtp_transport async;

    explicit impl(smtp::transport_config config) : async(runner.executor(), std::move(config)) {}
    ~impl() {
        // QUIT the pooled connections and let in-flight sends finish; the
        // runner then joins its thread.
        async.shutdown();
    }

    smtp::send_report run(const envelope& env, std::string_view bytes, std::error_code& ec) {
        // The caller waits for the result: the bytes are lent, not shared.
        auto [e, report] = runner.wait<smtp::send_report>([&](auto handler) {
            async_smtp_transport::start_send(async.impl_, env, nullptr, bytes, std::move(handler));
        });
        ec = e;
        return std::move(report);
    }
};

smtp_transport::smtp_transport(smtp::transport_config config)
    : impl_(std::make_unique<impl>(std::move(config))) {}
smtp_transport::~smtp_transport() = default;
smtp_transport::smtp_transport(smtp_transport&&) noexcept = default;
smtp_transport& smtp_transport::operator=(smtp_transport&&) noexcept = default;

const smtp::transport_config& smtp_transport::config() const noexcept {
    return impl_->async.config();
}

smtp::pool_metrics smtp_transport::metrics() const noexcept {
    return impl_->async.metrics();
}

smtp::send_report smtp_transport::send(const message& msg, std::error_code& ec) {
    const std::string bytes = msg.formatted();
    return impl_->run(msg.envelope(), bytes, ec);
}

smtp::send_report smtp_transport::send(const message& msg) {
    std::error_code ec;
    auto r = send(msg, ec);
    if (ec) throw smtp::send_error(ec, std::move(r));
    return r;
}

result<smtp::send_report> smtp_transport::try_send(const message& msg) {
    std::error_code ec;
    auto r = send(msg, ec);
    if (ec) return smtp::send_error(ec, std::move(r)).info();
    return r;
}

smtp::send_report smtp_transport::send_raw(const envelope& env, std::string_view bytes,
                                           std::error_code& ec) {
    return impl_->run(env, bytes, ec);
}

smtp::send_report smtp_transport::send_raw(const envelope& env, std::string_view bytes) {
    std::error_code ec;
    auto r = send_raw(env, bytes, ec);
    if (ec) throw smtp::send_error(ec, std::move(r));
    return r;
}

result<smtp::send_report> smtp_transport::try_send_raw(const envelope& env,
                                                       std::string_view bytes) {
    std::error_code ec;
    auto r = send_raw(env, bytes, ec);
    if (ec) return smtp::send_error(ec, std::move(r)).info();
    return r;
}

}  // namespace lettre
