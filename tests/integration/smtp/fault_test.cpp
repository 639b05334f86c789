// Fault injection: a scripted Python server (peers/fake_server.py) drops the
// connection, stalls, says 421, sends garbage, over-long or endless replies,
// or injects plaintext after STARTTLS. lettre must report each precisely and
// never report success.
#include "support.hpp"

#include <lettre/lettre.hpp>
#include <lettre/smtp/transport.hpp>

#include <gtest/gtest.h>

namespace {

using namespace smtp_it;
using lettre::errc;
using lettre::smtp::phase;
using std::error_code;  // async handlers take it too: Boost codes convert
using clock_type = std::chrono::steady_clock;

using smtp_it::code;

struct outcome {
    error_code ec;
    lettre::smtp::send_report report;
    std::chrono::milliseconds elapsed{};
};

outcome send_to(const std::string& scenario,
                lettre::smtp::timeouts t = lettre::smtp::timeouts::all(10s),
                bool starttls = false) {
    const auto& fake = fake_server();
    auto b = starttls ? starttls_builder(fake.port(scenario)) : plain_builder(fake.port(scenario));
    auto smtp = b.timeouts(t).build();
    const auto msg = sample_message();
    outcome o;
    const auto start = clock_type::now();
    o.report = smtp.send(msg, o.ec);
    o.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
    return o;
}

std::string describe_outcome(const outcome& o) {
    return smtp_it::describe(o.ec, o.report) + " after " + std::to_string(o.elapsed.count()) +
           " ms";
}

/// Every phase 20 s except `p`'s, which is 1 s.
lettre::smtp::timeouts one_second_for(std::chrono::milliseconds lettre::smtp::timeouts::*member) {
    auto t = lettre::smtp::timeouts::all(20s);
    t.*member = 1s;
    return t;
}

void expect_about_one_second(const outcome& o) {
    EXPECT_GE(o.elapsed, 900ms) << describe_outcome(o);
    EXPECT_LT(o.elapsed, 6s) << "the wrong phase's timeout fired: " << describe_outcome(o);
}

TEST(Fault, ControlServerWorks) {
    const auto o = send_to("good");
    EXPECT_FALSE(o.ec) << describe_outcome(o);
    EXPECT_EQ(o.report.final_reply.code(), 250);
}

TEST(Fault, ConnectionDroppedAfterGreeting) {
    const int before = fake_server().connections("drop_after_greeting");
    const auto o = send_to("drop_after_greeting");
    EXPECT_EQ(o.ec, code(errc::connection_closed)) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::ehlo) << describe_outcome(o);
    const auto log = fake_server().log("drop_after_greeting", before + 1);
    ASSERT_TRUE(log);
    EXPECT_EQ(*log, "EHLO client.example\r\n");
}

TEST(Fault, ConnectionDroppedAfterMail) {
    const auto o = send_to("drop_after_mail");
    EXPECT_EQ(o.ec, code(errc::connection_closed)) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::mail) << describe_outcome(o);
}

TEST(Fault, ConnectionDroppedAfterTheFinalDotIsOutcomeUnknown) {
    const int before = fake_server().connections("drop_after_dot");
    const auto o = send_to("drop_after_dot");
    EXPECT_EQ(o.ec, code(errc::outcome_unknown)) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::data_final);
    EXPECT_EQ(o.report.diagnostics.recipients.size(), 3u);
    // The whole message did go out.
    const auto log = fake_server().log("drop_after_dot", before + 1);
    ASSERT_TRUE(log);
    EXPECT_TRUE(log->ends_with("\r\n.\r\n")) << *log;
}

TEST(Fault, StallAtGreetingTimesOut) {
    const auto o = send_to("stall_greeting", one_second_for(&lettre::smtp::timeouts::greeting));
    EXPECT_EQ(o.ec, code(errc::timeout)) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::greeting);
    expect_about_one_second(o);
}

TEST(Fault, StallAtCommandTimesOut) {
    const auto o = send_to("stall_ehlo", one_second_for(&lettre::smtp::timeouts::command));
    EXPECT_EQ(o.ec, code(errc::timeout)) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::ehlo);
    expect_about_one_second(o);
}

TEST(Fault, StallAtDataTimesOut) {
    const auto o = send_to("stall_data", one_second_for(&lettre::smtp::timeouts::data_initiation));
    EXPECT_EQ(o.ec, code(errc::timeout)) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::data);
    expect_about_one_second(o);
}

TEST(Fault, StallAfterTheFinalDotIsOutcomeUnknown) {
    const auto o =
        send_to("stall_final", one_second_for(&lettre::smtp::timeouts::data_termination));
    EXPECT_EQ(o.ec, code(errc::outcome_unknown)) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::data_final);
    EXPECT_NE(o.report.diagnostics.message.find("timed out"), std::string::npos)
        << describe_outcome(o);
    expect_about_one_second(o);
}

// The timeouts are deadlines: a server that sends a byte every 200 ms
// never leaves the connection idle, yet its greeting (or reply) must not
// outlive the phase's limit. The server gives up after 60 bytes (12 s), so
// an idle timer fails this test (connection_closed) instead of hanging it.
TEST(Fault, GreetingTrickledByteByByteHitsTheDeadline) {
    const auto o = send_to("slow_greeting", one_second_for(&lettre::smtp::timeouts::greeting));
    EXPECT_EQ(o.ec, code(errc::timeout)) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::greeting) << describe_outcome(o);
    EXPECT_NE(o.report.diagnostics.message.find("greeting timed out"), std::string::npos)
        << describe_outcome(o);
}

TEST(Fault, ReplyTrickledByteByByteHitsTheDeadline) {
    const auto o = send_to("slow_ehlo", one_second_for(&lettre::smtp::timeouts::command));
    EXPECT_EQ(o.ec, code(errc::timeout)) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::ehlo) << describe_outcome(o);
    EXPECT_NE(o.report.diagnostics.message.find("EHLO timed out"), std::string::npos)
        << describe_outcome(o);
}

// A refused AUTH leaves a healthy session: it ends with QUIT, not a dropped
// connection (Postfix logs "lost connection after AUTH" otherwise).
TEST(Fault, RefusedAuthEndsWithQuit) {
    const int before = fake_server().connections("auth_refused");
    auto b = plain_builder(fake_server().port("auth_refused"));
    b.credentials("user", "wrong").allow_plaintext_auth_dangerous();
    auto smtp = b.build();
    error_code ec;
    const auto report = smtp.send(sample_message(), ec);
    EXPECT_EQ(ec, code(errc::auth_failed)) << smtp_it::describe(ec, report);
    ASSERT_TRUE(report.diagnostics.server_reply) << smtp_it::describe(ec, report);
    EXPECT_EQ(report.diagnostics.server_reply->code(), 535);
    EXPECT_EQ(report.diagnostics.phase, phase::auth);
    ASSERT_TRUE(
        eventually([&] { return fake_server().log("auth_refused", before + 1).has_value(); }));
    const auto log = fake_server().log("auth_refused", before + 1);
    EXPECT_TRUE(log->starts_with("EHLO client.example\r\nAUTH PLAIN ")) << *log;
    EXPECT_TRUE(log->ends_with("\r\nQUIT\r\n")) << *log;
}

TEST(Fault, RefusedGreetingEndsWithQuit) {
    const int before = fake_server().connections("greeting_554");
    const auto o = send_to("greeting_554");
    EXPECT_EQ(o.ec, code(errc::smtp_permanent)) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::greeting) << describe_outcome(o);
    ASSERT_TRUE(o.report.diagnostics.server_reply) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.server_reply->code(), 554);
    ASSERT_TRUE(
        eventually([&] { return fake_server().log("greeting_554", before + 1).has_value(); }));
    EXPECT_EQ(*fake_server().log("greeting_554", before + 1), "QUIT\r\n");
}

// Port 465 waits for a TLS ClientHello; a STARTTLS or plaintext client
// would wait out its greeting timeout. Refused before connecting.
TEST(Fault, Port465WithoutImplicitTlsFailsAtOnce) {
    for (auto b : {lettre::smtp_transport::starttls_relay("127.0.0.1"),
                   lettre::smtp_transport::builder_dangerous("127.0.0.1")}) {
        auto smtp = b.port(465).timeouts(lettre::smtp::timeouts::all(20s)).build();
        error_code ec;
        const auto start = clock_type::now();
        const auto report = smtp.send(sample_message(), ec);
        EXPECT_EQ(ec, code(errc::tls_failed)) << smtp_it::describe(ec, report);
        EXPECT_NE(report.diagnostics.message.find("port 465 is implicit TLS"), std::string::npos)
            << report.diagnostics.message;
        EXPECT_LT(clock_type::now() - start, 5s);
    }
}

TEST(Fault, ServiceClosingMidSession) {
    const auto o = send_to("reply_421_mail");
    EXPECT_EQ(o.ec, code(errc::smtp_transient)) << describe_outcome(o);
    ASSERT_TRUE(o.report.diagnostics.server_reply) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.server_reply->code(), 421);
    EXPECT_EQ(o.report.diagnostics.server_reply->enhanced(),
              (lettre::smtp::enhanced_status{4, 3, 2}));
}

TEST(Fault, GarbageReply) {
    const auto o = send_to("garbage");
    EXPECT_EQ(o.ec, code(errc::smtp_protocol)) << describe_outcome(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::ehlo);
}

TEST(Fault, OverLongReplyLine) {
    const auto o = send_to("overlong");
    EXPECT_EQ(o.ec, code(errc::smtp_protocol)) << describe_outcome(o);
    EXPECT_LT(o.elapsed, 5s) << describe_outcome(o);
}

TEST(Fault, EndlessMultiLineReply) {
    const auto o = send_to("too_many_lines");
    EXPECT_EQ(o.ec, code(errc::smtp_protocol)) << describe_outcome(o);
    EXPECT_LT(o.elapsed, 5s) << describe_outcome(o);
}

TEST(Fault, StarttlsFollowedByInjectedPlaintext) {
    const int before = fake_server().connections("starttls_inject");
    const auto o = send_to("starttls_inject", lettre::smtp::timeouts::all(10s), true);
    EXPECT_EQ(o.ec, code(errc::smtp_protocol)) << describe_outcome(o);
    EXPECT_LT(o.elapsed, 5s) << describe_outcome(o);
    // The client stopped right there: no handshake, no second EHLO, no AUTH, no MAIL.
    const auto log = fake_server().log("starttls_inject", before + 1);
    ASSERT_TRUE(log);
    EXPECT_EQ(*log, "EHLO client.example\r\nSTARTTLS\r\n");
}

}  // namespace
