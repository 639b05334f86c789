// lettre::stub_transport and lettre::async_stub_transport: nothing is sent;
// every message handed over is recorded (envelope, exact bytes, the answer)
// in order; the answer is success or the chosen error in every form; copies
// share one record; the async form takes any completion token, never
// completes inline and completes on the handler's associated executor.
#include <lettre/transport/async_stub_transport.hpp>

#include "../test_util.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>

#include <atomic>
#include <exception>
#include <future>
#include <set>
#include <thread>

namespace {

namespace asio = boost::asio;
using lettre::address;
using lettre::async_stub_transport;
using lettre::envelope;
using lettre::errc;
using lettre::stub_transport;
using namespace lettre_test;

lettre::message stub_sample(const std::string& subject = "Stub") {
    auto b = lettre::message::builder();
    b.from("Alice <alice@example.com>")
        .to("bob@example.org, Carol <carol@example.org>")
        .bcc("hidden@example.net")
        .subject(subject)
        .text("hello\n");
    return must_build(b);
}

envelope raw_envelope() {
    return envelope::create(address::parse("from@example.com"), {address::parse("to@example.org")});
}

std::vector<std::string> recipients(const envelope& env) {
    std::vector<std::string> out;
    for (const auto& a : env.to()) out.push_back(a.to_string());
    return out;
}

// ---------------------------------------------------------------------------
// Blocking

TEST(StubTransport, DefaultAnswersSuccessInAllFormsAndRecords) {
    const stub_transport stub;
    EXPECT_EQ(stub.size(), 0u);
    EXPECT_TRUE(stub.messages().empty());
    EXPECT_FALSE(stub.last());

    const lettre::message m = stub_sample();
    EXPECT_NO_THROW(stub.send(m));
    std::error_code e = make_error_code(std::errc::io_error);
    stub.send(m, e);
    EXPECT_FALSE(e) << "the error_code form must clear ec on success: " << e.message();
    EXPECT_LETTRE_OK(stub.try_send(m));

    const auto sent = stub.messages();
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(stub.size(), 3u);
    for (const auto& s : sent) {
        EXPECT_EQ(s.bytes, m.formatted()) << "the exact formatted bytes";
        ASSERT_TRUE(s.env.from());
        EXPECT_EQ(s.env.from()->to_string(), "alice@example.com");
        EXPECT_THAT(
            recipients(s.env),
            ::testing::ElementsAre("bob@example.org", "carol@example.org", "hidden@example.net"));
        EXPECT_FALSE(s.error) << s.error.message();
    }
}

TEST(StubTransport, FailingAnswersTheErrorInAllFormsAndRecords) {
    const auto stub =
        stub_transport::failing(lettre::make_error(errc::smtp_permanent, "550 no such user"));
    const lettre::message m = stub_sample();

    EXPECT_LETTRE_THROW(stub.send(m), errc::smtp_permanent);
    EXPECT_EQ(thrown_message([&] { stub.send(m); }), "550 no such user");

    std::error_code e;
    stub.send(m, e);
    EXPECT_EQ(e, ec(errc::smtp_permanent));

    const auto r = stub.try_send(m);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ec(errc::smtp_permanent));
    EXPECT_EQ(r.error().message, "550 no such user");

    const auto sent = stub.messages();
    ASSERT_EQ(sent.size(), 4u) << "failed sends are recorded too";
    for (const auto& s : sent) {
        EXPECT_EQ(s.error, ec(errc::smtp_permanent));
        EXPECT_EQ(s.bytes, m.formatted());
    }
}

TEST(StubTransport, FailingWithACodeGetsADefaultMessage) {
    const auto stub = stub_transport::failing(errc::smtp_transient);
    const auto r = stub.try_send(stub_sample());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ec(errc::smtp_transient));
    EXPECT_FALSE(r.error().message.empty());

    // Any error category, not only lettre's.
    const auto refused =
        stub_transport::failing(std::make_error_code(std::errc::connection_refused));
    std::error_code e;
    refused.send(stub_sample(), e);
    EXPECT_EQ(e, std::make_error_code(std::errc::connection_refused));
    EXPECT_THROW(refused.send(stub_sample()), lettre::error);
}

TEST(StubTransport, FailingNeedsAnErrorCode) {
    EXPECT_THROW(static_cast<void>(stub_transport::failing(lettre::error_info{})),
                 std::invalid_argument);
    EXPECT_THROW(static_cast<void>(stub_transport::failing(std::error_code{})),
                 std::invalid_argument);
}

TEST(StubTransport, SendRawRecordsTheGivenBytesAndEnvelope) {
    const stub_transport stub;
    constexpr char raw[] = "Subject: raw\r\n\r\nbody with a \0 and \xff\r\n";
    const std::string bytes(raw, sizeof raw - 1);
    ASSERT_NE(bytes.find('\0'), std::string::npos);
    stub.send_raw(raw_envelope(), bytes);
    EXPECT_LETTRE_OK(
        stub.try_send_raw(envelope::create(std::nullopt, {address::parse("x@y.org")}), "second"));

    const auto sent = stub.messages();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].bytes, bytes) << "bytes kept exactly, NUL included";
    ASSERT_TRUE(sent[0].env.from());
    EXPECT_EQ(sent[0].env.from()->to_string(), "from@example.com");
    EXPECT_THAT(recipients(sent[0].env), ::testing::ElementsAre("to@example.org"));
    EXPECT_FALSE(sent[0].error);
    EXPECT_EQ(sent[1].bytes, "second");
    EXPECT_FALSE(sent[1].env.from()) << "null reverse-path kept";
    EXPECT_THAT(recipients(sent[1].env), ::testing::ElementsAre("x@y.org"));

    const auto failing = stub_transport::failing(errc::smtp_transient);
    EXPECT_LETTRE_THROW(failing.send_raw(raw_envelope(), "x"), errc::smtp_transient);
    EXPECT_LETTRE_ERROR(failing.try_send_raw(raw_envelope(), "x"), errc::smtp_transient);
    EXPECT_EQ(failing.size(), 2u);
}

TEST(StubTransport, EnvelopeWithoutRecipientIsRefused) {
    const stub_transport ok;
    EXPECT_LETTRE_THROW(ok.send_raw(envelope{}, "x"), errc::missing_recipient);
    EXPECT_LETTRE_ERROR(ok.try_send_raw(envelope{}, "x"), errc::missing_recipient);
    const auto sent = ok.messages();
    ASSERT_EQ(sent.size(), 2u) << "refused sends are recorded with their error";
    EXPECT_EQ(sent[0].error, ec(errc::missing_recipient));
    EXPECT_EQ(sent[1].error, ec(errc::missing_recipient));

    // Checked before the configured answer, as a real transport would.
    const auto failing = stub_transport::failing(errc::smtp_transient);
    EXPECT_LETTRE_ERROR(failing.try_send_raw(envelope{}, "x"), errc::missing_recipient);
    ASSERT_TRUE(failing.last());
    EXPECT_EQ(failing.last()->error, ec(errc::missing_recipient));
}

TEST(StubTransport, CopiesShareTheRecordAndTheAnswer) {
    const stub_transport original;
    const stub_transport copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
    stub_transport assigned;
    assigned = copy;
    copy.send(stub_sample("one"));
    assigned.send(stub_sample("two"));
    EXPECT_EQ(original.size(), 2u);
    EXPECT_EQ(copy.size(), 2u);
    EXPECT_EQ(assigned.size(), 2u);

    stub_transport moved_to = std::move(assigned);
    moved_to.send(stub_sample("three"));
    // A moved-from stub still shares the record (moves are copies).
    assigned.send(stub_sample("four"));  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(original.size(), 4u);

    const stub_transport unrelated;
    EXPECT_EQ(unrelated.size(), 0u) << "separate stubs have separate records";

    const auto failing = stub_transport::failing(errc::smtp_transient);
    const stub_transport failing_copy =
        failing;  // NOLINT(performance-unnecessary-copy-initialization)
    EXPECT_LETTRE_ERROR(failing_copy.try_send(stub_sample()), errc::smtp_transient);
    EXPECT_EQ(failing.size(), 1u);
}

TEST(StubTransport, MessagesAreInOrderAndLastIsTheMostRecent) {
    const stub_transport stub;
    const auto a = stub_sample("first");
    const auto b = stub_sample("second");
    const auto c = stub_sample("third");
    stub.send(a);
    stub.send(b);
    stub.send(c);
    const auto sent = stub.messages();
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(sent[0].bytes, a.formatted());
    EXPECT_EQ(sent[1].bytes, b.formatted());
    EXPECT_EQ(sent[2].bytes, c.formatted());
    ASSERT_TRUE(stub.last());
    EXPECT_EQ(stub.last()->bytes, c.formatted());
}

TEST(StubTransport, MessagesIsASnapshot) {
    const stub_transport stub;
    stub.send(stub_sample());
    const auto before = stub.messages();
    stub.send(stub_sample());
    EXPECT_EQ(before.size(), 1u);
    EXPECT_EQ(stub.size(), 2u);
}

TEST(StubTransport, ClearForgetsTheRecordOfEveryCopyButKeepsTheAnswer) {
    const auto stub = stub_transport::failing(errc::smtp_transient);
    const stub_transport copy = stub;  // NOLINT(performance-unnecessary-copy-initialization)
    static_cast<void>(stub.try_send(stub_sample()));
    static_cast<void>(stub.try_send(stub_sample()));
    ASSERT_EQ(copy.size(), 2u);
    copy.clear();
    EXPECT_EQ(stub.size(), 0u);
    EXPECT_TRUE(stub.messages().empty());
    EXPECT_FALSE(stub.last());
    EXPECT_LETTRE_ERROR(stub.try_send(stub_sample()), errc::smtp_transient);
    EXPECT_EQ(stub.size(), 1u);
}

TEST(StubTransport, SendsFromManyThreadsAreAllRecorded) {
    constexpr int threads = 4;
    constexpr int per_thread = 250;
    const stub_transport stub;
    const envelope env = raw_envelope();
    std::atomic<bool> done{false};
    std::thread reader([&] {
        std::size_t seen = 0;
        while (!done.load()) {
            const auto n = stub.size();
            EXPECT_GE(n, seen) << "the record never shrinks";
            seen = n;
            static_cast<void>(stub.last());
            std::this_thread::yield();
        }
    });
    {
        std::vector<std::thread> senders;
        for (int t = 0; t < threads; ++t) {
            senders.emplace_back([&stub, &env, t] {
                const stub_transport mine = stub;  // a copy per thread, one record
                for (int i = 0; i < per_thread; ++i)
                    mine.send_raw(env, std::to_string(t) + ":" + std::to_string(i));
            });
        }
        for (auto& s : senders) s.join();
    }
    done = true;
    reader.join();

    const auto sent = stub.messages();
    ASSERT_EQ(sent.size(), static_cast<std::size_t>(threads * per_thread));
    std::set<std::string> distinct;
    std::vector<int> next(threads, 0);
    for (const auto& s : sent) {
        distinct.insert(s.bytes);
        const auto colon = s.bytes.find(':');
        ASSERT_NE(colon, std::string::npos) << s.bytes;
        const int t = std::stoi(s.bytes.substr(0, colon));
        const int i = std::stoi(s.bytes.substr(colon + 1));
        ASSERT_TRUE(t >= 0 && t < threads) << s.bytes;
        const auto slot = static_cast<std::size_t>(t);
        EXPECT_EQ(i, next[slot]) << "each thread's sends are recorded in its order";
        next[slot] = i + 1;
        EXPECT_FALSE(s.error);
    }
    EXPECT_EQ(distinct.size(), sent.size()) << "no send lost or duplicated";
}

// ---------------------------------------------------------------------------
// Async

TEST(AsyncStubTransport, CallbackNeverCompletesInline) {
    asio::io_context ioc;
    const async_stub_transport t(ioc.get_executor());
    const lettre::message m = stub_sample();
    bool called = false;
    boost::system::error_code got = asio::error::would_block;
    t.async_send(m, [&](boost::system::error_code e, lettre::stub_report) {
        called = true;
        got = e;
    });
    EXPECT_FALSE(called) << "completed inside async_send";
    EXPECT_EQ(t.blocking().size(), 0u) << "recorded before the executor ran";

    // Not inline either when started from a handler running on the executor.
    bool inner_called = false;
    bool inner_inline = true;
    asio::post(ioc, [&] {
        t.async_send_raw(
            raw_envelope(), "raw",
            [&](boost::system::error_code, lettre::stub_report) { inner_called = true; });
        inner_inline = inner_called;
    });

    ioc.run();
    ASSERT_TRUE(called);
    EXPECT_FALSE(got) << got.message();
    EXPECT_TRUE(inner_called);
    EXPECT_FALSE(inner_inline) << "completed inside async_send_raw called from the executor";
    const auto sent = t.blocking().messages();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].bytes, m.formatted());
    EXPECT_EQ(sent[1].bytes, "raw");
    EXPECT_EQ(t.get_executor(), asio::any_io_executor(ioc.get_executor()));
}

TEST(AsyncStubTransport, FailingGivesTheErrorCode) {
    asio::io_context ioc;
    const async_stub_transport t(ioc.get_executor(), stub_transport::failing(lettre::make_error(
                                                         errc::smtp_transient, "451 try later")));
    std::optional<boost::system::error_code> got;
    t.async_send(stub_sample(), [&](boost::system::error_code e, lettre::stub_report) { got = e; });
    std::optional<boost::system::error_code> raw_got;
    t.async_send_raw(envelope{}, "x",
                     [&](boost::system::error_code e, lettre::stub_report) { raw_got = e; });
    ioc.run();
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, errc::smtp_transient) << got->message();
    ASSERT_TRUE(raw_got);
    EXPECT_EQ(*raw_got, errc::missing_recipient) << raw_got->message();
    const auto sent = t.blocking().messages();
    ASSERT_EQ(sent.size(), 2u);
    EXPECT_EQ(sent[0].error, ec(errc::smtp_transient));
    EXPECT_EQ(sent[1].error, ec(errc::missing_recipient));
}

TEST(AsyncStubTransport, UseFuture) {
    asio::io_context ioc;
    const stub_transport ok;
    const async_stub_transport t(ioc.get_executor(), ok);
    const async_stub_transport bad(ioc.get_executor(),
                                   stub_transport::failing(errc::smtp_permanent));
    std::future<lettre::stub_report> f_ok = t.async_send(stub_sample(), asio::use_future);
    std::future<lettre::stub_report> f_bad =
        bad.async_send_raw(raw_envelope(), "x", asio::use_future);
    ioc.run();
    EXPECT_NO_THROW(f_ok.get());
    try {
        f_bad.get();
        ADD_FAILURE() << "the failing stub's future did not throw";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), errc::smtp_permanent) << e.what();
    }
    EXPECT_EQ(ok.size(), 1u) << "the stub given to the constructor shares the record";
}

TEST(AsyncStubTransport, Coroutines) {
    asio::io_context ioc;
    const stub_transport record;
    const async_stub_transport t(ioc.get_executor(), record);
    const async_stub_transport bad(ioc.get_executor(),
                                   stub_transport::failing(errc::smtp_transient));
    int ok_sends = 0;
    boost::system::error_code tuple_error;
    boost::system::error_code thrown_error;
    bool finished = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 5; ++i) {
                co_await t.async_send(stub_sample(std::to_string(i)), asio::use_awaitable);
                ++ok_sends;
            }
            auto [e, rep] =
                co_await bad.async_send(stub_sample(), asio::as_tuple(asio::use_awaitable));
            tuple_error = e;
            try {
                co_await bad.async_send_raw(raw_envelope(), "x", asio::use_awaitable);
            } catch (const boost::system::system_error& ex) {
                thrown_error = ex.code();
            }
            finished = true;
        },
        [](const std::exception_ptr& e) {
            if (e) std::rethrow_exception(e);
        });
    ioc.run();
    EXPECT_TRUE(finished);
    EXPECT_EQ(ok_sends, 5);
    EXPECT_EQ(record.size(), 5u);
    EXPECT_EQ(tuple_error, errc::smtp_transient);
    EXPECT_EQ(thrown_error, errc::smtp_transient);
    EXPECT_EQ(bad.blocking().size(), 2u);
}

TEST(AsyncStubTransport, HandlerRunsOnItsAssociatedExecutorWhichIsKeptBusy) {
    asio::io_context transport_ioc;
    asio::io_context handler_ioc;
    const async_stub_transport t(transport_ioc.get_executor());
    bool called = false;
    bool on_handler_ioc = false;
    bool on_transport_ioc = true;
    t.async_send(stub_sample(), asio::bind_executor(handler_ioc, [&](boost::system::error_code e,
                                                                     lettre::stub_report) {
                     EXPECT_FALSE(e) << e.message();
                     called = true;
                     on_handler_ioc = handler_ioc.get_executor().running_in_this_thread();
                     on_transport_ioc = transport_ioc.get_executor().running_in_this_thread();
                 }));

    // The pending operation counts as work on the handler's executor: with
    // nothing ready, poll() returns without stopping the context.
    EXPECT_EQ(handler_ioc.poll(), 0u);
    EXPECT_FALSE(handler_ioc.stopped()) << "no work tracked on the handler's executor";

    transport_ioc.run();
    EXPECT_FALSE(called) << "the handler ran on the transport's executor";
    EXPECT_EQ(t.blocking().size(), 1u) << "the stub step runs on the transport's executor";

    handler_ioc.run();
    ASSERT_TRUE(called);
    EXPECT_TRUE(on_handler_ioc);
    EXPECT_FALSE(on_transport_ioc);
}

}  // namespace
