// authenticate alone: AUTH with the SASL client over a session whose EHLO
// is already known. No client, no sockets.
#include "smtp/protocol/authenticate.hpp"

#include "algorithm_driver.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using lettre::errc;
using lettre::smtp::authenticate;
using lettre::smtp::credentials;
using lettre::smtp::mechanism;
using lettre::smtp::phase;
using lettre::smtp::session_state;
using smtp_test::b64;
using smtp_test::done_ok;
using smtp_test::done_with;
using smtp_test::feed;
using smtp_test::writes;

const std::string auth_plain = "AUTH PLAIN " + b64(std::string("\0user\0pencil", 12)) + "\r\n";

session_state with_auth(std::string_view offered, bool tls = true) {
    session_state st =
        smtp_test::open_state("250-mx\r\n250 AUTH " + std::string(offered) + "\r\n", tls);
    st.ready = false;  // as open_session leaves it before AUTH
    st.cfg.credentials = credentials::password("user", "pencil");
    return st;
}

TEST(Authenticate, PlainRefusedWith535) {
    session_state st = with_auth("PLAIN LOGIN");
    authenticate algo;
    ASSERT_TRUE(writes(algo.start(st), auth_plain, phase::auth));
    ASSERT_TRUE(done_with(feed(algo, st, "535 5.7.8 bad credentials\r\n"), errc::auth_failed));
    EXPECT_FALSE(st.ready);
    EXPECT_EQ(st.diag.phase, phase::auth);
    EXPECT_EQ(st.diag.message, "PLAIN authentication failed: 535 5.7.8 bad credentials");
    ASSERT_TRUE(st.diag.server_reply);
    EXPECT_EQ(st.diag.server_reply->code(), 535);
}

// RFC 4954 §6: 454 4.7.0 is a temporary authentication failure (the server
// could not check the credentials now): transient, unlike 535.
TEST(Authenticate, PlainDeferredWith454) {
    session_state st = with_auth("PLAIN LOGIN");
    authenticate algo;
    ASSERT_TRUE(writes(algo.start(st), auth_plain, phase::auth));
    ASSERT_TRUE(done_with(feed(algo, st, "454 4.7.0 Temporary authentication failure\r\n"),
                          errc::auth_deferred));
    EXPECT_FALSE(st.ready);
    EXPECT_EQ(st.diag.error, lettre::condition::transient);
    EXPECT_EQ(st.diag.message,
              "PLAIN authentication failed: 454 4.7.0 Temporary authentication failure");
}

TEST(Authenticate, LoginAnswersBothChallenges) {
    session_state st = with_auth("LOGIN");
    authenticate algo;
    ASSERT_TRUE(writes(algo.start(st), "AUTH LOGIN\r\n", phase::auth));
    ASSERT_TRUE(writes(feed(algo, st, "334 VXNlcm5hbWU6\r\n"), b64("user") + "\r\n", phase::auth));
    ASSERT_TRUE(
        writes(feed(algo, st, "334 UGFzc3dvcmQ6\r\n"), b64("pencil") + "\r\n", phase::auth));
    ASSERT_TRUE(done_ok(feed(algo, st, "235 2.7.0 ok\r\n"), st));
    EXPECT_TRUE(st.ready);
}

TEST(Authenticate, RefusesPlaintextWithoutWriting) {
    session_state st = with_auth("PLAIN", false);
    authenticate algo;
    ASSERT_TRUE(done_with(algo.start(st), errc::plaintext_auth_refused));
    EXPECT_TRUE(st.out.empty());
    EXPECT_FALSE(st.ready);
    // The way out by its public names: the builder method and the URL
    // option, not the config struct's member.
    EXPECT_NE(st.diag.message.find("allow_plaintext_auth_dangerous()"), std::string::npos)
        << st.diag.message;
    EXPECT_NE(st.diag.message.find("plaintext_auth=dangerous"), std::string::npos)
        << st.diag.message;
}

TEST(Authenticate, NoMechanismInCommon) {
    session_state st = with_auth("GSSAPI NTLM");
    authenticate algo;
    ASSERT_TRUE(done_with(algo.start(st), errc::auth_unavailable));
    EXPECT_EQ(st.diag.message,
              "no AUTH mechanism in common with the server (it offers: GSSAPI NTLM)");
}

// Our own SASL step fails (a challenge after AUTH PLAIN): the exchange is
// cancelled with "*", and the SASL error is what is reported, with the
// server's answer to the cancel.
TEST(Authenticate, OwnFailureCancelsThenReports) {
    session_state st = with_auth("PLAIN");
    authenticate algo;
    algo.start(st);
    ASSERT_TRUE(writes(feed(algo, st, "334 \r\n"), "*\r\n", phase::auth));
    ASSERT_TRUE(done_with(feed(algo, st, "501 5.7.0 cancelled\r\n"), errc::auth_failed));
    EXPECT_EQ(st.diag.message, "the server sent a challenge after AUTH PLAIN");
    ASSERT_TRUE(st.diag.server_reply);
    EXPECT_EQ(st.diag.server_reply->code(), 501);
}

// Regression: a cancelled exchange cut short by a 421 left its error behind,
// and the next AUTH on the same client failed with it although the server
// said 235.
TEST(Authenticate, CancelledExchangeDoesNotLeakIntoTheNextOne) {
    session_state st = with_auth("PLAIN");
    authenticate algo;
    algo.start(st);
    feed(algo, st, "334 \r\n");
    ASSERT_TRUE(done_with(feed(algo, st, "421 4.3.2 bye\r\n"), errc::smtp_transient));
    EXPECT_TRUE(st.broken);

    session_state again = with_auth("PLAIN");
    ASSERT_TRUE(writes(algo.start(again), auth_plain, phase::auth));
    ASSERT_TRUE(done_ok(feed(algo, again, "235 2.7.0 ok\r\n"), again));
    EXPECT_TRUE(again.ready);
}

// The same through the client, which a driver may reuse for a new session.
TEST(Authenticate, ClientReusedAfterACancelledExchange) {
    lettre::smtp::client_config cfg;
    cfg.hello_name = "client.example";
    cfg.tls = lettre::smtp::tls_mode::none_dangerous;
    cfg.allow_plaintext_auth_dangerous = true;
    cfg.credentials = credentials::password("user", "pencil");
    smtp_test::script s(cfg);
    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server("220 mx\r\n"));
    ASSERT_TRUE(s.client_writes("EHLO client.example\r\n"));
    ASSERT_TRUE(s.server("250-mx\r\n250 AUTH PLAIN\r\n"));
    ASSERT_TRUE(s.client_writes(auth_plain));
    ASSERT_TRUE(s.server("334 \r\n"));
    ASSERT_TRUE(s.client_writes("*\r\n"));
    ASSERT_TRUE(s.server("421 4.3.2 bye\r\n"));
    ASSERT_TRUE(s.done_with(errc::smtp_transient));

    ASSERT_TRUE(s.start());
    ASSERT_TRUE(s.server("220 mx\r\n"));
    ASSERT_TRUE(s.client_writes("EHLO client.example\r\n"));
    ASSERT_TRUE(s.server("250-mx\r\n250 AUTH PLAIN\r\n"));
    ASSERT_TRUE(s.client_writes(auth_plain));
    ASSERT_TRUE(s.server("235 2.7.0 ok\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_TRUE(s.fsm().ready());
}

}  // namespace
