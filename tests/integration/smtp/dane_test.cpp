// DANE on one SMTP connection (RFC 7672 §3): OpenSSL's DANE verifier fed
// TLSA records computed here from the test certificates (peers/make_certs.py),
// against aiosmtpd with STARTTLS and, for a certificate aiosmtpd does not
// have (expired), `openssl s_server` with implicit TLS.
#include "support.hpp"

#include "smtp/connection.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace {

using namespace smtp_it;
using lettre::errc;
using lettre::smtp::detail::dane_requirement;
using lettre::smtp::detail::dane_tlsa;
namespace asio = boost::asio;

/// A TLSA record for the certificate in `pem`: selector 0 hashes the whole
/// certificate, selector 1 its SubjectPublicKeyInfo; matching type 1 is
/// SHA2-256, 0 the DER itself.
dane_tlsa tlsa_for(const fs::path& pem, std::uint8_t usage, std::uint8_t selector,
                   std::uint8_t matching_type) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(pem.c_str(), "r"), &std::fclose);
    if (!f) throw std::runtime_error("cannot open " + pem.string());
    std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr),
                                                &X509_free);
    if (!cert) throw std::runtime_error("cannot read " + pem.string());
    unsigned char* der = nullptr;
    const int len = selector == 0 ? i2d_X509(cert.get(), &der)
                                  : i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert.get()), &der);
    if (len <= 0) throw std::runtime_error("cannot encode " + pem.string());
    std::vector<std::uint8_t> bytes(der, der + len);
    OPENSSL_free(der);
    dane_tlsa r{usage, selector, matching_type, {}};
    if (matching_type == 0) {
        r.data = bytes;
    } else {
        r.data.resize(32);
        unsigned int n = 0;
        EVP_Digest(bytes.data(), bytes.size(), r.data.data(), &n, EVP_sha256(), nullptr);
    }
    return r;
}

struct outcome {
    std::error_code open;
    std::error_code send;
    lettre::smtp::diagnostics diag;
    long verify = X509_V_OK;
};

/// Opens one STARTTLS (or implicit TLS) connection to 127.0.0.1:port with
/// `dane`, sends the sample message when `send`, then QUITs.
outcome run(std::uint16_t port, dane_requirement dane, bool send,
            lettre::smtp::tls_mode mode = lettre::smtp::tls_mode::starttls_required) {
    asio::io_context io;
    lettre::smtp::transport_config cfg;
    cfg.host = "127.0.0.1";
    cfg.port = port;
    cfg.client.hello_name = "client.example";
    cfg.client.tls = mode;
    cfg.timeouts = lettre::smtp::timeouts::all(10s);
    cfg.timeouts.greeting = 2s;  // s_server never greets: a timeout there means TLS passed
    std::error_code ec;
    std::string why;
    auto ctx = lettre::smtp::detail::make_dane_tls_context(ec, why);
    if (!ctx) throw std::runtime_error(why);
    auto conn = std::make_shared<lettre::smtp::detail::connection>(io.get_executor(), cfg, ctx);
    conn->use_dane(std::move(dane));
    outcome out;
    const auto msg = sample_message();
    const std::string bytes = msg.formatted();
    conn->async_open([&](boost::system::error_code e) {
        out.open = e;
        if (e || !send) return;
        conn->async_send(msg.envelope(), bytes, false, [&](boost::system::error_code e2) {
            out.send = e2;
            conn->async_quit([](boost::system::error_code) {});
        });
    });
    io.run();
    out.diag = conn->diagnostics();
    out.verify = conn->tls_verify_result();
    return out;
}

fs::path cert(const std::string& name) {
    return cert_dir() / (name + ".pem");
}

TEST(Dane, EeMatchSendsWhateverTheNameInTheCertificate) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("starttls");
    // The certificate names 127.0.0.1 and localhost, not the MX host: DANE-EE
    // does not care (RFC 7672 §3.2.1).
    const auto out = run(peer.port("starttls"),
                         {{tlsa_for(cert("server"), 3, 1, 1)}, {"mx.nowhere.example"}}, true);
    ASSERT_FALSE(out.open) << out.open.message() << ": " << out.diag.message;
    ASSERT_FALSE(out.send) << out.send.message() << ": " << out.diag.message;
    ASSERT_TRUE(eventually([&] { return peer.count("starttls") == before + 1; }));
    EXPECT_TRUE(mailbox(peer.dir("starttls")).back().tls);
}

TEST(Dane, EeMatchOnTheWholeCertificate) {
    const auto out = run(aiosmtpd().port("starttls"),
                         {{tlsa_for(cert("server"), 3, 0, 1)}, {"mx.nowhere.example"}}, false);
    EXPECT_FALSE(out.open) << out.open.message() << ": " << out.diag.message;
}

TEST(Dane, TaMatchWithTheMxHostNameInTheCertificate) {
    const auto out =
        run(aiosmtpd().port("starttls"), {{tlsa_for(cert("ca"), 2, 1, 1)}, {"localhost"}}, false);
    EXPECT_FALSE(out.open) << out.open.message() << ": " << out.diag.message;
}

TEST(Dane, TaMatchNeedsAReferenceNameInTheCertificate) {
    const auto out = run(aiosmtpd().port("starttls"),
                         {{tlsa_for(cert("ca"), 2, 1, 1)}, {"mx.nowhere.example"}}, false);
    EXPECT_EQ(out.open, lettre::make_error_code(errc::tls_failed));
    EXPECT_EQ(out.verify, X509_V_ERR_HOSTNAME_MISMATCH);
    EXPECT_EQ(out.diag.phase, lettre::smtp::phase::tls_handshake);
    EXPECT_NE(out.diag.message.find("refused by DANE"), std::string::npos) << out.diag.message;
}

TEST(Dane, TaMatchOnTheSecondReferenceName) {
    // The recipient domain, when its MX records were found securely.
    const auto out =
        run(aiosmtpd().port("starttls"),
            {{tlsa_for(cert("ca"), 2, 1, 1)}, {"mx.nowhere.example", "localhost"}}, false);
    EXPECT_FALSE(out.open) << out.open.message() << ": " << out.diag.message;
}

TEST(Dane, NoMatchIsRefusedEvenForACertificateTheCaVouchesFor) {
    dane_tlsa wrong = tlsa_for(cert("server"), 3, 1, 1);
    wrong.data[0] ^= 0xff;
    const auto before = aiosmtpd().count("starttls");
    const auto out = run(aiosmtpd().port("starttls"),
                         {{wrong, tlsa_for(cert("selfsigned"), 3, 1, 1)}, {"mx"}}, true);
    EXPECT_EQ(out.open, lettre::make_error_code(errc::tls_failed));
    EXPECT_EQ(out.verify, X509_V_ERR_DANE_NO_MATCH);
    EXPECT_NE(out.diag.message.find("matches none of the host's TLSA records"), std::string::npos)
        << out.diag.message;
    EXPECT_EQ(aiosmtpd().count("starttls"), before);
}

TEST(Dane, EeMatchIgnoresAnExpiredCertificate) {
    process server;
    const std::uint16_t port = free_port();
    server = process::start({LETTRE_OPENSSL, "s_server", "-quiet", "-accept",
                             "127.0.0.1:" + std::to_string(port), "-cert", cert("expired").string(),
                             "-key", (cert_dir() / "expired.key").string(), "-cert_chain",
                             cert("ca").string()});
    ASSERT_TRUE(wait_port(port, 20s));
    const auto ee = run(port, {{tlsa_for(cert("expired"), 3, 1, 1)}, {"localhost"}}, false,
                        lettre::smtp::tls_mode::implicit);
    // The handshake passed: the session then waits for a greeting that
    // s_server never sends.
    EXPECT_EQ(ee.open, lettre::make_error_code(errc::timeout)) << ee.diag.message;
    EXPECT_EQ(ee.diag.phase, lettre::smtp::phase::greeting) << ee.diag.message;
    // DANE-TA checks dates as PKIX does.
    const auto ta = run(port, {{tlsa_for(cert("ca"), 2, 1, 1)}, {"localhost"}}, false,
                        lettre::smtp::tls_mode::implicit);
    server.stop();
    EXPECT_EQ(ta.open, lettre::make_error_code(errc::tls_failed)) << ta.diag.message;
    EXPECT_EQ(ta.verify, X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST(Dane, OnlyDaneTaAndEeRecordsOfKnownTypesAreUsable) {
    using lettre::smtp::detail::usable_for_smtp;
    const std::vector<std::uint8_t> d32(32, 1), d64(64, 1);
    EXPECT_TRUE(usable_for_smtp({3, 1, 1, d32}));
    EXPECT_TRUE(usable_for_smtp({2, 0, 2, d64}));
    EXPECT_TRUE(usable_for_smtp({3, 0, 0, {0x30}}));
    EXPECT_FALSE(usable_for_smtp({1, 1, 1, d32})) << "PKIX-EE";
    EXPECT_FALSE(usable_for_smtp({0, 1, 1, d32})) << "PKIX-TA";
    EXPECT_FALSE(usable_for_smtp({3, 2, 1, d32})) << "selector";
    EXPECT_FALSE(usable_for_smtp({3, 1, 3, d32})) << "matching type";
    EXPECT_FALSE(usable_for_smtp({3, 1, 1, d64})) << "a SHA-256 digest is 32 bytes";
    EXPECT_FALSE(usable_for_smtp({3, 1, 2, d32})) << "a SHA-512 digest is 64 bytes";
    EXPECT_FALSE(usable_for_smtp({3, 1, 0, {}})) << "empty";
}

TEST(Dane, NoUsableRecordRefusesBeforeTheHandshake) {
    const std::vector<std::uint8_t> d32(32, 1);
    const auto out = run(aiosmtpd().port("starttls"), {{{1, 1, 1, d32}}, {"mx"}}, false);
    EXPECT_EQ(out.open, lettre::make_error_code(errc::tls_failed));
    EXPECT_NE(out.diag.message.find("usable for SMTP"), std::string::npos) << out.diag.message;
}

}  // namespace
