// Lets boost::system::error_code (what Asio completion handlers receive)
// compare with lettre::errc values and lettre::condition:
// `ec == lettre::errc::timeout`, `ec == lettre::condition::transient`. Included
// by every header with async operations; the message layer does not need
// Boost and does not include it.
#pragma once

#include <lettre/error.hpp>

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace boost::system {
template <>
struct is_error_code_enum<lettre::errc> : std::true_type {};
template <>
struct is_error_condition_enum<lettre::condition> : std::true_type {};
}  // namespace boost::system
