// Direct MX delivery from an Asio executor: the asynchronous form of
// lettre/transport/mx_transport.hpp (configuration and report types there).
#pragma once

#include <lettre/asio_error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>
#include <lettre/transport/mx_transport.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace lettre {
namespace mx {

/// The error is empty when at least one recipient got the message (look at
/// the report for the others); otherwise the first recipient's error.
using send_signature = void(boost::system::error_code, report);
/// Completion signature of async_plan(): the plan's error, if any, and the plan.
using plan_signature = void(boost::system::error_code, plan);

namespace detail {
struct transport_context;
}  // namespace detail

}  // namespace mx

/// Delivers from an executor. Operations take any completion token and never
/// complete inline. Models lettre::async_transport.
class LETTRE_EXPORT async_mx_transport {
public:
    using report_type = mx::report;  ///< what a send reports

    /// A transport on `ex` for `config`.
    explicit async_mx_transport(boost::asio::any_io_executor ex, mx::config config = {});
    /// QUITs the idle sessions of the connection cache (on the executor:
    /// run it afterwards for the QUITs to go out). Sends in flight finish.
    ~async_mx_transport();
    async_mx_transport(async_mx_transport&&) noexcept;             ///< movable, not copyable
    async_mx_transport& operator=(async_mx_transport&&) noexcept;  ///< movable, not copyable

    /// Delivers to every recipient domain; see mx::report.
    ///
    /// Per-operation cancellation (terminal or partial, e.g. through
    /// bind_cancellation_slot or a coroutine's cancellation): domains not
    /// started are not started, DNS lookups are abandoned, SMTP sessions are
    /// closed at once. The operation completes with operation_aborted and a
    /// full report: recipients a server already accepted are delivered;
    /// the others failed transiently with operation_aborted (or
    /// outcome_unknown when the session was closed after the final dot).
    template <class CompletionToken>
    auto async_send(const message& msg, CompletionToken&& token) {
        return async_send_raw(msg.envelope(), msg.formatted(),
                              std::forward<CompletionToken>(token));
    }

    /// `bytes` is the formatted message. SMTPUTF8 is asked for when the
    /// envelope or the header section needs it (RFC 6531).
    template <class CompletionToken>
    auto async_send_raw(const envelope& env, std::string bytes, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, mx::send_signature>(
            [this](auto handler, envelope e, std::string b) {
                start_send(
                    std::move(e), std::move(b),
                    boost::asio::any_completion_handler<mx::send_signature>(std::move(handler)));
            },
            token, env, std::move(bytes));
    }

    /// The delivery plan of a domain (what `lettre mx DOMAIN` prints). The
    /// error is the plan's error, if any. Per-operation cancellation
    /// (terminal or partial) abandons the lookups; the plan then completes
    /// with operation_aborted.
    template <class CompletionToken>
    auto async_plan(std::string_view domain, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, mx::plan_signature>(
            [this](auto handler, std::string d) {
                start_plan(std::move(d), boost::asio::any_completion_handler<mx::plan_signature>(
                                             std::move(handler)));
            },
            token, std::string(domain));
    }

    /// The transport's executor.
    boost::asio::any_io_executor get_executor() const noexcept;
    /// The configuration the transport was made with.
    const mx::config& config() const noexcept;
    /// Connections opened and reused so far (see mx::config::connection_cache).
    /// Safe from any thread.
    [[nodiscard]] mx::connection_stats connections() const noexcept;

private:
    void start_send(envelope env, std::string bytes,
                    boost::asio::any_completion_handler<mx::send_signature> handler);
    void start_plan(std::string domain,
                    boost::asio::any_completion_handler<mx::plan_signature> handler);
    std::shared_ptr<mx::detail::transport_context> impl_;
};

}  // namespace lettre
