// RFC 5322 §3.3 date-time.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include <chrono>
#include <string>
#include <string_view>

namespace lettre {

/// A point in time plus the UTC offset it is written with.
struct LETTRE_EXPORT date_time {
    std::chrono::sys_seconds time{};     ///< the instant, in UTC
    std::chrono::minutes utc_offset{0};  ///< the zone it is written in, e.g. +60 for +0100

    static date_time now();  ///< current time, written in UTC (+0000)

    /// Parses `[Sat, ]1 Nov 2025 12:00[:00] +0100`, obsolete zones (GMT, UT,
    /// EST...) included; the day of week, when given, must match the date.
    [[nodiscard]] static date_time parse(std::string_view text);
    /// parse() returning the error instead of throwing it.
    [[nodiscard]] static result<date_time> try_parse(std::string_view text);

    /// `Sat, 01 Nov 2025 12:00:00 +0000`
    std::string to_string() const;

    /// Equal when both the instant and the offset are equal.
    friend bool operator==(const date_time&, const date_time&) = default;
};

}  // namespace lettre
