// transaction alone: MAIL, RCPT, DATA or BDAT, pipelined or not, the RSET
// after a refusal and the per-recipient report, over a session whose EHLO is
// already known. No client, no sockets.
#include "smtp/protocol/transaction.hpp"

#include "algorithm_driver.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using lettre::address;
using lettre::envelope;
using lettre::errc;
using lettre::smtp::phase;
using lettre::smtp::session_state;
using lettre::smtp::transaction;
using smtp_test::client_action;
using smtp_test::done_ok;
using smtp_test::done_with;
using smtp_test::feed;
using smtp_test::reads;
using smtp_test::writes;

const std::string pipelining = "250-mx\r\n250 PIPELINING\r\n";
const std::string message = "Subject: hi\r\n\r\nHello\r\n.dot\r\n";
const std::string framed = "Subject: hi\r\n\r\nHello\r\n..dot\r\n.\r\n";
const std::string mail_two_rcpts_data =
    "MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\nRCPT TO:<b@example.net>\r\n"
    "DATA\r\n";

envelope env2() {
    return envelope::create(address::parse("from@example.com"),
                            {address::parse("a@example.org"), address::parse("b@example.net")});
}

TEST(Transaction, PipelinedWithOneRecipientRefused) {
    session_state st = smtp_test::open_state(pipelining);
    const envelope e = env2();
    transaction algo;
    ASSERT_TRUE(writes(algo.start(st, e, message, false), mail_two_rcpts_data, phase::mail));
    // MAIL's and a's replies: the client waits for the rest, in the RCPT phase.
    ASSERT_TRUE(reads(feed(algo, st, "250 ok\r\n550 5.1.1 no such user\r\n"), phase::rcpt));
    EXPECT_FALSE(algo.awaiting_final_reply());
    ASSERT_TRUE(writes(feed(algo, st, "250 ok\r\n354 go\r\n"), framed, phase::data_transfer));
    EXPECT_TRUE(algo.awaiting_final_reply());
    ASSERT_TRUE(done_ok(feed(algo, st, "250 2.0.0 queued\r\n"), st));

    ASSERT_EQ(st.report.recipients.size(), 2u);
    EXPECT_EQ(st.report.recipients[0].recipient, address::parse("a@example.org"));
    EXPECT_FALSE(st.report.recipients[0].accepted());
    EXPECT_EQ(st.report.recipients[0].reply.code(), 550);
    EXPECT_TRUE(st.report.recipients[1].accepted());
    EXPECT_EQ(st.report.final_reply.code(), 250);
    EXPECT_TRUE(st.ready);
}

TEST(Transaction, OneAtATimeEveryRecipientRefusedResetsWithoutData) {
    session_state st = smtp_test::open_state("250 mx\r\n");
    const envelope e = env2();
    transaction algo;
    ASSERT_TRUE(
        writes(algo.start(st, e, message, false), "MAIL FROM:<from@example.com>\r\n", phase::mail));
    ASSERT_TRUE(writes(feed(algo, st, "250 ok\r\n"), "RCPT TO:<a@example.org>\r\n", phase::rcpt));
    ASSERT_TRUE(writes(feed(algo, st, "550 no a\r\n"), "RCPT TO:<b@example.net>\r\n", phase::rcpt));
    ASSERT_TRUE(writes(feed(algo, st, "450 no b\r\n"), "RSET\r\n", phase::rset));
    ASSERT_TRUE(done_with(feed(algo, st, "250 ok\r\n"), errc::no_recipient_accepted));
    EXPECT_EQ(st.diag.phase, phase::rcpt);
    EXPECT_EQ(st.diag.recipients.size(), 2u);
    EXPECT_FALSE(st.broken);
}

TEST(Transaction, EveryRecipientDeferredIsTransient) {
    session_state st = smtp_test::open_state("250 mx\r\n");
    const envelope e = env2();
    transaction algo;
    ASSERT_TRUE(
        writes(algo.start(st, e, message, false), "MAIL FROM:<from@example.com>\r\n", phase::mail));
    ASSERT_TRUE(writes(feed(algo, st, "250 ok\r\n"), "RCPT TO:<a@example.org>\r\n", phase::rcpt));
    ASSERT_TRUE(
        writes(feed(algo, st, "451 greylisted\r\n"), "RCPT TO:<b@example.net>\r\n", phase::rcpt));
    ASSERT_TRUE(writes(feed(algo, st, "450 busy\r\n"), "RSET\r\n", phase::rset));
    ASSERT_TRUE(done_with(feed(algo, st, "250 ok\r\n"), errc::recipients_deferred));
    EXPECT_EQ(st.diag.error, lettre::condition::transient);
    EXPECT_EQ(st.diag.recipients.size(), 2u);
}

// Regression: pipelined, a refused MAIL FROM was reported in the RCPT TO
// phase (the one-at-a-time path said MAIL FROM). The MX transport then took
// the 503 "need MAIL" RCPT replies as the recipients' own, and bounced them
// for good after a transient 451 (greylisting).
TEST(Transaction, PipelinedMailRefusalIsReportedAsMail) {
    session_state st = smtp_test::open_state(pipelining);
    const envelope e = env2();
    transaction algo;
    algo.start(st, e, message, false);
    ASSERT_TRUE(writes(feed(algo, st,
                            "451 4.7.1 greylisted\r\n503 5.5.1 need MAIL\r\n"
                            "503 5.5.1 need MAIL\r\n503 5.5.1 need RCPT\r\n"),
                       "RSET\r\n", phase::rset));
    ASSERT_TRUE(done_with(feed(algo, st, "250 ok\r\n"), errc::smtp_transient));
    EXPECT_EQ(st.diag.phase, phase::mail);
    ASSERT_TRUE(st.diag.server_reply);
    EXPECT_EQ(st.diag.server_reply->code(), 451);
    EXPECT_EQ(st.diag.message, "MAIL FROM refused: 451 4.7.1 greylisted");
}

// Same fix for DATA: refused in a pipeline, it is the DATA phase that failed.
TEST(Transaction, PipelinedDataRefusalIsReportedAsData) {
    session_state st = smtp_test::open_state(pipelining);
    const envelope e = env2();
    transaction algo;
    algo.start(st, e, message, false);
    ASSERT_TRUE(writes(feed(algo, st, "250 ok\r\n250 ok\r\n250 ok\r\n554 5.3.4 no DATA\r\n"),
                       "RSET\r\n", phase::rset));
    ASSERT_TRUE(done_with(feed(algo, st, "250 ok\r\n"), errc::smtp_permanent));
    EXPECT_EQ(st.diag.phase, phase::data);
    EXPECT_EQ(st.diag.server_reply->code(), 554);
}

TEST(Transaction, RsetAfterRefusalAnsweredBadlyBreaksTheSession) {
    session_state st = smtp_test::open_state("250 mx\r\n");
    const envelope e = env2();
    transaction algo;
    algo.start(st, e, message, false);
    feed(algo, st, "550 5.7.1 not you\r\n");
    ASSERT_TRUE(done_with(feed(algo, st, "500 what RSET\r\n"), errc::smtp_permanent));
    EXPECT_TRUE(st.broken);
    EXPECT_EQ(st.diag.phase, phase::mail);  // the MAIL failed, not the RSET
    EXPECT_EQ(st.diag.server_reply->code(), 550);
}

TEST(Transaction, RefusedBeforeMailWritesNothing) {
    const envelope e = env2();
    {
        session_state st = smtp_test::open_state(pipelining);
        st.ready = false;
        transaction algo;
        ASSERT_TRUE(done_with(algo.start(st, e, message, false), errc::smtp_protocol));
        EXPECT_TRUE(st.out.empty());
    }
    {
        session_state st = smtp_test::open_state("250-mx\r\n250 SIZE 10\r\n");
        transaction algo;
        ASSERT_TRUE(done_with(algo.start(st, e, message, false), errc::message_too_big));
        EXPECT_TRUE(st.out.empty());
        EXPECT_EQ(st.diag.phase, phase::mail);
        EXPECT_TRUE(st.ready);  // the session is still usable
    }
}

TEST(Transaction, BdatPipelinedWithMailAndRcpts) {
    session_state st = smtp_test::open_state("250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n");
    st.cfg.chunking = true;
    const envelope e = env2();
    transaction algo;
    // One group: no DATA, and BDAT LAST with the message right after the
    // RCPTs (RFC 3030 §4.2), so the message takes one round trip.
    ASSERT_TRUE(writes(algo.start(st, e, "a\nb", false),
                       "MAIL FROM:<from@example.com>\r\nRCPT TO:<a@example.org>\r\n"
                       "RCPT TO:<b@example.net>\r\nBDAT 6 LAST\r\na\r\nb\r\n",
                       phase::data_transfer));
    EXPECT_TRUE(algo.awaiting_final_reply());
    ASSERT_TRUE(done_ok(feed(algo, st, "250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n"), st));
}

TEST(Transaction, FinalReply421ClosesTheSession) {
    session_state st = smtp_test::open_state(pipelining);
    const envelope e = env2();
    transaction algo;
    algo.start(st, e, message, false);
    feed(algo, st, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n");
    ASSERT_TRUE(done_with(feed(algo, st, "421 4.3.0 bye\r\n"), errc::smtp_transient));
    EXPECT_TRUE(st.broken);
    EXPECT_FALSE(st.ready);
}

}  // namespace
