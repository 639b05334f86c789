// One SMTP transport shared between threads, as the headers promise it can
// be: the blocking smtp_transport called from several threads at once, and
// the async transport fed from several threads while several threads run its
// io_context. These are the tests the ThreadSanitizer build runs
// (scripts/test.sh, docs/testing.md); in the other builds they check that
// every message is delivered exactly once.
#include "support.hpp"

#include <lettre/lettre.hpp>
#include <lettre/smtp/async_transport.hpp>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace smtp_it;
using boost::system::error_code;
namespace asio = boost::asio;

constexpr int senders = 6;
constexpr int per_sender = 40;

std::string token(int thread, int i) {
    return "s" + std::to_string(thread) + "-" + std::to_string(i);
}

lettre::smtp::transport_config config_for(const chaos_server& server, std::size_t connections) {
    auto cfg = plain_builder(server.port).timeouts(lettre::smtp::timeouts::all(30s)).config();
    cfg.pool.max_connections = connections;
    return cfg;
}

/// Every token was acknowledged by the server exactly once.
void expect_each_delivered_once(const chaos_server& server) {
    std::map<std::string, int> acked;
    for (const auto& [what, tok] : server.events())
        if (what == "ACK") ++acked[tok];
    EXPECT_EQ(acked.size(), static_cast<std::size_t>(senders * per_sender));
    for (int t = 0; t < senders; ++t)
        for (int i = 0; i < per_sender; ++i) {
            const auto it = acked.find(token(t, i));
            EXPECT_TRUE(it != acked.end() && it->second == 1)
                << token(t, i) << " acknowledged " << (it == acked.end() ? 0 : it->second)
                << " times";
        }
}

/// Reads the metrics over and over until `stop`: a reader racing the senders.
std::thread metrics_reader(const std::function<lettre::smtp::pool_metrics()>& read,
                           const std::atomic<bool>& stop) {
    return std::thread([read, &stop] {
        std::size_t sent = 0;
        while (!stop.load()) {
            const auto m = read();
            EXPECT_GE(m.messages_sent, sent) << "the sent count never goes back";
            sent = m.messages_sent;
            std::this_thread::yield();
        }
    });
}

TEST(SharedTransport, BlockingTransportFromManyThreads) {
    auto server = start_chaos_server();
    lettre::smtp_transport mailer(config_for(*server, 3));
    std::atomic<int> ok{0};
    std::atomic<bool> stop{false};
    auto reader = metrics_reader([&] { return mailer.metrics(); }, stop);
    std::vector<std::thread> threads;
    for (int t = 0; t < senders; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_sender; ++i) {
                std::error_code ec;
                const auto r = mailer.send(sample_message("rcpt@example.org", token(t, i)), ec);
                if (!ec)
                    ++ok;
                else
                    ADD_FAILURE() << token(t, i) << ": " << describe(ec, r);
            }
        });
    for (auto& th : threads) th.join();
    stop = true;
    reader.join();
    EXPECT_EQ(ok.load(), senders * per_sender);
    const auto m = mailer.metrics();
    EXPECT_EQ(m.messages_sent, static_cast<std::size_t>(senders * per_sender));
    EXPECT_LE(m.connections_open, 3u) << "more connections than the pool allows";
    expect_each_delivered_once(*server);
}

// The same with faults: retries on fresh connections happen while other
// threads wait on the same transport.
TEST(SharedTransport, BlockingTransportFromManyThreadsUnderFaults) {
    auto server = start_chaos_server({"--fault-rate", "0.05", "--faults",
                                      "421_mail,421_rcpt,421_data,drop_mail,drop_rcpt",
                                      "--idle-close-ms", "100", "--seed", "11"});
    lettre::smtp_transport mailer(config_for(*server, 3));
    std::atomic<int> ok{0}, failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < senders; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < per_sender; ++i) {
                const auto r = mailer.try_send(sample_message("rcpt@example.org", token(t, i)));
                r ? ++ok : ++failed;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load() + failed.load(), senders * per_sender);
    std::size_t acked = 0;
    for (const auto& [what, tok] : server->events())
        if (what == "ACK") ++acked;
    // These faults all come before the final dot: a success is exactly an ACK.
    EXPECT_EQ(acked, static_cast<std::size_t>(ok.load()));
    EXPECT_EQ(mailer.metrics().messages_sent, static_cast<std::size_t>(ok.load()));
}

TEST(SharedTransport, AsyncTransportFedFromManyThreadsRunByMany) {
    auto server = start_chaos_server();
    asio::io_context ioc(3);
    auto guard = asio::make_work_guard(ioc);
    lettre::async_smtp_transport mailer(ioc.get_executor(), config_for(*server, 4));
    std::mutex m;
    std::map<std::string, int> completions;
    std::atomic<int> finished{0}, ok{0};
    std::vector<std::thread> runners;
    for (int r = 0; r < 3; ++r) runners.emplace_back([&] { ioc.run(); });
    std::atomic<bool> stop{false};
    auto reader = metrics_reader([&] { return mailer.metrics(); }, stop);
    std::vector<std::thread> feeders;
    for (int t = 0; t < senders; ++t)
        feeders.emplace_back([&, t] {
            for (int i = 0; i < per_sender; ++i) {
                const auto tok = token(t, i);
                mailer.async_send(sample_message("rcpt@example.org", tok),
                                  [&, tok](error_code ec, lettre::smtp::send_report r) {
                                      {
                                          std::lock_guard lock(m);
                                          ++completions[tok];
                                      }
                                      if (!ec)
                                          ++ok;
                                      else
                                          ADD_FAILURE() << tok << ": " << describe(ec, r);
                                      ++finished;
                                  });
            }
        });
    for (auto& f : feeders) f.join();
    EXPECT_TRUE(eventually([&] { return finished.load() == senders * per_sender; }, 120s));
    stop = true;
    reader.join();
    mailer.shutdown();
    guard.reset();
    for (auto& r : runners) r.join();
    EXPECT_EQ(ok.load(), senders * per_sender);
    EXPECT_EQ(completions.size(), static_cast<std::size_t>(senders * per_sender));
    for (const auto& [tok, n] : completions)
        EXPECT_EQ(n, 1) << tok << " completed " << n << " times";
    expect_each_delivered_once(*server);
}

}  // namespace
