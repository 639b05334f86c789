// A TCP proxy that adds a round-trip time between a client and a server:
// every chunk read from either side is written to the other side RTT/2
// later, in order. Loopback costs microseconds per round trip; real relays
// and MX hosts are 5-100 ms away, and there the number of round trips per
// message decides throughput (bench/rtt_compare.sh, docs/benchmarks.md).
// The kernel here has no netem qdisc, hence a proxy.
//
//   lettre_rtt_proxy --listen 127.0.0.1:0 --to 127.0.0.1:2525 --rtt-ms 20
//
// Prints "listening on PORT" once ready. On SIGINT/SIGTERM it prints one
// JSON line to stdout: connections, bytes each way and "turns": how often
// the client sent after the server had sent, i.e. the round trips the
// client waited for (a client that pipelines its next commands before the
// reply comes takes fewer turns than commands).
#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

struct totals {
    std::size_t connections = 0;
    std::size_t bytes_up = 0;    ///< client to server
    std::size_t bytes_down = 0;  ///< server to client
    std::size_t turns = 0;       ///< client sent after the server had sent
};

/// One direction of one connection: reads from `from`, writes to `to` one
/// delay later, in order; the peer's end of stream is passed on the same way.
class pump : public std::enable_shared_from_this<pump> {
public:
    pump(tcp::socket& from, tcp::socket& to, clock_type::duration delay, std::size_t& bytes,
         std::function<void()> on_data)
        : from_(from),
          to_(to),
          delay_(delay),
          timer_(from.get_executor()),
          bytes_(bytes),
          on_data_(std::move(on_data)) {}

    void start() { read(); }

private:
    struct chunk {
        clock_type::time_point due;
        std::vector<char> bytes;  ///< empty: the end of the stream
    };

    void read() {
        from_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](auto ec, auto n) {
            self->on_read(ec, n);
        });
    }

    void on_read(boost::system::error_code ec, std::size_t n) {
        const bool was_idle = queue_.empty();
        if (ec) {
            queue_.push_back({clock_type::now() + delay_, {}});
        } else {
            bytes_ += n;
            on_data_();
            queue_.push_back({clock_type::now() + delay_, {buf_.data(), buf_.data() + n}});
        }
        if (was_idle && !writing_) wait_for_head();
        if (!ec) read();
    }

    void wait_for_head() {
        if (queue_.empty()) return;
        writing_ = true;
        timer_.expires_at(queue_.front().due);
        timer_.async_wait([self = shared_from_this()](auto) { self->write_head(); });
    }

    void write_head() {
        if (queue_.front().bytes.empty()) {  // end of stream: pass it on
            boost::system::error_code ignored;
            to_.shutdown(tcp::socket::shutdown_send, ignored);
            queue_.clear();
            return;
        }
        asio::async_write(to_, asio::buffer(queue_.front().bytes),
                          [self = shared_from_this()](auto ec, auto) {
                              self->queue_.pop_front();
                              self->writing_ = false;
                              if (ec) {
                                  boost::system::error_code ignored;
                                  self->from_.close(ignored);
                                  return;
                              }
                              self->wait_for_head();
                          });
    }

    tcp::socket& from_;
    tcp::socket& to_;
    clock_type::duration delay_;
    asio::steady_timer timer_;
    std::size_t& bytes_;
    std::function<void()> on_data_;
    std::array<char, 64 * 1024> buf_{};
    std::deque<chunk> queue_;
    bool writing_ = false;
};

/// Both sockets of one proxied connection, alive while either pump is.
struct session : std::enable_shared_from_this<session> {
    session(tcp::socket c, tcp::socket s) : client(std::move(c)), server(std::move(s)) {}
    tcp::socket client;
    tcp::socket server;
    bool server_spoke = false;
};

void start_session(const std::shared_ptr<session>& s, clock_type::duration one_way, totals& t) {
    auto up = std::make_shared<pump>(s->client, s->server, one_way, t.bytes_up, [s, &t] {
        if (s->server_spoke) ++t.turns;
        s->server_spoke = false;
    });
    auto down = std::make_shared<pump>(s->server, s->client, one_way, t.bytes_down,
                                       [s] { s->server_spoke = true; });
    up->start();
    down->start();
}

void accept_loop(tcp::acceptor& acceptor, tcp::endpoint upstream, clock_type::duration one_way,
                 totals& t) {
    acceptor.async_accept(
        [&acceptor, upstream, one_way, &t](boost::system::error_code ec, tcp::socket client) {
            if (ec) return;
            ++t.connections;
            client.set_option(tcp::no_delay(true));
            tcp::socket server(acceptor.get_executor());
            server.connect(upstream, ec);
            if (!ec) {
                server.set_option(tcp::no_delay(true));
                start_session(std::make_shared<session>(std::move(client), std::move(server)),
                              one_way, t);
            }
            accept_loop(acceptor, upstream, one_way, t);
        });
}

tcp::endpoint parse_endpoint(std::string_view text) {
    const auto colon = text.rfind(':');
    unsigned port = 0;
    if (colon == std::string_view::npos ||
        std::from_chars(text.data() + colon + 1, text.data() + text.size(), port).ec !=
            std::errc() ||
        port > 65535) {
        std::cerr << "rtt_proxy: expected ADDRESS:PORT, got '" << text << "'\n";
        std::exit(2);
    }
    return {asio::ip::make_address(std::string(text.substr(0, colon))),
            static_cast<unsigned short>(port)};
}

}  // namespace

int main(int argc, char** argv) {
    std::string listen = "127.0.0.1:0", to;
    double rtt_ms = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view opt = argv[i];
        if (opt == "--listen")
            listen = argv[i + 1];
        else if (opt == "--to")
            to = argv[i + 1];
        else if (opt == "--rtt-ms")
            rtt_ms = std::atof(argv[i + 1]);
        else {
            std::cerr << "rtt_proxy: unknown option " << opt << "\n";
            return 2;
        }
    }
    if (to.empty() || rtt_ms < 0) {
        std::cerr << "usage: lettre_rtt_proxy [--listen ADDR:PORT] --to ADDR:PORT --rtt-ms MS\n";
        return 2;
    }
    const auto one_way = std::chrono::duration_cast<clock_type::duration>(
        std::chrono::duration<double, std::milli>(rtt_ms / 2));
    asio::io_context io;
    tcp::acceptor acceptor(io, parse_endpoint(listen));
    totals t;
    accept_loop(acceptor, parse_endpoint(to), one_way, t);  // t outlives io.run()
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](auto, int) { io.stop(); });
    std::printf("listening on %u\n", static_cast<unsigned>(acceptor.local_endpoint().port()));
    std::fflush(stdout);
    io.run();
    std::printf(
        "{\"rtt_ms\": %g, \"connections\": %zu, \"bytes_up\": %zu, \"bytes_down\": %zu, "
        "\"turns\": %zu}\n",
        rtt_ms, t.connections, t.bytes_up, t.bytes_down, t.turns);
    return 0;
}
