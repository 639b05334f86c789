// open_session alone: greeting, EHLO with the HELO fallback, STARTTLS and the
// EHLO after it, and the hand-over to AUTH. No client, no sockets.
#include "smtp/protocol/open_session.hpp"

#include "algorithm_driver.hpp"

#include <gtest/gtest.h>

namespace {

using lettre::errc;
using lettre::smtp::open_session;
using lettre::smtp::phase;
using lettre::smtp::session_state;
using lettre::smtp::tls_mode;
using smtp_test::client_action;
using smtp_test::done_ok;
using smtp_test::done_with;
using smtp_test::feed;
using smtp_test::reads;
using smtp_test::writes;

session_state config(tls_mode mode) {
    session_state st;
    st.cfg.hello_name = "client.example";
    st.cfg.tls = mode;
    return st;
}

TEST(OpenSession, EhloRefusedFallsBackToHelo) {
    session_state st = config(tls_mode::none_dangerous);
    open_session algo;
    ASSERT_TRUE(reads(algo.start(st, false), phase::greeting));
    ASSERT_TRUE(writes(feed(algo, st, "220 mx ESMTP\r\n"), "EHLO client.example\r\n", phase::ehlo));
    ASSERT_TRUE(writes(feed(algo, st, "502 5.5.2 what is EHLO\r\n"), "HELO client.example\r\n",
                       phase::ehlo));
    EXPECT_FALSE(st.ready);
    const client_action a = feed(algo, st, "250 mx\r\n");
    ASSERT_TRUE(done_ok(a, st));
    EXPECT_TRUE(st.ready);
    EXPECT_FALSE(st.caps.esmtp);
    EXPECT_FALSE(st.broken);
}

TEST(OpenSession, HeloRefusedAfterFallback) {
    session_state st = config(tls_mode::none_dangerous);
    open_session algo;
    algo.start(st, false);
    feed(algo, st, "220 mx\r\n");
    feed(algo, st, "500 no EHLO\r\n");
    ASSERT_TRUE(done_with(feed(algo, st, "550 no HELO either\r\n"), errc::smtp_permanent));
    EXPECT_FALSE(st.ready);
    EXPECT_EQ(st.diag.message, "HELO refused: the server answered 550 no HELO either");
    EXPECT_EQ(st.diag.phase, phase::ehlo);
}

TEST(OpenSession, StarttlsThenEhloReplacesTheCapabilities) {
    session_state st = config(tls_mode::starttls_required);
    open_session algo;
    algo.start(st, false);
    feed(algo, st, "220 mx\r\n");
    ASSERT_TRUE(writes(feed(algo, st, "250-mx\r\n250-AUTH LOGIN\r\n250 STARTTLS\r\n"),
                       "STARTTLS\r\n", phase::starttls));
    const client_action hs = feed(algo, st, "220 2.0.0 go ahead\r\n");
    ASSERT_EQ(hs.what, client_action::type::tls_handshake) << smtp_test::describe(hs);
    EXPECT_EQ(st.phase, phase::tls_handshake);
    EXPECT_FALSE(st.tls_active);  // not until the driver says so
    ASSERT_TRUE(writes(algo.on_tls_established(st), "EHLO client.example\r\n", phase::ehlo));
    EXPECT_TRUE(st.tls_active);
    EXPECT_TRUE(st.caps.auth.empty());  // plaintext capabilities are forgotten
    ASSERT_TRUE(done_ok(feed(algo, st, "250-mx\r\n250 AUTH PLAIN\r\n"), st));
    EXPECT_TRUE(st.ready);
    EXPECT_FALSE(st.caps.starttls);
    EXPECT_EQ(st.caps.auth, (std::vector<std::string>{"PLAIN"}));
}

TEST(OpenSession, EhloRefusedOverTlsIsNotRetriedAsHelo) {
    session_state st = config(tls_mode::starttls_required);
    open_session algo;
    algo.start(st, false);
    feed(algo, st, "220 mx\r\n");
    feed(algo, st, "250-mx\r\n250 STARTTLS\r\n");
    feed(algo, st, "220 go\r\n");
    algo.on_tls_established(st);
    ASSERT_TRUE(done_with(feed(algo, st, "502 no\r\n"), errc::smtp_permanent));
    EXPECT_EQ(st.diag.message, "EHLO refused: the server answered 502 no");
    EXPECT_FALSE(st.ready);
}

TEST(OpenSession, PlaintextAfterTheStarttlsReplyIsRefused) {
    session_state st = config(tls_mode::starttls_required);
    open_session algo;
    algo.start(st, false);
    feed(algo, st, "220 mx\r\n");
    feed(algo, st, "250-mx\r\n250 STARTTLS\r\n");
    ASSERT_TRUE(done_with(feed(algo, st, "220 go\r\n250 injected\r\n"), errc::smtp_protocol));
    EXPECT_TRUE(st.broken);
    EXPECT_FALSE(st.ready);
}

TEST(OpenSession, OpportunisticStarttlsRefusedGoesOnInPlaintext) {
    session_state st = config(tls_mode::starttls_opportunistic);
    open_session algo;
    algo.start(st, false);
    feed(algo, st, "220 mx\r\n");
    feed(algo, st, "250-mx\r\n250 STARTTLS\r\n");
    ASSERT_TRUE(done_ok(feed(algo, st, "454 4.7.0 TLS not available\r\n"), st));
    EXPECT_TRUE(st.ready);
    EXPECT_FALSE(st.tls_active);
}

TEST(OpenSession, CredentialsLeadToAuthThenReady) {
    session_state st = config(tls_mode::none_dangerous);
    st.cfg.credentials = lettre::smtp::credentials::password("user", "pencil");
    st.cfg.allow_plaintext_auth_dangerous = true;
    open_session algo;
    algo.start(st, false);
    feed(algo, st, "220 mx\r\n");
    ASSERT_TRUE(writes(feed(algo, st, "250-mx\r\n250 AUTH PLAIN\r\n"),
                       "AUTH PLAIN " + smtp_test::b64(std::string("\0user\0pencil", 12)) + "\r\n",
                       phase::auth));
    EXPECT_FALSE(st.ready);  // not before AUTH succeeds
    ASSERT_TRUE(done_ok(feed(algo, st, "235 2.7.0 ok\r\n"), st));
    EXPECT_TRUE(st.ready);
}

TEST(OpenSession, Greeting421ClosesTheSession) {
    session_state st = config(tls_mode::none_dangerous);
    open_session algo;
    algo.start(st, false);
    ASSERT_TRUE(done_with(feed(algo, st, "421 4.3.2 not now\r\n"), errc::smtp_transient));
    EXPECT_TRUE(st.broken);
    EXPECT_EQ(st.diag.phase, phase::greeting);
    EXPECT_EQ(st.diag.message, "the server is closing the connection: 421 4.3.2 not now");
}

TEST(OpenSession, StartForgetsThePreviousSession) {
    session_state st = config(tls_mode::none_dangerous);
    st.ready = true;
    st.broken = true;
    st.tls_active = true;
    st.caps.pipelining = true;
    st.diag.message = "old";
    ASSERT_TRUE(st.parser.feed("250 stale reply\r\n"));
    open_session algo;
    ASSERT_TRUE(reads(algo.start(st, false), phase::greeting));
    EXPECT_FALSE(st.ready);
    EXPECT_FALSE(st.broken);
    EXPECT_FALSE(st.tls_active);
    EXPECT_FALSE(st.caps.pipelining);
    EXPECT_TRUE(st.diag.message.empty());
    EXPECT_TRUE(st.parser.idle());
}

}  // namespace
