// lettre::date_time: RFC 5322 §3.3 date-time and §4.3 obsolete forms.
#include "../test_util.hpp"

#include <chrono>

namespace {

using lettre::date_time;
using lettre::errc;
using namespace lettre_test;
namespace chr = std::chrono;

chr::sys_seconds utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    return chr::sys_seconds{chr::sys_days{chr::year{y} / chr::month{mo} / chr::day{d}}} +
           chr::hours{h} + chr::minutes{mi} + chr::seconds{s};
}

TEST(DateTimeParse, FullFormWithOffset) {
    const date_time d = date_time::parse("Sat, 1 Nov 2025 12:00:00 +0100");
    EXPECT_EQ(d.time, utc(2025, 11, 1, 11, 0, 0));
    EXPECT_EQ(d.utc_offset, chr::minutes{60});
    EXPECT_EQ(d.to_string(), "Sat, 01 Nov 2025 12:00:00 +0100");
}

TEST(DateTimeParse, Rfc5322AppendixExamples) {
    // RFC 5322 A.1.1
    const date_time a = date_time::parse("Fri, 21 Nov 1997 09:55:06 -0600");
    EXPECT_EQ(a.time, utc(1997, 11, 21, 15, 55, 6));
    EXPECT_EQ(a.utc_offset, chr::minutes{-360});
    // RFC 5322 A.6.3 (unfolded), a comment after the zone, no seconds, before 1970
    const date_time b = date_time::parse("Thu, 13 Feb 1969 23:32 -0330 (Newfoundland Time)");
    EXPECT_EQ(b.time, utc(1969, 2, 14, 3, 2, 0));
    EXPECT_EQ(b.utc_offset, chr::minutes{-210});
    EXPECT_EQ(b.to_string(), "Thu, 13 Feb 1969 23:32:00 -0330");
}

TEST(DateTimeParse, DayOfWeekAndSecondsAreOptional) {
    EXPECT_EQ(date_time::parse("1 Nov 2025 12:00:00 +0000").time, utc(2025, 11, 1, 12, 0, 0));
    EXPECT_EQ(date_time::parse("1 Nov 2025 12:00 +0000").time, utc(2025, 11, 1, 12, 0, 0));
    EXPECT_EQ(date_time::parse("Sat, 01 Nov 2025 12:00 +0000").time, utc(2025, 11, 1, 12, 0, 0));
}

TEST(DateTimeParse, ExtraFoldingWhitespace) {
    EXPECT_EQ(date_time::parse("Sat,  1  Nov  2025  12:00:00  +0000").time,
              utc(2025, 11, 1, 12, 0, 0));
    EXPECT_EQ(date_time::parse("  Sat, 1 Nov 2025 12:00:00 +0000  ").time,
              utc(2025, 11, 1, 12, 0, 0));
}

TEST(DateTimeParse, ObsoleteZones) {
    // RFC 5322 §4.3
    const std::pair<std::string_view, int> zones[] = {
        {"UT", 0},     {"GMT", 0},    {"EST", -300}, {"EDT", -240}, {"CST", -360},
        {"CDT", -300}, {"MST", -420}, {"MDT", -360}, {"PST", -480}, {"PDT", -420},
    };
    for (const auto& [zone, offset] : zones) {
        const std::string text = "Sat, 1 Nov 2025 12:00:00 " + std::string(zone);
        const auto r = date_time::try_parse(text);
        ASSERT_LETTRE_OK(r);
        EXPECT_EQ(r->utc_offset, chr::minutes{offset}) << zone;
        EXPECT_EQ(r->time, utc(2025, 11, 1, 12, 0, 0) - chr::minutes{offset}) << zone;
    }
}

TEST(DateTimeParse, ObsoleteTwoDigitYears) {
    // RFC 5322 §4.3: 00-49 -> 2000-2049, 50-99 -> 1950-1999.
    EXPECT_EQ(date_time::parse("1 Nov 99 12:00:00 +0000").time, utc(1999, 11, 1, 12, 0, 0));
    EXPECT_EQ(date_time::parse("1 Jan 49 00:00:00 +0000").time, utc(2049, 1, 1, 0, 0, 0));
    EXPECT_EQ(date_time::parse("1 Jan 50 00:00:00 +0000").time, utc(1950, 1, 1, 0, 0, 0));
}

TEST(DateTimeParse, NegativeOffsetAndLeapDay) {
    const date_time d = date_time::parse("Thu, 29 Feb 2024 23:59:59 -0800");
    EXPECT_EQ(d.time, utc(2024, 3, 1, 7, 59, 59));
    EXPECT_EQ(d.utc_offset, chr::minutes{-480});
    EXPECT_EQ(d.to_string(), "Thu, 29 Feb 2024 23:59:59 -0800");
}

TEST(DateTimeParse, DayOfWeekMustMatch) {
    EXPECT_LETTRE_ERROR(date_time::try_parse("Fri, 1 Nov 2025 12:00:00 +0000"), errc::invalid_date);
    EXPECT_LETTRE_THROW(date_time::parse("Mon, 1 Nov 2025 12:00:00 +0000"), errc::invalid_date);
}

TEST(DateTimeParse, RejectsInvalid) {
    for (std::string_view bad : {"",
                                 "garbage",
                                 "Sat, 1 Nov 2025",
                                 "32 Nov 2025 12:00:00 +0000",
                                 "31 Nov 2025 12:00:00 +0000",
                                 "29 Feb 2023 12:00:00 +0000",
                                 "0 Nov 2025 12:00:00 +0000",
                                 "1 Foo 2025 12:00:00 +0000",
                                 "1 Nov 2025 24:00:00 +0000",
                                 "1 Nov 2025 12:60:00 +0000",
                                 "1 Nov 2025 12:00:61 +0000",
                                 "1 Nov 2025 12:00:00",
                                 "1 Nov 2025 12:00:00 +01",
                                 "1 Nov 2025 12:00:00 0100",
                                 "1 Nov 2025 12:00:00 +01:00",
                                 "Sat 1 Nov 2025 12:00:00 +0000",
                                 "Sun, 1 Nov 2025 12:00:00 +0000",
                                 "1 Nov 2025 12 +0000",
                                 "2025-11-01T12:00:00Z",
                                 "Xyz, 1 Nov 2025 12:00:00 +0000"}) {
        const auto r = date_time::try_parse(bad);
        EXPECT_FALSE(r.has_value()) << "accepted: " << bad;
        if (!r) {
            EXPECT_EQ(r.error().code, ec(errc::invalid_date)) << bad;
        }
    }
}

TEST(DateTimeParse, RejectsCrLfNul) {
    for (std::string bad : {std::string("Sat, 1 Nov 2025 12:00:00 +0000\r\nBcc: x@example.com"),
                            std::string("Sat, 1 Nov 2025 12:00:00\n+0000"),
                            std::string("Sat, 1 Nov 2025 12:00:00 +0000\0", 31)}) {
        const auto r = date_time::try_parse(bad);
        EXPECT_FALSE(r.has_value());
        if (!r) {
            EXPECT_THAT(r.error().code, is_one_of(errc::invalid_date, errc::header_injection));
        }
    }
}

TEST(DateTimeToString, FormatsWithTwoDigitDayAndOffset) {
    EXPECT_EQ((date_time{utc(2025, 11, 1, 12, 0, 0), chr::minutes{0}}).to_string(),
              "Sat, 01 Nov 2025 12:00:00 +0000");
    // 06:30 UTC written in +05:30 is 12:00 local.
    EXPECT_EQ((date_time{utc(2025, 11, 1, 6, 30, 0), chr::minutes{330}}).to_string(),
              "Sat, 01 Nov 2025 12:00:00 +0530");
    // Offset crossing the date line backwards.
    EXPECT_EQ((date_time{utc(2025, 11, 1, 3, 0, 0), chr::minutes{-300}}).to_string(),
              "Fri, 31 Oct 2025 22:00:00 -0500");
    EXPECT_EQ((date_time{utc(2000, 1, 1, 0, 0, 0), chr::minutes{0}}).to_string(),
              "Sat, 01 Jan 2000 00:00:00 +0000");
}

TEST(DateTimeToString, RoundTrips) {
    for (const date_time& d : {date_time{utc(2025, 11, 1, 12, 0, 0), chr::minutes{60}},
                               date_time{utc(1999, 12, 31, 23, 59, 59), chr::minutes{-720}},
                               date_time{utc(2038, 1, 19, 3, 14, 8), chr::minutes{840}},
                               date_time{utc(2024, 2, 29, 0, 0, 0), chr::minutes{0}}}) {
        const auto r = date_time::try_parse(d.to_string());
        ASSERT_LETTRE_OK(r);
        EXPECT_EQ(*r, d) << d.to_string();
    }
}

TEST(DateTimeNow, IsCurrentAndUtc) {
    const date_time d = date_time::now();
    EXPECT_EQ(d.utc_offset, chr::minutes{0});
    const auto diff = chr::floor<chr::seconds>(chr::system_clock::now()) - d.time;
    EXPECT_LE(chr::abs(diff), chr::seconds{5});
    const std::string s = d.to_string();
    EXPECT_EQ(s.substr(s.size() - 5), "+0000");
    EXPECT_EQ(date_time::parse(s), d);
}

TEST(DateTimeInMessage, DateHeaderUsesToString) {
    const date_time d{utc(2025, 11, 1, 12, 0, 0), chr::minutes{60}};
    auto b = simple_builder();
    b.date(d);
    const auto hs = top_headers(must_build(b));
    const raw_header* h = find_header(hs, "Date");
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->value, d.to_string());
    EXPECT_EQ(find_headers(hs, "Date").size(), 1u);
}

TEST(DateTimeInMessage, DateFromText) {
    auto b = simple_builder();
    b.date("Fri, 21 Nov 1997 09:55:06 -0600");
    const auto hs = top_headers(must_build(b));
    const raw_header* h = find_header(hs, "Date");
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(date_time::parse(h->value), date_time::parse("Fri, 21 Nov 1997 09:55:06 -0600"));
}

TEST(DateTimeInMessage, InvalidDateTextFailsTheBuild) {
    auto b = simple_builder();
    b.date("yesterday");
    EXPECT_LETTRE_ERROR(b.try_build(), errc::invalid_date);
    EXPECT_LETTRE_THROW(b.build(), errc::invalid_date);
}

}  // namespace
