// dns::ip_address: the Asio-free address of A and AAAA records.
#include <lettre/dns/records.hpp>

#include "dns/ip_address_asio.hpp"

#include <gtest/gtest.h>

#include <set>

namespace {

using lettre::dns::ip_address;

TEST(dns_ip_address, parse_and_print) {
    const auto v4 = ip_address::parse("192.0.2.1");
    ASSERT_TRUE(v4);
    EXPECT_TRUE(v4->is_v4());
    EXPECT_FALSE(v4->is_v6());
    EXPECT_EQ(v4->bytes().size(), 4u);
    EXPECT_EQ(v4->bytes()[0], 192);
    EXPECT_EQ(v4->to_string(), "192.0.2.1");

    const auto v6 = ip_address::parse("2001:DB8:0:0::1");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->is_v6());
    EXPECT_EQ(v6->bytes().size(), 16u);
    EXPECT_EQ(v6->to_string(), "2001:db8::1") << "RFC 5952 form";
    EXPECT_EQ(ip_address::parse("::ffff:192.0.2.7")->to_string(), "::ffff:192.0.2.7");

    for (const char* bad : {"", "192.0.2", "192.0.2.256", "1.2.3.4.5", "host.test",
                            "2001:db8::1::2", " 192.0.2.1", "fe80::1%1"})
        EXPECT_FALSE(ip_address::parse(bad)) << bad;
    EXPECT_EQ(ip_address().to_string(), "0.0.0.0");
}

TEST(dns_ip_address, compares_v4_before_v6) {
    const auto a = *ip_address::parse("192.0.2.1");
    const auto b = *ip_address::parse("192.0.2.2");
    const auto c = *ip_address::parse("::1");
    EXPECT_EQ(a, *ip_address::parse("192.0.2.1"));
    EXPECT_NE(a, b);
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
    EXPECT_NE(*ip_address::parse("0.0.0.0"), *ip_address::parse("::"));
    EXPECT_EQ(std::set<ip_address>({c, b, a, a}).size(), 3u);
}

TEST(dns_ip_address, converts_to_and_from_asio) {
    for (const char* s : {"192.0.2.1", "2001:db8::1", "::ffff:192.0.2.7"}) {
        const auto a = *ip_address::parse(s);
        const auto asio = lettre::dns::detail::to_asio(a);
        EXPECT_EQ(asio.to_string(), s);
        EXPECT_EQ(lettre::dns::detail::from_asio(asio), a);
    }
}

}  // namespace
