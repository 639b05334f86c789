// Certificate failures say which one: OpenSSL's verify result, the name
// checked and what to do, for certificates the aiosmtpd peer does not have
// (self-signed, expired), served by `openssl s_server` (implicit TLS; the
// handshake is all these tests need).
#include "support.hpp"

#include <lettre/lettre.hpp>
#include <lettre/smtp/transport.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace smtp_it;
using lettre::errc;

/// `openssl s_server` with `name`.pem/.key from cert_dir(), on a free port.
struct tls_server {
    process proc;
    std::uint16_t port = 0;
};

tls_server start_tls_server(const std::string& name) {
    tls_server s;
    s.port = free_port();
    const fs::path dir = cert_dir();
    s.proc = process::start(
        {LETTRE_OPENSSL, "s_server", "-quiet", "-accept", "127.0.0.1:" + std::to_string(s.port),
         "-cert", (dir / (name + ".pem")).string(), "-key", (dir / (name + ".key")).string()});
    if (!wait_port(s.port, 20s)) throw std::runtime_error("openssl s_server did not start");
    return s;
}

std::string refusal(const std::string& cert) {
    auto server = start_tls_server(cert);
    auto smtp = implicit_builder(server.port).build();  // trusts the test CA
    std::error_code ec;
    const auto report = smtp.send(sample_message(), ec);
    server.proc.stop();
    EXPECT_EQ(ec, lettre::make_error_code(errc::tls_failed)) << describe(ec, report);
    EXPECT_EQ(report.diagnostics.phase, lettre::smtp::phase::tls_handshake);
    return report.diagnostics.message;
}

TEST(Tls, SelfSignedCertificateIsNamedWithTheWayOut) {
    const std::string m = refusal("selfsigned");
    EXPECT_NE(m.find("self-signed certificate"), std::string::npos) << m;
    EXPECT_NE(m.find("checked for the name 127.0.0.1"), std::string::npos) << m;
    EXPECT_NE(m.find("set tls ca_file"), std::string::npos) << m;
}

TEST(Tls, ExpiredCertificateIsNamed) {
    const std::string m = refusal("expired");
    EXPECT_NE(m.find("certificate has expired"), std::string::npos) << m;
    // When: an expired certificate, or a wrong clock here.
    EXPECT_NE(m.find("(it expired on 20"), std::string::npos) << m;
    EXPECT_NE(m.find(" UTC; checked for the name 127.0.0.1)"), std::string::npos) << m;
    EXPECT_NE(m.find("renewed"), std::string::npos) << m;
    EXPECT_EQ(m.find("ca_file"), std::string::npos) << "a CA does not fix an expiry: " << m;
}

}  // namespace
