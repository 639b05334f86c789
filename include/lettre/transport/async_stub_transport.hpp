// The stub transport for code that runs on an Asio executor: async_send with
// any completion token (callbacks, use_awaitable, use_future, ...), so code
// written against async_smtp_transport (or any lettre::async_transport) can
// be unit-tested without a server. A separate header so that lettre.hpp does
// not pull in Boost.Asio.
#pragma once

#include <lettre/asio_error.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>
#include <lettre/transport/detail/post_then_complete.hpp>
#include <lettre/transport/stub_transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <tuple>
#include <utility>

namespace lettre {

/// basic_stub_transport for Boost.Asio, for tests: records messages and
/// completes with the stub's configured answer. Models lettre::async_transport.
template <class Report>
class basic_async_stub_transport {
public:
    using report_type = Report;  ///< what a send reports
    /// The error is empty on success, else the stub's answer; the report is
    /// the stub's configured one.
    using send_signature = void(boost::system::error_code, Report);

    /// `stub` holds the answer and the record; pass a copy of a stub you
    /// keep, or read blocking() later.
    explicit basic_async_stub_transport(boost::asio::any_io_executor ex,
                                        basic_stub_transport<Report> stub = {})
        : ex_(std::move(ex)), stub_(std::move(stub)) {}

    /// Hands `msg` to the stub (its bytes and envelope are taken at
    /// initiation). The message is recorded by a handler posted to the
    /// transport's executor, so the operation never completes inside this
    /// call; the completion runs on the handler's associated executor.
    template <class CompletionToken>
    auto async_send(const message& msg, CompletionToken&& token) const {
        return async_send_raw(msg.envelope(), msg.formatted(),
                              std::forward<CompletionToken>(token));
    }

    /// Ready-made bytes plus an envelope.
    template <class CompletionToken>
    auto async_send_raw(const envelope& env, std::string bytes, CompletionToken&& token) const {
        return boost::asio::async_initiate<CompletionToken, send_signature>(
            [ex = ex_, stub = stub_](auto handler, envelope e, std::string b) {
                detail::post_then_complete(
                    ex, std::move(handler), [stub, e = std::move(e), b = std::move(b)] {
                        std::error_code ec;
                        Report r = stub.send_raw(e, b, ec);
                        return std::make_tuple(boost::system::error_code(ec), std::move(r));
                    });
            },
            token, env, std::move(bytes));
    }

    /// The transport's executor.
    boost::asio::any_io_executor get_executor() const noexcept { return ex_; }
    /// The blocking stub: same answer, same record (messages(), clear(), ...).
    const basic_stub_transport<Report>& blocking() const noexcept { return stub_; }

private:
    boost::asio::any_io_executor ex_;
    basic_stub_transport<Report> stub_;
};

/// The async stub whose report is the message's index in the record.
using async_stub_transport = basic_async_stub_transport<stub_report>;

}  // namespace lettre
