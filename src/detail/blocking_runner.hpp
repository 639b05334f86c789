// The one way lettre's blocking forms (smtp_transport, mx_transport,
// dns::resolver) wait: the async engine runs on an io_context driven by a
// thread of the blocking object's own, and each caller waits for its own
// completion. Callers on several threads therefore run concurrently (up to
// what the engine allows, e.g. the pool's connections), and a blocking call
// never runs the engine on the caller's thread.
#pragma once

#include <lettre/export.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <future>
#include <thread>
#include <tuple>
#include <utility>

namespace lettre::detail {

// Exported (internal, not installed): lettre_mx uses it across the library
// boundary in a shared build.
class LETTRE_EXPORT blocking_runner {
public:
    blocking_runner();
    /// Lets pending work finish, then joins the thread.
    ~blocking_runner();
    blocking_runner(const blocking_runner&) = delete;
    blocking_runner& operator=(const blocking_runner&) = delete;

    boost::asio::any_io_executor executor() const { return ioc_.get_executor(); }

    /// Calls `start(handler)` and waits until the handler has run; returns
    /// its (error, value). Must not be called from the runner's own thread.
    template <class R, class Start>
    std::pair<boost::system::error_code, R> wait(Start&& start) {
        std::promise<std::pair<boost::system::error_code, R>> done;
        auto result = done.get_future();
        std::forward<Start>(start)(
            boost::asio::any_completion_handler<void(boost::system::error_code, R)>(
                [&done](boost::system::error_code ec, R value) {
                    done.set_value({ec, std::move(value)});
                }));
        return result.get();
    }

private:
    mutable boost::asio::io_context ioc_{1};
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::thread thread_;
};

}  // namespace lettre::detail
