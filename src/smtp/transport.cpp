#include <lettre/smtp/transport.hpp>

#include "smtp/connection.hpp"
#include "smtp/pool.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <fmt/format.h>
#include <future>

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

smtp_transport smtp_transport_builder::build() const {
    return smtp_transport(cfg_);
}
async_smtp_transport smtp_transport_builder::build(asio::any_io_executor ex) const {
    return async_smtp_transport(std::move(ex), cfg_);
}

// ---- async transport -----------------------------------------------------

struct async_smtp_transport::impl {
    asio::any_io_executor ex;
    smtp::transport_config cfg;
    std::shared_ptr<asio::ssl::context> tls;
    std::error_code tls_error;
    std::string tls_why;
    std::shared_ptr<smtp::detail::pool> pool;  ///< null when pooling is off

    ~impl() {
        if (pool) pool->shutdown();
    }
};

smtp_transport_builder async_smtp_transport::relay(std::string host) {
    return make_builder(std::move(host), smtp::tls_mode::implicit, 465);
}
smtp_transport_builder async_smtp_transport::starttls_relay(std::string host) {
    return make_builder(std::move(host), smtp::tls_mode::starttls_required, 587);
}
smtp_transport_builder async_smtp_transport::builder_dangerous(std::string host) {
    return make_builder(std::move(host), smtp::tls_mode::none_dangerous, 25);
}
result<smtp_transport_builder> async_smtp_transport::from_url(std::string_view url) {
    auto cfg = smtp::parse_url(url);
    if (!cfg) return std::move(cfg).error();
    return smtp_transport_builder(std::move(*cfg));
}

async_smtp_transport::async_smtp_transport(asio::any_io_executor ex, smtp::transport_config config)
    : impl_(std::make_shared<impl>()) {
    impl_->ex = std::move(ex);
    impl_->cfg = std::move(config);
    impl_->tls =
        smtp::detail::make_tls_context(impl_->cfg.tls, impl_->tls_error, impl_->tls_why,
                                       impl_->cfg.client.tls != smtp::tls_mode::none_dangerous);
    if (impl_->tls && impl_->cfg.pool.enabled)
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

/// One send on a fresh connection: open, transaction, QUIT.
struct send_operation : std::enable_shared_from_this<send_operation> {
    std::shared_ptr<async_smtp_transport::impl> owner;
    envelope env;
    std::shared_ptr<const void> keep;  ///< keeps `bytes` alive (null: the caller waits)
    std::string_view bytes;
    bool smtputf8 = false;
    asio::strand<asio::any_io_executor> strand;  ///< the connection's and the cancellation's
    std::shared_ptr<smtp::detail::connection> conn;
    // optional + emplace: Boost 1.81's any_completion_handler move-assignment recurses.
    std::optional<asio::any_completion_handler<smtp::send_signature>> handler;
    smtp::send_report report;
    bool started = false;
    bool cancelled = false;
    bool finished = false;
    bool opening = true;  ///< connect, greeting, EHLO, TLS, AUTH

    explicit send_operation(asio::any_io_executor ex) : strand(asio::make_strand(std::move(ex))) {}

    /// Connected at initiation, so that a cancellation emitted before the
    /// operation starts is not lost. Until the session is open any type
    /// withdraws the send; after that only a terminal one interrupts it (the
    /// connection is closed; after the final dot the outcome is
    /// outcome_unknown).
    void watch_cancellation() {
        auto slot = asio::get_associated_cancellation_slot(*handler);
        if (!slot.is_connected()) return;
        std::weak_ptr<send_operation> weak = shared_from_this();
        slot.assign([weak, ex = strand](asio::cancellation_type type) {
            asio::dispatch(ex, [weak, type] {
                auto self = weak.lock();
                if (!self || self->finished) return;
                if (!self->started) {
                    self->cancelled = true;
                    return;
                }
                // Nothing of the message has gone out while the connection
                // opens, so any type may abort that; later only terminal.
                if (self->opening ||
                    (type & asio::cancellation_type::terminal) != asio::cancellation_type::none)
                    self->conn->close();
            });
        });
    }

    void finish(error_code ec) {
        finished = true;
        asio::get_associated_cancellation_slot(*handler).clear();
        auto hex = asio::get_associated_executor(*handler, owner->ex);
        // A lambda, not asio::append: Boost 1.81's any_completion_handler
        // recurses when it is copied from an lvalue.
        asio::dispatch(hex, [h = std::move(*handler), ec, r = std::move(report)]() mutable {
            std::move(h)(ec, std::move(r));
        });
    }

    void start() {
        started = true;
        if (cancelled) {
            report.diagnostics.phase = smtp::phase::connect;
            report.diagnostics.message = "cancelled before the connection was opened";
            report.diagnostics.error = error_code(asio::error::operation_aborted);
            return finish(asio::error::operation_aborted);
        }
        conn->async_open([self = shared_from_this()](error_code ec) {
            self->opening = false;
            if (ec) {
                self->report.diagnostics = self->conn->diagnostics();
                self->conn->close();
                return self->finish(ec);
            }
            self->conn->async_send(self->env, self->bytes, self->smtputf8,
                                   [self](error_code e) { self->after_send(e); });
        });
    }

    void after_send(error_code ec) {
        report = conn->fsm().report();
        if (ec) {
            report.diagnostics = conn->diagnostics();
            if (report.diagnostics.recipients.empty())
                report.diagnostics.recipients = conn->fsm().report().recipients;
        }
        if (!conn->usable()) {
            conn->close();
            return finish(ec);
        }
        conn->async_quit([self = shared_from_this(), ec](error_code) {
            self->conn->close();
            self->finish(ec);
        });
    }
};

}  // namespace

void async_smtp_transport::start_send(envelope env, std::shared_ptr<const void> owner,
                                      std::string_view bytes, bool smtputf8,
                                      asio::any_completion_handler<smtp::send_signature> handler) {
    auto op = std::make_shared<send_operation>(impl_->ex);
    op->owner = impl_;
    op->env = std::move(env);
    op->keep = std::move(owner);
    op->bytes = bytes;
    op->smtputf8 = smtputf8;
    op->handler.emplace(std::move(handler));
    if (!impl_->cfg.dkim.empty()) {
        // Signed here, in the initiating call: a send that cannot be signed
        // fails before it takes a connection.
        auto signed_bytes = dkim::try_sign_all(impl_->cfg.dkim, op->bytes);
        if (!signed_bytes) {
            const error_info& err = signed_bytes.error();
            op->report.diagnostics.message = "DKIM signing failed: " + err.message;
            op->report.diagnostics.error = err.code;
            asio::post(impl_->ex, [op, ec = error_code(err.code)] { op->finish(ec); });
            return;
        }
        auto owned = std::make_shared<const std::string>(std::move(*signed_bytes));
        op->bytes = *owned;
        op->keep = std::move(owned);
    }
    if (!impl_->tls) {
        op->report.diagnostics.phase = smtp::phase::connect;
        op->report.diagnostics.message = impl_->tls_why;
        op->report.diagnostics.error = impl_->tls_error;
        asio::post(impl_->ex, [op] { op->finish(error_code(op->owner->tls_error)); });
        return;
    }
    if (impl_->pool) {
        auto req = std::make_shared<smtp::detail::send_request>();
        req->env = std::move(op->env);
        req->owner = std::move(op->keep);
        req->bytes = op->bytes;
        req->smtputf8 = smtputf8;
        req->handler.emplace(std::move(*op->handler));
        impl_->pool->submit(std::move(req));
        return;
    }
    op->conn = std::make_shared<smtp::detail::connection>(asio::any_io_executor(op->strand),
                                                          impl_->cfg, impl_->tls);
    op->watch_cancellation();
    // Start from the executor so that nothing completes inside async_send.
    asio::post(op->strand, [op] { op->start(); });
}

// ---- blocking transport --------------------------------------------------

smtp_transport::smtp_transport(smtp::transport_config config)
    : ioc_(std::make_unique<asio::io_context>(1)),
      async_(std::make_unique<async_smtp_transport>(ioc_->get_executor(), std::move(config))),
      work_(std::make_unique<work_guard>(ioc_->get_executor())),
      thread_([this] { ioc_->run(); }) {}

smtp_transport::~smtp_transport() {
    // QUIT the pooled connections, let in-flight sends finish, then stop.
    async_->shutdown();
    async_.reset();
    work_.reset();
    if (thread_.joinable()) thread_.join();
}

const smtp::transport_config& smtp_transport::config() const noexcept {
    return async_->config();
}

smtp::pool_metrics smtp_transport::metrics() const noexcept {
    return async_->metrics();
}

smtp::send_report smtp_transport::run(const envelope& env, std::shared_ptr<const void> owner,
                                      std::string_view bytes, bool smtputf8, error_code& ec) {
    // The engine runs on the transport's own thread; callers on any number
    // of threads wait here for their own result.
    std::promise<std::pair<error_code, smtp::send_report>> done;
    auto result = done.get_future();
    async_->start_send(env, std::move(owner), bytes, smtputf8,
                       asio::any_completion_handler<smtp::send_signature>(
                           [&done](error_code e, smtp::send_report r) {
                               done.set_value({e, std::move(r)});
                           }));
    auto [e, report] = result.get();
    ec = e;
    return std::move(report);
}

smtp::send_report smtp_transport::send(const message& msg, error_code& ec) {
    // The caller waits for the result: the bytes are lent, not shared.
    const std::string bytes = msg.formatted();
    return run(msg.envelope(), nullptr, bytes, msg.requires_smtputf8(), ec);
}

smtp::send_report smtp_transport::send(const message& msg) {
    error_code ec;
    auto r = send(msg, ec);
    if (ec) throw smtp::send_error(ec, std::move(r));
    return r;
}

smtp::send_report smtp_transport::send_raw(const envelope& env, std::string_view bytes,
                                           error_code& ec) {
    return run(env, nullptr, bytes, false, ec);
}

smtp::send_report smtp_transport::send_raw(const envelope& env, std::string_view bytes) {
    error_code ec;
    auto r = send_raw(env, bytes, ec);
    if (ec) throw smtp::send_error(ec, std::move(r));
    return r;
}

}  // namespace lettre
