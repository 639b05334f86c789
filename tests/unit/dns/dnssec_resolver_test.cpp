// The DNSSEC-aware lookups against real peers started by the test: nsd
// serving a signed, an unsigned and a bogus zone, and unbound validating
// them (dns_peers.hpp, dnssec/make_zones.sh); and the scripted server for
// the AD trust rule, the EDNS0 payload size and the TCP retry on TC.
#include "dns_peers.hpp"

#include <lettre/dns/async_resolver.hpp>
#include <lettre/dns/resolver.hpp>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using lettre::errc;
using lettre::dns::security;
using namespace std::chrono_literals;

const std::vector<std::uint8_t> ee_data = [] {
    std::vector<std::uint8_t> d(32, 0);
    d.back() = 3;
    return d;
}();
const std::vector<std::uint8_t> ta_data = [] {
    std::vector<std::uint8_t> d(32, 0);
    d.back() = 2;
    return d;
}();

class dnssec_resolver : public ::testing::Test {
protected:
    static void SetUpTestSuite() { world_ = dns_test::start_dnssec_world().release(); }
    static void TearDownTestSuite() {
        delete world_;
        world_ = nullptr;
    }
    static lettre::dns::resolver_config validating() {
        lettre::dns::resolver_config c;
        c.servers = {world_->server()};
        c.timeout = 2s;
        c.tries = 2;
        return c;
    }
    static dns_test::dnssec_world* world_;
};
dns_test::dnssec_world* dnssec_resolver::world_ = nullptr;

TEST_F(dnssec_resolver, signed_zone_answers_are_secure) {
    lettre::dns::resolver r(validating());
    const auto mx = r.resolve_mx_dnssec("secure.test");
    EXPECT_EQ(mx.security, security::secure);
    EXPECT_TRUE(mx.secure());
    ASSERT_EQ(mx.records.size(), 1u);  // the RRSIG beside it is skipped
    EXPECT_EQ(mx.records[0].host, "mx.secure.test");
    EXPECT_EQ(mx.records[0].preference, 10);

    const auto a = r.resolve_a_dnssec("mx.secure.test");
    EXPECT_TRUE(a.secure());
    ASSERT_EQ(a.records.size(), 1u);
    EXPECT_EQ(a.records[0].address.to_string(), "192.0.2.25");

    const auto aaaa = r.resolve_aaaa_dnssec("mx.secure.test");
    EXPECT_TRUE(aaaa.secure());
    ASSERT_EQ(aaaa.records.size(), 1u);
    EXPECT_EQ(aaaa.records[0].address.to_string(), "2001:db8::25");

    const auto cname = r.resolve_a_dnssec("alias.secure.test");  // CNAME followed
    EXPECT_TRUE(cname.secure());
    ASSERT_EQ(cname.records.size(), 1u);
    EXPECT_EQ(cname.records[0].address.to_string(), "192.0.2.25");
}

TEST_F(dnssec_resolver, signed_tlsa_records_are_secure) {
    lettre::dns::resolver r(validating());
    auto tlsa = r.resolve_tlsa_dnssec(lettre::dns::tlsa_name("mx.secure.test", 25));
    EXPECT_TRUE(tlsa.secure());
    ASSERT_EQ(tlsa.records.size(), 2u);
    std::sort(tlsa.records.begin(), tlsa.records.end(),
              [](const auto& x, const auto& y) { return x.usage < y.usage; });
    EXPECT_EQ(tlsa.records[0].usage, 2);
    EXPECT_EQ(tlsa.records[0].selector, 1);
    EXPECT_EQ(tlsa.records[0].matching_type, 1);
    EXPECT_EQ(tlsa.records[0].data, ta_data);
    EXPECT_EQ(tlsa.records[1].usage, 3);
    EXPECT_EQ(tlsa.records[1].data, ee_data);
}

TEST_F(dnssec_resolver, secure_denial_is_secure_and_empty) {
    lettre::dns::resolver r(validating());
    // The name exists (a TXT record), no TLSA: NODATA, proven by NSEC.
    std::error_code ec;
    const auto nodata = r.resolve_tlsa_dnssec("_25._tcp.nodata.secure.test", ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(nodata.empty());
    EXPECT_FALSE(nodata.nxdomain);
    EXPECT_EQ(nodata.security, security::secure);
    // No such name: NXDOMAIN, proven too.
    const auto nx = r.resolve_tlsa_dnssec(lettre::dns::tlsa_name("nodane.secure.test", 25), ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_TRUE(nx.empty());
    EXPECT_TRUE(nx.nxdomain);
    EXPECT_EQ(nx.security, security::secure);
}

TEST_F(dnssec_resolver, unsigned_zone_is_insecure) {
    lettre::dns::resolver r(validating());
    const auto mx = r.resolve_mx_dnssec("insecure.test");
    EXPECT_EQ(mx.security, security::insecure);
    ASSERT_EQ(mx.records.size(), 1u);
    EXPECT_EQ(mx.records[0].host, "mx.insecure.test");
    const auto tlsa = r.resolve_tlsa_dnssec("_25._tcp.mx.insecure.test");
    EXPECT_EQ(tlsa.security, security::insecure);
    EXPECT_EQ(tlsa.records.size(), 1u);
    const auto nodata = r.resolve_tlsa_dnssec("_25._tcp.nothing.insecure.test");
    EXPECT_TRUE(nodata.empty());
    EXPECT_EQ(nodata.security, security::insecure);
}

TEST_F(dnssec_resolver, bogus_zone_fails_as_bogus) {
    lettre::dns::resolver r(validating());
    std::error_code ec;
    const auto a = r.resolve_a_dnssec("mx.bogus.test", ec);
    EXPECT_EQ(ec, errc::dns_servfail) << ec.message();
    EXPECT_EQ(ec, lettre::condition::transient);
    EXPECT_TRUE(a.empty());
    EXPECT_TRUE(a.bogus);  // unbound's EDE "DNSSEC Bogus"
    const auto mx = r.resolve_mx_dnssec("bogus.test", ec);
    EXPECT_EQ(ec, errc::dns_servfail) << ec.message();
    EXPECT_TRUE(mx.bogus);
    const auto tlsa = r.resolve_tlsa_dnssec("_25._tcp.mx.bogus.test", ec);
    EXPECT_EQ(ec, errc::dns_servfail) << ec.message();
    EXPECT_TRUE(tlsa.bogus);
    // The throwing form says what failed.
    try {
        r.resolve_a_dnssec("mx.bogus.test");
        ADD_FAILURE() << "no exception";
    } catch (const lettre::error& e) {
        EXPECT_NE(std::string(e.what()).find("mx.bogus.test"), std::string::npos) << e.what();
        EXPECT_EQ(e.code(), errc::dns_servfail);
    }
}

TEST_F(dnssec_resolver, ad_bit_not_believed_when_trust_is_off) {
    auto cfg = validating();
    cfg.trust_ad = lettre::dns::ad_trust::never;
    lettre::dns::resolver r(cfg);
    const auto a = r.resolve_a_dnssec("mx.secure.test");
    ASSERT_EQ(a.records.size(), 1u);
    EXPECT_EQ(a.security, security::insecure);
}

TEST_F(dnssec_resolver, authoritative_server_never_says_secure) {
    // nsd signs but does not validate: no AD bit, so insecure, even on loopback.
    lettre::dns::resolver_config c;
    c.servers = {"127.0.0.1:" + std::to_string(world_->nsd_port)};
    c.timeout = 2s;
    lettre::dns::resolver r(c);
    const auto a = r.resolve_a_dnssec("mx.secure.test");
    ASSERT_EQ(a.records.size(), 1u);
    EXPECT_EQ(a.security, security::insecure);
}

TEST_F(dnssec_resolver, async_forms) {
    asio::io_context io;
    lettre::dns::async_resolver r(io.get_executor(), validating());
    int done = 0;
    r.async_resolve_tlsa_dnssec(
        "_25._tcp.mx.secure.test",
        [&](boost::system::error_code ec, lettre::dns::answer<lettre::dns::tlsa_record> a) {
            EXPECT_FALSE(ec) << ec.message();
            EXPECT_TRUE(a.secure());
            EXPECT_EQ(a.records.size(), 2u);
            ++done;
        });
    r.async_resolve_mx_dnssec("bogus.test", [&](boost::system::error_code ec,
                                                lettre::dns::answer<lettre::dns::mx_record> a) {
        EXPECT_EQ(ec, errc::dns_servfail);
        EXPECT_TRUE(a.bogus);
        EXPECT_TRUE(a.empty());
        ++done;
    });
    r.async_resolve_aaaa_dnssec(
        "mx.insecure.test",
        [&](boost::system::error_code ec, lettre::dns::answer<lettre::dns::address_record> a) {
            EXPECT_FALSE(ec) << ec.message();
            EXPECT_EQ(a.security, security::insecure);
            ASSERT_EQ(a.records.size(), 1u);
            EXPECT_EQ(a.records[0].address.to_string(), "2001:db8::35");
            ++done;
        });
    io.run();
    EXPECT_EQ(done, 3);
}

// ---- the scripted server: trust rule, payload size, TC --------------------

class dnssec_scripted : public ::testing::Test {
protected:
    static void SetUpTestSuite() { server_ = dns_test::start_scripted_dns().release(); }
    static void TearDownTestSuite() {
        delete server_;
        server_ = nullptr;
    }
    static lettre::dns::resolver_config config() {
        lettre::dns::resolver_config c;
        c.servers = {server_->server()};
        c.timeout = 2s;
        c.tries = 1;
        return c;
    }
    /// How many TCP queries the server has seen.
    static int tcp_queries(lettre::dns::resolver& r) {
        const auto t = r.resolve_txt("stats.test").at(0).text();
        return std::stoi(t.substr(t.find("tcp=") + 4));
    }
    static dns_test::scripted_dns* server_;
};
dns_test::scripted_dns* dnssec_scripted::server_ = nullptr;

TEST_F(dnssec_scripted, ad_bit_from_loopback_is_believed_and_do_is_sent) {
    lettre::dns::resolver r(config());
    // The server sets AD only when the query carried DO.
    const auto a = r.resolve_a_dnssec("ad.test");
    ASSERT_EQ(a.records.size(), 1u);
    EXPECT_EQ(a.security, security::secure);
    // The plain lookup sends no DO; its answer has no AD (nothing to report anyway).
    EXPECT_EQ(r.resolve_a("ad.test").size(), 1u);
}

TEST_F(dnssec_scripted, ad_bit_from_an_untrusted_server_is_not_believed) {
    auto cfg = config();
    cfg.trust_ad = lettre::dns::ad_trust::never;
    lettre::dns::resolver r(cfg);
    const auto a = r.resolve_a_dnssec("ad.test");
    ASSERT_EQ(a.records.size(), 1u);
    EXPECT_EQ(a.security, security::insecure);
}

TEST_F(dnssec_scripted, servfail_without_ede_is_servfail) {
    lettre::dns::resolver r(config());
    std::error_code ec;
    const auto failed = r.resolve_a_dnssec("servfail.test", ec);
    EXPECT_EQ(ec, errc::dns_servfail);
    EXPECT_FALSE(failed.bogus);  // no RFC 8914 reason given
    EXPECT_EQ(ec, lettre::condition::transient);
    r.resolve_a_dnssec("refused.test", ec);
    EXPECT_EQ(ec, errc::dns_refused);
    const auto nx = r.resolve_a_dnssec("nx.test", ec);
    EXPECT_FALSE(ec);
    EXPECT_TRUE(nx.nxdomain);
    EXPECT_EQ(nx.security, security::insecure);
}

TEST_F(dnssec_scripted, edns_payload_size_avoids_tcp_for_mid_sized_answers) {
    lettre::dns::resolver r(config());
    const int before = tcp_queries(r);
    const auto mid = r.resolve_txt_dnssec("mid.test");
    EXPECT_EQ(mid.records.size(), 12u);
    EXPECT_EQ(tcp_queries(r), before);  // over 512 octets, yet taken over UDP
}

TEST_F(dnssec_scripted, truncated_answer_retried_over_tcp) {
    lettre::dns::resolver r(config());
    const int before = tcp_queries(r);
    const auto big = r.resolve_txt_dnssec("big.test");
    EXPECT_EQ(big.records.size(), 40u);
    EXPECT_EQ(tcp_queries(r), before + 1);
}

}  // namespace
