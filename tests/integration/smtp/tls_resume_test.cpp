// TLS session resumption, seen from the server: the aiosmtpd peer writes
// into each message's .env whether its TLS session was resumed (Python's
// ssl module is OpenSSL: SSLObject.session_reused) and the TLS version.
#include "support.hpp"

#include "smtp/connection.hpp"

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace smtp_it;
namespace asio = boost::asio;
namespace detail = lettre::smtp::detail;

/// The messages `listener` received after the first `skip`.
std::vector<received> since(const std::string& listener, std::size_t skip) {
    auto all = mailbox(aiosmtpd().dir(listener));
    all.erase(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(skip, all.size())));
    return all;
}

/// Sends `n` messages through `smtp`, each expected to succeed; returns
/// what `listener` saw of them.
std::vector<received> send_n(lettre::smtp_transport& smtp, const std::string& listener,
                             std::size_t n) {
    const auto before = aiosmtpd().count(listener);
    for (std::size_t i = 0; i < n; ++i) {
        std::error_code ec;
        const auto report = smtp.send(sample_message(), ec);
        EXPECT_FALSE(ec) << "send " << i << ": " << describe(ec, report);
    }
    EXPECT_TRUE(eventually([&] { return aiosmtpd().count(listener) == before + n; }));
    return since(listener, before);
}

/// The server's view of each session: 1 resumed, 0 full handshake.
std::string reused_flags(const std::vector<received>& got) {
    std::string flags;
    for (const auto& r : got) flags += r.reused ? '1' : '0';
    return flags;
}

TEST(TlsResume, StarttlsSendsWithoutPoolResumeTls13) {
    auto smtp = starttls_builder(aiosmtpd().port("resume")).no_pool().build();
    const auto got = send_n(smtp, "resume", 3);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(reused_flags(got), "011");
    for (const auto& r : got) EXPECT_EQ(r.tls_version, "TLSv1.3");
}

TEST(TlsResume, StarttlsTls12ResumesBySessionId) {
    auto smtp = starttls_builder(aiosmtpd().port("resume12")).no_pool().build();
    const auto got = send_n(smtp, "resume12", 3);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(reused_flags(got), "011");
    for (const auto& r : got) EXPECT_EQ(r.tls_version, "TLSv1.2");
}

TEST(TlsResume, ImplicitTlsResumes) {
    auto smtp = implicit_builder(aiosmtpd().port("resume_implicit")).no_pool().build();
    const auto got = send_n(smtp, "resume_implicit", 2);
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(reused_flags(got), "01");
}

TEST(TlsResume, PoolReconnectsResume) {
    lettre::smtp::pool_config pool;
    pool.max_connections = 1;
    pool.max_messages_per_connection = 1;  // a new connection for every message
    auto smtp = starttls_builder(aiosmtpd().port("resume")).pool(pool).build();
    const auto got = send_n(smtp, "resume", 3);
    EXPECT_EQ(reused_flags(got), "011");
    EXPECT_EQ(smtp.metrics().messages_sent, 3u);
}

TEST(TlsResume, OffWhenDisabled) {
    auto tls = test_ca();
    tls.session_resumption = false;
    auto smtp = starttls_builder(aiosmtpd().port("resume")).no_pool().tls(tls).build();
    EXPECT_EQ(reused_flags(send_n(smtp, "resume", 2)), "00");
}

TEST(TlsResume, AfterAFailedHandshakeTheSessionIsNotOfferedAgain) {
    const auto& peer = aiosmtpd();
    auto smtp = starttls_builder(peer.port("flaky")).no_pool().build();
    auto got = send_n(smtp, "flaky", 1);  // a full handshake: two TLS 1.3 tickets kept
    ASSERT_EQ(reused_flags(got), "0");
    std::ofstream(peer.outdir / "flaky.fail") << "once\n";
    std::error_code ec;
    const auto report = smtp.send(sample_message(), ec);  // offers a ticket; refused
    ASSERT_TRUE(ec) << "the handshake was to fail";
    ASSERT_EQ(report.diagnostics.phase, lettre::smtp::phase::tls_handshake) << describe(ec, report);
    EXPECT_FALSE(fs::exists(peer.outdir / "flaky.fail"));
    // The other ticket of the first session is not offered: a full handshake.
    EXPECT_EQ(reused_flags(send_n(smtp, "flaky", 1)), "0");
    EXPECT_EQ(reused_flags(send_n(smtp, "flaky", 1)), "1");  // and resumption works again
}

/// One STARTTLS connection with `tls`, sharing `cache`: opens, sends the
/// sample message, QUITs.
void send_on_connection(const std::shared_ptr<detail::tls_session_cache>& cache,
                        const lettre::smtp::tls_parameters& tls, std::uint16_t port) {
    asio::io_context io;
    lettre::smtp::transport_config cfg;
    cfg.host = "127.0.0.1";
    cfg.port = port;
    cfg.client.hello_name = "client.example";
    cfg.client.tls = lettre::smtp::tls_mode::starttls_required;
    cfg.timeouts = lettre::smtp::timeouts::all(10s);
    cfg.tls = tls;
    std::error_code ec;
    std::string why;
    auto ctx = detail::make_tls_context(cfg.tls, ec, why);
    ASSERT_TRUE(ctx) << why;
    auto conn = std::make_shared<detail::connection>(io.get_executor(), cfg, ctx);
    conn->use_session_cache(cache);
    const auto msg = sample_message();
    const std::string bytes = msg.formatted();
    boost::system::error_code open_ec, send_ec;
    conn->async_open([&](boost::system::error_code e) {
        open_ec = e;
        if (e) return;
        conn->async_send(msg.envelope(), bytes, false, [&](boost::system::error_code e2) {
            send_ec = e2;
            conn->async_quit([](boost::system::error_code) {});
        });
    });
    io.run();
    ASSERT_FALSE(open_ec) << open_ec.message() << ": " << conn->diagnostics().message;
    ASSERT_FALSE(send_ec) << send_ec.message() << ": " << conn->diagnostics().message;
}

TEST(TlsResume, OnlyUnderTheSameVerificationSettings) {
    const auto& peer = aiosmtpd();
    const std::uint16_t port = peer.port("resume_other");
    auto cache = std::make_shared<detail::tls_session_cache>();
    const auto verified = test_ca();
    auto unverified = lettre::smtp::tls_parameters{};
    unverified.accept_invalid_certificates_dangerous = true;
    // The same CA under another path: the key cannot know it is the same.
    const fs::path other_ca = peer.outdir / "other-ca.pem";
    fs::copy_file(cert_dir() / "ca.pem", other_ca, fs::copy_options::overwrite_existing);
    auto other = test_ca();
    other.ca_file = other_ca.string();

    const auto before = peer.count("resume_other");
    send_on_connection(cache, verified, port);    // full: its tickets kept
    send_on_connection(cache, unverified, port);  // not the verified session
    send_on_connection(cache, other, port);       // nor under another CA file
    send_on_connection(cache, verified, port);    // the verified one again: resumed
    ASSERT_TRUE(eventually([&] { return peer.count("resume_other") == before + 4; }));
    EXPECT_EQ(reused_flags(since("resume_other", before)), "0001");
}

}  // namespace
