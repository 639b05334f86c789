// The vocabulary of lettre's asynchronous transports, as a C++20 concept:
// async_send and async_send_raw take any Asio completion token and complete
// with (boost::system::error_code, R), where R is the transport's report.
#pragma once

#include <lettre/asio_error.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include <string>

namespace lettre {

namespace detail {
/// A completion handler of the right shape, for checking the concept.
template <class R>
struct async_send_archetype {
    void operator()(boost::system::error_code, R) {}
};
}  // namespace detail

/// The completion signature of every async send: the error (empty on
/// success; compare it with lettre::condition) and the transport's report.
template <class R>
using send_signature = void(boost::system::error_code, R);

/// An asynchronous transport with report type `T::report_type` (R):
///
///   async_send(const message&, token)
///   async_send_raw(const envelope&, std::string bytes, token)
///   get_executor()
///
/// Operations never complete inside the initiating call and take any
/// completion token (callbacks, use_awaitable, use_future, deferred ...).
template <class T>
concept async_transport = requires(T& t, const message& msg, const envelope& env,
                                   std::string bytes) {
    typename T::report_type;
    { t.get_executor() } -> std::convertible_to<boost::asio::any_io_executor>;
    t.async_send(msg, detail::async_send_archetype<typename T::report_type>{});
    t.async_send_raw(env, std::move(bytes),
                     detail::async_send_archetype<typename T::report_type>{});
};

}  // namespace lettre
