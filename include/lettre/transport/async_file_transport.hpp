// The file transport for code that runs on an Asio executor: async_send with
// any completion token (callbacks, use_awaitable, use_future, ...), like
// async_smtp_transport. A separate header so that lettre.hpp and the
// message layer do not pull in Boost.Asio.
#pragma once

#include <lettre/asio_error.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>
#include <lettre/transport/detail/post_then_complete.hpp>
#include <lettre/transport/file_transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <filesystem>
#include <string>
#include <tuple>
#include <utility>

namespace lettre {

/// file_transport for Boost.Asio: writes on the transport's executor.
/// Models lettre::async_transport.
class async_file_transport {
public:
    using report_type = file_transport::delivery;  ///< what a send reports
    /// `(error, delivery)`; on error nothing is left in the directory.
    using send_signature = void(boost::system::error_code, file_transport::delivery);

    /// Writes into `directory` (created on first send when missing).
    async_file_transport(boost::asio::any_io_executor ex, std::filesystem::path directory)
        : ex_(std::move(ex)), files_(std::move(directory)) {}

    /// Writes `msg` (its bytes and envelope are taken at initiation). The
    /// files are written by a handler posted to the transport's executor
    /// (local files: short blocking writes), so the operation never
    /// completes inside this call; the completion runs on the handler's
    /// associated executor.
    template <class CompletionToken>
    auto async_send(const message& msg, CompletionToken&& token) const {
        return async_send_raw(msg.envelope(), msg.formatted(),
                              std::forward<CompletionToken>(token));
    }

    /// Ready-made bytes plus an envelope.
    template <class CompletionToken>
    auto async_send_raw(const envelope& env, std::string bytes, CompletionToken&& token) const {
        return boost::asio::async_initiate<CompletionToken, send_signature>(
            // By value: with a deferred token the operation may start after
            // this transport is gone.
            [ex = ex_, files = files_](auto handler, envelope e, std::string b) {
                detail::post_then_complete(
                    ex, std::move(handler), [files, e = std::move(e), b = std::move(b)] {
                        auto r = files.try_send_raw(e, b);
                        if (!r)
                            return std::make_tuple(boost::system::error_code(r.error().code),
                                                   file_transport::delivery{});
                        return std::make_tuple(boost::system::error_code(), std::move(*r));
                    });
            },
            token, env, std::move(bytes));
    }

    /// The transport's executor.
    boost::asio::any_io_executor get_executor() const noexcept { return ex_; }
    /// The blocking transport on the same directory.
    const file_transport& blocking() const noexcept { return files_; }
    /// Where the files go.
    const std::filesystem::path& directory() const noexcept { return files_.directory(); }

private:
    boost::asio::any_io_executor ex_;
    file_transport files_;
};

}  // namespace lettre
