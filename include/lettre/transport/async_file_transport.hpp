// The file transport for code that runs on an Asio executor: async_send with
// any completion token (callbacks, use_awaitable, use_future, ...), like
// async_smtp_transport. A separate header so that lettre.hpp and the
// message layer do not pull in Boost.Asio.
#pragma once

#include <lettre/asio_error.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>
#include <lettre/transport/file_transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>

#include <filesystem>
#include <string>
#include <utility>

namespace lettre {

class async_file_transport {
public:
    /// `(error, delivery)`; on error nothing is left in the directory.
    using send_signature = void(boost::system::error_code, file_transport::delivery);

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
            [this](auto handler, envelope e, std::string b) {
                auto work = boost::asio::make_work_guard(
                    boost::asio::get_associated_executor(handler, ex_));
                boost::asio::post(
                    ex_, [files = files_, e = std::move(e), b = std::move(b),
                          handler = std::move(handler), work = std::move(work)]() mutable {
                        auto r = files.try_send_raw(e, b);
                        boost::system::error_code ec;
                        file_transport::delivery d;
                        if (r)
                            d = std::move(*r);
                        else
                            ec = r.error().code;
                        auto hex = work.get_executor();
                        work.reset();
                        boost::asio::dispatch(
                            hex, [handler = std::move(handler), ec, d = std::move(d)]() mutable {
                                std::move(handler)(ec, std::move(d));
                            });
                    });
            },
            token, env, std::move(bytes));
    }

    boost::asio::any_io_executor get_executor() const noexcept { return ex_; }
    /// The blocking transport on the same directory.
    const file_transport& blocking() const noexcept { return files_; }
    const std::filesystem::path& directory() const noexcept { return files_.directory(); }

private:
    boost::asio::any_io_executor ex_;
    file_transport files_;
};

}  // namespace lettre
