// The vocabulary every lettre transport speaks, as a C++20 concept. Code
// written once against `lettre::transport` works with the file, sendmail,
// SMTP and MX transports, and with the stub in unit tests.
#pragma once

#include <lettre/error.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>

#include <concepts>
#include <string_view>
#include <system_error>

namespace lettre {

/// A blocking transport with report type `T::report_type` (R):
///
///   R send(const message&)                      throws lettre::error (or a subclass)
///   R send(const message&, std::error_code&)    sets the code, never throws for a failed send
///   result<R> try_send(const message&)          the error with its sentence
///   and the same three for send_raw(const envelope&, std::string_view bytes).
///
/// Every failure compares equal to one lettre::condition (transient,
/// permanent, outcome_unknown): `if (ec == lettre::condition::transient)`.
template <class T>
concept transport = requires(T& t, const message& msg, const envelope& env, std::string_view bytes,
                             std::error_code& ec) {
    typename T::report_type;
    { t.send(msg) } -> std::same_as<typename T::report_type>;
    { t.send(msg, ec) } -> std::same_as<typename T::report_type>;
    { t.try_send(msg) } -> std::same_as<result<typename T::report_type>>;
    { t.send_raw(env, bytes) } -> std::same_as<typename T::report_type>;
    { t.send_raw(env, bytes, ec) } -> std::same_as<typename T::report_type>;
    { t.try_send_raw(env, bytes) } -> std::same_as<result<typename T::report_type>>;
};

}  // namespace lettre
