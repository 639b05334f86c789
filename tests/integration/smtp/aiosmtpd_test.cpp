// lettre's SMTP transports against aiosmtpd (Python): plaintext, STARTTLS,
// implicit TLS, AUTH. Every delivered message is compared byte for byte with
// what lettre was asked to send.
#include "support.hpp"

#include <lettre/lettre.hpp>
#include <lettre/smtp/async_transport.hpp>
#include <lettre/smtp/transport.hpp>

#include <gtest/gtest.h>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>

namespace {

using namespace smtp_it;
using lettre::address;
using lettre::envelope;
using lettre::errc;
using std::error_code;  // async handlers take it too: Boost codes convert

using smtp_it::code;

std::string normalize_crlf(std::string_view m) {
    std::string out;
    for (std::size_t i = 0; i < m.size(); ++i) {
        if (m[i] == '\r' && i + 1 < m.size() && m[i + 1] == '\n') {
            out += "\r\n";
            ++i;
        } else if (m[i] == '\r' || m[i] == '\n') {
            out += "\r\n";
        } else {
            out += m[i];
        }
    }
    if (!out.empty() && !out.ends_with("\r\n")) out += "\r\n";
    return out;
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

/// Sends with the error_code form and returns the code and the report.
std::pair<error_code, lettre::smtp::send_report> try_send(lettre::smtp_transport& t,
                                                          const lettre::message& m) {
    error_code ec;
    auto r = t.send(m, ec);
    return {ec, std::move(r)};
}

lettre::message to_list(const std::string& to) {
    return lettre::message::builder()
        .from("sender@example.com")
        .to(to)
        .subject("recipients")
        .text("hello\n")
        .build();
}

// ---------------------------------------------------------------------------
// Plaintext

TEST(Aiosmtpd, DeliversByteForByteWithBccOnlyInTheEnvelope) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    auto smtp = plain_builder(peer.port("plain")).build();
    const auto msg = sample_message();
    const std::string bytes = msg.formatted();
    ASSERT_EQ(bytes, msg.formatted()) << "formatted() is not stable";
    error_code ec;
    const auto report = smtp.send(msg, ec);
    ASSERT_FALSE(ec) << describe(ec, report);
    EXPECT_EQ(report.final_reply.code(), 250);
    EXPECT_NE(report.final_reply.message().find("queued as plain-"), std::string::npos)
        << report.final_reply.to_string();
    EXPECT_EQ(report.accepted().size(), 3u);
    EXPECT_TRUE(report.refused().empty());

    const auto box = mailbox(peer.dir("plain"));
    ASSERT_EQ(box.size(), before + 1);
    const auto& got = box.back();
    EXPECT_EQ(got.content, bytes);  // byte for byte
    EXPECT_EQ(got.from, "sender@example.com");
    EXPECT_EQ(got.rcpts, (std::vector<std::string>{"rcpt@example.org", "copy@example.net",
                                                   "hidden@example.net"}));
    EXPECT_EQ(got.content.find("hidden@example.net"), std::string::npos) << got.content;
    EXPECT_EQ(lower(got.content).find("\nbcc:"), std::string::npos);
    EXPECT_FALSE(got.tls);
}

// A transport with DKIM signers signs every message on the way out; what
// arrives is exactly what the signers produce (Ed25519 is deterministic).
TEST(Aiosmtpd, TransportSignsWithDkim) {
    const auto& peer = aiosmtpd();
    using namespace lettre::dkim;
    signer rsa("example.com", "rsa", private_key::generate(algorithm::rsa_sha256));
    signer ed("example.com", "ed", private_key::generate(algorithm::ed25519_sha256));
    const auto when = std::chrono::sys_seconds(std::chrono::seconds(1700000000));
    rsa.time(when);
    ed.time(when);
    auto smtp = plain_builder(peer.port("plain")).dkim(ed).build();
    const auto msg = sample_message();
    const auto before = peer.count("plain");
    error_code ec;
    const auto report = smtp.send(msg, ec);
    ASSERT_FALSE(ec) << describe(ec, report);
    auto box = mailbox(peer.dir("plain"));
    ASSERT_EQ(box.size(), before + 1);
    EXPECT_EQ(box.back().content, ed.sign(msg.formatted()));

    // Dual signing (RFC 8463): two fields, the message after them unchanged.
    auto dual = plain_builder(peer.port("plain")).dkim(rsa).dkim(ed).build();
    dual.send(msg, ec);
    ASSERT_FALSE(ec) << ec.message();
    box = mailbox(peer.dir("plain"));
    ASSERT_EQ(box.size(), before + 2);
    const std::string& got = box.back().content;
    EXPECT_TRUE(got.starts_with("DKIM-Signature:")) << got.substr(0, 200);
    EXPECT_TRUE(got.ends_with(msg.formatted()));
    EXPECT_NE(got.find("a=rsa-sha256"), std::string::npos);
    EXPECT_NE(got.find("a=ed25519-sha256"), std::string::npos);

    // Bytes that cannot be signed (no From) are not sent at all.
    const auto env =
        envelope::create(address::parse("a@example.com"), {address::parse("rcpt@example.org")});
    const auto r = smtp.send_raw(env, "Subject: no from\r\n\r\nbody\r\n", ec);
    EXPECT_EQ(ec, errc::malformed_message) << ec.message();
    EXPECT_NE(r.diagnostics.message.find("DKIM"), std::string::npos) << r.diagnostics.message;
    EXPECT_EQ(mailbox(peer.dir("plain")).size(), before + 2);
}

TEST(Aiosmtpd, DotLinesAndBareLineEndsAreTransparent) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    auto smtp = plain_builder(peer.port("plain")).build();
    const std::string raw =
        "From: a@example.com\r\nTo: b@example.org\r\nSubject: dots\r\n\r\n"
        ".\r\n..\r\n.x\r\n. \r\nline\n.\nlf-only\rcr-only\r\n.\r\nMAIL FROM:<evil@example.com>\r\n"
        "\r\n.\r\nlast line without end";
    const auto env =
        envelope::create(address::parse("a@example.com"), {address::parse("b@example.org")});
    error_code ec;
    const auto report = smtp.send_raw(env, raw, ec);
    ASSERT_FALSE(ec) << describe(ec, report);
    const auto box = mailbox(peer.dir("plain"));
    ASSERT_EQ(box.size(), before + 1) << "exactly one message, nothing smuggled";
    EXPECT_EQ(box.back().content, normalize_crlf(raw));
}

TEST(Aiosmtpd, RefusedRecipientsAreReportedPerRecipient) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    auto smtp = plain_builder(peer.port("plain")).build();
    const auto msg = to_list("reject-me@example.org, ok@example.org, defer-me@example.org");
    auto [ec, report] = try_send(smtp, msg);
    ASSERT_FALSE(ec) << describe(ec, report);
    ASSERT_EQ(report.recipients.size(), 3u);
    const auto refused = report.refused();
    ASSERT_EQ(refused.size(), 2u);
    EXPECT_EQ(refused[0].recipient, address::parse("reject-me@example.org"));
    EXPECT_EQ(refused[0].reply.code(), 550);
    EXPECT_EQ(refused[0].reply.enhanced(), (lettre::smtp::enhanced_status{5, 1, 1}));
    EXPECT_NE(refused[0].reply.message().find("User unknown"), std::string::npos);
    EXPECT_EQ(refused[1].recipient, address::parse("defer-me@example.org"));
    EXPECT_EQ(refused[1].reply.code(), 450);
    EXPECT_TRUE(refused[1].reply.transient());
    ASSERT_EQ(report.accepted().size(), 1u);
    EXPECT_EQ(report.accepted()[0], address::parse("ok@example.org"));

    const auto box = mailbox(peer.dir("plain"));
    ASSERT_EQ(box.size(), before + 1);
    EXPECT_EQ(box.back().rcpts, std::vector<std::string>{"ok@example.org"});
    EXPECT_EQ(box.back().content, msg.formatted());
}

TEST(Aiosmtpd, AllRecipientsRefused) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    auto smtp = plain_builder(peer.port("plain")).build();
    const auto msg = to_list("reject-a@example.org, reject-b@example.org");
    auto [ec, report] = try_send(smtp, msg);
    EXPECT_EQ(ec, code(errc::no_recipient_accepted)) << describe(ec, report);
    ASSERT_EQ(report.diagnostics.recipients.size(), 2u);
    for (const auto& r : report.diagnostics.recipients) {
        EXPECT_EQ(r.reply.code(), 550);
        EXPECT_FALSE(r.accepted());
    }
    EXPECT_EQ(peer.count("plain"), before);

    // The throwing form carries the same report.
    try {
        smtp.send(msg);
        ADD_FAILURE() << "no exception";
    } catch (const lettre::smtp::send_error& e) {
        EXPECT_EQ(e.code(), std::error_code(lettre::make_error_code(errc::no_recipient_accepted)));
        EXPECT_EQ(e.report().diagnostics.recipients.size(), 2u);
        EXPECT_FALSE(std::string(e.what()).empty());
    }
}

TEST(Aiosmtpd, SenderRefused) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    auto smtp = plain_builder(peer.port("plain")).build();
    {
        const auto msg = lettre::message::builder()
                             .from("reject-sender@example.com")
                             .to("ok@example.org")
                             .subject("x")
                             .text("x\n")
                             .build();
        auto [ec, report] = try_send(smtp, msg);
        EXPECT_EQ(ec, code(errc::smtp_permanent)) << describe(ec, report);
        ASSERT_TRUE(report.diagnostics.server_reply);
        EXPECT_EQ(report.diagnostics.server_reply->code(), 550);
        EXPECT_NE(report.diagnostics.server_reply->message().find("Sender address rejected"),
                  std::string::npos);
    }
    {
        const auto msg = lettre::message::builder()
                             .from("defer-sender@example.com")
                             .to("ok@example.org")
                             .subject("x")
                             .text("x\n")
                             .build();
        auto [ec, report] = try_send(smtp, msg);
        EXPECT_EQ(ec, code(errc::smtp_transient)) << describe(ec, report);
        ASSERT_TRUE(report.diagnostics.server_reply);
        EXPECT_EQ(report.diagnostics.server_reply->code(), 451);
    }
    EXPECT_EQ(peer.count("plain"), before);
}

TEST(Aiosmtpd, FinalReplyRefused) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    auto smtp = plain_builder(peer.port("plain")).build();
    auto [ec, report] = try_send(smtp, to_list("finalreject@example.org"));
    EXPECT_EQ(ec, code(errc::smtp_permanent)) << describe(ec, report);
    ASSERT_TRUE(report.diagnostics.server_reply);
    EXPECT_EQ(report.diagnostics.server_reply->code(), 554);
    EXPECT_EQ(report.diagnostics.phase, lettre::smtp::phase::data_final);
    EXPECT_EQ(peer.count("plain"), before);
}

TEST(Aiosmtpd, ServerWithoutPipelining) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("nopipe");
    auto smtp = plain_builder(peer.port("nopipe")).build();
    const auto msg = to_list("ok1@example.org, reject-x@example.org, ok2@example.org");
    auto [ec, report] = try_send(smtp, msg);
    ASSERT_FALSE(ec) << describe(ec, report);
    EXPECT_EQ(report.refused().size(), 1u);
    const auto box = mailbox(peer.dir("nopipe"));
    ASSERT_EQ(box.size(), before + 1);
    EXPECT_EQ(box.back().rcpts, (std::vector<std::string>{"ok1@example.org", "ok2@example.org"}));
    EXPECT_EQ(box.back().content, msg.formatted());
}

TEST(Aiosmtpd, MessageTooBigIsRefusedBeforeSending) {
    const auto& peer = aiosmtpd();  // "size" listener: SIZE 2000
    const auto before = peer.count("size");
    auto smtp = plain_builder(peer.port("size")).build();
    const auto big = lettre::message::builder()
                         .from("sender@example.com")
                         .to("ok@example.org")
                         .subject("big")
                         .text(std::string(5000, 'x') + "\n")
                         .build();
    auto [ec, report] = try_send(smtp, big);
    EXPECT_EQ(ec, code(errc::message_too_big)) << describe(ec, report);
    EXPECT_EQ(peer.count("size"), before);

    const auto small = to_list("ok@example.org");
    auto [ec2, report2] = try_send(smtp, small);
    ASSERT_FALSE(ec2) << describe(ec2, report2);
    const auto box = mailbox(peer.dir("size"));
    ASSERT_EQ(box.size(), before + 1);
    const bool has_size = std::any_of(box.back().options.begin(), box.back().options.end(),
                                      [](const std::string& o) { return o.starts_with("SIZE="); });
    EXPECT_TRUE(has_size);
}

TEST(Aiosmtpd, Smtputf8) {
    const auto& peer = aiosmtpd();
    const auto msg = lettre::message::builder()
                         .from("j\xc3\xb6rg@example.com")
                         .to("zo\xc3\xab@example.org")
                         .subject("utf-8 addresses")
                         .text("hallo\n")
                         .build();
    ASSERT_TRUE(msg.requires_smtputf8());
    {  // offered
        const auto before = peer.count("plain");
        auto smtp = plain_builder(peer.port("plain")).build();
        auto [ec, report] = try_send(smtp, msg);
        ASSERT_FALSE(ec) << describe(ec, report);
        const auto box = mailbox(peer.dir("plain"));
        ASSERT_EQ(box.size(), before + 1);
        EXPECT_TRUE(contains(box.back().options, "SMTPUTF8"));
        EXPECT_EQ(box.back().rcpts, std::vector<std::string>{"zo\xc3\xab@example.org"});
        EXPECT_EQ(box.back().from, "j\xc3\xb6rg@example.com");
        EXPECT_EQ(box.back().content, msg.formatted());
    }
    {  // not offered
        const auto before = peer.count("nopipe");
        auto smtp = plain_builder(peer.port("nopipe")).build();
        auto [ec, report] = try_send(smtp, msg);
        EXPECT_EQ(ec, code(errc::smtputf8_unavailable)) << describe(ec, report);
        EXPECT_EQ(peer.count("nopipe"), before);
    }
}

TEST(Aiosmtpd, EightBitBodyDeclaresBody8bitmime) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    auto smtp = plain_builder(peer.port("plain")).build();
    const std::string raw =
        "From: a@example.com\r\nTo: b@example.org\r\nSubject: 8bit\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\ncaf\xc3\xa9\r\n";
    const auto env =
        envelope::create(address::parse("a@example.com"), {address::parse("b@example.org")});
    error_code ec;
    const auto report = smtp.send_raw(env, raw, ec);
    ASSERT_FALSE(ec) << describe(ec, report);
    const auto box = mailbox(peer.dir("plain"));
    ASSERT_EQ(box.size(), before + 1);
    EXPECT_TRUE(contains(box.back().options, "BODY=8BITMIME"));
    EXPECT_EQ(box.back().content, raw);
}

TEST(Aiosmtpd, SeveralMessagesAndALargeOne) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    auto smtp = plain_builder(peer.port("plain")).build();
    std::vector<std::string> sent;
    for (int i = 0; i < 5; ++i) {
        const auto m = sample_message("rcpt@example.org", "message " + std::to_string(i));
        sent.push_back(m.formatted());
        error_code ec;
        const auto r = smtp.send(m, ec);
        ASSERT_FALSE(ec) << i << ": " << describe(ec, r);
    }
    std::string body;
    for (int i = 0; i < 20000; ++i)
        body += (i % 50 == 0 ? "." : "") + std::string(60, static_cast<char>('a' + i % 26)) + "\n";
    const auto large = lettre::message::builder()
                           .from("sender@example.com")
                           .to("ok@example.org")
                           .subject("large")
                           .text(body)
                           .build();
    sent.push_back(large.formatted());
    error_code ec;
    const auto r = smtp.send(large, ec);
    ASSERT_FALSE(ec) << describe(ec, r);
    const auto box = mailbox(peer.dir("plain"));
    ASSERT_EQ(box.size(), before + sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
        EXPECT_EQ(box[before + i].content, sent[i]) << "message " << i;
}

TEST(Aiosmtpd, ConnectionRefused) {
    const std::uint16_t port = free_port();  // nobody listens there
    auto smtp = plain_builder(port).build();
    auto [ec, report] = try_send(smtp, to_list("ok@example.org"));
    EXPECT_EQ(ec, std::errc::connection_refused) << describe(ec, report);
    EXPECT_EQ(report.diagnostics.phase, lettre::smtp::phase::connect);
    EXPECT_FALSE(report.diagnostics.message.empty());
}

TEST(Aiosmtpd, StarttlsRequiredButNotOffered) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    auto smtp = starttls_builder(peer.port("plain")).build();
    auto [ec, report] = try_send(smtp, to_list("ok@example.org"));
    EXPECT_EQ(ec, code(errc::starttls_unavailable)) << describe(ec, report);
    EXPECT_EQ(peer.count("plain"), before);
}

// ---------------------------------------------------------------------------
// TLS

TEST(Tls, StarttlsWithTheTestCa) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("starttls");
    auto smtp = starttls_builder(peer.port("starttls")).build();
    const auto msg = sample_message();
    auto [ec, report] = try_send(smtp, msg);
    ASSERT_FALSE(ec) << describe(ec, report);
    const auto box = mailbox(peer.dir("starttls"));
    ASSERT_EQ(box.size(), before + 1);
    EXPECT_TRUE(box.back().tls);
    EXPECT_EQ(box.back().content, msg.formatted());
}

TEST(Tls, WrongCaFails) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("starttls");
    auto b = starttls_builder(peer.port("starttls"));
    auto t = test_ca();
    t.ca_file = cert_dir() / "other-ca.pem";
    auto smtp = b.tls(t).build();
    auto [ec, report] = try_send(smtp, sample_message());
    EXPECT_EQ(ec, code(errc::tls_failed)) << describe(ec, report);
    EXPECT_EQ(report.diagnostics.phase, lettre::smtp::phase::tls_handshake);
    EXPECT_EQ(peer.count("starttls"), before);
    // OpenSSL's verify result, the name checked and the way out; not only
    // "certificate verify failed".
    const std::string& m = report.diagnostics.message;
    // The peer sends its chain (leaf, then the test CA): OpenSSL reaches the
    // CA, which nothing trusts here.
    EXPECT_NE(m.find("self-signed certificate in certificate chain"), std::string::npos) << m;
    EXPECT_NE(m.find("checked for the name 127.0.0.1"), std::string::npos) << m;
    EXPECT_NE(m.find("set tls ca_file"), std::string::npos) << m;
}

TEST(Tls, HostNameIsChecked) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("starttls");
    {
        auto t = test_ca();
        t.server_name = "mail.example.net";  // the certificate says 127.0.0.1 and localhost
        auto smtp = starttls_builder(peer.port("starttls")).tls(t).build();
        auto [ec, report] = try_send(smtp, sample_message());
        EXPECT_EQ(ec, code(errc::tls_failed)) << describe(ec, report);
        const std::string& m = report.diagnostics.message;
        EXPECT_NE(m.find("hostname mismatch"), std::string::npos) << m;
        EXPECT_NE(m.find("checked for the name mail.example.net"), std::string::npos) << m;
        EXPECT_EQ(peer.count("starttls"), before);
    }
    {
        auto t = test_ca();
        t.server_name = "localhost";
        auto smtp = starttls_builder(peer.port("starttls")).tls(t).build();
        auto [ec, report] = try_send(smtp, sample_message());
        EXPECT_FALSE(ec) << describe(ec, report);
        EXPECT_EQ(peer.count("starttls"), before + 1);
    }
}

TEST(Tls, HostNameLocalhostResolves) {
    const auto& peer = aiosmtpd();
    auto b = lettre::smtp_transport::starttls_relay("localhost");
    b.port(peer.port("starttls")).timeouts(lettre::smtp::timeouts::all(10s)).tls(test_ca());
    auto smtp = b.build();
    auto [ec, report] = try_send(smtp, sample_message());
    EXPECT_FALSE(ec) << describe(ec, report);
}

TEST(Tls, AcceptInvalidCertificatesDangerous) {
    const auto& peer = aiosmtpd();
    auto t = test_ca();
    t.ca_file = cert_dir() / "other-ca.pem";
    t.server_name = "mail.example.net";
    t.accept_invalid_certificates_dangerous = true;
    auto smtp = starttls_builder(peer.port("starttls")).tls(t).build();
    auto [ec, report] = try_send(smtp, sample_message());
    EXPECT_FALSE(ec) << describe(ec, report);
}

TEST(Tls, MissingCaFile) {
    const auto& peer = aiosmtpd();
    auto t = test_ca();
    t.ca_file = cert_dir() / "does-not-exist.pem";
    auto smtp = starttls_builder(peer.port("starttls")).tls(t).build();
    auto [ec, report] = try_send(smtp, sample_message());
    EXPECT_EQ(ec, code(errc::tls_failed)) << describe(ec, report);
    EXPECT_NE(report.diagnostics.message.find("does-not-exist.pem"), std::string::npos)
        << report.diagnostics.message;
}

TEST(Tls, ImplicitTls) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("implicit");
    auto smtp = implicit_builder(peer.port("implicit")).build();
    const auto msg = sample_message();
    auto [ec, report] = try_send(smtp, msg);
    ASSERT_FALSE(ec) << describe(ec, report);
    const auto box = mailbox(peer.dir("implicit"));
    ASSERT_EQ(box.size(), before + 1);
    EXPECT_TRUE(box.back().tls);
    EXPECT_EQ(box.back().content, msg.formatted());
}

TEST(Tls, ImplicitTlsWrongCaAndWrongName) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("implicit");
    {
        auto t = test_ca();
        t.ca_file = cert_dir() / "other-ca.pem";
        auto smtp = implicit_builder(peer.port("implicit")).tls(t).build();
        auto [ec, report] = try_send(smtp, sample_message());
        EXPECT_EQ(ec, code(errc::tls_failed)) << describe(ec, report);
    }
    {
        auto t = test_ca();
        t.server_name = "mail.example.net";
        auto smtp = implicit_builder(peer.port("implicit")).tls(t).build();
        auto [ec, report] = try_send(smtp, sample_message());
        EXPECT_EQ(ec, code(errc::tls_failed)) << describe(ec, report);
    }
    EXPECT_EQ(peer.count("implicit"), before);
}

TEST(Tls, ImplicitTlsAgainstAPlaintextServer) {
    const auto& peer = aiosmtpd();
    auto smtp =
        implicit_builder(peer.port("plain")).timeouts(lettre::smtp::timeouts::all(3s)).build();
    auto [ec, report] = try_send(smtp, sample_message());
    EXPECT_EQ(ec, code(errc::tls_failed)) << describe(ec, report);
    // Not only OpenSSL's "wrong version number": what it means, and the fix.
    const std::string& m = report.diagnostics.message;
    EXPECT_NE(m.find("the server did not answer with TLS"), std::string::npos) << m;
    EXPECT_NE(m.find("use smtp://"), std::string::npos) << m;
}

// ---------------------------------------------------------------------------
// AUTH

lettre::smtp_transport_builder with_auth(lettre::smtp_transport_builder b, std::string password,
                                         std::vector<lettre::smtp::mechanism> mechs = {}) {
    b.credentials("user", std::move(password));
    if (!mechs.empty()) b.authentication(std::move(mechs));
    return b;
}

TEST(Auth, PlainAndLoginOverStarttls) {
    const auto& peer = aiosmtpd();
    for (auto m : {lettre::smtp::mechanism::plain, lettre::smtp::mechanism::login}) {
        SCOPED_TRACE(std::string(lettre::smtp::mechanism_name(m)));
        const auto before = peer.count("starttls");
        auto smtp =
            with_auth(starttls_builder(peer.port("starttls")), "secret password", {m}).build();
        const auto msg = sample_message();
        auto [ec, report] = try_send(smtp, msg);
        ASSERT_FALSE(ec) << describe(ec, report);
        const auto box = mailbox(peer.dir("starttls"));
        ASSERT_EQ(box.size(), before + 1);
        EXPECT_EQ(box.back().auth, "user");
        EXPECT_TRUE(box.back().tls);
        EXPECT_EQ(box.back().content, msg.formatted());
    }
}

TEST(Auth, ScramSha256ByDefault) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("starttls");
    auto smtp = with_auth(starttls_builder(peer.port("starttls")), "secret password").build();
    auto [ec, report] = try_send(smtp, sample_message());
    ASSERT_FALSE(ec) << describe(ec, report);
    const auto box = mailbox(peer.dir("starttls"));
    ASSERT_EQ(box.size(), before + 1);
    EXPECT_EQ(box.back().auth, "user");
}

TEST(Auth, BadPassword) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("starttls");
    for (auto m : {lettre::smtp::mechanism::plain, lettre::smtp::mechanism::login,
                   lettre::smtp::mechanism::scram_sha_256}) {
        SCOPED_TRACE(std::string(lettre::smtp::mechanism_name(m)));
        auto smtp = with_auth(starttls_builder(peer.port("starttls")), "wrong", {m}).build();
        auto [ec, report] = try_send(smtp, sample_message());
        EXPECT_EQ(ec, code(errc::auth_failed)) << describe(ec, report);
        EXPECT_EQ(report.diagnostics.phase, lettre::smtp::phase::auth);
        ASSERT_TRUE(report.diagnostics.server_reply);
        EXPECT_EQ(report.diagnostics.server_reply->code(), 535);
        EXPECT_EQ(report.diagnostics.server_reply->enhanced(),
                  (lettre::smtp::enhanced_status{5, 7, 8}));
        EXPECT_EQ(report.diagnostics.server_reply->message(), "Authentication credentials invalid");
    }
    EXPECT_EQ(peer.count("starttls"), before);
}

TEST(Auth, ScramServerThatCannotProveItselfIsRefused) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("impostor");
    auto smtp = with_auth(starttls_builder(peer.port("impostor")), "secret password").build();
    auto [ec, report] = try_send(smtp, sample_message());
    EXPECT_EQ(ec, code(errc::auth_failed)) << describe(ec, report);
    EXPECT_EQ(peer.count("impostor"), before);
}

TEST(Auth, RefusedOverPlaintext) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("auth_plain");
    auto smtp = with_auth(plain_builder(peer.port("auth_plain")), "secret password").build();
    auto [ec, report] = try_send(smtp, sample_message());
    EXPECT_EQ(ec, code(errc::plaintext_auth_refused)) << describe(ec, report);
    EXPECT_EQ(peer.count("auth_plain"), before);
}

TEST(Auth, OverPlaintextWhenExplicitlyAllowed) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("auth_plain");
    auto b = with_auth(plain_builder(peer.port("auth_plain")), "secret password");
    b.allow_plaintext_auth_dangerous();
    auto smtp = b.build();
    auto [ec, report] = try_send(smtp, sample_message());
    ASSERT_FALSE(ec) << describe(ec, report);
    const auto box = mailbox(peer.dir("auth_plain"));
    ASSERT_EQ(box.size(), before + 1);
    EXPECT_EQ(box.back().auth, "user");
    EXPECT_FALSE(box.back().tls);
}

TEST(Auth, ImplicitTls) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("implicit");
    auto smtp = with_auth(implicit_builder(peer.port("implicit")), "secret password").build();
    auto [ec, report] = try_send(smtp, sample_message());
    ASSERT_FALSE(ec) << describe(ec, report);
    const auto box = mailbox(peer.dir("implicit"));
    ASSERT_EQ(box.size(), before + 1);
    EXPECT_EQ(box.back().auth, "user");
}

TEST(Auth, NotOffered) {
    const auto& peer = aiosmtpd();
    auto b = with_auth(plain_builder(peer.port("plain")), "secret password");
    b.allow_plaintext_auth_dangerous();
    auto smtp = b.build();
    auto [ec, report] = try_send(smtp, sample_message());
    EXPECT_EQ(ec, code(errc::auth_unavailable)) << describe(ec, report);
}

}  // namespace

namespace {

// Many sends in flight on one connection (the pool's pipelining window):
// each arrives exactly once, byte for byte, in order.
TEST(Aiosmtpd, OneConnectionCarriesAPipelinedWindow) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    auto cfg = plain_builder(peer.port("plain")).config();
    // The trace shows the commands pipelined behind a message too.
    int mail_lines = 0;
    int messages_traced = 0;
    cfg.trace = [&](lettre::smtp::trace_direction d, std::string_view line) {
        if (d != lettre::smtp::trace_direction::sent) return;
        if (line.starts_with("MAIL FROM:")) ++mail_lines;
        if (line.starts_with("<message: ")) ++messages_traced;
    };
    constexpr int n = 25;
    const auto sent = send_windowed(cfg, n);
    EXPECT_EQ(mail_lines, n);
    EXPECT_EQ(messages_traced, n);
    const auto box = mailbox(peer.dir("plain"));
    ASSERT_EQ(box.size(), before + sent.size());
    for (std::size_t i = 0; i < sent.size(); ++i)
        EXPECT_EQ(box[before + i].content, sent[i]) << "message " << i;
}

// Two sends at a time, each completion handing over the next, plain and
// over TLS: the later ones reach the connection while it waits for replies
// and go out with its next write (on loopback the reply latency is below
// the threshold of connection::write_ahead; Pool.AheadWritesToADistant...
// covers that path). Each arrives once, byte for byte, in order.
TEST(Aiosmtpd, AheadWritesBesideTheReadKeepEveryMessageExact) {
    const auto& peer = aiosmtpd();
    for (const char* listener : {"plain", "starttls"}) {
        const auto before = peer.count(listener);
        auto cfg = (std::string_view(listener) == "plain" ? plain_builder(peer.port(listener))
                                                          : starttls_builder(peer.port(listener)))
                       .config();
        constexpr int n = 20;
        const auto sent = send_windowed(cfg, n, 2);
        const auto box = mailbox(peer.dir(listener));
        ASSERT_EQ(box.size(), before + sent.size()) << listener;
        for (std::size_t i = 0; i < sent.size(); ++i)
            EXPECT_EQ(box[before + i].content, sent[i]) << listener << " message " << i;
    }
}

}  // namespace
