// RFC 7672 §2.2: what DANE asks of an MX host, for every DNS outcome.
#include "transport/mx_dane.hpp"

#include <lettre/error.hpp>

#include <gtest/gtest.h>

namespace {

using lettre::errc;
using lettre::mx::detail::dane_state;
using lettre::mx::detail::decide_dane;
using tlsa_answer = lettre::dns::answer<lettre::dns::tlsa_record>;
const std::error_code no_error;

lettre::dns::tlsa_record record(std::uint8_t usage, std::size_t len = 32) {
    lettre::dns::tlsa_record r;
    r.usage = usage;
    r.selector = 1;
    r.matching_type = 1;
    r.data.assign(len, 0xab);
    return r;
}

tlsa_answer with(std::vector<lettre::dns::tlsa_record> rs, bool secure = true) {
    tlsa_answer a;
    a.records = std::move(rs);
    a.security = secure ? lettre::dns::security::secure : lettre::dns::security::insecure;
    return a;
}

TEST(MxDane, InsecureMxOrAddressesMeanNoDane) {
    const auto found = with({record(3)});
    EXPECT_EQ(decide_dane(false, true, no_error, found, "mx.example.net", "example.net").state,
              dane_state::not_applicable);
    EXPECT_EQ(decide_dane(true, false, no_error, found, "mx.example.net", "example.net").state,
              dane_state::not_applicable);
}

TEST(MxDane, UsableRecordsAuthenticateWithHostThenDomainAsNames) {
    const auto d = decide_dane(true, true, no_error, with({record(3), record(1), record(2, 31)}),
                               "mx.example.net", "example.net");
    ASSERT_EQ(d.state, dane_state::authenticated);
    ASSERT_EQ(d.requirement.records.size(), 1u) << "PKIX-EE and a short digest are dropped";
    EXPECT_EQ(d.requirement.records[0].usage, 3);
    EXPECT_EQ(d.requirement.names, (std::vector<std::string>{"mx.example.net", "example.net"}));
    // The implicit MX: the domain is the host.
    const auto implicit =
        decide_dane(true, true, no_error, with({record(2)}), "example.net", "example.net");
    EXPECT_EQ(implicit.requirement.names, std::vector<std::string>{"example.net"});
}

TEST(MxDane, OnlyUnusableRecordsStillMakeTlsMandatory) {
    EXPECT_EQ(decide_dane(true, true, no_error, with({record(0), record(1)}), "mx", "d").state,
              dane_state::unusable_only);
}

TEST(MxDane, SecureDenialIsNoRecords) {
    auto nxdomain = with({});
    nxdomain.nxdomain = true;
    EXPECT_EQ(decide_dane(true, true, no_error, nxdomain, "mx", "d").state, dane_state::no_records);
    EXPECT_EQ(decide_dane(true, true, no_error, with({}), "mx", "d").state, dane_state::no_records)
        << "NODATA";
}

TEST(MxDane, InsecureTlsaAnswerIsIgnored) {
    EXPECT_EQ(decide_dane(true, true, no_error, with({record(3)}, false), "mx", "d").state,
              dane_state::not_applicable);
    EXPECT_EQ(decide_dane(true, true, no_error, with({}, false), "mx", "d").state,
              dane_state::not_applicable);
}

TEST(MxDane, FailedOrBogusLookupIsNeverADowngrade) {
    for (errc e : {errc::dns_servfail, errc::dns_timeout, errc::dns_failed, errc::dns_refused}) {
        auto bogus = with({});
        bogus.bogus = e == errc::dns_servfail;
        EXPECT_EQ(decide_dane(true, true, lettre::make_error_code(e), bogus, "mx", "d").state,
                  dane_state::lookup_failed);
    }
}

}  // namespace
