// The client side of bench/soak.sh: N messages through one pooled blocking
// smtp_transport shared by S sender threads, to a server on 127.0.0.1:PORT
// that fails at random and is killed and restarted during the run
// (tests/integration/smtp/peers/chaos_server.py). Each message is named by
// its Subject, "soak-<i>", which the server logs when it takes the message.
//
//   lettre_soak_driver --port P --count N --results FILE
//       [--senders S] [--connections C] [--timeout-ms T]
//
// FILE gets one line per message, written as each send returns:
//   OK <id>              lettre reported success
//   FAIL <id> <code> <error message>
// where <code> is "unknown" for errc::outcome_unknown (the connection went
// after the final dot: the server may have the message), else "failed".
//
// A sender whose send failed waits 20 ms before its next one, as an
// application backing off would: while the server is down, connections are
// refused at once and a tight loop would fail thousands of messages in a
// second. The program prints one summary line at the end and exits 0.
#include <lettre/message.hpp>
#include <lettre/smtp/transport.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

struct options {
    unsigned port = 0;
    std::size_t count = 0;
    std::size_t senders = 8;
    std::size_t connections = 4;
    long timeout_ms = 5000;
    std::string results;
};

int usage() {
    std::fputs(
        "usage: lettre_soak_driver --port P --count N --results FILE\n"
        "           [--senders S] [--connections C] [--timeout-ms T]\n",
        stderr);
    return 2;
}

bool parse(int argc, char** argv, options& o) {
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view k = argv[i];
        const char* v = argv[i + 1];
        if (k == "--port")
            o.port = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
        else if (k == "--count")
            o.count = std::strtoull(v, nullptr, 10);
        else if (k == "--senders")
            o.senders = std::strtoull(v, nullptr, 10);
        else if (k == "--connections")
            o.connections = std::strtoull(v, nullptr, 10);
        else if (k == "--timeout-ms")
            o.timeout_ms = std::strtol(v, nullptr, 10);
        else if (k == "--results")
            o.results = v;
        else
            return false;
    }
    return argc % 2 == 1 && o.port > 0 && o.port < 65536 && o.count > 0 && o.senders > 0 &&
           o.connections > 0 && o.timeout_ms > 0 && !o.results.empty();
}

lettre::smtp::transport_config config_for(const options& o) {
    auto b = lettre::smtp_transport::builder_dangerous("127.0.0.1");
    b.port(static_cast<std::uint16_t>(o.port))
        .hello_name("soak.example")
        .timeouts(lettre::smtp::timeouts::all(std::chrono::milliseconds(o.timeout_ms)));
    auto cfg = b.config();
    cfg.pool.max_connections = o.connections;
    return cfg;
}

lettre::message message_for(std::size_t i) {
    return lettre::message::builder()
        .from("Soak <soak@example.com>")
        .to("rcpt@example.org")
        .subject("soak-" + std::to_string(i))
        .text("A soak message.\n.a line with a leading dot\nthe end\n")
        .build();
}

/// The results file, one line per send, shared by the senders.
class results_file {
public:
    explicit results_file(const std::string& path) : f_(std::fopen(path.c_str(), "w")) {
        if (!f_) throw std::runtime_error("cannot write " + path);
    }
    ~results_file() { std::fclose(f_); }
    results_file(const results_file&) = delete;
    results_file& operator=(const results_file&) = delete;

    void write(const std::string& line) {
        const std::lock_guard lock(m_);
        std::fputs(line.c_str(), f_);
    }

private:
    std::mutex m_;
    std::FILE* f_;
};

struct counts {
    std::atomic<std::size_t> next{0}, ok{0}, failed{0}, unknown{0};
};

void sender(lettre::smtp_transport& mailer, const options& o, counts& c, results_file& out) {
    for (std::size_t i = c.next++; i < o.count; i = c.next++) {
        std::error_code ec;
        static_cast<void>(mailer.send(message_for(i), ec));
        const std::string id = "soak-" + std::to_string(i);
        if (!ec) {
            ++c.ok;
            out.write("OK " + id + "\n");
            continue;
        }
        const bool unknown = ec == lettre::make_error_code(lettre::errc::outcome_unknown);
        ++(unknown ? c.unknown : c.failed);
        out.write("FAIL " + id + (unknown ? " unknown " : " failed ") + ec.message() + "\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace

int main(int argc, char** argv) try {
    options o;
    if (!parse(argc, argv, o)) return usage();
    results_file out(o.results);
    counts c;
    const auto start = std::chrono::steady_clock::now();
    {
        lettre::smtp_transport mailer(config_for(o));
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < o.senders; ++t)
            threads.emplace_back([&] { sender(mailer, o, c, out); });
        for (auto& t : threads) t.join();
    }
    const std::chrono::duration<double> secs = std::chrono::steady_clock::now() - start;
    std::printf(
        "{\"count\": %zu, \"ok\": %zu, \"failed\": %zu, \"unknown\": %zu, "
        "\"seconds\": %.1f}\n",
        o.count, c.ok.load(), c.failed.load(), c.unknown.load(), secs.count());
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "lettre_soak_driver: %s\n", e.what());
    return 1;
}
