// lettre's sendmail transport driving a real sendmail implementation, msmtp,
// configured by command-line arguments only (no configuration file is read:
// --host makes msmtp use command-line settings alone), which delivers to the
// aiosmtpd peer of the SMTP integration tests (tests/integration/smtp/peers/
// aiosmtpd_peer.py, listener "plain") started by this program on 127.0.0.1.
// The message aiosmtpd stored must be what lettre formatted, byte for byte
// (after line-end normalization, trace headers aside), with the envelope
// lettre gave; refusals must come back as errors.
#include "../smtp/support.hpp"

#include <lettre/lettre.hpp>
#include <lettre/transport/async_sendmail_transport.hpp>
#include <lettre/transport/sendmail_transport.hpp>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#ifndef LETTRE_MSMTP
#error "LETTRE_MSMTP must be defined"
#endif

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using lettre::errc;

// ---------------------------------------------------------------------------
// Files and the peer

/// Drops leading trace fields (Received, Return-Path) a server may add.
std::string without_trace_headers(std::string_view s) {
    auto starts = [&](std::string_view prefix) {
        if (s.size() < prefix.size()) return false;
        for (std::size_t i = 0; i < prefix.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
        return true;
    };
    while (starts("received:") || starts("return-path:")) {
        std::size_t end = s.find('\n');
        // Folded continuation lines belong to the same field.
        while (end != std::string_view::npos && end + 1 < s.size() &&
               (s[end + 1] == ' ' || s[end + 1] == '\t'))
            end = s.find('\n', end + 1);
        s.remove_prefix(end == std::string_view::npos ? s.size() : end + 1);
    }
    return std::string(s);
}

using smtp_it::lf_only;
using smtp_it::received;

/// The shared aiosmtpd peer's "plain" listener (started on first use,
/// stopped by PID when the program ends: ../smtp/main.cpp).
struct peer {
    std::uint16_t port = 0;
    fs::path dir;
    std::vector<received> mailbox() const { return smtp_it::mailbox(dir); }
};

peer aiosmtpd() {
    const auto& shared = smtp_it::aiosmtpd();
    return {shared.port("plain"), shared.dir("plain")};
}

/// A port on 127.0.0.1 where nothing listens (bound, then closed).
std::uint16_t unused_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(s);
        throw std::runtime_error("bind failed");
    }
    socklen_t len = sizeof a;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    return ntohs(a.sin_port);
}

// ---------------------------------------------------------------------------
// lettre and msmtp

/// msmtp as lettre's sendmail program, by arguments only: --host makes it
/// ignore every configuration file; it must not add or drop header fields
/// (lettre's message already has From, Date and Message-ID, and no Bcc).
lettre::sendmail_config msmtp_config(std::uint16_t port) {
    lettre::sendmail_config c;
    c.command = LETTRE_MSMTP;
    c.arguments = {"--host=127.0.0.1",
                   "--port=" + std::to_string(port),
                   "--auth=off",
                   "--tls=off",
                   "--timeout=60",
                   "--domain=client.example",
                   "--set-from-header=off",
                   "--set-date-header=off",
                   "--set-msgid-header=off",
                   "--remove-bcc-headers=off",
                   "--undisclosed-recipients=off",
                   "--syslog=off",
                   "--logfile="};
    c.timeout = 120s;  // a loaded CI machine
    return c;
}

/// Fails the test (instead of skipping it) when msmtp is not installed.
#define REQUIRE_MSMTP()                                                     \
    ASSERT_EQ(::access(LETTRE_MSMTP, X_OK), 0)                              \
        << LETTRE_MSMTP << " is missing: install the Debian package msmtp " \
        << "(scripts/install-deps.sh installs it)"

lettre::message sample(const std::string& subject, const std::string& body) {
    auto b = lettre::message::builder();
    b.from("Alice <alice@example.com>")
        .to("Bob <bob@example.org>")
        .cc("carol@example.net")
        .bcc("dave@example.net")
        .subject(subject)
        .text(body);
    return b.build();
}

/// Body lines that a careless SMTP client would turn into an end of data.
const std::string dotted_body =
    "first line\n.\nthe line after the lone dot\n..\n.x\n. \n.\nlast line\n";

/// The messages that arrived after the first `before`, waited for a little:
/// msmtp exits once aiosmtpd answered 250, and aiosmtpd writes the files
/// before answering, so they are normally there already.
std::vector<received> arrived_after(const peer& p, std::size_t before, std::size_t want) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (true) {
        auto all = p.mailbox();
        if (all.size() >= before + want || std::chrono::steady_clock::now() > deadline) {
            if (all.size() < before) return {};
            return {all.begin() + static_cast<std::ptrdiff_t>(before), all.end()};
        }
        std::this_thread::sleep_for(20ms);
    }
}

void expect_same_message(const received& r, const lettre::message& m) {
    // Line ends normalized on both sides (msmtp sends CRLF whatever it got);
    // anything else must match byte for byte.
    const std::string got = lf_only(without_trace_headers(r.content));
    const std::string want = lf_only(m.formatted());
    EXPECT_EQ(got, want);
    EXPECT_EQ(r.content.find("\n.\n"), std::string::npos) << "LF-only lines on the wire";
}

// ---------------------------------------------------------------------------

TEST(Msmtp, MessageArrivesAsFormattedWithTheEnvelope) {
    REQUIRE_MSMTP();
    const peer p = aiosmtpd();
    const auto before = p.mailbox().size();
    const lettre::message m = sample("msmtp lf", dotted_body);
    const lettre::sendmail_transport t(msmtp_config(p.port));
    const auto r = t.try_send(m);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->exit_status, 0);
    const auto got = arrived_after(p, before, 1);
    ASSERT_EQ(got.size(), 1u);
    expect_same_message(got[0], m);
    EXPECT_EQ(got[0].from, "alice@example.com");
    const std::vector<std::string> rcpts = {"bob@example.org", "carol@example.net",
                                            "dave@example.net"};
    EXPECT_EQ(got[0].rcpts, rcpts);
    EXPECT_EQ(got[0].content.find("dave@example.net"), std::string::npos) << "Bcc leaked";
}

TEST(Msmtp, CrlfLineEndingsArriveAsFormattedToo) {
    REQUIRE_MSMTP();
    const peer p = aiosmtpd();
    const auto before = p.mailbox().size();
    const lettre::message m = sample("msmtp crlf", dotted_body);
    auto c = msmtp_config(p.port);
    c.crlf_line_endings = true;
    const auto r = lettre::sendmail_transport(c).try_send(m);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    const auto got = arrived_after(p, before, 1);
    ASSERT_EQ(got.size(), 1u);
    expect_same_message(got[0], m);
    // CRLF in, CRLF on the wire: no doubled CR.
    EXPECT_EQ(got[0].content.find("\r\r"), std::string::npos);
}

TEST(Msmtp, LoneDotLineSurvives) {
    REQUIRE_MSMTP();
    const peer p = aiosmtpd();
    const auto before = p.mailbox().size();
    const lettre::message m = sample("msmtp dot", dotted_body);
    ASSERT_NE(m.formatted().find("\r\n.\r\nthe line after the lone dot\r\n"), std::string::npos)
        << "the message does not have the lone dot line this test is about";
    const auto r = lettre::sendmail_transport(msmtp_config(p.port)).try_send(m);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    const auto got = arrived_after(p, before, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_NE(got[0].content.find("\r\n.\r\nthe line after the lone dot\r\n"), std::string::npos);
    EXPECT_NE(got[0].content.find("\r\n..\r\n.x\r\n. \r\n.\r\nlast line\r\n"), std::string::npos);
}

TEST(Msmtp, RawBytesAndNullSender) {
    REQUIRE_MSMTP();
    const peer p = aiosmtpd();
    const auto before = p.mailbox().size();
    const std::string raw =
        "From: MAILER-DAEMON@example.com\nTo: bob@example.org\r\nSubject: bounce\n\n"
        "mixed\r\nline\nends\n.\nend\n";
    const auto env =
        lettre::envelope::create(std::nullopt, {lettre::address::parse("bob@example.org")});
    const auto r = lettre::sendmail_transport(msmtp_config(p.port)).try_send_raw(env, raw);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    const auto got = arrived_after(p, before, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(lf_only(without_trace_headers(got[0].content)), lf_only(raw));
    // aiosmtpd records the null reverse-path as "<>".
    EXPECT_EQ(got[0].from, "<>");
    EXPECT_EQ(got[0].rcpts, std::vector<std::string>{"bob@example.org"});
}

TEST(Msmtp, RefusedRecipientIsAnErrorAndNothingIsDelivered) {
    REQUIRE_MSMTP();
    const peer p = aiosmtpd();
    const auto before = p.mailbox().size();
    auto b = lettre::message::builder();
    b.from("alice@example.com")
        .to("bob@example.org, rejectme@example.org")
        .subject("refused")
        .text("x\n");
    const lettre::message m = b.build();
    const lettre::sendmail_transport t(msmtp_config(p.port));
    const auto r = t.try_send(m);
    ASSERT_FALSE(r.has_value()) << "a refused recipient was reported as a success";
    EXPECT_EQ(r.error().code, errc::sendmail_failed) << r.error().message;
    EXPECT_NE(r.error().message.find("rejectme@example.org"), std::string::npos)
        << r.error().message;
    EXPECT_NE(r.error().message.find(LETTRE_MSMTP), std::string::npos) << r.error().message;
    std::error_code ec;
    const auto report = t.send(m, ec);
    EXPECT_EQ(ec, errc::sendmail_failed);
    EXPECT_GT(report.exit_status, 0);
    EXPECT_NE(report.exit_status, 75);
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(p.mailbox().size(), before) << "msmtp delivered although a recipient was refused";
}

TEST(Msmtp, UnreachableServerIsTransient) {
    REQUIRE_MSMTP();
    // msmtp exits with EX_TEMPFAIL (75) when it cannot connect.
    const auto r = lettre::sendmail_transport(msmtp_config(unused_port()))
                       .try_send(sample("unreachable", "x\n"));
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, errc::sendmail_transient) << r.error().message;
}

TEST(Msmtp, LargeMessageArrivesIntact) {
    REQUIRE_MSMTP();
    const peer p = aiosmtpd();
    const auto before = p.mailbox().size();
    std::string body;
    for (int i = 0; i < 30000; ++i) body += "line " + std::to_string(i) + " of a large body\n";
    body += ".\nafter the dot\n";
    const lettre::message m = sample("msmtp large", body);
    ASSERT_GT(m.formatted().size(), 700'000u);
    const auto r = lettre::sendmail_transport(msmtp_config(p.port)).try_send(m);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    const auto got = arrived_after(p, before, 1);
    ASSERT_EQ(got.size(), 1u);
    expect_same_message(got[0], m);
}

TEST(Msmtp, AsyncSendsRunConcurrently) {
    REQUIRE_MSMTP();
    const peer p = aiosmtpd();
    const auto before = p.mailbox().size();
    boost::asio::io_context ioc;
    const lettre::async_sendmail_transport t(ioc.get_executor(), msmtp_config(p.port));
    std::vector<lettre::message> messages;
    for (int i = 0; i < 4; ++i)
        messages.push_back(sample("msmtp async " + std::to_string(i), dotted_body));
    int ok = 0;
    for (const auto& m : messages)
        t.async_send(m, [&](boost::system::error_code ec, lettre::sendmail_report r) {
            EXPECT_FALSE(ec) << ec.message() << ": " << r.output;
            if (!ec) ++ok;
        });
    ioc.run();
    EXPECT_EQ(ok, 4);
    const auto got = arrived_after(p, before, 4);
    ASSERT_EQ(got.size(), 4u);
    // Arrival order is not send order: match by content.
    for (const auto& m : messages) {
        const auto it = std::find_if(got.begin(), got.end(), [&](const received& r) {
            return lf_only(without_trace_headers(r.content)) == lf_only(m.formatted());
        });
        EXPECT_NE(it, got.end()) << "not delivered as formatted: " << *m.header("Subject");
    }
}

}  // namespace
