// Sends one ready-made message N times through lettre's pooled
// async_smtp_transport (C connections) and prints one JSON line with the
// rate, the CPU time and the peak RSS (see bench/pool_compare.sh, which runs
// it beside Postfix's smtp-source, Nodemailer's pool and Python's smtplib
// against smtp-sink).
//
//   lettre_pool_bench <message.eml> <N> --port P [--host H] [--connections C]
//       [--in-flight K] [--from ADDR] [--to ADDR]... [--queue-all]
//
// The message file holds the bytes to send (CRLF line ends), read once
// before anything is timed; the envelope is --from and every --to.
//
// Default: at most K sends in flight (default 2 x C): each completion starts
// the next send, as an application with a bounded work queue does; the sends
// share one copy of the bytes (async_send_raw with a shared_ptr). The pool
// has max_connections C and no per-connection message limit.
//
// --queue-all: all N sends are started at once, before the io_context runs
// (the pool queues them: max_waiting N, on_full wait). The JSON line then
// also has "rss_before_kb" (resident set before the sends were started),
// "queued_bytes" (N x the message size: each send holds its own copy) and
// "overhead_kb" = peak RSS - rss_before - queued_bytes: what lettre needs
// per queued message beyond the message itself.
//
// "seconds" and "cpu_seconds" cover the sends only (from the first start to
// the last completion), not start-up or QUIT.
#include <lettre/message.hpp>
#include <lettre/smtp/async_transport.hpp>

#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <functional>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#ifndef LETTRE_BENCH_VERSION
#define LETTRE_BENCH_VERSION "unknown"
#endif

namespace {

using boost::system::error_code;

int usage() {
    std::fputs(
        "usage: lettre_pool_bench <message.eml> <N> --port P [--host H] [--connections C]\n"
        "           [--in-flight K] [--from ADDR] [--to ADDR]... [--queue-all]\n",
        stderr);
    return 2;
}

double cpu_now() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto sec = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return sec(ru.ru_utime) + sec(ru.ru_stime);
}

long peak_rss_kb() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/// VmRSS from /proc/self/status, in KB.
long current_rss_kb() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    }
    return 0;
}

struct run_state {
    long long n = 0;
    long long started = 0;
    long long done = 0;
    long long failed = 0;
    std::string first_error;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) return usage();
    try {
        std::ifstream file(argv[1], std::ios::binary);
        if (!file) throw std::runtime_error(std::string("cannot open ") + argv[1]);
        const std::string bytes{std::istreambuf_iterator<char>(file),
                                std::istreambuf_iterator<char>()};
        char* end = nullptr;
        const long long n = std::strtoll(argv[2], &end, 10);
        if (end == argv[2] || *end != '\0' || n <= 0) return usage();

        std::string host = "127.0.0.1";
        long port = 0, connections = 1, in_flight = 0;
        std::string from = "sender@example.com";
        std::vector<std::string> to;
        bool queue_all = false;
        for (int i = 3; i < argc; ++i) {
            const std::string_view a = argv[i];
            if (a == "--queue-all") {
                queue_all = true;
            } else if (i + 1 < argc && a == "--port") {
                port = std::strtol(argv[++i], nullptr, 10);
            } else if (i + 1 < argc && a == "--host") {
                host = argv[++i];
            } else if (i + 1 < argc && a == "--connections") {
                connections = std::strtol(argv[++i], nullptr, 10);
            } else if (i + 1 < argc && a == "--in-flight") {
                in_flight = std::strtol(argv[++i], nullptr, 10);
            } else if (i + 1 < argc && a == "--from") {
                from = argv[++i];
            } else if (i + 1 < argc && a == "--to") {
                to.emplace_back(argv[++i]);
            } else {
                return usage();
            }
        }
        if (port <= 0 || port > 65535 || connections < 1 || in_flight < 0) return usage();
        if (in_flight == 0) in_flight = 2 * connections;
        if (to.empty()) to.emplace_back("rcpt@example.org");

        std::vector<lettre::address> rcpts;
        for (const auto& t : to) rcpts.push_back(lettre::address::parse(t));
        const lettre::envelope env = lettre::envelope::create(lettre::address::parse(from), rcpts);

        lettre::smtp::transport_config cfg = lettre::smtp_transport::builder_dangerous(host)
                                                 .port(static_cast<std::uint16_t>(port))
                                                 .hello_name("localhost")
                                                 .config();
        cfg.pool.max_connections = static_cast<std::size_t>(connections);
        cfg.pool.max_messages_per_connection = 0;
        if (queue_all) {
            cfg.pool.max_waiting = static_cast<std::size_t>(n);
            cfg.pool.on_full = lettre::smtp::pool_config::when_full::wait;
        }

        boost::asio::io_context ioc(1);
        lettre::async_smtp_transport transport(ioc.get_executor(), cfg);
        run_state st;
        st.n = n;
        using clock = std::chrono::steady_clock;
        clock::time_point t_end{};
        double cpu_end = 0;

        // Bounded mode: one message to many, shared bytes (as a mailing sends
        // them); --queue-all gives every send its own copy.
        const auto shared = std::make_shared<const std::string>(bytes);
        auto on_done = [&](error_code ec, const lettre::smtp::send_report& r) {
            ++st.done;
            if (ec) {
                ++st.failed;
                if (st.first_error.empty())
                    st.first_error =
                        r.diagnostics.message.empty() ? ec.message() : r.diagnostics.message;
            }
            if (st.done == st.n) {
                t_end = clock::now();
                cpu_end = cpu_now();
                transport.shutdown();
            }
        };
        std::function<void()> start_next = [&] {
            if (st.started == st.n) return;
            ++st.started;
            transport.async_send_raw(env, shared, [&](error_code ec, lettre::smtp::send_report r) {
                on_done(ec, r);
                start_next();
            });
        };

        const long rss_before = current_rss_kb();
        const double cpu0 = cpu_now();
        const auto t0 = clock::now();
        if (queue_all) {
            for (long long i = 0; i < n; ++i) {
                transport.async_send_raw(
                    env, bytes,
                    [&](error_code ec, lettre::smtp::send_report r) { on_done(ec, r); });
            }
            st.started = n;
        } else {
            for (long k = 0; k < in_flight; ++k) start_next();
        }
        ioc.run();
        if (st.failed > 0) {
            std::fprintf(stderr, "lettre_pool_bench: %lld of %lld failed; first: %s\n", st.failed,
                         n, st.first_error.c_str());
            return 1;
        }
        const double seconds = std::chrono::duration<double>(t_end - t0).count();
        const double cpu = cpu_end - cpu0;
        const long peak = peak_rss_kb();
        const double queued_kb =
            queue_all ? static_cast<double>(n) * static_cast<double>(bytes.size()) / 1024 : 0.0;
        std::printf(
            "{\"impl\": \"lettre\", \"version\": \"%s\", \"runtime\": \"C++ (%s)\", "
            "\"connections\": %ld, \"in_flight\": %ld, \"queue_all\": %s, \"bytes\": %zu, "
            "\"count\": %lld, \"seconds\": %.6f, \"cpu_seconds\": %.6f, \"msg_per_s\": %.1f, "
            "\"cpu_us_per_msg\": %.2f, \"maxrss_kb\": %ld, \"rss_before_kb\": %ld, "
            "\"queued_bytes\": %.0f, \"overhead_kb\": %.0f}\n",
            LETTRE_BENCH_VERSION, __VERSION__, connections,
            queue_all ? static_cast<long>(n) : in_flight, queue_all ? "true" : "false",
            bytes.size(), st.done, seconds, cpu, static_cast<double>(n) / seconds,
            cpu * 1e6 / static_cast<double>(n), peak, rss_before, queued_kb * 1024,
            static_cast<double>(peak - rss_before) - queued_kb);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lettre_pool_bench: %s\n", e.what());
        return 1;
    }
}
