// The raw DNS answer parser: records, TTLs, compression, CNAME chains, and
// hostile input (truncation, pointer loops) that must fail cleanly.
#include "dns/answer_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using namespace lettre::dns::detail;
using lettre::errc;

struct msg_builder {
    std::vector<std::uint8_t> b;
    std::uint16_t an = 0;
    explicit msg_builder(const std::string& qname, std::uint16_t qtype) {
        b = {0x12, 0x34, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0};
        name(qname);
        u16(qtype);
        u16(1);
    }
    void u16(unsigned v) {
        b.push_back(static_cast<std::uint8_t>(v >> 8));
        b.push_back(static_cast<std::uint8_t>(v & 0xFF));
    }
    void u32(std::uint32_t v) {
        u16(v >> 16);
        u16(v & 0xFFFF);
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
    /// Adds an RR whose owner is a pointer to the question name (offset 12).
    void rr(std::uint16_t type, std::uint32_t ttl, const std::vector<std::uint8_t>& rdata,
            const std::string& owner = {}) {
        if (owner.empty()) {
            b.push_back(0xC0);
            b.push_back(12);
        } else {
            name(owner);
        }
        u16(type);
        u16(1);
        u32(ttl);
        u16(static_cast<unsigned>(rdata.size()));
        b.insert(b.end(), rdata.begin(), rdata.end());
        ++an;
        b[6] = static_cast<std::uint8_t>(an >> 8);
        b[7] = static_cast<std::uint8_t>(an & 0xFF);
    }
};

std::vector<std::uint8_t> wire_name(const std::string& n) {
    msg_builder tmp("x", 1);
    tmp.b.clear();
    tmp.name(n);
    return tmp.b;
}

TEST(dns_answer_parser, mx_with_ttl_and_null_mx) {
    msg_builder m("example.test", 15);
    auto rd = std::vector<std::uint8_t>{0, 10};
    auto n = wire_name("mx1.example.test");
    rd.insert(rd.end(), n.begin(), n.end());
    m.rr(15, 3600, rd);
    m.rr(15, 60, {0, 0, 0});  // 0 .
    auto r = parse_mx(m.b);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 2u);
    EXPECT_EQ((*r)[0].preference, 10);
    EXPECT_EQ((*r)[0].host, "mx1.example.test");
    EXPECT_EQ((*r)[0].ttl, 3600u);
    EXPECT_FALSE((*r)[0].is_null());
    EXPECT_TRUE((*r)[1].is_null());
}

TEST(dns_answer_parser, compressed_exchange) {
    msg_builder m("example.test", 15);
    // "mx" + pointer to "example.test" at offset 12
    m.rr(15, 5, {0, 5, 2, 'm', 'x', 0xC0, 12});
    auto r = parse_mx(m.b);
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0].host, "mx.example.test");
}

TEST(dns_answer_parser, addresses_follow_cname_chain) {
    msg_builder m("www.example.test", 1);
    m.rr(5, 30, wire_name("real.example.test"));
    m.rr(1, 20, {192, 0, 2, 1}, "real.example.test");
    m.rr(1, 20, {198, 51, 100, 1}, "unrelated.test");  // not in the chain: ignored
    auto r = parse_addresses(m.b, rr_type::a);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->size(), 1u);
    EXPECT_EQ((*r)[0].address.to_string(), "192.0.2.1");
    EXPECT_EQ((*r)[0].ttl, 20u);
}

TEST(dns_answer_parser, aaaa) {
    msg_builder m("v6.test", 28);
    std::vector<std::uint8_t> a(16, 0);
    a[0] = 0x20;
    a[1] = 0x01;
    a[2] = 0x0d;
    a[3] = 0xb8;
    a[15] = 1;
    m.rr(28, 7, a);
    auto r = parse_addresses(m.b, rr_type::aaaa);
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0].address.to_string(), "2001:db8::1");
}

TEST(dns_answer_parser, txt_strings) {
    msg_builder m("t.test", 16);
    m.rr(16, 9, {3, 'a', 'b', 'c', 0, 2, 'd', 'e'});
    auto r = parse_txt(m.b);
    ASSERT_TRUE(r);
    ASSERT_EQ((*r)[0].strings.size(), 3u);
    EXPECT_EQ((*r)[0].text(), "abcde");
    EXPECT_EQ((*r)[0].ttl, 9u);
}

TEST(dns_answer_parser, tlsa) {
    msg_builder m("_25._tcp.mx.test", 52);
    m.rr(52, 11, {3, 1, 1, 0xab, 0xcd});
    auto r = parse_tlsa(m.b);
    ASSERT_TRUE(r);
    EXPECT_EQ((*r)[0].usage, 3);
    EXPECT_EQ((*r)[0].selector, 1);
    EXPECT_EQ((*r)[0].matching_type, 1);
    EXPECT_EQ((*r)[0].data, (std::vector<std::uint8_t>{0xab, 0xcd}));
}

TEST(dns_answer_parser, no_record_of_the_type_is_nodata) {
    msg_builder m("x.test", 15);
    m.rr(1, 1, {1, 2, 3, 4});
    auto r = parse_mx(m.b);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, lettre::make_error_code(errc::dns_nodata));
}

TEST(dns_answer_parser, hostile_input_fails_cleanly) {
    msg_builder m("x.test", 15);
    m.rr(15, 1, {0, 1, 0xC0, 0x40});  // forward pointer
    EXPECT_EQ(parse_mx(m.b).error().code, lettre::make_error_code(errc::dns_failed));

    msg_builder loop("x.test", 15);
    // a pointer to itself (owner pointer 2 + fixed fields 10 + preference 2)
    const auto at = loop.b.size() + 14;
    loop.rr(15, 1, {0, 1, 0xC0, static_cast<std::uint8_t>(at)});
    EXPECT_FALSE(parse_mx(loop.b));

    msg_builder good("x.test", 15);
    good.rr(15, 1, {0, 1, 0});
    for (std::size_t cut = 0; cut < good.b.size(); ++cut) {
        std::vector<std::uint8_t> part(good.b.begin(), good.b.begin() + static_cast<long>(cut));
        EXPECT_FALSE(parse_mx(part)) << cut;
    }
    EXPECT_TRUE(parse_mx(good.b));
    EXPECT_FALSE(parse_addresses(std::vector<std::uint8_t>{}, rr_type::a));
}

// An exchange is used as a host name (resolver, SNI, messages): a label with
// a NUL (c-ares would look up "mx1"), another control or non-ASCII byte, a
// space or a '.' inside it makes the answer malformed. Found by
// fuzz_dns_answer (corpus: regress-mx-exchange-not-a-host-name).
TEST(dns_answer_parser, mx_exchange_must_be_a_host_name) {
    for (const std::string& label : {std::string("mx1\0evil", 8), std::string("exa\xfc"),
                                     std::string("a b"), std::string("a.b"), std::string("\x7f")}) {
        msg_builder m("example.test", 15);
        std::vector<std::uint8_t> rd{0, 10, static_cast<std::uint8_t>(label.size())};
        rd.insert(rd.end(), label.begin(), label.end());
        const auto tail = wire_name("example.test");
        rd.insert(rd.end(), tail.begin(), tail.end());
        m.rr(15, 60, rd);
        const auto r = parse_mx(m.b);
        ASSERT_FALSE(r) << label << " gave " << (*r)[0].host;
        EXPECT_EQ(r.error().code, lettre::make_error_code(errc::dns_failed));
        EXPECT_NE(r.error().message.find("not a host name"), std::string::npos)
            << r.error().message;
    }
    msg_builder ok("example.test", 15);
    std::vector<std::uint8_t> rd{0, 10};
    const auto name = wire_name("mx_1-a.example.test");
    rd.insert(rd.end(), name.begin(), name.end());
    ok.rr(15, 60, rd);
    ASSERT_TRUE(parse_mx(ok.b));
    EXPECT_EQ((*parse_mx(ok.b))[0].host, "mx_1-a.example.test");
}

}  // namespace
