// The async SMTP transport: any Asio completion token (callbacks,
// use_awaitable, use_future, deferred), per-operation cancellation, never
// completes inline. Built with smtp_transport::relay(...)...build(executor).
#pragma once

#include <lettre/asio_error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>
#include <lettre/smtp/config.hpp>
#include <lettre/smtp/response.hpp>
#include <lettre/smtp/transport.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace lettre {

namespace smtp {
namespace detail {
struct transport_engine;  // the pool, TLS context and config, in src/
}  // namespace detail
/// Completion signature of every send: the error (empty on success) and the
/// report, whose `diagnostics` say what the server answered on failure.
using send_signature = void(boost::system::error_code, send_report);
}  // namespace smtp

/// The SMTP transport for Boost.Asio, on the executor given at
/// construction; the same engine and pool as smtp_transport.

class LETTRE_EXPORT async_smtp_transport {
public:
    using report_type = smtp::send_report;  ///< what a send completes with

    /// The named constructors of smtp_transport, for symmetry.
    static smtp_transport_builder relay(std::string host) {
        return smtp_transport::relay(std::move(host));
    }
    /// smtp_transport::starttls_relay().
    static smtp_transport_builder starttls_relay(std::string host) {
        return smtp_transport::starttls_relay(std::move(host));
    }
    /// smtp_transport::builder_dangerous().
    static smtp_transport_builder builder_dangerous(std::string host) {
        return smtp_transport::builder_dangerous(std::move(host));
    }
    /// smtp_transport::from_url().
    static result<smtp_transport_builder> from_url(std::string_view url) {
        return smtp_transport::from_url(url);
    }

    /// A transport on `ex` for `config`; connections are opened when sending.
    async_smtp_transport(boost::asio::any_io_executor ex, smtp::transport_config config);
    ~async_smtp_transport();
    async_smtp_transport(async_smtp_transport&&) noexcept;             ///< movable, not copyable
    async_smtp_transport& operator=(async_smtp_transport&&) noexcept;  ///< movable, not copyable

    /// Sends `msg` (its bytes and envelope are taken at initiation).
    template <class CompletionToken>
    auto async_send(const message& msg, CompletionToken&& token) {
        return async_send_raw(msg.envelope(), msg.formatted(),
                              std::forward<CompletionToken>(token));
    }

    /// Sends ready-made bytes with an envelope.
    template <class CompletionToken>
    auto async_send_raw(const envelope& env, std::string bytes, CompletionToken&& token) {
        return async_send_raw(env, std::make_shared<const std::string>(std::move(bytes)),
                              std::forward<CompletionToken>(token));
    }

    /// Sends shared, immutable bytes: one message to many envelopes (a
    /// mailing, `lettre send --each-to`) is neither copied nor formatted
    /// again per send; the transport keeps `bytes` alive until completion.
    template <class CompletionToken>
    auto async_send_raw(const envelope& env, std::shared_ptr<const std::string> bytes,
                        CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, smtp::send_signature>(
            // The engine is held by value: with a deferred token the
            // operation may start after this transport object is gone.
            [engine = impl_](auto handler, envelope e, std::shared_ptr<const std::string> b) {
                const std::string_view view = *b;
                start_send(
                    engine, std::move(e), std::move(b), view,
                    boost::asio::any_completion_handler<smtp::send_signature>(std::move(handler)));
            },
            token, env, std::move(bytes));
    }

    /// The transport's executor.
    boost::asio::any_io_executor get_executor() const noexcept;
    /// The configuration the transport was made with.
    const smtp::transport_config& config() const noexcept;

    /// Counters of the sends and connections (without pooling no connection
    /// is ever idle and `reconnects` stays 0).
    smtp::pool_metrics metrics() const noexcept;
    /// Stops taking sends (pooled or not): QUITs idle connections, fails
    /// sends still waiting for a connection with operation_aborted; sends on
    /// the wire finish.
    void shutdown();

private:
    using impl = smtp::detail::transport_engine;
    friend class smtp_transport;  // sends borrowed bytes: its callers wait for the result
    /// `owner` keeps `bytes` valid until the handler runs (null: borrowed).
    static void start_send(const std::shared_ptr<impl>& engine, envelope env,
                           std::shared_ptr<const void> owner, std::string_view bytes,
                           boost::asio::any_completion_handler<smtp::send_signature> handler);
    std::shared_ptr<impl> impl_;
};

}  // namespace lettre
