// Completes an asynchronous operation from a fresh stack: posted to the
// I/O executor, then dispatched to the handler's associated executor (an
// any_completion_executor cannot be posted to directly). Never inline, and
// never from inside a c-ares callback. Internal.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include <utility>

namespace lettre::dns::detail {

// Handlers are moved, never copied: Boost 1.81's any_completion_handler
// recurses when copied from an lvalue or move-assigned.
template <class Handler, class... Args>
void complete_later(const boost::asio::any_io_executor& ex, Handler&& handler, Args... args) {
    boost::asio::post(
        ex, [h = std::forward<Handler>(handler), ex, ... a = std::move(args)]() mutable {
            auto hex = boost::asio::get_associated_executor(h, ex);
            boost::asio::dispatch(hex, [h = std::move(h), ... b = std::move(a)]() mutable {
                std::move(h)(std::move(b)...);
            });
        });
}

}  // namespace lettre::dns::detail
