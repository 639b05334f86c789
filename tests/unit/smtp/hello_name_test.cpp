// smtp::check_hello_name: RFC 5321 Domain or an address literal that
// parses; what EHLO/HELO, the URL's ehlo= and the CLI's --ehlo accept.
#include <lettre/smtp/config.hpp>

#include "smtp_test_support.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using lettre::smtp::check_hello_name;
using smtp_test::show;

TEST(smtp_hello_name, AcceptsDomainsAndAddressLiterals) {
    const std::string good[] = {"localhost",
                                "mail.example.com",
                                "MAIL-1.Example.COM",
                                "a",
                                "0.example",
                                "xn--bcher-kva.de",
                                "999.1.1.1",  // a Domain by the grammar (no brackets)
                                std::string(63, 'a') + ".com",
                                "[192.0.2.1]",
                                "[0.0.0.0]",
                                "[255.255.255.255]",
                                "[IPv6:2001:db8::1]",
                                "[IPv6:::1]",
                                "[IPv6:::]",
                                "[IPv6:fe80::1:2:3:4:5:6]",
                                "[IPv6:1:2:3:4:5:6:7:8]",
                                "[IPv6:::ffff:192.0.2.7]",
                                "[IPv6:1:2:3:4:5:6:1.2.3.4]",
                                "[IPv6:2001:DB8::A]"};
    for (const auto& name : good) EXPECT_TRUE(check_hello_name(name)) << show(name);
    std::string longest;
    while (longest.size() + 64 <= 255) longest += std::string(63, 'a') + ".";
    longest += std::string(255 - longest.size(), 'b');
    ASSERT_EQ(longest.size(), 255U);
    EXPECT_TRUE(check_hello_name(longest));
}

TEST(smtp_hello_name, RefusesWhatIsNeitherDomainNorLiteral) {
    const std::string bad[] = {"",
                               "ex<>ample.com",
                               "a:b",
                               "-x",
                               "x-",
                               "a.-b.c",
                               "a..b",
                               ".a",
                               "a.",
                               "a b",
                               "a_b",
                               "a\r\nMAIL FROM:<x@y>",
                               "b\xc3\xbc"
                               "cher.de",
                               "a/b",
                               std::string(64, 'a') + ".com",
                               "[999.1.1.1]",
                               "[1.2.3]",
                               "[1.2.3.4.5]",
                               "[1.2.3.04444]",
                               "[1.2.3.4",
                               "[]",
                               "[a.b.c.d]",
                               "[1.2.3.-4]",
                               "[IPv6:1:2:3:4:5:6:7:8:9]",
                               "[IPv6:1::2::3]",
                               "[IPv6:12345::]",
                               "[IPv6:g::1]",
                               "[IPv6:1:2:3:4:5:6:7]",
                               "[IPv6:::1.2.3.999]",
                               "[IPv6:1:2:3:4:5:6:7:1.2.3.4]",
                               "[IPv6::1]",
                               "[IPv6:1:]",
                               "[2001:db8::1]",
                               "[tag:value]",
                               "[192.0.2.1]x"};
    for (const auto& name : bad) EXPECT_FALSE(check_hello_name(name)) << show(name);
    EXPECT_FALSE(check_hello_name(std::string(63, 'a') + "." + std::string(63, 'a') + "." +
                                  std::string(63, 'a') + "." + std::string(63, 'a') + ".b"))
        << "256 characters";
}

TEST(smtp_hello_name, ErrorNamesTheValueAndTheProblem) {
    const auto r = check_hello_name("a..b");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, lettre::errc::invalid_smtp_argument);
    EXPECT_NE(r.error().message.find("a..b"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("empty label"), std::string::npos) << r.error().message;
    const auto octet = check_hello_name("[999.1.1.1]");
    ASSERT_FALSE(octet);
    EXPECT_NE(octet.error().message.find("0 to 255"), std::string::npos) << octet.error().message;
}

TEST(smtp_hello_name, UrlRefusesABadEhloBeforeAnyConnection) {
    EXPECT_FALSE(lettre::smtp::parse_url("smtp://127.0.0.1?ehlo=a%20b"));
    EXPECT_FALSE(lettre::smtp::parse_url("smtp://127.0.0.1?ehlo=%5B999.1.1.1%5D"));
    const auto ok = lettre::smtp::parse_url("smtp://127.0.0.1?ehlo=%5B192.0.2.1%5D");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->client.hello_name, "[192.0.2.1]");
}

TEST(smtp_hello_name, DefaultIsAValidName) {
    EXPECT_TRUE(check_hello_name(lettre::smtp::default_hello_name()));
}

}  // namespace
