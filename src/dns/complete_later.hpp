// Completes an asynchronous operation from a fresh stack: posted to the
// I/O executor, then dispatched to the handler's associated executor (an
// any_completion_executor cannot be posted to directly). Never inline, and
// never from inside a c-ares callback. Internal.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <utility>

namespace lettre::dns::detail {

/// The handler's associated executor, with outstanding work tracked: kept
/// while the operation runs, so that the handler's context does not run
/// out of work.
template <class Handler>
auto track_work(const Handler& h, const boost::asio::any_io_executor& ex) {
    return boost::asio::prefer(boost::asio::get_associated_executor(h, ex),
                               boost::asio::execution::outstanding_work.tracked);
}

// Handlers are moved, never copied: Boost 1.81's any_completion_handler
// recurses when copied from an lvalue or move-assigned. The handler's
// cancellation slot is cleared on the handler's executor, right before the
// call: that is where the caller emits, so the two never race.
template <class Handler, class Work, class... Args>
void complete_later(const boost::asio::any_io_executor& ex, Work work, Handler&& handler,
                    Args... args) {
    boost::asio::post(ex, [h = std::forward<Handler>(handler), w = std::move(work),
                           ... a = std::move(args)]() mutable {
        auto target = w;
        boost::asio::dispatch(std::move(target),
                              [h = std::move(h), w = std::move(w), ... b = std::move(a)]() mutable {
                                  auto slot = boost::asio::get_associated_cancellation_slot(h);
                                  if (slot.is_connected()) slot.clear();
                                  std::move(h)(std::move(b)...);
                              });
    });
}

}  // namespace lettre::dns::detail
