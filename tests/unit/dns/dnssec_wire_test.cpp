// The sans-io pieces of the DNSSEC-aware lookups: the query builder (exact
// bytes), the header/OPT reader (AD, RCODE, Extended DNS Errors), the
// answer parser skipping RRSIGs, TLSA RDATA edge cases, and the rule that
// decides whose AD bit is believed.
#include "dns/ad_trust.hpp"
#include "dns/answer_parser.hpp"
#include "dns/query_builder.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace lettre::dns::detail;
using lettre::errc;
using lettre::dns::ad_trust;
using lettre::dns::ip_address;
using bytes_t = std::vector<std::uint8_t>;

TEST(dnssec_query_builder, exact_bytes) {
    auto q = build_dnssec_query("mx.example", rr_type::tlsa, 0xBEEF);
    ASSERT_TRUE(q) << q.error().message;
    const bytes_t want = {
        0xBE, 0xEF,                            // ID
        0x01, 0x20,                            // RD; AD
        0,    1,    0,   0, 0,   0,   0,   1,  // QD 1, AN 0, NS 0, AR 1
        2,    'm',  'x', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 52, 0, 1,  // TLSA, IN
        0,                                                                      // OPT: root owner
        0,    41,                                                               // type OPT
        0x04, 0xD0,  // UDP payload size 1232
        0,    0,     // extended RCODE, version 0
        0x80, 0x00,  // DO
        0,    0,     // no options
    };
    EXPECT_EQ(*q, want);
}

TEST(dnssec_query_builder, refuses_bad_names) {
    EXPECT_EQ(build_dnssec_query("", rr_type::a, 1).error().code, errc::invalid_domain);
    EXPECT_EQ(build_dnssec_query("a..b", rr_type::a, 1).error().code, errc::invalid_domain);
    EXPECT_EQ(build_dnssec_query("a.b.", rr_type::a, 1).error().code, errc::invalid_domain);
    EXPECT_EQ(build_dnssec_query(".a", rr_type::a, 1).error().code, errc::invalid_domain);
    EXPECT_EQ(build_dnssec_query(std::string(64, 'a') + ".test", rr_type::a, 1).error().code,
              errc::invalid_domain);
    EXPECT_TRUE(build_dnssec_query(std::string(63, 'a') + ".test", rr_type::a, 1));
    std::string long_name;
    for (int i = 0; i < 4; ++i) long_name += std::string(63, 'a') + ".";
    long_name += "b";  // 4 * 64 + 2 + root = 259 octets
    const auto r = build_dnssec_query(long_name, rr_type::a, 1);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_domain);
    EXPECT_NE(r.error().message.find("255"), std::string::npos) << r.error().message;
}

/// A response to `qname`/`qtype` with the given header flag octets.
struct response {
    bytes_t b;
    std::uint16_t an = 0, ar = 0;
    response(const std::string& qname, std::uint16_t qtype, std::uint8_t f1, std::uint8_t f2) {
        b = {0x12, 0x34, f1, f2, 0, 1, 0, 0, 0, 0, 0, 0};
        name(qname);
        u16(qtype);
        u16(1);
    }
    void u16(unsigned v) {
        b.push_back(static_cast<std::uint8_t>(v >> 8));
        b.push_back(static_cast<std::uint8_t>(v & 0xFF));
    }
    void name(const std::string& n) {
        std::size_t start = 0;
        while (start < n.size()) {
            std::size_t dot = n.find('.', start);
            if (dot == std::string::npos) dot = n.size();
            b.push_back(static_cast<std::uint8_t>(dot - start));
            b.insert(b.end(), n.begin() + static_cast<long>(start),
                     n.begin() + static_cast<long>(dot));
            start = dot + 1;
        }
        b.push_back(0);
    }
    void record(std::uint16_t type, std::uint16_t klass, const bytes_t& rdata, bool root_owner) {
        if (root_owner) {
            b.push_back(0);
        } else {
            b.push_back(0xC0);  // the question's name
            b.push_back(12);
        }
        u16(type);
        u16(klass);
        u16(0);
        u16(300);
        u16(static_cast<unsigned>(rdata.size()));
        b.insert(b.end(), rdata.begin(), rdata.end());
    }
    void answer(std::uint16_t type, const bytes_t& rdata) {
        record(type, 1, rdata, false);
        b[7] = static_cast<std::uint8_t>(++an);
    }
    void opt(const bytes_t& options) {
        record(41, 1232, options, true);
        b[11] = static_cast<std::uint8_t>(++ar);
    }
};

TEST(dnssec_meta, ad_bit_and_rcode) {
    response secure("a.test", 1, 0x81, 0xA0);  // QR RD; RA AD
    secure.answer(1, {192, 0, 2, 1});
    auto m = read_meta(secure.b);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_TRUE(m->ad);
    EXPECT_EQ(m->rcode, 0);
    EXPECT_FALSE(m->ede);

    response plain("a.test", 1, 0x81, 0x83);  // RA, NXDOMAIN
    m = read_meta(plain.b);
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->ad);
    EXPECT_EQ(m->rcode, 3);
}

TEST(dnssec_meta, extended_dns_error_of_a_bogus_servfail) {
    response r("mx.bogus.test", 1, 0x81, 0x82);  // SERVFAIL
    // An unrelated option first (NSID, empty), then EDE 6 "DNSSEC Bogus" with text.
    r.opt({0, 3, 0, 0, 0, 15, 0, 4, 0, 6, 'x', 'y'});
    auto m = read_meta(r.b);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->rcode, 2);
    ASSERT_TRUE(m->ede);
    EXPECT_EQ(*m->ede, 6);
    EXPECT_TRUE(is_dnssec_failure(*m->ede));
    EXPECT_FALSE(is_dnssec_failure(1));   // unsupported algorithm: insecure, not bogus
    EXPECT_FALSE(is_dnssec_failure(22));  // no reachable authority
    EXPECT_TRUE(is_dnssec_failure(7));    // signature expired
}

TEST(dnssec_meta, malformed_input_fails_cleanly) {
    response r("a.test", 1, 0x81, 0x82);
    r.opt({0, 15, 0, 2, 0, 6});
    for (std::size_t cut = 0; cut < r.b.size(); ++cut) {
        const bytes_t part(r.b.begin(), r.b.begin() + static_cast<long>(cut));
        const auto m = read_meta(part);
        ASSERT_FALSE(m) << "cut at " << cut;
        EXPECT_EQ(m.error().code, errc::dns_failed);
    }
    // An option longer than its OPT record: no EDE, no overread.
    response bad("a.test", 1, 0x81, 0x82);
    bad.opt({0, 15, 0, 9, 0, 6});
    const auto m = read_meta(bad.b);
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->ede);
}

TEST(dnssec_answer_parser, skips_rrsig_records) {
    response r("mx.secure.test", 1, 0x81, 0xA0);
    r.answer(1, {192, 0, 2, 25});
    // An RRSIG (type 46) covering A: its RDATA is not an address.
    bytes_t rrsig = {0, 1, 13, 3, 0, 0, 1, 44, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0};
    rrsig.resize(rrsig.size() + 64, 0xAB);
    r.answer(46, rrsig);
    const auto a = parse_addresses(r.b, rr_type::a);
    ASSERT_TRUE(a) << a.error().message;
    ASSERT_EQ(a->size(), 1u);
    EXPECT_EQ((*a)[0].address.to_string(), "192.0.2.25");
}

TEST(dnssec_answer_parser, tlsa_rdata_edge_cases) {
    // Unknown usage, selector and matching type are kept: which records are
    // usable is for DANE to decide (RFC 7672 §3.1), and a caller must be able
    // to tell "records exist, none usable" from "no records".
    response r("_25._tcp.mx.test", 52, 0x81, 0xA0);
    r.answer(52, {255, 7, 9, 0xAA});
    r.answer(52, {3, 1, 1});  // no association data: kept, empty
    auto t = parse_tlsa(r.b);
    ASSERT_TRUE(t) << t.error().message;
    ASSERT_EQ(t->size(), 2u);
    EXPECT_EQ((*t)[0].usage, 255);
    EXPECT_EQ((*t)[0].selector, 7);
    EXPECT_EQ((*t)[0].matching_type, 9);
    EXPECT_EQ((*t)[0].data, bytes_t{0xAA});
    EXPECT_TRUE((*t)[1].data.empty());

    // RDATA shorter than usage, selector and matching type: malformed.
    for (const bytes_t& rd : {bytes_t{}, bytes_t{3}, bytes_t{3, 1}}) {
        response s("_25._tcp.mx.test", 52, 0x81, 0xA0);
        s.answer(52, rd);
        const auto bad = parse_tlsa(s.b);
        ASSERT_FALSE(bad) << rd.size();
        EXPECT_EQ(bad.error().code, errc::dns_failed);
    }
}

ip_address addr(const char* text) {
    return *ip_address::parse(text);
}

TEST(dnssec_ad_trust, loopback_rule) {
    EXPECT_TRUE(is_loopback(addr("127.0.0.1")));
    EXPECT_TRUE(is_loopback(addr("127.255.0.53")));
    EXPECT_TRUE(is_loopback(addr("::1")));
    EXPECT_FALSE(is_loopback(addr("128.0.0.1")));
    EXPECT_FALSE(is_loopback(addr("10.0.0.1")));
    EXPECT_FALSE(is_loopback(addr("::2")));
    EXPECT_FALSE(is_loopback(addr("::ffff:127.0.0.1")));
    EXPECT_FALSE(is_loopback(addr("1::1")));

    const std::vector<ip_address> local = {addr("127.0.0.1"), addr("::1")};
    const std::vector<ip_address> mixed = {addr("127.0.0.1"), addr("192.0.2.53")};
    const std::vector<ip_address> none;
    EXPECT_TRUE(ad_trusted(local, ad_trust::loopback));
    // c-ares does not say which server answered: one remote server is enough to distrust.
    EXPECT_FALSE(ad_trusted(mixed, ad_trust::loopback));
    EXPECT_FALSE(ad_trusted(none, ad_trust::loopback));
    EXPECT_TRUE(ad_trusted(mixed, ad_trust::always));
    EXPECT_FALSE(ad_trusted(local, ad_trust::never));
}

}  // namespace
