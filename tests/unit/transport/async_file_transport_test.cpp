// lettre::async_file_transport: the async form of the file transport with
// any completion token; it never completes inside the initiating call,
// reports failures as error codes and leaves nothing behind on failure.
#include <lettre/transport/async_file_transport.hpp>

#include "../test_util.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>

namespace {

namespace asio = boost::asio;
using lettre::async_file_transport;
using lettre::errc;
using lettre::file_transport;
using namespace lettre_test;

lettre::message async_file_sample(int n) {
    auto b = lettre::message::builder();
    b.from("alice@example.com")
        .to("bob@example.org")
        .subject("async " + std::to_string(n))
        .text("hi\n");
    return must_build(b);
}

TEST(AsyncFileTransport, CallbackCompletesAfterTheCallWithTheFiles) {
    const temp_dir dir;
    asio::io_context ioc;
    const async_file_transport t(ioc.get_executor(), dir.path() / "out");
    const lettre::message m = async_file_sample(1);
    std::optional<file_transport::delivery> got;
    boost::system::error_code got_ec = asio::error::would_block;
    t.async_send(m, [&](boost::system::error_code ec, file_transport::delivery d) {
        got_ec = ec;
        got = std::move(d);
    });
    EXPECT_FALSE(got) << "completed inside async_send";
    EXPECT_FALSE(fs::exists(dir.path() / "out")) << "wrote before the executor ran";
    ioc.run();
    ASSERT_TRUE(got);
    EXPECT_FALSE(got_ec) << got_ec.message();
    EXPECT_EQ(read_file(got->eml_path), m.formatted());
    EXPECT_TRUE(fs::is_regular_file(got->json_path));
    EXPECT_EQ(t.directory(), dir.path() / "out");
}

TEST(AsyncFileTransport, CoroutinesSendManyAndErrorsComeBackAsCodes) {
    const temp_dir dir;
    asio::io_context ioc;
    const async_file_transport t(asio::make_strand(ioc), dir.path());
    int sent = 0;
    boost::system::error_code refused;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 20; ++i) {
                auto [ec, d] = co_await t.async_send(async_file_sample(i),
                                                     asio::as_tuple(asio::use_awaitable));
                if (!ec && fs::is_regular_file(d.eml_path)) ++sent;
            }
            // A directory that cannot be made: an error code, not an exception.
            const async_file_transport bad(ioc.get_executor(), dir.path() / "x.eml" / "sub");
            write_file(dir.path() / "x.eml", "x");
            auto [ec, d] =
                co_await bad.async_send(async_file_sample(0), asio::as_tuple(asio::use_awaitable));
            refused = ec;
        },
        [](const std::exception_ptr& e) {
            if (e) std::rethrow_exception(e);
        });
    ioc.run();
    EXPECT_EQ(sent, 20);
    EXPECT_EQ(refused, errc::io_error);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) ++files;
    EXPECT_EQ(files, 41u);  // and x.eml
}

TEST(AsyncFileTransport, UnusableDirectoryIsAnIoErrorAndLeavesNothing) {
    const temp_dir dir;
    const fs::path not_a_dir = dir.path() / "file";
    write_file(not_a_dir, "x");
    asio::io_context ioc;
    const async_file_transport t(ioc.get_executor(), not_a_dir);
    boost::system::error_code got_ec;
    bool called = false;
    t.async_send(async_file_sample(1),
                 [&](boost::system::error_code ec, const file_transport::delivery& d) {
                     called = true;
                     got_ec = ec;
                     EXPECT_TRUE(d.id.empty());
                 });
    ioc.run();
    ASSERT_TRUE(called);
    EXPECT_EQ(got_ec, errc::io_error);
    EXPECT_EQ(read_file(not_a_dir), "x");
}

}  // namespace

namespace {

// The handler's own io_context has nothing else to do: the pending send must
// count as its work until the handler ran, or run() returns without it (the
// work guard was once released before the dispatch).
TEST(AsyncFileTransport, HandlerOnAnIdleContextOfItsOwnStillRuns) {
    const temp_dir dir;
    asio::io_context transport_ioc;
    asio::io_context handler_ioc;
    const async_file_transport t(transport_ioc.get_executor(), dir.path());
    bool called = false;
    bool on_handler_ioc = false;
    t.async_send(async_file_sample(7),
                 asio::bind_executor(
                     handler_ioc, [&](boost::system::error_code ec, file_transport::delivery) {
                         EXPECT_FALSE(ec) << ec.message();
                         called = true;
                         on_handler_ioc = handler_ioc.get_executor().running_in_this_thread();
                     }));
    transport_ioc.run();
    EXPECT_FALSE(called) << "the handler ran on the transport's executor";
    EXPECT_FALSE(handler_ioc.stopped()) << "the handler's context lost its work";
    handler_ioc.run();
    EXPECT_TRUE(called);
    EXPECT_TRUE(on_handler_ioc);
}

}  // namespace
