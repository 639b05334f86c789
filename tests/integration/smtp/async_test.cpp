// async_smtp_transport with each kind of completion token: callbacks,
// use_future, C++20 coroutines (use_awaitable), plus per-operation
// cancellation and the associated executor.
#include "support.hpp"

#include <lettre/lettre.hpp>
#include <lettre/smtp/async_transport.hpp>

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

namespace {

using namespace smtp_it;
using boost::system::error_code;
using lettre::errc;
namespace asio = boost::asio;

error_code asio_code(errc e) {
    return lettre::make_error_code(e);
}

TEST(Async, CallbackNeverInline) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    asio::io_context ioc;
    auto mailer = plain_builder(peer.port("plain")).build(ioc.get_executor());
    const auto msg = sample_message();
    bool called = false;
    error_code got;
    lettre::smtp::send_report report;
    mailer.async_send(msg, [&](error_code ec, lettre::smtp::send_report r) {
        called = true;
        got = ec;
        report = std::move(r);
        mailer.shutdown();  // QUITs the pooled connection so that run() returns
    });
    EXPECT_FALSE(called) << "completed inside async_send";
    ioc.run();
    ASSERT_TRUE(called);
    ASSERT_FALSE(got) << describe(got, report);
    const auto box = mailbox(peer.dir("plain"));
    ASSERT_EQ(box.size(), before + 1);
    EXPECT_EQ(box.back().content, msg.formatted());
}

TEST(Async, ImmediateErrorIsNotInlineEither) {
    asio::io_context ioc;
    auto t = test_ca();
    t.ca_file = "/nonexistent/ca.pem";
    auto mailer = starttls_builder(1).tls(t).build(ioc.get_executor());
    bool called = false;
    error_code got;
    mailer.async_send(sample_message(), [&](error_code ec, lettre::smtp::send_report) {
        called = true;
        got = ec;
    });
    EXPECT_FALSE(called);
    ioc.run();
    EXPECT_TRUE(called);
    EXPECT_EQ(got, asio_code(errc::tls_failed));
}

TEST(Async, UseFuture) {
    const auto& peer = aiosmtpd();
    asio::io_context ioc;
    auto guard = asio::make_work_guard(ioc);
    std::thread runner([&] { ioc.run(); });
    auto mailer = plain_builder(peer.port("plain")).build(ioc.get_executor());
    const auto before = peer.count("plain");
    auto ok = mailer.async_send(sample_message(), asio::use_future);
    auto refused = mailer.async_send(lettre::message::builder()
                                         .from("a@example.com")
                                         .to("reject@example.org")
                                         .subject("x")
                                         .text("x")
                                         .build(),
                                     asio::use_future);
    try {
        const auto r = ok.get();
        EXPECT_EQ(r.final_reply.code(), 250);
    } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
    }
    try {
        refused.get();
        ADD_FAILURE() << "no exception";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), asio_code(errc::no_recipient_accepted));
    }
    mailer.shutdown();
    guard.reset();
    runner.join();
    EXPECT_EQ(peer.count("plain"), before + 1);
}

TEST(Async, Coroutines) {
    const auto& peer = aiosmtpd();
    const auto before = peer.count("plain");
    asio::io_context ioc;
    auto mailer = plain_builder(peer.port("plain")).build(ioc.get_executor());
    constexpr int n = 8;
    int delivered = 0;
    int finished = 0;
    std::vector<std::string> problems;
    error_code refused_code;
    auto one_done = [&] {
        if (++finished == n + 1) mailer.shutdown();
    };
    for (int i = 0; i < n; ++i) {
        asio::co_spawn(
            ioc,
            [&, i]() -> asio::awaitable<void> {
                try {
                    const auto r = co_await mailer.async_send(
                        sample_message("rcpt@example.org", "coroutine " + std::to_string(i)),
                        asio::use_awaitable);
                    if (r.final_reply.code() == 250) ++delivered;
                } catch (const boost::system::system_error& e) {
                    problems.push_back(e.what());
                }
                one_done();
            },
            asio::detached);
    }
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            try {
                co_await mailer.async_send(lettre::message::builder()
                                               .from("a@example.com")
                                               .to("reject@example.org")
                                               .subject("x")
                                               .text("x")
                                               .build(),
                                           asio::use_awaitable);
                problems.push_back("refused message reported as sent");
            } catch (const boost::system::system_error& e) {
                refused_code = e.code();
            }
            one_done();
        },
        asio::detached);
    ioc.run();
    EXPECT_EQ(delivered, n);
    EXPECT_TRUE(problems.empty()) << problems.front();
    EXPECT_EQ(refused_code, asio_code(errc::no_recipient_accepted));
    EXPECT_EQ(peer.count("plain"), before + n);
}

TEST(Async, CoroutineSeesOutcomeUnknown) {
    const auto& fake = fake_server();
    asio::io_context ioc;
    auto mailer = plain_builder(fake.port("drop_after_dot")).build(ioc.get_executor());
    error_code got;
    bool returned = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            try {
                co_await mailer.async_send(sample_message(), asio::use_awaitable);
                returned = true;
            } catch (const boost::system::system_error& e) {
                got = e.code();
            }
            mailer.shutdown();
        },
        asio::detached);
    ioc.run();
    EXPECT_FALSE(returned) << "success reported for a message with no final reply";
    EXPECT_EQ(got, asio_code(errc::outcome_unknown));
}

lettre::smtp::transport_config single_connection(lettre::smtp::transport_config cfg) {
    cfg.pool.max_connections = 1;
    return cfg;
}

// A send waiting for a pooled connection is withdrawn at once.
TEST(Async, CancelWhileWaitingForAConnection) {
    const auto& fake = fake_server();
    asio::io_context ioc;
    auto cfg = single_connection(plain_builder(fake.port("stall_greeting"))
                                     .timeouts(lettre::smtp::timeouts::all(3s))
                                     .config());
    lettre::async_smtp_transport mailer(ioc.get_executor(), cfg);
    error_code first, second;
    bool second_called = false;
    std::chrono::steady_clock::time_point second_at;
    mailer.async_send(sample_message(), [&](error_code ec, lettre::smtp::send_report) {
        first = ec;
        mailer.shutdown();
    });
    asio::cancellation_signal signal;
    const auto start = std::chrono::steady_clock::now();
    mailer.async_send(
        sample_message(),
        asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, lettre::smtp::send_report) {
            second_called = true;
            second = ec;
            second_at = std::chrono::steady_clock::now();
        }));
    asio::steady_timer timer(ioc, 200ms);
    timer.async_wait([&](error_code) { signal.emit(asio::cancellation_type::terminal); });
    ioc.run();
    ASSERT_TRUE(second_called);
    EXPECT_EQ(second, asio::error::operation_aborted) << second.message();
    EXPECT_LT(second_at - start, 2s);
    EXPECT_EQ(first, asio_code(errc::timeout)) << first.message();
}

// A send queued in a connection's pipelining window whose commands have not
// gone out yet: a cancellation of either type withdraws it (operation_aborted,
// "nothing of it was sent") and the sends around it go on, on the same
// connection, without a retry. The server (pipelining_hold) holds its
// replies to the first transaction until the cancelled send has completed,
// so that the window is full when the cancellation comes. (Before the
// window knew how to withdraw a send, a terminal cancellation closed the
// connection and the others went again on a new one; a partial one was
// ignored and the message went out.)
TEST(Async, CancelAQueuedSendInsideThePipeliningWindow) {
    const auto& fake = fake_server();
    for (const auto type : {asio::cancellation_type::partial, asio::cancellation_type::terminal}) {
        SCOPED_TRACE(type == asio::cancellation_type::partial ? "partial" : "terminal");
        const int n = fake.connections("pipelining_hold") + 1;
        const fs::path hold = fake.outdir / ("hold-pipelining_hold." + std::to_string(n));
        asio::io_context ioc;
        auto cfg = single_connection(plain_builder(fake.port("pipelining_hold"))
                                         .timeouts(lettre::smtp::timeouts::all(20s))
                                         .config());
        lettre::async_smtp_transport mailer(ioc.get_executor(), cfg);
        std::array<error_code, 3> got;
        std::array<lettre::smtp::send_report, 3> reports;
        int done = 0;
        auto on_done = [&](int i) {
            return [&, i](error_code ec, lettre::smtp::send_report r) {
                got[static_cast<std::size_t>(i)] = ec;
                reports[static_cast<std::size_t>(i)] = std::move(r);
                if (i == 2) std::ofstream(hold.string() + ".go").close();  // the server goes on
                if (++done == 3) mailer.shutdown();
            };
        };
        asio::cancellation_signal signal;
        mailer.async_send(sample_message(), on_done(0));
        mailer.async_send(sample_message(), on_done(1));
        mailer.async_send(sample_message(),
                          asio::bind_cancellation_slot(signal.slot(), on_done(2)));
        // Once the server holds the first DATA, all three are on the
        // connection: the first running, the other two queued behind it.
        asio::steady_timer poll(ioc);
        std::function<void()> wait_held = [&] {
            if (fs::exists(hold.string() + ".held")) return signal.emit(type);
            poll.expires_after(10ms);
            poll.async_wait([&](error_code) { wait_held(); });
        };
        wait_held();
        ioc.run();
        ASSERT_EQ(done, 3);
        EXPECT_FALSE(got[0]) << describe(got[0], reports[0]);
        EXPECT_FALSE(got[1]) << describe(got[1], reports[1]);
        EXPECT_EQ(got[2], asio::error::operation_aborted) << describe(got[2], reports[2]);
        EXPECT_NE(reports[2].diagnostics.message.find("nothing of it was sent"), std::string::npos)
            << reports[2].diagnostics.message;
        EXPECT_EQ(mailer.metrics().reconnects, 0u);
        ASSERT_TRUE(eventually([&] { return fake.log("pipelining_hold", n).has_value(); }));
        EXPECT_EQ(fake.connections("pipelining_hold"), n);  // no second connection
        const std::string log = *fake.log("pipelining_hold", n);
        std::size_t mails = 0;
        for (auto at = log.find("MAIL FROM"); at != std::string::npos;
             at = log.find("MAIL FROM", at + 1))
            ++mails;
        EXPECT_EQ(mails, 2u) << log;
    }
}

// A send on the wire that has not sent anything yet (stuck at the greeting)
// can be cancelled too: "supports per-operation cancellation". (The pool
// closes its connection; before that fix it ran into the 20 s timeout.)
TEST(Async, CancelInFlightBeforeAnythingWasSent) {
    const auto& fake = fake_server();
    asio::io_context ioc;
    auto mailer = plain_builder(fake.port("stall_greeting"))
                      .timeouts(lettre::smtp::timeouts::all(20s))
                      .build(ioc.get_executor());
    asio::cancellation_signal signal;
    bool called = false;
    error_code got;
    const auto start = std::chrono::steady_clock::now();
    mailer.async_send(
        sample_message(),
        asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, lettre::smtp::send_report) {
            called = true;
            got = ec;
            mailer.shutdown();
        }));
    asio::steady_timer timer(ioc, 300ms);
    timer.async_wait([&](error_code) { signal.emit(asio::cancellation_type::terminal); });
    ioc.run();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(called);
    EXPECT_EQ(got, asio::error::operation_aborted) << got.message();
    EXPECT_LT(elapsed, 5s);
}

// With or without the pool: a cancellation of any type emitted while the
// send's own connection opens (right after async_send) withdraws it, since
// nothing of the message has gone out; a terminal one emitted while it waits
// for the greeting closes its connection.
TEST(Async, CancelWhileTheConnectionOpens) {
    const auto& fake = fake_server();
    for (const bool pooled : {false, true})
        for (const bool at_once : {true, false}) {
            SCOPED_TRACE(pooled ? "pooled" : "no pool");
            asio::io_context ioc;
            auto cfg = plain_builder(fake.port("stall_greeting"))
                           .timeouts(lettre::smtp::timeouts::all(20s))
                           .config();
            cfg.pool.enabled = pooled;
            lettre::async_smtp_transport mailer(ioc.get_executor(), cfg);
            asio::cancellation_signal signal;
            bool called = false;
            error_code got;
            lettre::smtp::send_report report;
            const auto start = std::chrono::steady_clock::now();
            mailer.async_send(sample_message(),
                              asio::bind_cancellation_slot(
                                  signal.slot(), [&](error_code ec, lettre::smtp::send_report r) {
                                      called = true;
                                      got = ec;
                                      report = std::move(r);
                                  }));
            asio::steady_timer timer(ioc, 300ms);
            if (at_once)
                signal.emit(asio::cancellation_type::partial);
            else
                timer.async_wait(
                    [&](error_code) { signal.emit(asio::cancellation_type::terminal); });
            ioc.run();
            ASSERT_TRUE(called) << at_once;
            EXPECT_EQ(got, asio::error::operation_aborted) << at_once << ": " << got.message();
            EXPECT_FALSE(report.diagnostics.message.empty()) << at_once;
            EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << at_once;
        }
}

// The usual Asio pattern: start the sends, run() until they are done. (With
// the pool's first version an idle timer kept run() busy for 60 s.)
TEST(Async, RunReturnsWhenTheSendsAreDone) {
    const auto& peer = aiosmtpd();
    asio::io_context ioc;
    auto mailer = plain_builder(peer.port("plain")).build(ioc.get_executor());
    bool called = false;
    mailer.async_send(sample_message(),
                      [&](error_code, lettre::smtp::send_report) { called = true; });
    const auto start = std::chrono::steady_clock::now();
    ioc.run_for(10s);
    EXPECT_TRUE(called);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "run() lingered after the last send";
    mailer.shutdown();
    ioc.run();
}

TEST(Async, ShutdownQuitsIdleConnectionsAndFailsNewSends) {
    const auto& fake = fake_server();
    const int before = fake.connections("good");
    asio::io_context ioc;
    auto mailer = plain_builder(fake.port("good")).build(ioc.get_executor());
    error_code first, after;
    mailer.async_send(sample_message(), [&](error_code ec, lettre::smtp::send_report) {
        first = ec;
        mailer.shutdown();
        mailer.async_send(sample_message(), [&](error_code ec2, lettre::smtp::send_report r) {
            after = ec2;
            EXPECT_EQ(r.diagnostics.error, asio_code(errc::shut_down));
        });
    });
    const auto start = std::chrono::steady_clock::now();
    ioc.run();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    EXPECT_FALSE(first) << first.message();
    EXPECT_EQ(after, asio::error::operation_aborted);
    // The idle connection was closed with QUIT.
    const auto log = fake.log("good", before + 1);
    ASSERT_TRUE(log);
    EXPECT_TRUE(log->ends_with("QUIT\r\n")) << *log;
}

TEST(Async, CompletesOnTheHandlersExecutor) {
    const auto& peer = aiosmtpd();
    asio::io_context ioc;
    auto strand = asio::make_strand(ioc);
    auto mailer = plain_builder(peer.port("plain")).build(ioc.get_executor());
    bool on_strand = false;
    bool called = false;
    mailer.async_send(sample_message(),
                      asio::bind_executor(strand, [&](error_code, lettre::smtp::send_report) {
                          called = true;
                          on_strand = strand.running_in_this_thread();
                          mailer.shutdown();
                      }));
    ioc.run();
    EXPECT_TRUE(called);
    EXPECT_TRUE(on_strand);
}

}  // namespace
