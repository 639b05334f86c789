// CPU per STARTTLS connection, full handshake against resumed: opens N
// sessions one after the other (connect, greeting, EHLO, STARTTLS, TLS
// handshake, EHLO, QUIT) with the internal connection class and prints one
// JSON line. bench/tls_setup.sh runs it beside `openssl s_time -new` and
// `-reuse` against the same machine.
//
//   lettre_tls_setup_bench --port P --ca CA.pem [--host H] [--connections N]
//       [--mode full|resumed] [--implicit]
//
// full: every connection makes a full handshake (no session cache).
// resumed: the connections share one session cache, as a transport's do;
// the first one is a full handshake and is not timed.
// "cpu_us_per_connection" is the process's user + system CPU over the timed
// connections, divided by their number; "user_us_per_connection" the user
// part alone (what s_time reports); "resumed" counts the handshakes that
// the client saw resumed.
#include "smtp/connection.hpp"
#include "smtp/tls_session_cache.hpp"

#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace {

namespace detail = lettre::smtp::detail;

struct cpu_time {
    double user = 0;
    double total = 0;
};

cpu_time cpu_now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    const double user = seconds(u.ru_utime);
    const double sys = seconds(u.ru_stime);
    return {user, user + sys};
}

struct options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    std::string ca;
    int connections = 200;
    bool resumed = false;
    bool implicit = false;
};

[[noreturn]] void usage() {
    std::fputs(
        "usage: lettre_tls_setup_bench --port P --ca CA.pem [--host H] [--connections N] "
        "[--mode full|resumed] [--implicit]\n",
        stderr);
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--implicit") {
            o.implicit = true;
        } else if (!has_value) {
            usage();
        } else if (a == "--port") {
            o.port = static_cast<std::uint16_t>(std::atoi(argv[++i]));
        } else if (a == "--host") {
            o.host = argv[++i];
        } else if (a == "--ca") {
            o.ca = argv[++i];
        } else if (a == "--connections") {
            o.connections = std::atoi(argv[++i]);
        } else if (a == "--mode") {
            const std::string m = argv[++i];
            if (m != "full" && m != "resumed") usage();
            o.resumed = m == "resumed";
        } else {
            usage();
        }
    }
    if (o.port == 0 || o.ca.empty() || o.connections < 1) usage();
    return o;
}

/// One session: open (through STARTTLS), then QUIT. True when resumed.
bool one_session(const lettre::smtp::transport_config& cfg,
                 const std::shared_ptr<boost::asio::ssl::context>& ctx,
                 const std::shared_ptr<detail::tls_session_cache>& cache) {
    boost::asio::io_context io;
    auto conn = std::make_shared<detail::connection>(io.get_executor(), cfg, ctx);
    if (cache) conn->use_session_cache(cache);
    boost::system::error_code open_ec;
    conn->async_open([&](boost::system::error_code e) {
        open_ec = e;
        if (!e) conn->async_quit([](boost::system::error_code) {});
    });
    io.run();
    if (open_ec) throw std::runtime_error(conn->diagnostics().message);
    return conn->tls_resumed();
}

}  // namespace

int main(int argc, char** argv) try {
    const options o = parse(argc, argv);
    lettre::smtp::transport_config cfg;
    cfg.host = o.host;
    cfg.port = o.port;
    cfg.client.hello_name = "bench.example";
    cfg.client.tls =
        o.implicit ? lettre::smtp::tls_mode::implicit : lettre::smtp::tls_mode::starttls_required;
    cfg.tls.ca_file = o.ca;
    std::error_code ec;
    std::string why;
    auto ctx = detail::make_tls_context(cfg.tls, ec, why);
    if (!ctx) throw std::runtime_error(why);
    auto cache = o.resumed ? std::make_shared<detail::tls_session_cache>() : nullptr;
    one_session(cfg, ctx, cache);  // warm-up; for `resumed`, the full handshake
    int resumed = 0;
    const cpu_time c0 = cpu_now();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < o.connections; ++i) resumed += one_session(cfg, ctx, cache) ? 1 : 0;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const cpu_time c1 = cpu_now();
    const double n = static_cast<double>(o.connections);
    std::printf(
        "{\"client\": \"lettre\", \"mode\": \"%s\", \"tls\": \"%s\", \"connections\": %d, "
        "\"resumed\": %d, \"seconds\": %.3f, \"cpu_us_per_connection\": %.1f, "
        "\"user_us_per_connection\": %.1f}\n",
        o.resumed ? "resumed" : "full", o.implicit ? "implicit" : "starttls", o.connections,
        resumed, seconds, (c1.total - c0.total) / n * 1e6, (c1.user - c0.user) / n * 1e6);
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "lettre_tls_setup_bench: %s\n", e.what());
    return 1;
}
