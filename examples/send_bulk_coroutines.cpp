// Sends many messages (10,000 by default) from C++20 coroutines through the
// async transport's connection pool, with a bound on the sends in flight,
// and prints how many were sent and how many failed.
//
// Usage: send_bulk_coroutines [HOST [PORT [COUNT [CONNECTIONS]]]]
//        (defaults: 127.0.0.1 2525 10000 10)
//
// It talks plain SMTP without TLS or login, as to a local test server such
// as Postfix's smtp-sink (`smtp-sink 127.0.0.1:2525 100`) or
// `python3 -m aiosmtpd -n -l 127.0.0.1:2525`. For a real server build the
// transport with async_smtp_transport::starttls_relay(host) or relay(host)
// and .credentials(user, password) instead.
//
// The pattern: the pool opens at most CONNECTIONS connections; 2 x
// CONNECTIONS worker coroutines each take the next message number and
// co_await its send, so at most that many messages exist at once however
// large COUNT is (a million addresses never sit in memory together).
#include <lettre/lettre.hpp>
#include <lettre/smtp/async_transport.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;

namespace {

// One file attached to every message: shared, not copied, so 10,000
// messages hold one copy of it (lettre::shared_attachment).
std::shared_ptr<const std::string> load_attachment() {
    return std::make_shared<const std::string>("issue,topic\n1,bulk sending\n");
}

struct bulk_state {
    std::shared_ptr<const std::string> attachment = load_attachment();
    long count = 0;
    long next = 0;  // the next message number to send
    long sent = 0;
    long failed = 0;
    bool stop = false;          // set when the server is unreachable
    std::string first_failure;  // the first reason, for the summary
};

lettre::message make_message(long n, const std::shared_ptr<const std::string>& attachment) {
    return lettre::message::builder()
        .from("Newsletter <news@example.com>")
        .to("reader" + std::to_string(n) + "@example.org")
        .subject("Issue " + std::to_string(n))
        .text("Hello from coroutine-driven bulk sending.\n")
        .attachment(lettre::shared_attachment("contents.csv", attachment))
        .build();
}

// One of the workers: takes message numbers until none are left. All
// workers run on the one thread of the io_context, so the shared state needs
// no lock.
asio::awaitable<void> worker(lettre::async_smtp_transport& mailer, bulk_state& st) {
    while (!st.stop && st.next < st.count) {
        const long n = st.next++;
        const lettre::message msg = make_message(n, st.attachment);
        // as_tuple: the error comes back as a value instead of an exception.
        auto [ec, report] = co_await mailer.async_send(msg, asio::as_tuple(asio::use_awaitable));
        if (!ec) {
            ++st.sent;
            continue;
        }
        ++st.failed;
        if (st.first_failure.empty()) {
            st.first_failure =
                report.diagnostics.message.empty() ? ec.message() : report.diagnostics.message;
        }
        // Not one message went through and the connection itself failed:
        // the server is not there; stop instead of failing every message.
        const auto phase = report.diagnostics.phase;
        if (st.sent == 0 &&
            (phase == lettre::smtp::phase::connect || phase == lettre::smtp::phase::greeting)) {
            st.stop = true;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const std::string host = argc > 1 ? argv[1] : "127.0.0.1";
        const int port = argc > 2 ? std::stoi(argv[2]) : 2525;
        const long count = argc > 3 ? std::stol(argv[3]) : 10000;
        const int connections = argc > 4 ? std::stoi(argv[4]) : 10;
        if (port < 1 || port > 65535 || count < 0 || connections < 1) {
            std::cerr << "usage: send_bulk_coroutines [HOST [PORT [COUNT [CONNECTIONS]]]]\n";
            return 64;
        }

        auto builder = lettre::async_smtp_transport::builder_dangerous(host);
        builder.port(static_cast<std::uint16_t>(port))
            .timeouts(lettre::smtp::timeouts::all(std::chrono::seconds(30)));
        lettre::smtp::transport_config config = builder.config();
        config.pool.max_connections = static_cast<std::size_t>(connections);
        config.pool.max_messages_per_connection = 0;  // keep each connection for the whole run

        asio::io_context ioc(1);
        lettre::async_smtp_transport mailer(ioc.get_executor(), config);

        bulk_state st;
        st.count = count;
        const auto start = std::chrono::steady_clock::now();
        auto end = start;
        const int workers = 2 * connections;
        int running = workers;
        for (int i = 0; i < workers; ++i) {
            asio::co_spawn(ioc, worker(mailer, st), [&](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);  // leaves ioc.run() below
                if (--running == 0) {
                    end = std::chrono::steady_clock::now();
                    mailer.shutdown();  // QUIT the pooled connections
                }
            });
        }
        ioc.run();

        const double seconds = std::chrono::duration<double>(end - start).count();
        const lettre::smtp::pool_metrics m = mailer.metrics();
        std::printf("sent %ld, failed %ld, in %.2f s (%.0f msg/s); reconnects %zu\n", st.sent,
                    st.failed, seconds, seconds > 0 ? static_cast<double>(st.sent) / seconds : 0.0,
                    m.reconnects);
        if (st.failed > 0 || st.sent != count) {
            std::fprintf(
                stderr, "send_bulk_coroutines: %s%s\n",
                st.first_failure.empty() ? "not every message was sent" : st.first_failure.c_str(),
                st.stop ? " (is an SMTP server listening there?)" : "");
            return 1;
        }
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "send_bulk_coroutines: " << e.what() << '\n';
        return 1;
    }
}
