// The completion shape of the transports whose work is short and local
// (file, stub): the work runs in a handler posted to the transport's
// executor, so an operation never completes inside its initiating call; its
// result then goes to the completion handler on the handler's associated
// executor, which counts as busy meanwhile.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>

#include <tuple>
#include <utility>

namespace lettre::detail {

/// `work()` returns the completion arguments as a std::tuple.
template <class Handler, class Work>
void post_then_complete(const boost::asio::any_io_executor& ex, Handler handler, Work work) {
    auto busy = boost::asio::make_work_guard(boost::asio::get_associated_executor(handler, ex));
    boost::asio::post(ex, [handler = std::move(handler), work = std::move(work),
                           busy = std::move(busy)]() mutable {
        auto args = work();
        boost::asio::dispatch(busy.get_executor(),
                              [handler = std::move(handler), args = std::move(args)]() mutable {
                                  std::apply(std::move(handler), std::move(args));
                              });
        // Only now: releasing the work before the dispatch would stop a
        // handler's io_context that has nothing else to do.
        busy.reset();
    });
}

}  // namespace lettre::detail
