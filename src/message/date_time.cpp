#include <lettre/message/date_time.hpp>

#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <optional>

namespace lettre {
namespace {

constexpr std::array<std::string_view, 7> day_names{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 12> month_names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct zone_name {
    std::string_view name;
    int hours;
};
constexpr std::array<zone_name, 10> obs_zones{{{"UT", 0},
                                               {"GMT", 0},
                                               {"EST", -5},
                                               {"EDT", -4},
                                               {"CST", -6},
                                               {"CDT", -5},
                                               {"MST", -7},
                                               {"MDT", -6},
                                               {"PST", -8},
                                               {"PDT", -7}}};

class scanner {
public:
    explicit scanner(std::string_view s) : s_(s) {}
    void skip_ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    }
    bool eat(char c) {
        skip_ws();
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    std::string_view word() {
        skip_ws();
        const std::size_t start = i_;
        while (i_ < s_.size() && std::isalpha(static_cast<unsigned char>(s_[i_]))) ++i_;
        return s_.substr(start, i_ - start);
    }
    std::optional<int> number(std::size_t min_digits, std::size_t max_digits, bool skip = true) {
        if (skip) skip_ws();
        const std::size_t start = i_;
        int v = 0;
        while (i_ < s_.size() && i_ - start < max_digits &&
               std::isdigit(static_cast<unsigned char>(s_[i_])))
            v = v * 10 + (s_[i_++] - '0');
        if (i_ - start < min_digits) return std::nullopt;
        return v;
    }
    std::size_t pos() const { return i_; }
    void set_pos(std::size_t p) { i_ = p; }
    bool at_end() {
        skip_ws();
        return i_ >= s_.size();
    }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void advance() { ++i_; }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

error_info bad(std::string_view text, std::string_view what, std::size_t at) {
    return make_error(errc::invalid_date, fmt::format("invalid date {}: {} at offset {}",
                                                      detail::quote_for_error(text), what, at));
}

}  // namespace

date_time date_time::now() {
    return {std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
            std::chrono::minutes{0}};
}

result<date_time> date_time::try_parse(std::string_view text) {
    using namespace std::chrono;
    if (const auto at = detail::find_line_break_or_nul(text); at != std::string_view::npos)
        return make_error(errc::header_injection,
                          fmt::format("invalid date {}: CR, LF or NUL at offset {}",
                                      detail::quote_for_error(text), at));
    scanner sc(text);
    std::optional<int> weekday;
    const std::size_t start = sc.pos();
    const auto first = sc.word();
    if (!first.empty()) {
        for (std::size_t d = 0; d < day_names.size(); ++d)
            if (detail::iequals(first, day_names[d])) weekday = static_cast<int>(d);
        if (!weekday) return bad(text, "unknown day of week", start);
        if (!sc.eat(',')) return bad(text, "expected ',' after the day of week", sc.pos());
    }
    const auto day = sc.number(1, 2);
    if (!day) return bad(text, "expected a day", sc.pos());
    const std::size_t month_at = sc.pos();
    const auto mon = sc.word();
    int month = 0;
    for (std::size_t m = 0; m < month_names.size(); ++m)
        if (detail::iequals(mon, month_names[m])) month = static_cast<int>(m) + 1;
    if (month == 0) return bad(text, "expected a month name", month_at);
    const std::size_t year_at = sc.pos();
    auto year = sc.number(2, 4);
    if (!year) return bad(text, "expected a year", year_at);
    if (sc.pos() - year_at <= 3 && *year < 1000) {  // obs-year (RFC 5322 §4.3)
        *year += *year < 50 ? 2000 : 1900;
    }
    const auto hour = sc.number(2, 2);
    if (!hour || !sc.eat(':')) return bad(text, "expected hh:mm", sc.pos());
    const auto minute = sc.number(2, 2, false);
    if (!minute) return bad(text, "expected minutes", sc.pos());
    int second = 0;
    if (sc.eat(':')) {
        const auto s = sc.number(2, 2, false);
        if (!s) return bad(text, "expected seconds", sc.pos());
        second = *s;
    }
    if (*hour > 23 || *minute > 59 || second > 60) return bad(text, "time out of range", year_at);
    sc.skip_ws();
    const std::size_t zone_at = sc.pos();
    int offset = 0;
    if (sc.peek() == '+' || sc.peek() == '-') {
        const bool negative = sc.peek() == '-';
        sc.advance();
        const auto hhmm = sc.number(4, 4, false);
        if (!hhmm || *hhmm % 100 > 59) return bad(text, "expected a zone like +0100", zone_at);
        offset = (*hhmm / 100) * 60 + *hhmm % 100;
        if (negative) offset = -offset;
    } else {
        const auto z = sc.word();
        bool found = false;
        for (const auto& zn : obs_zones) {
            if (detail::iequals(z, zn.name)) {
                offset = zn.hours * 60;
                found = true;
            }
        }
        // Military zones are ambiguous (RFC 5322 §4.3): read as -0000.
        if (!found && !(z.size() == 1 && z[0] != 'j' && z[0] != 'J'))
            return bad(text, "expected a zone", zone_at);
    }
    // A trailing comment such as "(UTC)" is allowed.
    sc.skip_ws();
    if (sc.peek() == '(') {
        while (!sc.at_end() && sc.peek() != ')') sc.advance();
        if (!sc.eat(')')) return bad(text, "unterminated comment", sc.pos());
    }
    if (!sc.at_end()) return bad(text, "unexpected text after the date", sc.pos());

    const year_month_day ymd{std::chrono::year{*year},
                             std::chrono::month{static_cast<unsigned>(month)},
                             std::chrono::day{static_cast<unsigned>(*day)}};
    if (!ymd.ok()) return bad(text, "no such day", 0);
    const sys_days days{ymd};
    if (weekday && std::chrono::weekday{days}.c_encoding() != static_cast<unsigned>(*weekday))
        return bad(text, "day of week does not match the date", start);
    date_time dt;
    const auto local = days + hours{*hour} + minutes{*minute} + seconds{std::min(second, 59)};
    dt.utc_offset = minutes{offset};
    dt.time = local - dt.utc_offset;
    return dt;
}

date_time date_time::parse(std::string_view text) {
    auto r = try_parse(text);
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

std::string date_time::to_string() const {
    using namespace std::chrono;
    const auto local = time + utc_offset;
    const auto days = floor<std::chrono::days>(local);
    const year_month_day ymd{days};
    const hh_mm_ss hms{local - days};
    const long off = utc_offset.count();
    const long abs_off = off < 0 ? -off : off;
    return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} {}{:02}{:02}",
                       day_names[weekday{days}.c_encoding()], static_cast<unsigned>(ymd.day()),
                       month_names[static_cast<unsigned>(ymd.month()) - 1],
                       static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count(),
                       hms.seconds().count(), off < 0 ? '-' : '+', abs_off / 60, abs_off % 60);
}

}  // namespace lettre
