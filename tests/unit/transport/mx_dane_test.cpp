// RFC 7672 §2.2: what DANE asks of an MX host, for every DNS outcome.
#include "transport/mx_dane.hpp"

#include <lettre/error.hpp>

#include <gtest/gtest.h>

namespace {

using lettre::errc;
using lettre::mx::detail::dane_state;
using lettre::mx::detail::decide_dane;
using lettre::mx::detail::tlsa_lookup;

lettre::dns::tlsa_record record(std::uint8_t usage, std::size_t len = 32) {
    lettre::dns::tlsa_record r;
    r.usage = usage;
    r.selector = 1;
    r.matching_type = 1;
    r.data.assign(len, 0xab);
    return r;
}

tlsa_lookup secure(std::vector<lettre::dns::tlsa_record> rs) {
    return {{}, true, std::move(rs)};
}

TEST(MxDane, InsecureMxOrAddressesMeanNoDane) {
    const auto found = secure({record(3)});
    EXPECT_EQ(decide_dane(false, true, found, "mx.example.net", "example.net").state,
              dane_state::not_applicable);
    EXPECT_EQ(decide_dane(true, false, found, "mx.example.net", "example.net").state,
              dane_state::not_applicable);
}

TEST(MxDane, UsableRecordsAuthenticateWithHostThenDomainAsNames) {
    const auto d =
        decide_dane(true, true, secure({record(3), record(1), record(2, 31)}), "mx.example.net",
                    "example.net");
    ASSERT_EQ(d.state, dane_state::authenticated);
    ASSERT_EQ(d.requirement.records.size(), 1u) << "PKIX-EE and a short digest are dropped";
    EXPECT_EQ(d.requirement.records[0].usage, 3);
    EXPECT_EQ(d.requirement.names, (std::vector<std::string>{"mx.example.net", "example.net"}));
    // The implicit MX: the domain is the host.
    const auto implicit = decide_dane(true, true, secure({record(2)}), "example.net", "example.net");
    EXPECT_EQ(implicit.requirement.names, std::vector<std::string>{"example.net"});
}

TEST(MxDane, OnlyUnusableRecordsStillMakeTlsMandatory) {
    EXPECT_EQ(decide_dane(true, true, secure({record(0), record(1)}), "mx", "d").state,
              dane_state::unusable_only);
}

TEST(MxDane, SecureDenialIsNoRecords) {
    for (errc e : {errc::dns_nxdomain, errc::dns_nodata}) {
        tlsa_lookup l{lettre::make_error_code(e), true, {}};
        EXPECT_EQ(decide_dane(true, true, l, "mx", "d").state, dane_state::no_records);
    }
}

TEST(MxDane, InsecureTlsaAnswerIsIgnored) {
    tlsa_lookup found{{}, false, {record(3)}};
    EXPECT_EQ(decide_dane(true, true, found, "mx", "d").state, dane_state::not_applicable);
    tlsa_lookup denied{lettre::make_error_code(errc::dns_nxdomain), false, {}};
    EXPECT_EQ(decide_dane(true, true, denied, "mx", "d").state, dane_state::not_applicable);
}

TEST(MxDane, FailedOrBogusLookupIsNeverADowngrade) {
    for (errc e : {errc::dns_servfail, errc::dns_timeout, errc::dns_failed, errc::dns_refused}) {
        tlsa_lookup l{lettre::make_error_code(e), false, {}};
        EXPECT_EQ(decide_dane(true, true, l, "mx", "d").state, dane_state::lookup_failed);
    }
}

}  // namespace
