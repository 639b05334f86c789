// lettre::smtp::parse_url: the schemes, ports and options it takes, and
// what it refuses before anything connects.
#include <lettre/smtp/config.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using lettre::errc;
using lettre::smtp::parse_url;
using lettre::smtp::tls_mode;

TEST(SmtpUrl, SchemesPickTlsAndPort) {
    const auto starttls = parse_url("smtp://mail.example.com");
    ASSERT_TRUE(starttls) << starttls.error().message;
    EXPECT_EQ(starttls->port, 587);
    EXPECT_EQ(starttls->client.tls, tls_mode::starttls_required);
    const auto implicit = parse_url("smtps://mail.example.com");
    ASSERT_TRUE(implicit) << implicit.error().message;
    EXPECT_EQ(implicit->port, 465);
    EXPECT_EQ(implicit->client.tls, tls_mode::implicit);
    EXPECT_TRUE(parse_url("smtps://mail.example.com:465"));
}

// A server on 465 waits for a TLS ClientHello and an smtp:// client for a
// greeting: without this refusal both wait out the greeting timeout.
TEST(SmtpUrl, Port465WithSmtpSchemeIsRefused) {
    for (const char* url : {"smtp://mail.example.com:465", "smtp://u:p@mail.example.com:465",
                            "smtp://mail.example.com:465?tls=opportunistic",
                            "smtp://mail.example.com:465?tls=none"}) {
        const auto cfg = parse_url(url);
        ASSERT_FALSE(cfg) << url;
        EXPECT_EQ(cfg.error().code, lettre::make_error_code(errc::invalid_url)) << url;
        EXPECT_NE(cfg.error().message.find("use smtps:// for port 465"), std::string::npos)
            << cfg.error().message;
    }
}

}  // namespace
