// simple_command alone: RSET, NOOP and QUIT over an open session.
#include "smtp/protocol/simple_command.hpp"

#include "algorithm_driver.hpp"

#include <gtest/gtest.h>

namespace {

using lettre::errc;
using lettre::smtp::phase;
using lettre::smtp::session_state;
using lettre::smtp::simple_command;
using kind = lettre::smtp::simple_command::kind;
using smtp_test::done_ok;
using smtp_test::done_with;
using smtp_test::feed;
using smtp_test::writes;

TEST(SimpleCommand, RsetAnswered421ClosesTheSession) {
    session_state st = smtp_test::open_state("250 mx\r\n");
    simple_command algo;
    ASSERT_TRUE(writes(algo.start(st, kind::rset), "RSET\r\n", phase::rset));
    ASSERT_TRUE(done_with(feed(algo, st, "421 4.3.2 shutting down\r\n"), errc::smtp_transient));
    EXPECT_TRUE(st.broken);
    EXPECT_FALSE(st.ready);
    EXPECT_EQ(st.diag.phase, phase::rset);
    EXPECT_EQ(st.diag.message, "the server is closing the connection: 421 4.3.2 shutting down");
}

TEST(SimpleCommand, NoopRefusedBreaksTheSession) {
    session_state st = smtp_test::open_state("250 mx\r\n");
    simple_command algo;
    ASSERT_TRUE(writes(algo.start(st, kind::noop), "NOOP\r\n", phase::noop));
    ASSERT_TRUE(done_with(feed(algo, st, "502 5.5.1 no NOOP\r\n"), errc::smtp_permanent));
    EXPECT_TRUE(st.broken);
    EXPECT_EQ(st.diag.message, "NOOP refused: the server answered 502 5.5.1 no NOOP");
}

TEST(SimpleCommand, RsetAndNoopClearTheLastDiagnostics) {
    for (const kind k : {kind::rset, kind::noop}) {
        session_state st = smtp_test::open_state("250 mx\r\n");
        st.diag.message = "the last send failed";
        simple_command algo;
        algo.start(st, k);
        EXPECT_TRUE(st.diag.message.empty());
        ASSERT_TRUE(done_ok(feed(algo, st, "250 2.0.0 ok\r\n"), st));
        EXPECT_FALSE(st.broken);
        EXPECT_TRUE(st.ready);
    }
}

TEST(SimpleCommand, QuitEndsTheSessionWhateverTheReply) {
    session_state st = smtp_test::open_state("250 mx\r\n");
    st.diag.message = "kept";
    simple_command algo;
    ASSERT_TRUE(writes(algo.start(st, kind::quit), "QUIT\r\n", phase::quit));
    EXPECT_FALSE(st.ready);  // at once: nothing may be sent after QUIT
    EXPECT_EQ(st.diag.message, "kept");
    ASSERT_TRUE(done_ok(feed(algo, st, "421 4.3.2 bye anyway\r\n"), st));
    EXPECT_TRUE(st.broken);
}

}  // namespace
