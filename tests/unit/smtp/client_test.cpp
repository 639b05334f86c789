// The sans-io SMTP client state machine, driven by scripted exchanges: the
// test plays the server and checks every byte the client writes, and the
// sequence of actions (write / read / TLS handshake / done). No sockets.
#include "smtp/protocol/client.hpp"

#include "smtp_test_support.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace {

using lettre::address;
using lettre::envelope;
using lettre::errc;
using lettre::smtp::client_config;
using lettre::smtp::credentials;
using lettre::smtp::mechanism;
using lettre::smtp::phase;
using lettre::smtp::tls_mode;
using smtp_test::action_type;
using smtp_test::b64;
using smtp_test::script;
using smtp_test::unb64;

#define STEP(x)                                 \
    do {                                        \
        auto step_result_ = (x);                \
        if (!step_result_) return step_result_; \
    } while (0)

const std::string greeting = "220 mx.example.org ESMTP ready\r\n";
const std::string ehlo = "EHLO client.example\r\n";

client_config plain() {
    client_config c;
    c.hello_name = "client.example";
    c.tls = tls_mode::none_dangerous;
    return c;
}

client_config with_starttls(tls_mode m = tls_mode::starttls_required) {
    client_config c = plain();
    c.tls = m;
    return c;
}

/// Greeting + EHLO with the given EHLO reply; the session must be ready.
::testing::AssertionResult open(script& s, const std::string& ehlo_reply) {
    STEP(s.start());
    STEP(s.server(greeting));
    STEP(s.client_writes(ehlo));
    STEP(s.server(ehlo_reply));
    STEP(s.done_ok());
    if (!s.fsm().ready()) return ::testing::AssertionFailure() << "session not ready";
    return ::testing::AssertionSuccess();
}

/// Greeting, EHLO, STARTTLS, handshake, EHLO again; stops after the second
/// EHLO reply (so that AUTH can follow).
::testing::AssertionResult open_tls(script& s, const std::string& first_ehlo,
                                    const std::string& second_ehlo) {
    STEP(s.start());
    STEP(s.server(greeting));
    STEP(s.client_writes(ehlo));
    STEP(s.server(first_ehlo));
    STEP(s.client_writes("STARTTLS\r\n"));
    STEP(s.server("220 2.0.0 Ready to start TLS\r\n"));
    STEP(s.tls_handshake());
    STEP(s.client_writes(ehlo));
    STEP(s.server(second_ehlo));
    return ::testing::AssertionSuccess();
}

envelope env2() {
    return envelope::create(address::parse("from@example.com"),
                            {address::parse("a@example.org"), address::parse("b@example.net")});
}
envelope env1() {
    return envelope::create(address::parse("from@example.com"), {address::parse("a@example.org")});
}

const std::string message =
    "From: from@example.com\r\nTo: a@example.org\r\nSubject: hi\r\n\r\n"
    "Hello\r\n.dot line\r\nbye\r\n";
const std::string framed_message =
    "From: from@example.com\r\nTo: a@example.org\r\nSubject: hi\r\n"
    "\r\nHello\r\n..dot line\r\nbye\r\n.\r\n";

const std::string ehlo_basic = "250 mx.example.org\r\n";
const std::string ehlo_pipelining =
    "250-mx.example.org\r\n250-PIPELINING\r\n250 ENHANCEDSTATUSCODES\r\n";

bool wrote_anything_like(const script& s, std::string_view needle) {
    for (const auto& t : s.trace())
        if (t.starts_with("C: ") && t.find(needle) != std::string::npos) return true;
    return false;
}

// ---------------------------------------------------------------------------
// Greeting and EHLO

TEST(SmtpClient, GreetingThenEhlo) {
    script s(plain());
    ASSERT_TRUE(s.start());
    EXPECT_EQ(s.last().phase, phase::greeting);
    ASSERT_TRUE(s.server("220-mx.example.org ESMTP\r\n220 second line\r\n"));
    ASSERT_TRUE(s.client_writes(ehlo));
    EXPECT_EQ(s.last().phase, phase::ehlo);
    ASSERT_TRUE(s.server("250-mx.example.org hello\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_TRUE(s.fsm().ready());
    EXPECT_FALSE(s.fsm().tls_active());
    EXPECT_TRUE(s.fsm().capabilities().esmtp);
    EXPECT_EQ(s.fsm().capabilities().size, std::optional<std::uint64_t>(1000));
    EXPECT_EQ(s.fsm().capabilities().server_name, "mx.example.org");
    // start -> read; greeting -> write EHLO; written -> read; EHLO reply -> done.
    EXPECT_EQ(s.types(), (std::vector<action_type>{action_type::read, action_type::write,
                                                   action_type::read, action_type::done}));
}

TEST(SmtpClient, GreetingByteAtATime) {
    script s(plain());
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server_bytewise(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server_bytewise("250-mx\r\n250 PIPELINING\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_TRUE(s.fsm().capabilities().pipelining);
}

TEST(SmtpClient, GreetingRefused) {
    {
        script s(plain());
        ASSERT_TRUE(s.start());
        ASSERT_TRUE(s.server("554 5.3.2 no service for you\r\n"));
        ASSERT_TRUE(s.done_with(errc::smtp_permanent));
        EXPECT_FALSE(s.fsm().ready());
        EXPECT_EQ(s.fsm().diagnostics().phase, phase::greeting);
        ASSERT_TRUE(s.fsm().diagnostics().server_reply);
        EXPECT_EQ(s.fsm().diagnostics().server_reply->code(), 554);
        EXPECT_NE(s.fsm().diagnostics().message.find("no service for you"), std::string::npos);
    }
    {
        script s(plain());
        ASSERT_TRUE(s.start());
        ASSERT_TRUE(s.server("450 busy\r\n"));
        ASSERT_TRUE(s.done_with(errc::smtp_transient));
    }
    {
        script s(plain());
        ASSERT_TRUE(s.start());
        ASSERT_TRUE(s.server("250 not a greeting\r\n"));
        EXPECT_EQ(s.last().what, action_type::done);
        EXPECT_TRUE(s.last().error);
        EXPECT_FALSE(s.fsm().ready());
    }
}

TEST(SmtpClient, EhloRefusedFallsBackToHelo) {
    script s(plain());
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server("502 5.5.2 Command not recognized\r\n"));
    ASSERT_TRUE(s.client_writes("HELO client.example\r\n"));
    ASSERT_TRUE(s.server("250 mx.example.org\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_FALSE(s.fsm().capabilities().esmtp);
    EXPECT_FALSE(s.fsm().capabilities().pipelining);

    // Plain RFC 821 transaction: one command at a time, no parameters.
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.client_writes("RCPT TO:<a@example.org>\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.client_writes("DATA\r\n"));
    ASSERT_TRUE(s.server("354 go\r\n"));
    ASSERT_TRUE(s.client_writes(framed_message));
    ASSERT_TRUE(s.server("250 queued\r\n"));
    ASSERT_TRUE(s.done_ok());
}

TEST(SmtpClient, HeloFallbackStillRequiresTls) {
    script s(with_starttls());
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server("500 what?\r\n"));
    ASSERT_TRUE(s.client_writes("HELO client.example\r\n"));
    ASSERT_TRUE(s.server("250 mx\r\n"));
    ASSERT_TRUE(s.done_with(errc::starttls_unavailable));
    EXPECT_FALSE(s.fsm().ready());
}

TEST(SmtpClient, EhloTransientFailureIsNotRetriedAsHelo) {
    script s(plain());
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server("451 4.3.0 try later\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_transient));
    EXPECT_FALSE(s.fsm().ready());
    EXPECT_FALSE(wrote_anything_like(s, "HELO"));
}

TEST(SmtpClient, HeloRefused) {
    script s(plain());
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server("500 no\r\n"));
    ASSERT_TRUE(s.client_writes("HELO client.example\r\n"));
    ASSERT_TRUE(s.server("550 5.7.1 go away\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_permanent));
    EXPECT_FALSE(s.fsm().ready());
}

TEST(SmtpClient, BadHelloNameIsRefusedBeforeWriting) {
    client_config c = plain();
    c.hello_name = "evil\r\nMAIL FROM:<x@y>";
    script s(c);
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.done_with(errc::invalid_smtp_argument));
    EXPECT_FALSE(wrote_anything_like(s, "EHLO"));
}

// ---------------------------------------------------------------------------
// STARTTLS

TEST(SmtpClient, StarttlsRequiredButNotOffered) {
    script s(with_starttls());
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server("250-mx\r\n250 PIPELINING\r\n"));
    ASSERT_TRUE(s.done_with(errc::starttls_unavailable));
    EXPECT_FALSE(s.fsm().ready());
    EXPECT_FALSE(wrote_anything_like(s, "STARTTLS"));
    EXPECT_EQ(s.fsm().diagnostics().phase, phase::ehlo);
}

TEST(SmtpClient, StarttlsThenEhloReplacesCapabilities) {
    script s(with_starttls());
    ASSERT_TRUE(open_tls(s, "250-mx\r\n250-STARTTLS\r\n250-SIZE 1000\r\n250 AUTH LOGIN\r\n",
                         "250-mx-tls\r\n250-SIZE 2000\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_TRUE(s.fsm().tls_active());
    EXPECT_TRUE(s.fsm().ready());
    const auto& caps = s.fsm().capabilities();
    EXPECT_FALSE(caps.starttls);
    EXPECT_EQ(caps.size, std::optional<std::uint64_t>(2000));
    EXPECT_TRUE(caps.pipelining);
    EXPECT_EQ(caps.auth, std::vector<std::string>{"PLAIN"});  // LOGIN from before TLS is gone
    EXPECT_EQ(caps.server_name, "mx-tls");
    EXPECT_EQ(s.types(), (std::vector<action_type>{
                             action_type::read, action_type::write, action_type::read,
                             action_type::write, action_type::read, action_type::tls_handshake,
                             action_type::write, action_type::read, action_type::done}));
}

TEST(SmtpClient, StarttllsOfferedAgainAfterTlsIsNotRepeated) {
    script s(with_starttls());
    ASSERT_TRUE(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 STARTTLS\r\n"));
    ASSERT_TRUE(s.done_ok());
}

TEST(SmtpClient, StarttlsReplyFollowedByPipelinedPlaintextIsRefused) {
    // CVE-2011-0411 class: a man in the middle appends a reply to the 220;
    // it must never be taken as the answer to the EHLO sent over TLS.
    for (const std::string_view injected :
         {"250-evil\r\n250 AUTH PLAIN\r\n", "250 x\r\n", "2", "\r\n", "garbage"}) {
        script s(with_starttls());
        ASSERT_TRUE(s.start());
        ASSERT_TRUE(s.server(greeting));
        ASSERT_TRUE(s.client_writes(ehlo));
        ASSERT_TRUE(s.server("250-mx\r\n250 STARTTLS\r\n"));
        ASSERT_TRUE(s.client_writes("STARTTLS\r\n"));
        ASSERT_TRUE(s.server("220 2.0.0 go ahead\r\n" + std::string(injected)));
        EXPECT_EQ(s.last().what, action_type::done) << smtp_test::show(injected);
        EXPECT_TRUE(s.last().error) << smtp_test::show(injected);
        EXPECT_TRUE(s.fsm().broken());
        EXPECT_FALSE(s.fsm().ready());
        EXPECT_FALSE(s.fsm().tls_active());
    }
}

TEST(SmtpClient, StarttlsReplySplitAcrossReadsIsFine) {
    script s(with_starttls());
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server("250-mx\r\n250 STARTTLS\r\n"));
    ASSERT_TRUE(s.client_writes("STARTTLS\r\n"));
    ASSERT_TRUE(s.server("220 2.0.0 go"));
    ASSERT_TRUE(s.reading());
    ASSERT_TRUE(s.server(" ahead\r\n"));
    ASSERT_TRUE(s.tls_handshake());
    ASSERT_TRUE(s.client_writes(ehlo));
    EXPECT_EQ(s.last().phase, phase::ehlo);
}

TEST(SmtpClient, StarttlsRefusedWhenRequired) {
    script s(with_starttls());
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server("250-mx\r\n250 STARTTLS\r\n"));
    ASSERT_TRUE(s.client_writes("STARTTLS\r\n"));
    ASSERT_TRUE(s.server("454 4.7.0 TLS not available\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_transient));
    EXPECT_FALSE(s.fsm().ready());
}

TEST(SmtpClient, OpportunisticTls) {
    {  // not offered: plaintext
        script s(with_starttls(tls_mode::starttls_opportunistic));
        ASSERT_TRUE(open(s, "250-mx\r\n250 PIPELINING\r\n"));
        EXPECT_FALSE(s.fsm().tls_active());
    }
    {  // offered: used
        script s(with_starttls(tls_mode::starttls_opportunistic));
        ASSERT_TRUE(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250 mx\r\n"));
        ASSERT_TRUE(s.done_ok());
        EXPECT_TRUE(s.fsm().tls_active());
    }
    {  // offered but refused: plaintext
        script s(with_starttls(tls_mode::starttls_opportunistic));
        ASSERT_TRUE(s.start());
        ASSERT_TRUE(s.server(greeting));
        ASSERT_TRUE(s.client_writes(ehlo));
        ASSERT_TRUE(s.server("250-mx\r\n250 STARTTLS\r\n"));
        ASSERT_TRUE(s.client_writes("STARTTLS\r\n"));
        ASSERT_TRUE(s.server("454 4.7.0 no\r\n"));
        ASSERT_TRUE(s.done_ok());
        EXPECT_FALSE(s.fsm().tls_active());
    }
}

TEST(SmtpClient, ImplicitTlsSendsNoStarttls) {
    client_config c = plain();
    c.tls = tls_mode::implicit;
    script s(c);
    ASSERT_TRUE(s.start(true));
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server("250-mx\r\n250 STARTTLS\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_TRUE(s.fsm().tls_active());
}

// ---------------------------------------------------------------------------
// AUTH

client_config with_password(client_config c, std::vector<mechanism> m = {}) {
    c.credentials = credentials::password("user", "pass");
    if (!m.empty()) c.mechanisms = std::move(m);
    return c;
}

TEST(SmtpClient, AuthRefusedOverPlaintext) {
    script s(with_password(plain()));
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server("250-mx\r\n250 AUTH PLAIN LOGIN\r\n"));
    ASSERT_TRUE(s.done_with(errc::plaintext_auth_refused));
    EXPECT_FALSE(s.fsm().ready());
    EXPECT_FALSE(wrote_anything_like(s, "AUTH"));
    EXPECT_FALSE(wrote_anything_like(s, "AHVzZXIAcGFzcw"));
}

TEST(SmtpClient, AuthRefusedOverPlaintextWhenOpportunisticTlsIsMissing) {
    script s(with_password(with_starttls(tls_mode::starttls_opportunistic)));
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server("250-mx\r\n250 AUTH PLAIN LOGIN\r\n"));
    ASSERT_TRUE(s.done_with(errc::plaintext_auth_refused));
    EXPECT_FALSE(wrote_anything_like(s, "AUTH"));
}

TEST(SmtpClient, AuthOverPlaintextWhenExplicitlyAllowed) {
    client_config c = with_password(plain());
    c.allow_plaintext_auth_dangerous = true;
    script s(c);
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server("250-mx\r\n250 AUTH PLAIN LOGIN\r\n"));
    ASSERT_TRUE(s.client_writes("AUTH PLAIN AHVzZXIAcGFzcw==\r\n"));
    EXPECT_EQ(s.last().phase, phase::auth);
    ASSERT_TRUE(s.server("235 2.7.0 Authentication successful\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_TRUE(s.fsm().ready());
}

TEST(SmtpClient, AuthPlainAfterStarttls) {
    script s(with_password(with_starttls()));
    ASSERT_TRUE(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 AUTH LOGIN PLAIN\r\n"));
    ASSERT_TRUE(s.client_writes("AUTH PLAIN AHVzZXIAcGFzcw==\r\n"));
    ASSERT_TRUE(s.server("235 2.7.0 ok\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_TRUE(s.fsm().ready());
}

TEST(SmtpClient, AuthPlainFailure) {
    script s(with_password(with_starttls()));
    ASSERT_TRUE(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 AUTH PLAIN\r\n"));
    ASSERT_TRUE(s.client_writes("AUTH PLAIN AHVzZXIAcGFzcw==\r\n"));
    ASSERT_TRUE(s.server("535 5.7.8 Authentication credentials invalid\r\n"));
    ASSERT_TRUE(s.done_with(errc::auth_failed));
    EXPECT_FALSE(s.fsm().ready());
    const auto& d = s.fsm().diagnostics();
    EXPECT_EQ(d.phase, phase::auth);
    ASSERT_TRUE(d.server_reply);
    EXPECT_EQ(d.server_reply->code(), 535);
    EXPECT_EQ(d.server_reply->enhanced(), (lettre::smtp::enhanced_status{5, 7, 8}));
    EXPECT_NE(d.message.find("credentials invalid"), std::string::npos) << d.message;
}

TEST(SmtpClient, AuthLogin) {
    client_config c = with_starttls();
    c.credentials = credentials::password("tim", "tanstaaftanstaaf");
    c.mechanisms = {mechanism::login};
    script s(c);
    ASSERT_TRUE(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 AUTH PLAIN LOGIN\r\n"));
    ASSERT_TRUE(s.client_writes("AUTH LOGIN\r\n"));
    ASSERT_TRUE(s.server("334 VXNlcm5hbWU6\r\n"));
    ASSERT_TRUE(s.client_writes("dGlt\r\n"));
    ASSERT_TRUE(s.server("334 UGFzc3dvcmQ6\r\n"));
    ASSERT_TRUE(s.client_writes("dGFuc3RhYWZ0YW5zdGFhZg==\r\n"));
    ASSERT_TRUE(s.server("235 2.7.0 ok\r\n"));
    ASSERT_TRUE(s.done_ok());
}

TEST(SmtpClient, AuthLoginFailure) {
    client_config c = with_password(with_starttls(), {mechanism::login});
    script s(c);
    ASSERT_TRUE(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 AUTH LOGIN\r\n"));
    ASSERT_TRUE(s.client_writes("AUTH LOGIN\r\n"));
    ASSERT_TRUE(s.server("334 VXNlcm5hbWU6\r\n"));
    ASSERT_TRUE(s.client_writes("dXNlcg==\r\n"));
    ASSERT_TRUE(s.server("334 UGFzc3dvcmQ6\r\n"));
    ASSERT_TRUE(s.client_writes("cGFzcw==\r\n"));
    ASSERT_TRUE(s.server("535 5.7.8 nope\r\n"));
    ASSERT_TRUE(s.done_with(errc::auth_failed));
}

TEST(SmtpClient, AuthCramMd5WhenNamed) {
    client_config c = with_starttls();
    c.credentials = credentials::password("tim", "tanstaaftanstaaf");
    c.mechanisms = {mechanism::cram_md5};
    script s(c);
    ASSERT_TRUE(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 AUTH CRAM-MD5\r\n"));
    ASSERT_TRUE(s.client_writes("AUTH CRAM-MD5\r\n"));
    ASSERT_TRUE(s.server("334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n"));
    ASSERT_TRUE(s.client_writes("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"));
    ASSERT_TRUE(s.server("235 ok\r\n"));
    ASSERT_TRUE(s.done_ok());
}

TEST(SmtpClient, AuthXoauth2Failure) {
    client_config c = with_starttls();
    c.credentials = credentials::oauth2("someuser@example.com", "tok");
    script s(c);
    ASSERT_TRUE(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 AUTH PLAIN XOAUTH2\r\n"));
    ASSERT_TRUE(s.client_writes("AUTH XOAUTH2 " +
                                b64("user=someuser@example.com\x01"
                                    "auth=Bearer tok\x01\x01") +
                                "\r\n"));
    ASSERT_TRUE(s.server("334 " + b64(R"({"status":"401"})") + "\r\n"));
    ASSERT_TRUE(s.client_writes("\r\n"));
    ASSERT_TRUE(s.server("535 5.7.8 Username and Password not accepted\r\n"));
    ASSERT_TRUE(s.done_with(errc::auth_failed));
}

TEST(SmtpClient, AuthNotOfferedOrNoCommonMechanism) {
    {
        script s(with_password(with_starttls()));
        ASSERT_TRUE(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250 mx\r\n"));
        ASSERT_TRUE(s.done_with(errc::auth_unavailable));
    }
    {
        script s(with_password(with_starttls()));
        ASSERT_TRUE(
            open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 AUTH GSSAPI NTLM\r\n"));
        ASSERT_TRUE(s.done_with(errc::auth_unavailable));
        EXPECT_NE(s.fsm().diagnostics().message.find("GSSAPI"), std::string::npos);
    }
}

/// Runs SCRAM-SHA-256 against a server written in the test. `final` decides
/// how the server proves itself.
enum class scram_end { challenge, in_235, wrong_v, no_proof, refused };

::testing::AssertionResult scram_session(script& s, scram_end how) {
    STEP(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 AUTH PLAIN SCRAM-SHA-256\r\n"));
    if (s.last().what != action_type::write)
        return ::testing::AssertionFailure() << "no AUTH written";
    const std::string first = smtp_test::written(s.last());
    const std::string prefix = "AUTH SCRAM-SHA-256 ";
    if (!first.starts_with(prefix) || !first.ends_with("\r\n"))
        return ::testing::AssertionFailure() << "unexpected " << smtp_test::show(first);
    const std::string client_first =
        unb64(first.substr(prefix.size(), first.size() - prefix.size() - 2));
    if (!client_first.starts_with("n,,n=user,r="))
        return ::testing::AssertionFailure() << "client-first " << smtp_test::show(client_first);
    const std::string bare = client_first.substr(3);
    const std::string nonce = client_first.substr(12);
    STEP(s.client_writes(first));
    const std::string salt = "W22ZaJ0SNY7soEsUEjb6gQ==";
    const std::string server_first =
        "r=" + nonce + "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=" + salt + ",i=4096";
    const auto ref = smtp_test::scram_expect(bare, server_first, "pass", salt, 4096);
    STEP(s.server("334 " + b64(server_first) + "\r\n"));
    STEP(s.client_writes(ref.client_final_b64 + "\r\n"));
    switch (how) {
        case scram_end::challenge:
            STEP(s.server("334 " + ref.server_final_b64 + "\r\n"));
            STEP(s.client_writes("\r\n"));
            STEP(s.server("235 2.7.0 Authentication successful\r\n"));
            break;
        case scram_end::in_235: STEP(s.server("235 2.7.0 " + ref.server_final_b64 + "\r\n")); break;
        case scram_end::wrong_v:
            STEP(s.server("334 " + b64("v=" + b64(std::string(32, 'x'))) + "\r\n"));
            STEP(s.client_writes("*\r\n"));  // cancel (RFC 4954 §4)
            STEP(s.server("501 5.7.0 Authentication cancelled\r\n"));
            break;
        case scram_end::no_proof: STEP(s.server("235 2.7.0 Authentication successful\r\n")); break;
        case scram_end::refused: STEP(s.server("535 5.7.8 Authentication failed\r\n")); break;
    }
    return ::testing::AssertionSuccess();
}

TEST(SmtpClient, AuthScramSha256) {
    script s(with_password(with_starttls()));
    ASSERT_TRUE(scram_session(s, scram_end::challenge));
    ASSERT_TRUE(s.done_ok());
    EXPECT_TRUE(s.fsm().ready());
}

TEST(SmtpClient, AuthScramSha256ProofIn235) {
    script s(with_password(with_starttls()));
    ASSERT_TRUE(scram_session(s, scram_end::in_235));
    ASSERT_TRUE(s.done_ok());
}

TEST(SmtpClient, AuthScramWrongServerProofFails) {
    script s(with_password(with_starttls()));
    ASSERT_TRUE(scram_session(s, scram_end::wrong_v));
    ASSERT_TRUE(s.done_with(errc::auth_failed));
    EXPECT_FALSE(s.fsm().ready());
}

TEST(SmtpClient, AuthScramServerThatNeverProvesItselfFails) {
    script s(with_password(with_starttls()));
    ASSERT_TRUE(scram_session(s, scram_end::no_proof));
    ASSERT_TRUE(s.done_with(errc::auth_failed));
    EXPECT_FALSE(s.fsm().ready());
}

TEST(SmtpClient, AuthScramRefused) {
    script s(with_password(with_starttls()));
    ASSERT_TRUE(scram_session(s, scram_end::refused));
    ASSERT_TRUE(s.done_with(errc::auth_failed));
    ASSERT_TRUE(s.fsm().diagnostics().server_reply);
    EXPECT_EQ(s.fsm().diagnostics().server_reply->code(), 535);
}

// ---------------------------------------------------------------------------
// Transactions

TEST(SmtpClient, SimpleTransaction) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    const auto e = env2();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    EXPECT_EQ(s.last().phase, phase::mail);
    ASSERT_TRUE(s.server("250 2.1.0 Ok\r\n"));
    ASSERT_TRUE(s.client_writes("RCPT TO:<a@example.org>\r\n"));
    EXPECT_EQ(s.last().phase, phase::rcpt);
    ASSERT_TRUE(s.server("250 2.1.5 Ok\r\n"));
    ASSERT_TRUE(s.client_writes("RCPT TO:<b@example.net>\r\n"));
    ASSERT_TRUE(s.server("250 2.1.5 Ok\r\n"));
    ASSERT_TRUE(s.client_writes("DATA\r\n"));
    EXPECT_EQ(s.last().phase, phase::data);
    ASSERT_TRUE(s.server("354 End data with <CR><LF>.<CR><LF>\r\n"));
    ASSERT_TRUE(s.client_writes(framed_message));
    EXPECT_EQ(s.last().phase, phase::data_final);  // the driver's outcome_unknown depends on it
    ASSERT_TRUE(s.server("250 2.0.0 Ok: queued as 12345\r\n"));
    ASSERT_TRUE(s.done_ok());
    const auto& r = s.fsm().report();
    EXPECT_EQ(r.final_reply.code(), 250);
    EXPECT_EQ(r.final_reply.message(), "Ok: queued as 12345");
    ASSERT_EQ(r.recipients.size(), 2u);
    EXPECT_EQ(r.accepted().size(), 2u);
    EXPECT_TRUE(r.refused().empty());
    EXPECT_TRUE(s.fsm().ready());

    // A second transaction on the same session.
    const auto e1 = env1();
    s.set(s.fsm().start_send(e1, "x", false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.client_writes("RCPT TO:<a@example.org>\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.client_writes("DATA\r\n"));
    ASSERT_TRUE(s.server("354 go\r\n"));
    ASSERT_TRUE(s.client_writes("x\r\n.\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_EQ(s.fsm().report().recipients.size(), 1u);
}

TEST(SmtpClient, NullReversePath) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    const auto e = envelope::create(std::nullopt, {address::parse("a@example.org")});
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<>\r\n"));
}

TEST(SmtpClient, Pipelining) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e = env2();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nRCPT "
                        "TO:<b@example.net>\r\nDATA\r\n"));
    ASSERT_TRUE(s.server("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 go\r\n"));
    ASSERT_TRUE(s.client_writes(framed_message));
    EXPECT_EQ(s.last().phase, phase::data_final);
    ASSERT_TRUE(s.server("250 2.0.0 queued\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_EQ(s.fsm().report().accepted().size(), 2u);
}

TEST(SmtpClient, PipelinedRepliesByteAtATimeAreMatchedInOrder) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e =
        envelope::create(address::parse("from@example.com"),
                         {address::parse("a@example.org"), address::parse("b@example.net"),
                          address::parse("c@example.com")});
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\n"
                        "RCPT TO:<b@example.net>\r\nRCPT TO:<c@example.com>\r\nDATA\r\n"));
    ASSERT_TRUE(
        s.server_bytewise("250 Ok\r\n250 a ok\r\n550-5.1.1 first\r\n550 5.1.1 b unknown\r\n"
                          "250 c ok\r\n"));
    ASSERT_TRUE(s.reading());  // DATA's reply is still to come
    ASSERT_TRUE(s.server_bytewise("354 go\r\n"));
    ASSERT_TRUE(s.client_writes(framed_message));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.done_ok());
    const auto& r = s.fsm().report();
    ASSERT_EQ(r.recipients.size(), 3u);
    EXPECT_EQ(r.recipients[0].recipient, address::parse("a@example.org"));
    EXPECT_EQ(r.recipients[0].reply.code(), 250);
    EXPECT_EQ(r.recipients[1].recipient, address::parse("b@example.net"));
    EXPECT_EQ(r.recipients[1].reply.code(), 550);
    EXPECT_EQ(r.recipients[1].reply.message(), "first\nb unknown");
    EXPECT_EQ(r.recipients[2].recipient, address::parse("c@example.com"));
    EXPECT_EQ(r.recipients[2].reply.message(), "c ok");
}

TEST(SmtpClient, PipeliningDisabledByConfig) {
    client_config c = plain();
    c.pipelining = false;
    script s(c);
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
}

TEST(SmtpClient, SomeRecipientsRefusedPipelined) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e = env2();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nRCPT "
                        "TO:<b@example.net>\r\nDATA\r\n"));
    ASSERT_TRUE(
        s.server("250 Ok\r\n550 5.1.1 <a@example.org>: user unknown\r\n250 Ok\r\n354 go\r\n"));
    ASSERT_TRUE(s.client_writes(framed_message));
    ASSERT_TRUE(s.server("250 2.0.0 queued\r\n"));
    ASSERT_TRUE(s.done_ok());
    const auto& r = s.fsm().report();
    ASSERT_EQ(r.refused().size(), 1u);
    EXPECT_EQ(r.refused()[0].recipient, address::parse("a@example.org"));
    EXPECT_EQ(r.refused()[0].reply.code(), 550);
    EXPECT_EQ(r.refused()[0].reply.enhanced(), (lettre::smtp::enhanced_status{5, 1, 1}));
    ASSERT_EQ(r.accepted().size(), 1u);
    EXPECT_EQ(r.accepted()[0], address::parse("b@example.net"));
}

TEST(SmtpClient, SomeRecipientsRefusedOneAtATime) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    const auto e = env2();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.client_writes("RCPT TO:<a@example.org>\r\n"));
    ASSERT_TRUE(s.server("450 4.2.1 mailbox busy\r\n"));
    ASSERT_TRUE(s.client_writes("RCPT TO:<b@example.net>\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.client_writes("DATA\r\n"));
    ASSERT_TRUE(s.server("354 go\r\n"));
    ASSERT_TRUE(s.client_writes(framed_message));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.done_ok());
    const auto refused = s.fsm().report().refused();
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_EQ(refused[0].reply.code(), 450);
    EXPECT_TRUE(refused[0].reply.transient());
}

void expect_all_refused(const script& s) {
    const auto& d = s.fsm().diagnostics();
    ASSERT_EQ(d.recipients.size(), 2u);
    EXPECT_FALSE(d.recipients[0].accepted());
    EXPECT_FALSE(d.recipients[1].accepted());
    EXPECT_EQ(d.recipients[0].reply.code(), 550);
    EXPECT_EQ(d.recipients[1].reply.code(), 551);
    EXPECT_FALSE(wrote_anything_like(s, "Hello"));  // no message data went out
    EXPECT_TRUE(s.fsm().ready());                   // the session survives
    EXPECT_FALSE(s.fsm().broken());
}

TEST(SmtpClient, AllRecipientsRefusedPipelined) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e = env2();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nRCPT "
                        "TO:<b@example.net>\r\nDATA\r\n"));
    ASSERT_TRUE(s.server(
        "250 Ok\r\n550 5.1.1 no a\r\n551 5.1.6 no b\r\n554 5.5.1 no valid recipients\r\n"));
    ASSERT_TRUE(s.client_writes("RSET\r\n"));
    ASSERT_TRUE(s.server("250 2.0.0 Ok\r\n"));
    ASSERT_TRUE(s.done_with(errc::no_recipient_accepted));
    expect_all_refused(s);
}

TEST(SmtpClient, AllRecipientsRefusedOneAtATime) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    const auto e = env2();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.client_writes("RCPT TO:<a@example.org>\r\n"));
    ASSERT_TRUE(s.server("550 no a\r\n"));
    ASSERT_TRUE(s.client_writes("RCPT TO:<b@example.net>\r\n"));
    ASSERT_TRUE(s.server("551 no b\r\n"));
    ASSERT_TRUE(s.client_writes("RSET\r\n"));  // no DATA at all
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.done_with(errc::no_recipient_accepted));
    expect_all_refused(s);
    EXPECT_FALSE(wrote_anything_like(s, "DATA"));
}

TEST(SmtpClient, DataAcceptedAfterAllRecipientsRefused) {
    // RFC 2920 §3.1: the server may answer DATA with 354 although no RCPT
    // succeeded; the client then sends only the terminating dot, then RSET.
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e = env2();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nRCPT "
                        "TO:<b@example.net>\r\nDATA\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n550 no a\r\n551 no b\r\n354 go ahead\r\n"));
    ASSERT_TRUE(s.client_writes(".\r\n"));
    ASSERT_TRUE(s.server("554 5.5.1 Error: no valid recipients\r\n"));
    ASSERT_TRUE(s.client_writes("RSET\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.done_with(errc::no_recipient_accepted));
    expect_all_refused(s);
}

TEST(SmtpClient, MailRefusedPermanent) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    ASSERT_TRUE(s.server("553 5.7.1 sender rejected\r\n"));
    ASSERT_TRUE(s.client_writes("RSET\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_permanent));
    const auto& d = s.fsm().diagnostics();
    ASSERT_TRUE(d.server_reply);
    EXPECT_EQ(d.server_reply->code(), 553);
    EXPECT_NE(d.message.find("sender rejected"), std::string::npos);
    EXPECT_FALSE(wrote_anything_like(s, "RCPT"));
    EXPECT_TRUE(s.fsm().ready());
}

// The diagnostics name the step that failed (the MAIL FROM), not the RSET
// that the client sent afterwards to clean up.
// (Regression: the phase used to be overwritten with the RSET's.)
TEST(SmtpClient, MailRefusedDiagnosticsPhaseIsMail) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    ASSERT_TRUE(s.server("553 5.7.1 sender rejected\r\n"));
    ASSERT_TRUE(s.client_writes("RSET\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_permanent));
    EXPECT_EQ(lettre::smtp::phase_name(s.fsm().diagnostics().phase),
              lettre::smtp::phase_name(phase::mail));
}

TEST(SmtpClient, MailRefusedTransient) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    ASSERT_TRUE(s.server("451 4.7.1 greylisted, try again\r\n"));
    ASSERT_TRUE(s.client_writes("RSET\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_transient));
    ASSERT_TRUE(s.fsm().diagnostics().server_reply);
    EXPECT_EQ(s.fsm().diagnostics().server_reply->code(), 451);
}

TEST(SmtpClient, MailRefusedPipelined) {
    for (const bool permanent : {false, true}) {
        script s(plain());
        ASSERT_TRUE(open(s, ehlo_pipelining));
        const auto e = env1();
        s.set(s.fsm().start_send(e, message, false));
        ASSERT_TRUE(
            s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n"));
        ASSERT_TRUE(s.server(std::string(permanent ? "550 5.7.1 no\r\n" : "452 4.3.1 full\r\n") +
                             "503 5.5.1 need MAIL\r\n503 5.5.1 need RCPT\r\n"));
        ASSERT_TRUE(s.client_writes("RSET\r\n"));
        ASSERT_TRUE(s.server("250 Ok\r\n"));
        ASSERT_TRUE(s.done_with(permanent ? errc::smtp_permanent : errc::smtp_transient));
        ASSERT_TRUE(s.fsm().diagnostics().server_reply);
        EXPECT_EQ(s.fsm().diagnostics().server_reply->code(), permanent ? 550 : 452);
    }
}

TEST(SmtpClient, MailRefusedPipelinedButDataAccepted) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n"));
    ASSERT_TRUE(s.server("550 5.7.1 no\r\n250 ok?\r\n354 go\r\n"));
    ASSERT_TRUE(s.client_writes(".\r\n"));
    ASSERT_TRUE(s.server("503 no transaction\r\n"));
    ASSERT_TRUE(s.client_writes("RSET\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_permanent));
    EXPECT_FALSE(wrote_anything_like(s, "Hello"));
}

TEST(SmtpClient, DataCommandRefused) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.client_writes("RCPT TO:<a@example.org>\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.client_writes("DATA\r\n"));
    ASSERT_TRUE(s.server("554 5.7.0 not now\r\n"));
    ASSERT_TRUE(s.client_writes("RSET\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_permanent));
    EXPECT_FALSE(wrote_anything_like(s, "Hello"));
}

TEST(SmtpClient, DataRefusedPipelined) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n250 ok\r\n451 4.3.0 local error\r\n"));
    ASSERT_TRUE(s.client_writes("RSET\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_transient));
}

TEST(SmtpClient, FinalReplyRefusedKeepsSessionUsable) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e = env2();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nRCPT "
                        "TO:<b@example.net>\r\nDATA\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n250 Ok\r\n250 Ok\r\n354 go\r\n"));
    ASSERT_TRUE(s.client_writes(framed_message));
    ASSERT_TRUE(s.server("554 5.7.1 Message rejected as spam\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_permanent));
    const auto& d = s.fsm().diagnostics();
    EXPECT_EQ(d.phase, phase::data_final);
    ASSERT_TRUE(d.server_reply);
    EXPECT_EQ(d.server_reply->code(), 554);
    EXPECT_EQ(d.recipients.size(), 2u);
    EXPECT_TRUE(s.fsm().ready());
    EXPECT_FALSE(s.fsm().broken());
    // No RSET needed: the transaction ended with the reply to the dot.
    EXPECT_FALSE(wrote_anything_like(s, "RSET"));

    // Another message on the same session.
    const auto e1 = env1();
    s.set(s.fsm().start_send(e1, "y\r\n", false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n250 Ok\r\n354 go\r\n"));
    ASSERT_TRUE(s.client_writes("y\r\n.\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n"));
    ASSERT_TRUE(s.done_ok());
}

TEST(SmtpClient, FinalReplyTransient) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n"));
    ASSERT_TRUE(s.server("250 Ok\r\n250 Ok\r\n354 go\r\n"));
    ASSERT_TRUE(s.client_writes(framed_message));
    ASSERT_TRUE(s.server("452 4.3.1 Insufficient system storage\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_transient));
}

// ---------------------------------------------------------------------------
// 421 at any point: the session is over (RFC 5321 §3.8).

struct step421 {
    const char* name;
    client_config cfg;
    std::function<::testing::AssertionResult(script&)> reach;
};

const envelope& env_static() {
    static const envelope e = env2();
    return e;
}

::testing::AssertionResult to_mail(script& s, const std::string& ehlo_reply) {
    STEP(open(s, ehlo_reply));
    s.set(s.fsm().start_send(env_static(), message, false));
    return ::testing::AssertionSuccess();
}

std::vector<step421> steps421() {
    client_config chunk = plain();
    chunk.chunking = true;
    client_config auth = with_password(with_starttls(), {mechanism::login});
    return {
        {"greeting", plain(), [](script& s) { return s.start(); }},
        {"ehlo", plain(),
         [](script& s) {
             STEP(s.start());
             STEP(s.server(greeting));
             return s.client_writes(ehlo);
         }},
        {"helo", plain(),
         [](script& s) {
             STEP(s.start());
             STEP(s.server(greeting));
             STEP(s.client_writes(ehlo));
             STEP(s.server("500 no\r\n"));
             return s.client_writes("HELO client.example\r\n");
         }},
        {"starttls", with_starttls(),
         [](script& s) {
             STEP(s.start());
             STEP(s.server(greeting));
             STEP(s.client_writes(ehlo));
             STEP(s.server("250-mx\r\n250 STARTTLS\r\n"));
             return s.client_writes("STARTTLS\r\n");
         }},
        {"ehlo_after_tls", with_starttls(),
         [](script& s) {
             STEP(s.start());
             STEP(s.server(greeting));
             STEP(s.client_writes(ehlo));
             STEP(s.server("250-mx\r\n250 STARTTLS\r\n"));
             STEP(s.client_writes("STARTTLS\r\n"));
             STEP(s.server("220 go\r\n"));
             STEP(s.tls_handshake());
             return s.client_writes(ehlo);
         }},
        {"auth", auth,
         [](script& s) {
             STEP(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 AUTH LOGIN\r\n"));
             STEP(s.client_writes("AUTH LOGIN\r\n"));
             STEP(s.server("334 VXNlcm5hbWU6\r\n"));
             return s.client_writes("dXNlcg==\r\n");
         }},
        {"mail", plain(),
         [](script& s) {
             STEP(to_mail(s, ehlo_basic));
             return s.client_writes("MAIL FROM:<from@example.com>\r\n");
         }},
        {"rcpt", plain(),
         [](script& s) {
             STEP(to_mail(s, ehlo_basic));
             STEP(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
             STEP(s.server("250 ok\r\n"));
             return s.client_writes("RCPT TO:<a@example.org>\r\n");
         }},
        {"second_rcpt", plain(),
         [](script& s) {
             STEP(to_mail(s, ehlo_basic));
             STEP(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
             STEP(s.server("250 ok\r\n"));
             STEP(s.client_writes("RCPT TO:<a@example.org>\r\n"));
             STEP(s.server("250 ok\r\n"));
             return s.client_writes("RCPT TO:<b@example.net>\r\n");
         }},
        {"data", plain(),
         [](script& s) {
             STEP(to_mail(s, ehlo_basic));
             STEP(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
             STEP(s.server("250 ok\r\n"));
             STEP(s.client_writes("RCPT TO:<a@example.org>\r\n"));
             STEP(s.server("250 ok\r\n"));
             STEP(s.client_writes("RCPT TO:<b@example.net>\r\n"));
             STEP(s.server("250 ok\r\n"));
             return s.client_writes("DATA\r\n");
         }},
        {"pipelined_batch", plain(),
         [](script& s) {
             STEP(to_mail(s, ehlo_pipelining));
             STEP(
                 s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\n"
                                 "RCPT TO:<b@example.net>\r\nDATA\r\n"));
             return s.server("250 ok\r\n");
         }},
        {"data_final", plain(),
         [](script& s) {
             STEP(to_mail(s, ehlo_pipelining));
             STEP(
                 s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\n"
                                 "RCPT TO:<b@example.net>\r\nDATA\r\n"));
             STEP(s.server("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"));
             return s.client_writes(framed_message);
         }},
        {"bdat_final", chunk,
         [](script& s) {
             STEP(to_mail(s, "250-mx\r\n250 CHUNKING\r\n"));
             STEP(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
             STEP(s.server("250 ok\r\n"));
             STEP(s.client_writes("RCPT TO:<a@example.org>\r\n"));
             STEP(s.server("250 ok\r\n"));
             STEP(s.client_writes("RCPT TO:<b@example.net>\r\n"));
             STEP(s.server("250 ok\r\n"));
             if (s.last().what != action_type::write)
                 return ::testing::AssertionFailure() << "no BDAT";
             return s.client_writes(smtp_test::written(s.last()));
         }},
        {"rset_after_failure", plain(),
         [](script& s) {
             STEP(to_mail(s, ehlo_basic));
             STEP(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
             STEP(s.server("550 no\r\n"));
             return s.client_writes("RSET\r\n");
         }},
        {"rset", plain(),
         [](script& s) {
             STEP(open(s, ehlo_basic));
             s.set(s.fsm().start_rset());
             return s.client_writes("RSET\r\n");
         }},
        {"noop", plain(),
         [](script& s) {
             STEP(open(s, ehlo_basic));
             s.set(s.fsm().start_noop());
             return s.client_writes("NOOP\r\n");
         }},
    };
}

TEST(SmtpClient, ServiceClosing421AtEveryStep) {
    for (auto& st : steps421()) {
        SCOPED_TRACE(st.name);
        script s(st.cfg);
        ASSERT_TRUE(st.reach(s));
        ASSERT_TRUE(s.reading());
        ASSERT_TRUE(s.server("421 4.3.2 Service shutting down\r\n"));
        ASSERT_TRUE(s.done_with(errc::smtp_transient));
        EXPECT_TRUE(s.fsm().broken());
        EXPECT_FALSE(s.fsm().ready());
        ASSERT_TRUE(s.fsm().diagnostics().server_reply);
        EXPECT_EQ(s.fsm().diagnostics().server_reply->code(), 421);
        // Nothing more is written on a closing connection.
        EXPECT_FALSE(wrote_anything_like(s, "QUIT"));
    }
}

TEST(SmtpClient, GarbageReplyAtEveryStepBreaksTheSession) {
    for (auto& st : steps421()) {
        SCOPED_TRACE(st.name);
        script s(st.cfg);
        ASSERT_TRUE(st.reach(s));
        ASSERT_TRUE(s.server("HTTP/1.1 400 Bad Request\r\n"));
        ASSERT_TRUE(s.done_with(errc::smtp_protocol));
        EXPECT_TRUE(s.fsm().broken());
    }
}

TEST(SmtpClient, OverLongReplyLineBreaksTheSession) {
    script s(plain());
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    const std::string chunk(1024, 'x');
    ASSERT_TRUE(s.server("250-"));
    for (int i = 0; i < 64 && s.last().what == action_type::read; ++i) ASSERT_TRUE(s.server(chunk));
    ASSERT_TRUE(s.done_with(errc::smtp_protocol));
    EXPECT_TRUE(s.fsm().broken());
}

// ---------------------------------------------------------------------------
// Extensions

TEST(SmtpClient, SizeExceededBeforeMail) {
    script s(plain());
    ASSERT_TRUE(open(s, "250-mx\r\n250 SIZE 20\r\n"));
    const auto e = env1();
    s.set(s.fsm().start_send(e, std::string(100, 'x'), false));
    ASSERT_TRUE(s.done_with(errc::message_too_big));
    EXPECT_FALSE(wrote_anything_like(s, "MAIL"));
    EXPECT_TRUE(s.fsm().ready());  // nothing was sent; the session is fine
}

TEST(SmtpClient, SizeParameterDeclared) {
    script s(plain());
    ASSERT_TRUE(open(s, "250-mx\r\n250 SIZE 1000000\r\n"));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    auto w = s.take_write();
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->starts_with("MAIL FROM:<from@example.com> SIZE=")) << *w;
    const std::size_t declared = std::stoul(w->substr(w->find("SIZE=") + 5));
    // RFC 1870 §3: the size counts CRLF pairs but not the dot-stuffing nor
    // the terminating "." line. An estimate may be a little larger, never smaller.
    EXPECT_GE(declared, message.size());
    EXPECT_LE(declared, message.size() + 8);
}

// RFC 1870 §3/§6.1: a message whose size (CRLFs counted, no dot-stuffing and
// no terminating ".") equals the server's SIZE fits and must be sent.
// (Regression: the framed size, dot-stuffing and ".\r\n" included, was used.)
TEST(SmtpClient, SizeExactlyAtTheLimitIsSent) {
    const std::string m = "Subject: x\r\n\r\n.abc\r\n";  // 21 octets
    script s(plain());
    ASSERT_TRUE(open(s, "250-mx\r\n250 SIZE " + std::to_string(m.size()) + "\r\n"));
    const auto e = env1();
    s.set(s.fsm().start_send(e, m, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com> SIZE=" + std::to_string(m.size()) + "\r\n"));
}

TEST(SmtpClient, SizeZeroMeansNoLimit) {
    script s(plain());
    ASSERT_TRUE(open(s, "250-mx\r\n250 SIZE\r\n"));
    const auto e = env1();
    s.set(s.fsm().start_send(e, std::string(100000, 'x'), false));
    auto w = s.take_write();
    ASSERT_TRUE(w);
    EXPECT_TRUE(w->starts_with("MAIL FROM:<from@example.com>")) << *w;
}

TEST(SmtpClient, Smtputf8NeededButNotOffered) {
    {
        script s(plain());
        ASSERT_TRUE(open(s, "250-mx\r\n250 8BITMIME\r\n"));
        const auto e = env1();
        s.set(s.fsm().start_send(e, message, true));
        ASSERT_TRUE(s.done_with(errc::smtputf8_unavailable));
        EXPECT_FALSE(wrote_anything_like(s, "MAIL"));
    }
    {
        script s(plain());
        ASSERT_TRUE(open(s, "250-mx\r\n250-PIPELINING\r\n250 8BITMIME\r\n"));
        const auto e = envelope::create(address::parse("from@example.com"),
                                        {address::parse("zo\xc3\xab@example.org")});
        s.set(s.fsm().start_send(e, message, false));
        ASSERT_TRUE(s.done_with(errc::smtputf8_unavailable));
        EXPECT_FALSE(wrote_anything_like(s, "MAIL"));
    }
}

TEST(SmtpClient, EightBitMessageNeedsEightBitMime) {
    const std::string eight_bit = "Subject: x\r\n\r\ncaf\xc3\xa9\r\n";
    {
        // RFC 6152: no 8-bit data to a server that does not offer 8BITMIME.
        script s(plain());
        ASSERT_TRUE(open(s, "250-mx\r\n250 PIPELINING\r\n"));
        const auto e = env1();
        s.set(s.fsm().start_send(e, eight_bit, false));
        ASSERT_TRUE(s.done_with(errc::eight_bit_unavailable));
        EXPECT_FALSE(wrote_anything_like(s, "MAIL"));
        EXPECT_TRUE(s.fsm().ready());  // nothing was sent: the session goes on
        s.set(s.fsm().start_send(e, message, false));
        auto w = s.take_write();
        ASSERT_TRUE(w);
        EXPECT_TRUE(w->starts_with("MAIL FROM:<from@example.com>\r\n")) << *w;
    }
    {
        script s(plain());
        ASSERT_TRUE(open(s, "250-mx\r\n250 8BITMIME\r\n"));
        const auto e = env1();
        s.set(s.fsm().start_send(e, eight_bit, false));
        ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com> BODY=8BITMIME\r\n"));
    }
}

TEST(SmtpClient, Smtputf8Offered) {
    script s(plain());
    ASSERT_TRUE(open(s, "250-mx\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n"));
    const auto e = envelope::create(address::parse("j\xc3\xb6rg@example.com"),
                                    {address::parse("zo\xc3\xab@example.org")});
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<j\xc3\xb6rg@example.com> BODY=8BITMIME SMTPUTF8\r\n"
                        "RCPT TO:<zo\xc3\xab@example.org>\r\nDATA\r\n"));
}

TEST(SmtpClient, EightBitMime) {
    const std::string eight = "Subject: caf\xc3\xa9\r\n\r\ncaf\xc3\xa9\r\n";
    {  // offered and needed
        script s(plain());
        ASSERT_TRUE(open(s, "250-mx\r\n250 8BITMIME\r\n"));
        const auto e = env1();
        s.set(s.fsm().start_send(e, eight, false));
        ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com> BODY=8BITMIME\r\n"));
    }
    {  // offered, not needed
        script s(plain());
        ASSERT_TRUE(open(s, "250-mx\r\n250 8BITMIME\r\n"));
        const auto e = env1();
        s.set(s.fsm().start_send(e, message, false));
        ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    }
}

client_config with_dsn(client_config c) {
    lettre::smtp::dsn_request d;
    d.ret = lettre::smtp::dsn_request::return_content::headers;
    d.envid = "QQ314159 x";
    d.notify_failure = true;
    d.notify_delay = true;
    c.dsn = d;
    return c;
}

TEST(SmtpClient, DsnParametersWhenOffered) {
    script s(with_dsn(plain()));
    ASSERT_TRUE(open(s, "250-mx\r\n250-PIPELINING\r\n250 DSN\r\n"));
    const auto e = env2();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com> RET=HDRS ENVID=QQ314159+20x\r\n"
                        "RCPT TO:<a@example.org> NOTIFY=FAILURE,DELAY\r\n"
                        "RCPT TO:<b@example.net> NOTIFY=FAILURE,DELAY\r\nDATA\r\n"));
}

TEST(SmtpClient, DsnParametersDroppedWhenNotOffered) {
    script s(with_dsn(plain()));
    ASSERT_TRUE(open(s, ehlo_basic));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.client_writes("RCPT TO:<a@example.org>\r\n"));
}

TEST(SmtpClient, RequireTls) {
    client_config c = with_starttls();
    c.requiretls = true;
    {
        script s(c);
        ASSERT_TRUE(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250-mx\r\n250 REQUIRETLS\r\n"));
        ASSERT_TRUE(s.done_ok());
        const auto e = env1();
        s.set(s.fsm().start_send(e, message, false));
        ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com> REQUIRETLS\r\n"));
    }
    {
        script s(c);
        ASSERT_TRUE(open_tls(s, "250-mx\r\n250 STARTTLS\r\n", "250 mx\r\n"));
        ASSERT_TRUE(s.done_ok());
        const auto e = env1();
        s.set(s.fsm().start_send(e, message, false));
        EXPECT_EQ(s.last().what, action_type::done);
        EXPECT_TRUE(s.last().error);
        EXPECT_FALSE(wrote_anything_like(s, "MAIL"));
    }
}

// RFC 8689 §4.1: a message sent with REQUIRETLS must travel over TLS; the
// client may not send it (nor the REQUIRETLS parameter) on a plaintext
// session, even if a (non-compliant or forged) plaintext EHLO offers it.
TEST(SmtpClient, RequireTlsIsNeverSentInPlaintext) {
    client_config c = plain();
    c.requiretls = true;
    script s(c);
    ASSERT_TRUE(open(s, "250-mx\r\n250 REQUIRETLS\r\n"));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    EXPECT_EQ(s.last().what, action_type::done);
    EXPECT_TRUE(s.last().error);
    EXPECT_FALSE(wrote_anything_like(s, "MAIL"));
}

TEST(SmtpClient, BdatWhenChunkingEnabledAndOffered) {
    client_config c = plain();
    c.chunking = true;
    script s(c);
    ASSERT_TRUE(open(s, "250-mx\r\n250 CHUNKING\r\n"));
    const auto e = env1();
    const std::string m = "Subject: x\n\n.not stuffed\nend";  // bare LFs, a leading dot
    // CRLF-normalized, not dot-stuffed, and ending with a line break (as DATA does).
    const std::string body = "Subject: x\r\n\r\n.not stuffed\r\nend\r\n";
    s.set(s.fsm().start_send(e, m, false));
    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.client_writes("RCPT TO:<a@example.org>\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.client_writes("BDAT " + std::to_string(body.size()) + " LAST\r\n" + body));
    EXPECT_EQ(s.last().phase, phase::data_final);
    ASSERT_TRUE(s.server("250 2.0.0 queued\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_FALSE(wrote_anything_like(s, "DATA"));
}

TEST(SmtpClient, BdatPipelined) {
    client_config c = plain();
    c.chunking = true;
    script s(c);
    ASSERT_TRUE(open(s, "250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n"));
    const auto e = env2();
    s.set(s.fsm().start_send(e, "hi\r\n", false));
    // One group, one round trip (RFC 3030 §4.2).
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nRCPT "
                        "TO:<b@example.net>\r\nBDAT 4 LAST\r\nhi\r\n"));
    EXPECT_EQ(s.last().phase, phase::data_final);
    ASSERT_TRUE(s.server("250 ok\r\n550 no\r\n250 ok\r\n554 5.6.0 rejected\r\n"));
    // RFC 3030 §2: after a refused BDAT the state is indeterminate until RSET.
    ASSERT_TRUE(s.client_writes("RSET\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_permanent));
    EXPECT_EQ(s.fsm().diagnostics().phase, phase::data_final);
    EXPECT_EQ(s.fsm().diagnostics().recipients.size(), 2u);
}

// Large messages go out from the caller's buffer in pieces (no copy) when
// they need no rewriting; the bytes on the wire must be the same as framed.
std::string large_message(std::string_view line_end, bool dot_line, bool final_break) {
    std::string m = "Subject: large\r\n\r\n";
    for (int i = 0; m.size() < 40000; ++i) {
        m += (dot_line && i == 300) ? ".dot line" : "0123456789 abcdefghij 0123456789";
        m += line_end;
    }
    m += "end";
    if (final_break) m += line_end;
    return m;
}

TEST(SmtpClient, LargeMessagesAreFramedTheSameInPieces) {
    for (const bool chunking : {false, true}) {
        for (const std::string_view end : {std::string_view("\r\n"), std::string_view("\n")}) {
            for (const bool dot_line : {false, true}) {
                for (const bool final_break : {false, true}) {
                    const std::string m = large_message(end, dot_line, final_break);
                    client_config c = plain();
                    c.chunking = chunking;
                    script s(c);
                    ASSERT_TRUE(open(s, chunking ? "250-mx\r\n250 CHUNKING\r\n" : ehlo_basic));
                    const auto e = env1();
                    s.set(s.fsm().start_send(e, m, false));
                    ASSERT_TRUE(s.client_writes("MAIL FROM:<from@example.com>\r\n"));
                    ASSERT_TRUE(s.server("250 ok\r\n"));
                    ASSERT_TRUE(s.client_writes("RCPT TO:<a@example.org>\r\n"));
                    ASSERT_TRUE(s.server("250 ok\r\n"));
                    std::string want;
                    if (chunking) {
                        std::string body;
                        lettre::smtp::normalize_crlf(body, m);
                        if (!body.ends_with("\r\n")) body += "\r\n";
                        want = "BDAT " + std::to_string(body.size()) + " LAST\r\n" + body;
                    } else {
                        ASSERT_TRUE(s.client_writes("DATA\r\n"));
                        ASSERT_TRUE(s.server("354 go\r\n"));
                        lettre::smtp::frame_data(want, m);
                    }
                    // The fast path is taken exactly when nothing needs rewriting.
                    const bool in_place = end == "\r\n" && (chunking || !dot_line);
                    EXPECT_EQ(!s.last().more[0].empty(), in_place)
                        << "chunking " << chunking << " dot " << dot_line;
                    ASSERT_TRUE(s.client_writes(want));
                    EXPECT_EQ(s.last().phase, phase::data_final);
                    ASSERT_TRUE(s.server("250 ok\r\n"));
                    ASSERT_TRUE(s.done_ok());
                }
            }
        }
    }
}

TEST(SmtpClient, BdatAllRecipientsRefused) {
    client_config c = plain();
    c.chunking = true;
    script s(c);
    ASSERT_TRUE(open(s, "250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n"));
    const auto e = env1();
    s.set(s.fsm().start_send(e, "hi\r\n", false));
    // The message goes with MAIL and RCPT; the server discards it when no
    // recipient was taken (RFC 3030 §4.2).
    ASSERT_TRUE(s.client_writes(
        "MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nBDAT 4 LAST\r\nhi\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n550 no\r\n554 no valid recipients\r\n"));
    ASSERT_TRUE(s.client_writes("RSET\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.done_with(errc::no_recipient_accepted));
    EXPECT_EQ(s.fsm().diagnostics().phase, phase::rcpt);
}

TEST(SmtpClient, ChunkingEnabledButNotOfferedUsesData) {
    client_config c = plain();
    c.chunking = true;
    script s(c);
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n"));
}

TEST(SmtpClient, ChunkingOfferedButNotEnabledUsesData) {
    script s(plain());
    ASSERT_TRUE(open(s, "250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n"));
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n"));
}

// ---------------------------------------------------------------------------
// RSET, NOOP, QUIT, misuse

TEST(SmtpClient, Quit) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    s.set(s.fsm().start_quit());
    ASSERT_TRUE(s.client_writes("QUIT\r\n"));
    EXPECT_EQ(s.last().phase, phase::quit);
    ASSERT_TRUE(s.server("221 2.0.0 Bye\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_FALSE(s.fsm().ready());
}

TEST(SmtpClient, QuitAnswered421IsStillFine) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    s.set(s.fsm().start_quit());
    ASSERT_TRUE(s.client_writes("QUIT\r\n"));
    ASSERT_TRUE(s.server("421 closing\r\n"));
    ASSERT_TRUE(s.done_ok());
}

TEST(SmtpClient, RsetAndNoop) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    s.set(s.fsm().start_rset());
    ASSERT_TRUE(s.client_writes("RSET\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.done_ok());
    s.set(s.fsm().start_noop());
    ASSERT_TRUE(s.client_writes("NOOP\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n"));
    ASSERT_TRUE(s.done_ok());
    s.set(s.fsm().start_noop());
    ASSERT_TRUE(s.client_writes("NOOP\r\n"));
    ASSERT_TRUE(s.server("500 what\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_permanent));
    EXPECT_TRUE(s.fsm().broken());
}

TEST(SmtpClient, UnexpectedReplyWhileIdle) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    // The client is idle; a driver that keeps reading hands it stray bytes.
    s.set({action_type::read, {}, phase::noop, {}});
    ASSERT_TRUE(s.server("250 surprise\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_protocol));
    EXPECT_TRUE(s.fsm().broken());
}

TEST(SmtpClient, SendBeforeSessionIsReady) {
    script s(plain());
    const auto e = env1();
    s.set(s.fsm().start_send(e, message, false));
    EXPECT_EQ(s.last().what, action_type::done);
    EXPECT_TRUE(s.last().error);
    EXPECT_TRUE(s.trace().size() == 1);  // only the "done"
}

TEST(SmtpClient, EnvelopeWithoutRecipients) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_basic));
    const envelope e;  // default: no recipient
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(s.done_with(errc::missing_recipient));
    EXPECT_FALSE(wrote_anything_like(s, "MAIL"));
}

TEST(SmtpClient, WholeSessionByteAtATime) {
    client_config c = with_password(with_starttls(), {mechanism::plain});
    script s(c);
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server_bytewise(greeting));
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server_bytewise("250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n"));
    ASSERT_TRUE(s.client_writes("STARTTLS\r\n"));
    ASSERT_TRUE(s.server_bytewise("220 go\r\n"));
    ASSERT_TRUE(s.tls_handshake());
    ASSERT_TRUE(s.client_writes(ehlo));
    ASSERT_TRUE(s.server_bytewise("250-mx\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"));
    ASSERT_TRUE(s.client_writes("AUTH PLAIN AHVzZXIAcGFzcw==\r\n"));
    ASSERT_TRUE(s.server_bytewise("235 ok\r\n"));
    ASSERT_TRUE(s.done_ok());
    const auto e = env2();
    s.set(s.fsm().start_send(e, message, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nRCPT "
                        "TO:<b@example.net>\r\nDATA\r\n"));
    ASSERT_TRUE(s.server_bytewise("250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n"));
    ASSERT_TRUE(s.client_writes(framed_message));
    ASSERT_TRUE(s.server_bytewise("250 ok\r\n"));
    ASSERT_TRUE(s.done_ok());
    s.set(s.fsm().start_quit());
    ASSERT_TRUE(s.client_writes("QUIT\r\n"));
    ASSERT_TRUE(s.server_bytewise("221 bye\r\n"));
    ASSERT_TRUE(s.done_ok());
}

TEST(SmtpClient, SmugglingMessageIsFramedSafely) {
    script s(plain());
    ASSERT_TRUE(open(s, ehlo_pipelining));
    const auto e = env1();
    const std::string evil = "Subject: x\r\n\r\nhi\n.\nMAIL FROM:<a@b>\r\n";
    s.set(s.fsm().start_send(e, evil, false));
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nDATA\r\n"));
    ASSERT_TRUE(s.server("250 ok\r\n250 ok\r\n354 go\r\n"));
    ASSERT_TRUE(s.client_writes("Subject: x\r\n\r\nhi\r\n..\r\nMAIL FROM:<a@b>\r\n.\r\n"));
}

}  // namespace
