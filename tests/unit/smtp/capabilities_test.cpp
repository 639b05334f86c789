// EHLO keywords (RFC 5321 §4.1.1.1 and the extensions' RFCs).
#include "smtp/protocol/capabilities.hpp"

#include "smtp_test_support.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace {

using lettre::smtp::capabilities;
using lettre::smtp::reply;

capabilities parse(std::vector<std::string> lines) {
    return capabilities::parse_ehlo(reply(250, std::move(lines)));
}

TEST(SmtpCapabilities, EveryKeyword) {
    const auto c = parse({"mx.example.org greets you", "STARTTLS", "AUTH PLAIN LOGIN SCRAM-SHA-256",
                          "SIZE 35882577", "8BITMIME", "SMTPUTF8", "PIPELINING", "CHUNKING",
                          "BINARYMIME", "DSN", "ENHANCEDSTATUSCODES", "REQUIRETLS"});
    EXPECT_TRUE(c.esmtp);
    EXPECT_EQ(c.server_name, "mx.example.org");
    EXPECT_TRUE(c.starttls);
    EXPECT_EQ(c.auth, (std::vector<std::string>{"PLAIN", "LOGIN", "SCRAM-SHA-256"}));
    ASSERT_TRUE(c.size);
    EXPECT_EQ(*c.size, 35882577u);
    EXPECT_TRUE(c.eightbitmime);
    EXPECT_TRUE(c.smtputf8);
    EXPECT_TRUE(c.pipelining);
    EXPECT_TRUE(c.chunking);
    EXPECT_TRUE(c.binarymime);
    EXPECT_TRUE(c.dsn);
    EXPECT_TRUE(c.enhanced_status_codes);
    EXPECT_TRUE(c.requiretls);
}

TEST(SmtpCapabilities, NothingOffered) {
    const auto c = parse({"mx.example.org"});
    EXPECT_TRUE(c.esmtp);
    EXPECT_EQ(c.server_name, "mx.example.org");
    EXPECT_FALSE(c.starttls);
    EXPECT_TRUE(c.auth.empty());
    EXPECT_FALSE(c.size);
    EXPECT_FALSE(c.eightbitmime || c.smtputf8 || c.pipelining || c.chunking || c.binarymime ||
                 c.dsn || c.enhanced_status_codes || c.requiretls);
}

TEST(SmtpCapabilities, KeywordsAreCaseInsensitive) {
    const auto c = parse({"x", "starttls", "Pipelining", "auth plain cram-md5", "size 10",
                          "8bitmime", "SmtpUtf8", "chunking", "dsn"});
    EXPECT_TRUE(c.starttls);
    EXPECT_TRUE(c.pipelining);
    EXPECT_EQ(c.auth, (std::vector<std::string>{"PLAIN", "CRAM-MD5"}));
    EXPECT_TRUE(c.has_auth("plain"));
    EXPECT_TRUE(c.has_auth("Cram-Md5"));
    EXPECT_FALSE(c.has_auth("LOGIN"));
    EXPECT_EQ(c.size, std::optional<std::uint64_t>(10));
    EXPECT_TRUE(c.eightbitmime && c.smtputf8 && c.chunking && c.dsn);
}

TEST(SmtpCapabilities, OldAuthEqualsSpelling) {
    // Pre-RFC 4954 servers (and Exchange) send "AUTH=LOGIN PLAIN" too.
    const auto c = parse({"x", "AUTH LOGIN PLAIN", "AUTH=LOGIN PLAIN"});
    EXPECT_EQ(c.auth, (std::vector<std::string>{"LOGIN", "PLAIN"}));  // no duplicates
    const auto d = parse({"x", "AUTH=LOGIN"});
    EXPECT_EQ(d.auth, std::vector<std::string>{"LOGIN"});
    const auto e = parse({"x", "AUTH="});
    EXPECT_TRUE(e.auth.empty());
    const auto f = parse({"x", "AUTH"});
    EXPECT_TRUE(f.auth.empty());
}

TEST(SmtpCapabilities, SizeForms) {
    EXPECT_EQ(parse({"x", "SIZE"}).size, std::optional<std::uint64_t>(0));  // no fixed limit
    EXPECT_EQ(parse({"x", "SIZE 0"}).size, std::optional<std::uint64_t>(0));
    EXPECT_EQ(parse({"x", "SIZE 18446744073709551615"}).size,
              std::optional<std::uint64_t>(std::numeric_limits<std::uint64_t>::max()));
    // Too large for 64 bits: "no limit" (documented), never a wrapped small number.
    EXPECT_EQ(parse({"x", "SIZE 18446744073709551616"}).size, std::optional<std::uint64_t>(0));
    EXPECT_EQ(parse({"x", "SIZE 999999999999999999999999999999"}).size,
              std::optional<std::uint64_t>(0));
    // Garbage must not become a small limit either.
    for (const char* v : {"SIZE -1", "SIZE 12abc", "SIZE abc", "SIZE 0x10"}) {
        const auto c = parse({"x", v});
        ASSERT_TRUE(c.size) << v;
        EXPECT_EQ(*c.size, 0u) << v;
    }
}

TEST(SmtpCapabilities, UnknownKeywordsAndOddSpacingAreIgnored) {
    const auto c = parse({"x", "X-EXPS GSSAPI NTLM", "VRFY", "ETRN", "", "  PIPELINING  ",
                          "XCLIENT NAME ADDR", "STARTTLSX", "SIZEX 5"});
    EXPECT_TRUE(c.pipelining);
    EXPECT_FALSE(c.starttls);
    EXPECT_FALSE(c.size);
    EXPECT_TRUE(c.auth.empty());
}

TEST(SmtpCapabilities, FirstLineIsNotAKeyword) {
    const auto c = parse({"STARTTLS"});  // a server named STARTTLS
    EXPECT_FALSE(c.starttls);
    EXPECT_EQ(c.server_name, "STARTTLS");
}

TEST(SmtpCapabilities, FromWire) {
    const auto rs = smtp_test::all_replies(
        "250-smtp.example.com at your service, [192.0.2.1]\r\n250-SIZE 157286400\r\n"
        "250-8BITMIME\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n"
        "250-CHUNKING\r\n250 SMTPUTF8\r\n");
    ASSERT_EQ(rs.size(), 1u);
    const auto c = capabilities::parse_ehlo(rs[0]);
    EXPECT_EQ(c.server_name, "smtp.example.com");
    EXPECT_EQ(c.size, std::optional<std::uint64_t>(157286400));
    EXPECT_TRUE(c.starttls && c.pipelining && c.chunking && c.smtputf8 && c.eightbitmime &&
                c.enhanced_status_codes);
    EXPECT_FALSE(c.dsn);
}

}  // namespace
