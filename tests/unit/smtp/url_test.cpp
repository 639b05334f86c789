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

// A percent-escape is '%' and two hex digits (RFC 3986 §2.1): "%-1" once
// decoded to the byte 0xFF (std::from_chars takes a sign). Found by
// fuzz_smtp_url's reference decoder (corpus: regress-percent-sign).
TEST(SmtpUrl, PercentEscapeIsTwoHexDigits) {
    for (const char* url :
         {"smtp://u%-1:p@mail.example.com", "smtp://u:p%-f@mail.example.com",
          "smtp://mail.example.com?ehlo=a%-1", "smtp://u%+1:p@mail.example.com"}) {
        const auto cfg = parse_url(url);
        ASSERT_FALSE(cfg) << url << " decoded to user "
                          << (cfg ? cfg->client.credentials->username : "");
        EXPECT_EQ(cfg.error().code, lettre::make_error_code(errc::invalid_url)) << url;
    }
    const auto ok = parse_url("smtp://u%41%6a:p%2F@mail.example.com");
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->client.credentials->username, "uAj");
    EXPECT_EQ(ok->client.credentials->secret, "p/");
}

}  // namespace
