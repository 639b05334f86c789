// A transport whose EHLO name is not a domain or address literal fails
// every send before it connects: nothing reaches the server.
#include <lettre/lettre.hpp>
#include <lettre/smtp/transport.hpp>

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <string>

namespace {

/// A listening socket on 127.0.0.1: connections queue in its backlog, so
/// accepting without waiting tells whether anyone connected.
class listener {
public:
    listener() {
        fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
            ::listen(fd_, 8) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
            return;
        port_ = ntohs(a.sin_port);
    }
    ~listener() {
        if (fd_ >= 0) ::close(fd_);
    }
    listener(const listener&) = delete;
    listener& operator=(const listener&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    bool someone_connected() const {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c < 0) return false;
        ::close(c);
        return true;
    }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

lettre::message hello_sample() {
    return lettre::message::builder()
        .from("a@example.com")
        .to("b@example.com")
        .subject("hello name")
        .text("x")
        .build();
}

TEST(smtp_transport_hello_name, BadNameFailsBeforeConnecting) {
    for (const bool pooled : {false, true}) {
        SCOPED_TRACE(pooled ? "pooled" : "not pooled");
        listener server;
        ASSERT_NE(server.port(), 0);
        auto builder = lettre::smtp_transport::builder_dangerous("127.0.0.1");
        // Short timeouts only so that a client that does connect (and gets
        // no greeting from this listener) fails soon instead of hanging.
        builder.port(server.port())
            .hello_name("ex<>ample.com")
            .timeouts(lettre::smtp::timeouts::all(std::chrono::seconds(2)));
        if (!pooled) builder.no_pool();
        lettre::smtp_transport transport = builder.build();
        const auto r = transport.try_send(hello_sample());
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, lettre::errc::invalid_smtp_argument);
        EXPECT_NE(r.error().message.find("ex<>ample.com"), std::string::npos) << r.error().message;
        EXPECT_FALSE(server.someone_connected());
    }
}

}  // namespace
