// The sendmail transport for code that runs on an Asio executor: the child's
// standard input, its output and its exit are all waited for on the
// executor (no thread, no SIGCHLD handler). A separate header so that
// lettre.hpp and the message layer do not pull in Boost.Asio.
#pragma once

#include <lettre/asio_error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>
#include <lettre/transport/sendmail_transport.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <utility>

namespace lettre {

/// sendmail_transport for Boost.Asio: the program runs without blocking the
/// executor. Models lettre::async_transport.
class LETTRE_EXPORT async_sendmail_transport {
public:
    using report_type = sendmail_report;  ///< what a send reports
    /// `(error, report)`: the error codes of sendmail_transport::send;
    /// operation_aborted when cancelled (the program is killed).
    using send_signature = void(boost::system::error_code, sendmail_report);

    /// A transport on `ex` running the program of `config`.
    explicit async_sendmail_transport(boost::asio::any_io_executor ex, sendmail_config config = {});

    /// Runs the program for `msg` (its bytes and envelope are taken at
    /// initiation). Never completes inside this call. Supports per-operation
    /// cancellation (terminal, partial or total): the program is killed.
    template <class CompletionToken>
    auto async_send(const message& msg, CompletionToken&& token) const {
        return async_send_raw(msg.envelope(), msg.formatted(),
                              std::forward<CompletionToken>(token));
    }

    /// Ready-made bytes (CRLF or LF lines) plus an envelope.
    template <class CompletionToken>
    auto async_send_raw(const envelope& env, std::string bytes, CompletionToken&& token) const {
        return boost::asio::async_initiate<CompletionToken, send_signature>(
            // By value: with a deferred token the operation may start after
            // this transport is gone.
            [ex = ex_, config = config_](auto handler, envelope e, std::string b) {
                start(ex, config, e, std::move(b),
                      boost::asio::any_completion_handler<send_signature>(std::move(handler)));
            },
            token, env, std::move(bytes));
    }

    /// The transport's executor.
    boost::asio::any_io_executor get_executor() const noexcept { return ex_; }
    /// The configuration the transport was made with.
    const sendmail_config& config() const noexcept { return config_; }

private:
    static void start(const boost::asio::any_io_executor& ex, const sendmail_config& config,
                      const envelope& env, std::string bytes,
                      boost::asio::any_completion_handler<send_signature> handler);

    boost::asio::any_io_executor ex_;
    sendmail_config config_;
};

}  // namespace lettre
