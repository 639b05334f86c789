// The client's pipelining window (client.hpp): several transactions in flight
// on one connection. A reactive scripted server (not a fixed script: it
// answers whatever the client writes, command by command, as a real one
// does) counts the round trips: each time the client waits and the server's
// replies to everything written so far arrive at once. Each message's outcome
// is compared with the same message sent alone, one transaction at a time.
#include "smtp/protocol/client.hpp"

#include "smtp_test_support.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <string>
#include <vector>

namespace {

using lettre::address;
using lettre::envelope;
using lettre::errc;
using lettre::smtp::client;
using lettre::smtp::client_config;
using lettre::smtp::phase;
using lettre::smtp::tls_mode;
using type = client::action::type;

/// What the server answers for one message (identified by its sender).
struct policy {
    int mail = 250;
    std::vector<int> rcpts = {250};
    int data = 0;     ///< reply to DATA; 0: 354 when a recipient was taken, else 554
    int final = 250;  ///< reply after the data; 421 closes the connection
};

/// A server that answers command by command, for DATA and BDAT. Strict:
/// after a refused BDAT it stays inside the transaction (RFC 3030 §2 says
/// the state is indeterminate), so a MAIL without RSET then gets 503.
class server {
public:
    server(bool chunking, std::map<int, policy> p) : chunking_(chunking), policies_(std::move(p)) {
        replies_ = "220 mx.example ESMTP\r\n";
    }

    void receive(std::string_view bytes) {
        if (closed_) return;
        in_ += bytes;
        while (!closed_ && step()) {
        }
    }
    bool has_replies() const { return !replies_.empty(); }
    std::string take_replies() { return std::exchange(replies_, {}); }
    bool closed() const { return closed_; }

    std::map<int, int> delivered;    ///< message -> times delivered
    std::map<int, int> bodies_seen;  ///< message -> times its data arrived
    std::map<int, int> mails_seen;   ///< message -> MAIL commands

private:
    bool step() {
        if (bdat_left_ > 0) {
            const std::size_t n = std::min(bdat_left_, in_.size());
            in_.erase(0, n);
            bdat_left_ -= n;
            if (bdat_left_ > 0) return false;
            end_of_data(true);
            return true;
        }
        if (in_data_) {
            const auto end = in_.find("\r\n.\r\n");
            const bool empty = in_.starts_with(".\r\n");
            if (end == std::string::npos && !empty) return false;
            in_.erase(0, empty ? 3 : end + 5);
            in_data_ = false;
            end_of_data(!empty);
            return true;
        }
        const auto crlf = in_.find("\r\n");
        if (crlf == std::string::npos) return false;
        const std::string line = in_.substr(0, crlf);
        in_.erase(0, crlf + 2);
        command(line);
        return true;
    }

    void reply(int code) { replies_ += std::to_string(code) + " x\r\n"; }

    void command(const std::string& line) {
        if (line.starts_with("EHLO")) {
            replies_ += chunking_ ? "250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n"
                                  : "250-mx\r\n250 PIPELINING\r\n";
        } else if (line.starts_with("MAIL FROM:<m")) {
            current_ = std::stoi(line.substr(12));
            ++mails_seen[current_];
            if (in_tx_) return reply(503);  // nested MAIL
            const int code = of(current_).mail;
            in_tx_ = code / 100 == 2;
            rcpt_ = 0;
            accepted_ = 0;
            reply(code);
        } else if (line.starts_with("RCPT")) {
            if (!in_tx_) return reply(503);
            const auto& r = of(current_).rcpts;
            const int code = rcpt_ < r.size() ? r[rcpt_] : 250;
            ++rcpt_;
            if (code / 100 == 2) ++accepted_;
            reply(code);
        } else if (line == "DATA") {
            const int set = of(current_).data;
            const int code = !in_tx_ ? 503 : set ? set : accepted_ ? 354 : 554;
            if (code == 354) in_data_ = true;
            reply(code);
        } else if (line.starts_with("BDAT ")) {
            bdat_left_ = std::stoul(line.substr(5));
            if (bdat_left_ == 0) end_of_data(true);
        } else if (line == "RSET") {
            in_tx_ = false;
            reply(250);
        } else if (line == "QUIT") {
            reply(221);
        } else {
            reply(500);
        }
    }

    void end_of_data(bool had_data) {
        if (had_data) ++bodies_seen[current_];
        if (!in_tx_ || accepted_ == 0) return reply(554);  // BDAT: the transaction is kept
        const int code = of(current_).final;
        if (code == 421) {
            reply(421);
            closed_ = true;
            return;
        }
        if (code / 100 == 2) ++delivered[current_];
        if (!chunking_ || code / 100 == 2) in_tx_ = false;  // end of data ends it
        reply(code);
    }

    const policy& of(int m) const {
        static const policy ok;
        auto it = policies_.find(m);
        return it == policies_.end() ? ok : it->second;
    }

    bool chunking_;
    std::map<int, policy> policies_;
    std::string in_;
    std::string replies_;
    bool in_data_ = false;
    std::size_t bdat_left_ = 0;
    bool in_tx_ = false;
    int current_ = 0;
    std::size_t rcpt_ = 0;
    std::size_t accepted_ = 0;
    bool closed_ = false;
};

struct outcome {
    std::error_code ec;
    int final_code = 0;
    std::vector<int> rcpt_codes;
    phase failed = phase::greeting;
    bool operator==(const outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const outcome& o) {
    os << "{" << (o.ec ? o.ec.message() : "ok") << ", final " << o.final_code << ", rcpts";
    for (int c : o.rcpt_codes) os << " " << c;
    return os << ", phase " << lettre::smtp::phase_name(o.failed) << "}";
}

struct run_result {
    std::vector<outcome> outcomes;
    std::size_t rounds = 0;  ///< round trips after the session was open
    bool ok = true;
};

client_config config(bool chunking) {
    client_config c;
    c.hello_name = "client.example";
    c.tls = tls_mode::none_dangerous;
    c.chunking = chunking;
    return c;
}

std::vector<envelope> envelopes(std::size_t n, const std::map<int, policy>& p) {
    std::vector<envelope> out;
    for (std::size_t i = 1; i <= n; ++i) {
        std::vector<address> to;
        auto it = p.find(static_cast<int>(i));
        const std::size_t rcpts = it == p.end() ? 1 : it->second.rcpts.size();
        for (std::size_t r = 0; r < rcpts; ++r)
            to.push_back(
                address::parse("r" + std::to_string(i) + "x" + std::to_string(r) + "@example.org"));
        out.push_back(envelope::create(address::parse("m" + std::to_string(i) + "@example.com"),
                                       std::move(to)));
    }
    return out;
}

const std::string body = "Subject: hi\r\n\r\nHello\r\n.dot\r\n";

/// Sends `n` messages on one connection, as the connection driver does:
/// `windowed` queues every message the client takes (the pool under load),
/// otherwise one transaction at a time. The server's replies to all that
/// was written arrive at once each time the client waits: one round trip.
/// `in_flight` bounds the sends handed over and not finished: a caller that
/// hands over the next send when one completes, which reaches the client
/// only once it waits again (the completion and the next send each pass
/// through an executor). `ahead` writes what client::take_ahead gives each
/// time the client waits, as the connection driver does beside its read.
run_result run(bool chunking, std::size_t n, const std::map<int, policy>& p, bool windowed,
               server* out_server = nullptr, std::size_t window = 4,
               std::size_t in_flight = SIZE_MAX, bool ahead = false) {
    server local(chunking, p);
    server& srv = out_server ? *out_server : local;
    const auto envs = envelopes(n, p);
    client c(config(chunking));
    c.set_window(window);
    run_result res;
    std::size_t next_to_queue = 0;  // messages handed to the client so far
    std::size_t finished = 0;
    bool session = true;
    std::size_t rounds = 0;
    const bool late_handover = in_flight != SIZE_MAX;
    auto top_up = [&](bool waiting) {
        if (!windowed || session) return;
        if (late_handover && !waiting && c.queued() > 0) return;
        while (next_to_queue < n && next_to_queue - finished < in_flight && c.can_queue()) {
            c.queue_send(envs[next_to_queue], body, false);
            ++next_to_queue;
        }
    };
    auto finish = [&](std::error_code ec) {
        outcome o;
        o.ec = ec;
        const auto& recipients = ec ? c.diagnostics().recipients : c.report().recipients;
        for (const auto& r : recipients) o.rcpt_codes.push_back(r.reply.code());
        o.final_code = ec ? 0 : c.report().final_reply.code();
        o.failed = ec ? c.diagnostics().phase : phase::greeting;
        res.outcomes.push_back(o);
        ++finished;
    };
    auto next = [&]() -> client::action {
        top_up(false);
        if (windowed) {
            if (c.queued() == 0) return {};
            return c.start_next();
        }
        if (finished >= n) return {};
        return c.start_send(envs[finished], body, false);
    };
    client::action a = c.start_session(false);
    for (int guard = 0; guard < 10000; ++guard) {
        switch (a.what) {
            case type::write:
                srv.receive(std::string(a.bytes) + std::string(a.more[0]) + std::string(a.more[1]));
                top_up(false);
                a = c.on_written();
                break;
            case type::read:
                if (ahead && !session) {
                    top_up(true);
                    srv.receive(c.take_ahead());
                    c.on_ahead_written();
                }
                if (srv.has_replies()) {
                    ++rounds;
                    top_up(true);
                    a = c.on_read(srv.take_replies());
                    break;
                }
                if (!srv.closed()) {
                    ADD_FAILURE() << "the client waits for a reply the server will never send";
                    res.ok = false;
                    return res;
                }
                // The connection is gone: as connection::io_failed does.
                finish(lettre::make_error_code(c.current_phase() == phase::data_final
                                                   ? errc::outcome_unknown
                                                   : errc::connection_closed));
                c.connection_lost();
                if (finished >= n || c.queued() == 0) {
                    while (finished < n) finish(lettre::make_error_code(errc::connection_closed));
                    res.rounds = rounds;
                    return res;
                }
                a = next();
                break;
            case type::tls_handshake: ADD_FAILURE() << "no TLS here"; return res;
            case type::done:
                if (session) {
                    if (a.error) {
                        ADD_FAILURE() << "session failed: " << c.diagnostics().message;
                        res.ok = false;
                        return res;
                    }
                    session = false;
                    rounds = 0;
                } else {
                    finish(a.error);
                }
                if (finished >= n) {
                    res.rounds = rounds;
                    return res;
                }
                if (c.broken() && (!windowed || c.queued() == 0)) {
                    // The rest never reach this connection (the pool would
                    // send them on another).
                    while (finished < n) finish(lettre::make_error_code(errc::connection_closed));
                    res.rounds = rounds;
                    return res;
                }
                a = next();
                break;
        }
    }
    ADD_FAILURE() << "no progress";
    res.ok = false;
    return res;
}

outcome ok_outcome() {
    return {{}, 250, {250}, phase::greeting};
}

// ---------------------------------------------------------------------------
// Round trips

TEST(PipelineWindow, DataOneRoundTripPerMessage) {
    const auto alone = run(false, 8, {}, false);
    const auto windowed = run(false, 8, {}, true);
    ASSERT_TRUE(alone.ok && windowed.ok);
    // MAIL/RCPT/DATA, then the message: 2 round trips each, one at a time.
    EXPECT_EQ(alone.rounds, 16u);
    // The message and the next MAIL/RCPT/DATA share a group (RFC 2920 §3.1).
    EXPECT_EQ(windowed.rounds, 9u);
    for (const auto& o : windowed.outcomes) EXPECT_EQ(o, ok_outcome());
    EXPECT_EQ(windowed.outcomes, alone.outcomes);
}

TEST(PipelineWindow, ChunkingOneRoundTripAloneAndAWindowOfFour) {
    const auto alone = run(true, 12, {}, false);
    const auto windowed = run(true, 12, {}, true);
    ASSERT_TRUE(alone.ok && windowed.ok);
    // MAIL, RCPT and BDAT LAST with the message in one group.
    EXPECT_EQ(alone.rounds, 12u);
    // Up to four transactions in flight: the first round carries 3 (the
    // queue fills behind the first), then 4 at a time.
    EXPECT_LE(windowed.rounds, 4u);
    for (const auto& o : windowed.outcomes) EXPECT_EQ(o, ok_outcome());
    EXPECT_EQ(windowed.outcomes, alone.outcomes);
}

// A caller that keeps two sends in flight hands over the next one only when
// one completes, after the running transaction's last write: without an
// ahead write beside the read, its commands wait a round trip.
TEST(PipelineWindow, DataTwoInFlightAheadWriteKeepsOneRoundTripPerMessage) {
    const auto late = run(false, 10, {}, true, nullptr, 4, 2, false);
    const auto ahead = run(false, 10, {}, true, nullptr, 4, 2, true);
    ASSERT_TRUE(late.ok && ahead.ok);
    EXPECT_GE(late.rounds, 15u);
    EXPECT_EQ(ahead.rounds, 11u);
    EXPECT_EQ(ahead.outcomes, run(false, 10, {}, false).outcomes);
}

// With chunking a whole transaction is one group, and the send handed over
// while the running one waits goes out in the next start; the ahead write
// must keep that (two messages per round trip, the most two in flight allow).
TEST(PipelineWindow, ChunkingTwoInFlightAheadWriteTwoMessagesPerRoundTrip) {
    const auto late = run(true, 10, {}, true, nullptr, 4, 2, false);
    const auto ahead = run(true, 10, {}, true, nullptr, 4, 2, true);
    ASSERT_TRUE(late.ok && ahead.ok);
    EXPECT_EQ(late.rounds, 5u);
    EXPECT_EQ(ahead.rounds, 5u);
    EXPECT_EQ(ahead.outcomes, run(true, 10, {}, false).outcomes);
}

TEST(PipelineWindow, WindowOfOneIsOneAtATime) {
    const auto windowed = run(true, 5, {}, true, nullptr, 1);
    ASSERT_TRUE(windowed.ok);
    EXPECT_EQ(windowed.rounds, 5u);
}

// ---------------------------------------------------------------------------
// Failures inside a window: each outcome as alone, nothing sent twice.

std::map<int, policy> mixed_failures() {
    std::map<int, policy> p;
    p[2].rcpts = {550};       // every recipient of message 2 refused
    p[3].final = 550;         // message 3 refused at the end of data
    p[5].mail = 451;          // MAIL of message 5 refused
    p[6].rcpts = {250, 550};  // message 6: one of two recipients refused
    return p;
}

void expect_same_as_alone(bool chunking) {
    server srv(chunking, mixed_failures());
    const auto alone = run(chunking, 7, mixed_failures(), false);
    const auto windowed = run(chunking, 7, mixed_failures(), true, &srv);
    ASSERT_TRUE(alone.ok && windowed.ok);
    ASSERT_EQ(windowed.outcomes.size(), 7u);
    for (std::size_t i = 0; i < 7; ++i)
        EXPECT_EQ(windowed.outcomes[i], alone.outcomes[i]) << "message " << i + 1;
    EXPECT_EQ(windowed.outcomes[1].ec, lettre::make_error_code(errc::no_recipient_accepted));
    EXPECT_EQ(windowed.outcomes[2].ec, lettre::make_error_code(errc::smtp_permanent));
    EXPECT_EQ(windowed.outcomes[4].ec, lettre::make_error_code(errc::smtp_transient));
    EXPECT_FALSE(windowed.outcomes[5].ec);
    EXPECT_EQ(windowed.outcomes[5].rcpt_codes, (std::vector<int>{250, 550}));
    for (int m : {1, 4, 6, 7}) EXPECT_EQ(srv.delivered[m], 1) << "message " << m;
    for (int m : {2, 3, 5}) EXPECT_EQ(srv.delivered[m], 0) << "message " << m;
    for (int m = 1; m <= 7; ++m) {
        EXPECT_EQ(srv.mails_seen[m], 1) << "message " << m;
        EXPECT_LE(srv.bodies_seen[m], 1) << "message " << m;
    }
    EXPECT_LT(windowed.rounds, alone.rounds);
}

TEST(PipelineWindow, DataFailuresInsideTheWindowAreExact) {
    expect_same_as_alone(false);
}

TEST(PipelineWindow, ChunkingFailuresInsideTheWindowAreExact) {
    expect_same_as_alone(true);
}

// The same, with the next send handed over only when one completes and its
// commands written ahead beside the read.
void expect_ahead_failures_exact(bool chunking) {
    server srv(chunking, mixed_failures());
    const auto alone = run(chunking, 7, mixed_failures(), false);
    const auto ahead = run(chunking, 7, mixed_failures(), true, &srv, 4, 2, true);
    ASSERT_TRUE(alone.ok && ahead.ok);
    EXPECT_EQ(ahead.outcomes, alone.outcomes);
    for (int m = 1; m <= 7; ++m) {
        EXPECT_EQ(srv.mails_seen[m], 1) << "message " << m;
        EXPECT_EQ(srv.delivered[m], alone.outcomes[static_cast<std::size_t>(m - 1)].ec ? 0 : 1)
            << "message " << m;
    }
}

TEST(PipelineWindow, DataAheadWriteFailuresInsideTheWindowAreExact) {
    expect_ahead_failures_exact(false);
}

TEST(PipelineWindow, ChunkingAheadWriteFailuresInsideTheWindowAreExact) {
    expect_ahead_failures_exact(true);
}

TEST(PipelineWindow, DataClosing421AfterTheSecondMessage) {
    std::map<int, policy> p;
    p[2].final = 421;
    server srv(false, p);
    const auto r = run(false, 4, p, true, &srv);
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.outcomes.size(), 4u);
    EXPECT_FALSE(r.outcomes[0].ec);
    // The 421 answers message 2's data: refused, never resent (data_final).
    EXPECT_EQ(r.outcomes[1].ec, lettre::make_error_code(errc::smtp_transient));
    EXPECT_EQ(r.outcomes[1].failed, phase::data_final);
    // Message 3's MAIL/RCPT/DATA went out ahead, its data did not: retryable.
    EXPECT_EQ(r.outcomes[2].ec, lettre::make_error_code(errc::connection_closed));
    EXPECT_NE(r.outcomes[2].failed, phase::data_final);
    EXPECT_EQ(r.outcomes[3].ec, lettre::make_error_code(errc::connection_closed));
    EXPECT_EQ(srv.delivered[1], 1);
    EXPECT_EQ(srv.delivered[2] + srv.delivered[3] + srv.delivered[4], 0);
    EXPECT_EQ(srv.bodies_seen[3] + srv.bodies_seen[4], 0);
}

TEST(PipelineWindow, ChunkingClosing421AfterTheSecondMessage) {
    std::map<int, policy> p;
    p[2].final = 421;
    server srv(true, p);
    const auto r = run(true, 6, p, true, &srv);
    ASSERT_TRUE(r.ok);
    ASSERT_EQ(r.outcomes.size(), 6u);
    EXPECT_FALSE(r.outcomes[0].ec);
    EXPECT_EQ(r.outcomes[1].ec, lettre::make_error_code(errc::smtp_transient));
    EXPECT_EQ(r.outcomes[1].failed, phase::data_final);
    // Message 3 went out whole behind message 2 (BDAT): its outcome is
    // unknown to the client, and it is never resent.
    EXPECT_EQ(r.outcomes[2].ec, lettre::make_error_code(errc::outcome_unknown));
    EXPECT_EQ(r.outcomes[2].failed, phase::data_final);
    // Messages queued but not sent yet: retryable.
    EXPECT_EQ(r.outcomes[5].ec, lettre::make_error_code(errc::connection_closed));
    EXPECT_EQ(srv.delivered[1], 1);
    for (int m = 2; m <= 6; ++m) EXPECT_EQ(srv.delivered[m], 0);
}

TEST(PipelineWindow, ChunkingAheadStartsWithRset) {
    // The bytes of a window: the second transaction goes in the first's
    // write, after RSET (RFC 3030 §2: a refused BDAT leaves the state
    // indeterminate until RSET).
    smtp_test::script s(config(true));
    s.set(s.fsm().start_session(false));
    ASSERT_TRUE(s.server("220 mx\r\n"));
    ASSERT_TRUE(s.client_writes("EHLO client.example\r\n"));
    ASSERT_TRUE(s.server("250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n"));
    ASSERT_TRUE(s.done_ok());
    const auto envs = envelopes(2, {});
    ASSERT_TRUE(s.fsm().can_queue());
    s.fsm().queue_send(envs[0], "a\r\n", false);
    s.fsm().queue_send(envs[1], "b\r\n", false);
    s.set(s.fsm().start_next());
    ASSERT_TRUE(s.client_writes(
        "MAIL FROM:<m1@example.com>\r\nRCPT TO:<r1x0@example.org>\r\nBDAT 3 LAST\r\na\r\n"
        "RSET\r\nMAIL FROM:<m2@example.com>\r\nRCPT TO:<r2x0@example.org>\r\nBDAT 3 "
        "LAST\r\nb\r\n"));
    EXPECT_EQ(s.last().phase, phase::data_final);
    ASSERT_TRUE(s.server("250 a\r\n250 b\r\n250 c\r\n250 d\r\n250 e\r\n250 f\r\n250 g\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_EQ(s.fsm().report().final_reply.message(), "c");
    s.set(s.fsm().start_next());
    ASSERT_TRUE(s.done_ok());
    EXPECT_EQ(s.fsm().report().final_reply.message(), "g");
    EXPECT_EQ(s.fsm().report().recipients.size(), 1u);
}

TEST(PipelineWindow, NothingQueuedWithoutPipelining) {
    smtp_test::script s(config(false));
    s.set(s.fsm().start_session(false));
    ASSERT_TRUE(s.server("220 mx\r\n"));
    ASSERT_TRUE(s.client_writes("EHLO client.example\r\n"));
    ASSERT_TRUE(s.server("250 mx\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_FALSE(s.fsm().can_queue());
    client_config off = config(false);
    off.pipelining = false;
    smtp_test::script t(off);
    t.set(t.fsm().start_session(false));
    ASSERT_TRUE(t.server("220 mx\r\n"));
    ASSERT_TRUE(t.client_writes("EHLO client.example\r\n"));
    ASSERT_TRUE(t.server("250-mx\r\n250 PIPELINING\r\n"));
    ASSERT_TRUE(t.done_ok());
    EXPECT_FALSE(t.fsm().can_queue());
}

// ---------------------------------------------------------------------------
// Cancellation inside a window (client::withdraw): a queued send whose
// commands have not gone out leaves the window, the others are not
// disturbed; once its commands went out it cannot be withdrawn.

/// A session open on a server that offers PIPELINING (and CHUNKING).
::testing::AssertionResult open_pipelining_session(smtp_test::script& s, bool chunking) {
    s.set(s.fsm().start_session(false));
    if (auto r = s.server("220 mx\r\n"); !r) return r;
    if (auto r = s.client_writes("EHLO client.example\r\n"); !r) return r;
    if (auto r = s.server(chunking ? "250-mx\r\n250-PIPELINING\r\n250 CHUNKING\r\n"
                                   : "250-mx\r\n250 PIPELINING\r\n");
        !r)
        return r;
    return s.done_ok();
}

TEST(PipelineWindow, DataWithdrawAQueuedSendBeforeItGoesOut) {
    smtp_test::script s(config(false));
    ASSERT_TRUE(open_pipelining_session(s, false));
    const auto envs = envelopes(3, {});
    const auto id1 = s.fsm().queue_send(envs[0], "a\r\n", false);
    const auto id2 = s.fsm().queue_send(envs[1], "b\r\n", false);
    const auto id3 = s.fsm().queue_send(envs[2], "c\r\n", false);
    s.set(s.fsm().start_next());
    ASSERT_TRUE(
        s.client_writes("MAIL FROM:<m1@example.com>\r\nRCPT TO:<r1x0@example.org>\r\nDATA\r\n"));
    EXPECT_FALSE(s.fsm().withdraw(id1));  // running
    EXPECT_TRUE(s.fsm().withdraw(id2));   // nothing of it went out
    EXPECT_FALSE(s.fsm().withdraw(id2));  // gone already
    EXPECT_EQ(s.fsm().queued(), 1u);
    ASSERT_TRUE(s.server("250 a\r\n250 b\r\n354 go\r\n"));
    // Message 3 follows message 1's data, as message 2 would have.
    ASSERT_TRUE(s.client_writes(
        "a\r\n.\r\nMAIL FROM:<m3@example.com>\r\nRCPT TO:<r3x0@example.org>\r\nDATA\r\n"));
    EXPECT_FALSE(s.fsm().withdraw(id3));  // its commands went out
    ASSERT_TRUE(s.server("250 one\r\n250 c\r\n250 d\r\n354 go\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_EQ(s.fsm().report().final_reply.message(), "one");
    s.set(s.fsm().start_next());
    ASSERT_TRUE(s.client_writes("c\r\n.\r\n"));
    ASSERT_TRUE(s.server("250 three\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_EQ(s.fsm().report().final_reply.message(), "three");
    EXPECT_EQ(s.fsm().queued(), 0u);
}

TEST(PipelineWindow, ChunkingWithdrawAQueuedSendBeforeItGoesOut) {
    smtp_test::script s(config(true));
    s.fsm().set_window(2);  // one transaction ahead of the running one
    ASSERT_TRUE(open_pipelining_session(s, true));
    const auto envs = envelopes(4, {});
    s.fsm().queue_send(envs[0], "a\r\n", false);
    const auto id2 = s.fsm().queue_send(envs[1], "b\r\n", false);
    const auto id3 = s.fsm().queue_send(envs[2], "c\r\n", false);
    s.set(s.fsm().start_next());
    ASSERT_TRUE(s.client_writes(
        "MAIL FROM:<m1@example.com>\r\nRCPT TO:<r1x0@example.org>\r\nBDAT 3 LAST\r\na\r\n"
        "RSET\r\nMAIL FROM:<m2@example.com>\r\nRCPT TO:<r2x0@example.org>\r\nBDAT 3 "
        "LAST\r\nb\r\n"));
    EXPECT_FALSE(s.fsm().withdraw(id2));  // went out ahead: its replies will come
    EXPECT_TRUE(s.fsm().withdraw(id3));
    // A send queued after the withdrawal takes its place.
    s.fsm().queue_send(envs[3], "d\r\n", false);
    ASSERT_TRUE(s.server("250 a\r\n250 b\r\n250 one\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_EQ(s.fsm().report().final_reply.message(), "one");
    // Message 2's turn: a place is free, message 4 (not the withdrawn 3)
    // goes ahead.
    s.set(s.fsm().start_next());
    ASSERT_TRUE(
        s.client_writes("RSET\r\nMAIL FROM:<m4@example.com>\r\nRCPT TO:<r4x0@example.org>\r\nBDAT "
                        "3 LAST\r\nd\r\n"));
    ASSERT_TRUE(
        s.server("250 r\r\n250 c\r\n250 d\r\n250 two\r\n"
                 "250 r\r\n250 e\r\n250 f\r\n250 four\r\n"));
    ASSERT_TRUE(s.done_ok());
    EXPECT_EQ(s.fsm().report().final_reply.message(), "two");
    s.set(s.fsm().start_next());
    ASSERT_TRUE(s.done_ok());
    EXPECT_EQ(s.fsm().report().final_reply.message(), "four");
    EXPECT_EQ(s.fsm().queued(), 0u);
}

}  // namespace
