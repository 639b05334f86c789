// Credentials no SASL mechanism can carry are refused, by the URL parser and
// by the transport before it connects (docs/security.md).
#include <lettre/message/message_builder.hpp>
#include <lettre/smtp/config.hpp>
#include <lettre/smtp/credentials.hpp>
#include <lettre/smtp/transport.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <string>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace std::string_literals;
using lettre::smtp::check_credentials;
using lettre::smtp::credentials;

TEST(CredentialsCheck, RefusesNulInEveryField) {
    EXPECT_TRUE(check_credentials(credentials::password("user", "pass")));
    for (const credentials& c :
         {credentials::password("us\0er"s, "s3cr3t"), credentials::password("user", "s3\0cr3t"s),
          credentials{"user", "s3cr3t", false, "au\0th"s}}) {
        auto r = check_credentials(c);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, lettre::errc::invalid_smtp_argument);
        EXPECT_NE(r.error().message.find("NUL"), std::string::npos) << r.error().message;
        EXPECT_EQ(r.error().message.find("s3"), std::string::npos) << "never the secret";
    }
}

TEST(CredentialsCheck, RefusesXoauth2SeparatorInTokenLogins) {
    EXPECT_FALSE(
        check_credentials(credentials::oauth2("user\x01"
                                              "auth=x",
                                              "token")));
    EXPECT_FALSE(check_credentials(credentials::oauth2("user",
                                                       "tok\x01"
                                                       "en")));
    // Only a token login uses \x01 as a separator.
    EXPECT_TRUE(check_credentials(credentials::password("user", "pa\x01ss")));
}

TEST(CredentialsCheck, UrlWithPercentEncodedNulIsRefused) {
    auto cfg = lettre::smtp::parse_url("smtps://user:pa%00ss@mail.example.com");
    ASSERT_FALSE(cfg);
    EXPECT_EQ(cfg.error().code, lettre::errc::invalid_url);
    EXPECT_NE(cfg.error().message.find("NUL"), std::string::npos) << cfg.error().message;
    EXPECT_NE(cfg.error().message.find("user:***@"), std::string::npos)
        << "the password is masked: " << cfg.error().message;
}

namespace {

/// A listening socket on 127.0.0.1 that nobody should connect to.
struct listener {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    std::uint16_t port = 0;
    listener() {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(fd, reinterpret_cast<sockaddr*>(&a), len) != 0 || ::listen(fd, 4) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            ADD_FAILURE() << "cannot listen: " << errno;
        port = ntohs(a.sin_port);
    }
    ~listener() { ::close(fd); }
    bool was_connected() const {
        const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) ::close(c);
        return c >= 0;
    }
};

}  // namespace

TEST(CredentialsCheck, TransportRefusesBeforeConnecting) {
    listener server;
    auto transport = lettre::smtp_transport::builder_dangerous("127.0.0.1")
                         .port(server.port)
                         .credentials("user", "pa\0ss"s)
                         .allow_plaintext_auth_dangerous()
                         // Before the check, the send waited for a greeting that never came.
                         .timeouts(lettre::smtp::timeouts::all(std::chrono::seconds(2)))
                         .no_pool()
                         .build();
    auto msg = lettre::message::builder()
                   .from("a@example.com")
                   .to("b@example.org")
                   .subject("x")
                   .text("x")
                   .build();
    auto r = transport.try_send(msg);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, lettre::errc::invalid_smtp_argument) << r.error().message;
    EXPECT_NE(r.error().message.find("NUL"), std::string::npos) << r.error().message;
    EXPECT_FALSE(server.was_connected());
}
