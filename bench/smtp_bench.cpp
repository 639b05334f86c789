// Sends one message N times to an SMTP server and prints one JSON line with
// the rate and the CPU time of the send loop (see bench/smtp_compare.sh,
// which runs it beside Postfix's smtp-source and Nodemailer against
// smtp-sink).
//
//   lettre_smtp_bench <small|100k|typical> --print
//       write the message's formatted bytes (CRLF) to stdout
//   lettre_smtp_bench <small|100k|typical> --print-envelope
//       write its envelope as JSON: {"from": "...", "to": ["...", ...]}
//   lettre_smtp_bench <small|100k|typical> <N> --port P [--host H]
//       [--api async|blocking|connection] [--mode one-connection|per-message]
//       [--no-pipelining] [--message-file PATH]
//
// Messages, built once with lettre's builder before anything is timed:
//   small    the corpus "small" message (~1 KB)
//   100k     the "small" headers and text plus the first K bytes of the
//            corpus attachment, K chosen so the message is at most 100 KiB
//            (~100 KB on the wire)
//   typical  the corpus "typical" message (~151 KB, two recipients)
//
// --message-file sends the bytes of PATH (a message --print wrote before)
// instead of the message built in this process, with the built message's
// envelope: the multipart boundary is random, so this is how several
// programs send byte-identical messages.
//
// APIs (--api):
//   async (default)  lettre::async_smtp_transport on an io_context run by
//       this thread; each async_send_raw() starts when the previous one
//       completed. one-connection: the transport's pool with
//       max_connections 1 and no per-connection message limit; per-message:
//       the pool turned off (a new connection for every send).
//   blocking  lettre::smtp_transport::send_raw() in a loop (the engine runs
//       on the transport's own thread); pool settings as for async.
//   connection  the internal connection class (src/smtp/connection.hpp),
//       without the transport and its pool: open, N x async_send, QUIT
//       (one-connection only). Shows what the pool and the transport add.
//
// --no-pipelining turns PIPELINING off (one round trip per command, as
// smtp-source does); by default lettre pipelines MAIL/RCPT/DATA when the
// server offers it.
//
// The JSON line's "seconds" and "cpu_seconds" cover the send loop only:
// per-message, all N sends; one-connection, from the first message's reply
// to the last one's (N - 1 messages, "loop_count"), so that start-up and
// opening the session are outside. The comparison script also measures
// whole processes.
#include "corpus.hpp"
#include "smtp/connection.hpp"

#include <lettre/message.hpp>
#include <lettre/smtp/async_transport.hpp>

#include <boost/asio/io_context.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#ifndef LETTRE_BENCH_VERSION
#define LETTRE_BENCH_VERSION "unknown"
#endif

namespace {

using boost::system::error_code;

int usage() {
    std::fputs(
        "usage: lettre_smtp_bench <small|100k|typical> --print|--print-envelope\n"
        "       lettre_smtp_bench <small|100k|typical> <N> --port P [--host H]\n"
        "           [--api async|blocking|connection] [--mode one-connection|per-message]\n"
        "           [--no-pipelining] [--message-file PATH]\n",
        stderr);
    return 2;
}

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what);
}

double cpu_now() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto sec = [](const timeval& tv) {
        return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    return sec(ru.ru_utime) + sec(ru.ru_stime);
}

constexpr std::size_t max_100k = 100 * 1024;

lettre::message compose_100k(std::size_t attachment_bytes, const lettre_bench::message_spec& small,
                             const std::string& data) {
    lettre_bench::message_spec spec = small;
    spec.subject = "100 KB benchmark message";
    spec.message_id = "<100k-0001@bench.example.com>";
    spec.attachment = lettre_bench::attachment_spec{"report-data.bin", "application/octet-stream",
                                                    data.substr(0, attachment_bytes), nullptr};
    return lettre_bench::compose(spec);
}

lettre::message make_message(std::string_view which) {
    if (which == "small" || which == "typical")
        return lettre_bench::compose(lettre_bench::load(which));
    // 100k: the largest attachment prefix that keeps the message <= 100 KiB.
    const auto small = lettre_bench::load("small");
    const std::string data = lettre_bench::load("typical").attachment.value().bytes;
    std::size_t lo = 0, hi = data.size();
    while (lo < hi) {
        const std::size_t mid = (lo + hi + 1) / 2;
        if (compose_100k(mid, small, data).formatted_size() <= max_100k)
            lo = mid;
        else
            hi = mid - 1;
    }
    return compose_100k(lo, small, data);
}

/// Times the send loop: per-message, every send; one-connection, from the
/// first reply on (the session is open by then).
class loop_timer {
public:
    explicit loop_timer(bool skip_first) : skip_first_(skip_first) {
        if (!skip_first_) start();
    }
    void record() {
        ++sent_;
        if (skip_first_ && sent_ == 1) start();
    }
    void stop() {
        seconds_ = std::chrono::duration<double>(clock::now() - wall0_).count();
        cpu_seconds_ = cpu_now() - cpu0_;
    }
    long long sent() const { return sent_; }
    long long loop_count() const { return skip_first_ ? sent_ - 1 : sent_; }
    double seconds() const { return seconds_; }
    double cpu_seconds() const { return cpu_seconds_; }

private:
    using clock = std::chrono::steady_clock;
    void start() {
        wall0_ = clock::now();
        cpu0_ = cpu_now();
    }
    bool skip_first_;
    long long sent_ = 0;
    clock::time_point wall0_{};
    double cpu0_ = 0, seconds_ = 0, cpu_seconds_ = 0;
};

std::string describe(const lettre::smtp::send_report& r, error_code ec) {
    return r.diagnostics.message.empty() ? ec.message() : r.diagnostics.message;
}

// The public async transport, one send at a time, on this thread.
void run_async(const lettre::smtp::transport_config& cfg, const lettre::envelope& env,
               const std::string& bytes, long long n, loop_timer& t) {
    boost::asio::io_context ioc(1);
    lettre::async_smtp_transport transport(ioc.get_executor(), cfg);
    // One message to many: shared bytes, as a mailing would send them.
    const auto shared = std::make_shared<const std::string>(bytes);
    std::string error;
    std::function<void()> next = [&] {
        if (t.sent() == n) {
            t.stop();
            transport.shutdown();  // QUIT the pooled connection
            return;
        }
        transport.async_send_raw(env, shared, [&](error_code ec, lettre::smtp::send_report r) {
            if (ec) {
                error = "message " + std::to_string(t.sent() + 1) + ": " + describe(r, ec);
                transport.shutdown();
                return;
            }
            t.record();
            next();
        });
    };
    next();
    ioc.run();
    if (!error.empty()) fail(error);
}

// The public blocking transport.
void run_blocking(const lettre::smtp::transport_config& cfg, const lettre::envelope& env,
                  const std::string& bytes, long long n, loop_timer& t) {
    lettre::smtp_transport transport(cfg);
    for (long long i = 0; i < n; ++i) {
        error_code ec;
        const auto r = transport.send_raw(env, bytes, ec);
        if (ec) fail("message " + std::to_string(i + 1) + ": " + describe(r, ec));
        t.record();
    }
    t.stop();
}  // the destructor QUITs the pooled connection

// The internal connection class: one session, N transactions, QUIT.
void run_connection(const lettre::smtp::transport_config& cfg, const lettre::envelope& env,
                    const std::string& bytes, bool smtputf8, long long n, loop_timer& t) {
    namespace detail = lettre::smtp::detail;
    boost::asio::io_context ioc(1);
    std::error_code tls_ec;
    std::string why;
    auto tls = detail::make_tls_context(cfg.tls, tls_ec, why);
    if (!tls) fail("TLS context: " + why);
    auto conn = std::make_shared<detail::connection>(ioc.get_executor(), cfg, tls);

    std::string error;
    std::function<void()> next = [&] {
        if (t.sent() == n) {
            t.stop();
            conn->async_quit([&](error_code) { conn->close(); });
            return;
        }
        conn->async_send(env, bytes, smtputf8, [&](error_code ec) {
            if (ec) {
                error =
                    "message " + std::to_string(t.sent() + 1) + ": " + conn->diagnostics().message;
                conn->close();
                return;
            }
            t.record();
            next();
        });
    };
    conn->async_open([&](error_code ec) {
        if (ec) {
            error = "open: " + conn->diagnostics().message;
            conn->close();
            return;
        }
        next();
    });
    ioc.run();
    if (!error.empty()) fail(error);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) return usage();
    const std::string_view which = argv[1];
    if (which != "small" && which != "100k" && which != "typical") return usage();

    try {
        const lettre::message msg = make_message(which);
        std::string bytes = msg.formatted();
        if (std::string_view(argv[2]) == "--print") {
            if (argc != 3) return usage();
            std::fwrite(bytes.data(), 1, bytes.size(), stdout);
            return 0;
        }
        if (std::string_view(argv[2]) == "--print-envelope") {
            if (argc != 3) return usage();
            // The corpus addresses are plain ASCII: no JSON escaping needed.
            const lettre::envelope& env = msg.envelope();
            std::string out =
                "{\"from\": \"" + (env.from() ? env.from()->to_string() : "") + "\", \"to\": [";
            for (std::size_t i = 0; i < env.to().size(); ++i)
                out += (i ? ", \"" : "\"") + env.to()[i].to_string() + '"';
            out += "]}\n";
            std::fputs(out.c_str(), stdout);
            return 0;
        }

        char* end = nullptr;
        const long long n = std::strtoll(argv[2], &end, 10);
        if (end == argv[2] || *end != '\0' || n <= 0) return usage();
        std::string host = "127.0.0.1";
        long port = 0;
        std::string api = "async";
        std::string mode = "one-connection";
        bool pipelining = true;
        for (int i = 3; i < argc; ++i) {
            const std::string_view a = argv[i];
            if (a == "--no-pipelining") {
                pipelining = false;
            } else if (i + 1 < argc && a == "--port") {
                port = std::strtol(argv[++i], nullptr, 10);
            } else if (i + 1 < argc && a == "--host") {
                host = argv[++i];
            } else if (i + 1 < argc && a == "--api") {
                api = argv[++i];
            } else if (i + 1 < argc && a == "--mode") {
                mode = argv[++i];
            } else if (i + 1 < argc && a == "--message-file") {
                std::ifstream in(argv[++i], std::ios::binary);
                if (!in) fail(std::string("cannot open ") + argv[i]);
                bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
            } else {
                return usage();
            }
        }
        if (port <= 0 || port > 65535) return usage();
        if (mode != "one-connection" && mode != "per-message") return usage();
        if (api != "async" && api != "blocking" && api != "connection") return usage();
        if (api == "connection" && mode != "one-connection") return usage();
        const bool one = mode == "one-connection";

        lettre::smtp::transport_config cfg = lettre::smtp_transport::builder_dangerous(host)
                                                 .port(static_cast<std::uint16_t>(port))
                                                 .hello_name("localhost")
                                                 .pipelining(pipelining)
                                                 .config();
        cfg.pool.enabled = one;
        cfg.pool.max_connections = 1;
        cfg.pool.max_messages_per_connection = 0;  // no limit: one session for all N

        loop_timer t(one);
        if (api == "async")
            run_async(cfg, msg.envelope(), bytes, n, t);
        else if (api == "blocking")
            run_blocking(cfg, msg.envelope(), bytes, n, t);
        else
            run_connection(cfg, msg.envelope(), bytes, msg.requires_smtputf8(), n, t);

        const double loop_n = static_cast<double>(t.loop_count() > 0 ? t.loop_count() : 1);
        std::printf(
            "{\"impl\": \"lettre\", \"version\": \"%s\", \"runtime\": \"C++ (%s)\", "
            "\"api\": \"%s\", \"mode\": \"%s\", \"pipelining\": %s, \"message\": \"%s\", "
            "\"bytes\": %zu, \"count\": %lld, \"loop_count\": %lld, \"seconds\": %.6f, "
            "\"cpu_seconds\": %.6f, \"msg_per_s\": %.1f, \"cpu_us_per_msg\": %.2f}\n",
            LETTRE_BENCH_VERSION, __VERSION__, api.c_str(), mode.c_str(),
            pipelining ? "true" : "false", argv[1], bytes.size(), t.sent(), t.loop_count(),
            t.seconds(), t.cpu_seconds(), loop_n / t.seconds(), t.cpu_seconds() * 1e6 / loop_n);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lettre_smtp_bench: %s\n", e.what());
        return 1;
    }
}
