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

error_code code(errc e) {
    return lettre::make_error_code(e);
}

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

std::string describe(const outcome& o) {
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
    EXPECT_GE(o.elapsed, 900ms) << describe(o);
    EXPECT_LT(o.elapsed, 6s) << "the wrong phase's timeout fired: " << describe(o);
}

TEST(Fault, ControlServerWorks) {
    const auto o = send_to("good");
    EXPECT_FALSE(o.ec) << describe(o);
    EXPECT_EQ(o.report.final_reply.code(), 250);
}

TEST(Fault, ConnectionDroppedAfterGreeting) {
    const int before = fake_server().connections("drop_after_greeting");
    const auto o = send_to("drop_after_greeting");
    EXPECT_EQ(o.ec, code(errc::connection_closed)) << describe(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::ehlo) << describe(o);
    const auto log = fake_server().log("drop_after_greeting", before + 1);
    ASSERT_TRUE(log);
    EXPECT_EQ(*log, "EHLO client.example\r\n");
}

TEST(Fault, ConnectionDroppedAfterMail) {
    const auto o = send_to("drop_after_mail");
    EXPECT_EQ(o.ec, code(errc::connection_closed)) << describe(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::mail) << describe(o);
}

TEST(Fault, ConnectionDroppedAfterTheFinalDotIsOutcomeUnknown) {
    const int before = fake_server().connections("drop_after_dot");
    const auto o = send_to("drop_after_dot");
    EXPECT_EQ(o.ec, code(errc::outcome_unknown)) << describe(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::data_final);
    EXPECT_EQ(o.report.diagnostics.recipients.size(), 3u);
    // The whole message did go out.
    const auto log = fake_server().log("drop_after_dot", before + 1);
    ASSERT_TRUE(log);
    EXPECT_TRUE(log->ends_with("\r\n.\r\n")) << *log;
}

TEST(Fault, StallAtGreetingTimesOut) {
    const auto o = send_to("stall_greeting", one_second_for(&lettre::smtp::timeouts::greeting));
    EXPECT_EQ(o.ec, code(errc::timeout)) << describe(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::greeting);
    expect_about_one_second(o);
}

TEST(Fault, StallAtCommandTimesOut) {
    const auto o = send_to("stall_ehlo", one_second_for(&lettre::smtp::timeouts::command));
    EXPECT_EQ(o.ec, code(errc::timeout)) << describe(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::ehlo);
    expect_about_one_second(o);
}

TEST(Fault, StallAtDataTimesOut) {
    const auto o = send_to("stall_data", one_second_for(&lettre::smtp::timeouts::data_initiation));
    EXPECT_EQ(o.ec, code(errc::timeout)) << describe(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::data);
    expect_about_one_second(o);
}

TEST(Fault, StallAfterTheFinalDotIsOutcomeUnknown) {
    const auto o =
        send_to("stall_final", one_second_for(&lettre::smtp::timeouts::data_termination));
    EXPECT_EQ(o.ec, code(errc::outcome_unknown)) << describe(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::data_final);
    EXPECT_NE(o.report.diagnostics.message.find("timed out"), std::string::npos) << describe(o);
    expect_about_one_second(o);
}

TEST(Fault, ServiceClosingMidSession) {
    const auto o = send_to("reply_421_mail");
    EXPECT_EQ(o.ec, code(errc::smtp_transient)) << describe(o);
    ASSERT_TRUE(o.report.diagnostics.server_reply) << describe(o);
    EXPECT_EQ(o.report.diagnostics.server_reply->code(), 421);
    EXPECT_EQ(o.report.diagnostics.server_reply->enhanced(),
              (lettre::smtp::enhanced_status{4, 3, 2}));
}

TEST(Fault, GarbageReply) {
    const auto o = send_to("garbage");
    EXPECT_EQ(o.ec, code(errc::smtp_protocol)) << describe(o);
    EXPECT_EQ(o.report.diagnostics.phase, phase::ehlo);
}

TEST(Fault, OverLongReplyLine) {
    const auto o = send_to("overlong");
    EXPECT_EQ(o.ec, code(errc::smtp_protocol)) << describe(o);
    EXPECT_LT(o.elapsed, 5s) << describe(o);
}

TEST(Fault, EndlessMultiLineReply) {
    const auto o = send_to("too_many_lines");
    EXPECT_EQ(o.ec, code(errc::smtp_protocol)) << describe(o);
    EXPECT_LT(o.elapsed, 5s) << describe(o);
}

TEST(Fault, StarttlsFollowedByInjectedPlaintext) {
    const int before = fake_server().connections("starttls_inject");
    const auto o = send_to("starttls_inject", lettre::smtp::timeouts::all(10s), true);
    EXPECT_EQ(o.ec, code(errc::smtp_protocol)) << describe(o);
    EXPECT_LT(o.elapsed, 5s) << describe(o);
    // The client stopped right there: no handshake, no second EHLO, no AUTH, no MAIL.
    const auto log = fake_server().log("starttls_inject", before + 1);
    ASSERT_TRUE(log);
    EXPECT_EQ(*log, "EHLO client.example\r\nSTARTTLS\r\n");
}

}  // namespace
