// `lettre send --mx` with the session options it shares with --smtp:
// --ehlo, --trace, --timeout and the DSN options (--notify, --ret, --envid).
// Peers of their own, started here: dnsmasq, Postfix's smtp-sink on
// 127.0.0.21 (offers DSN; its dump files hold the EHLO, MAIL and RCPT
// arguments it got), and peers/mx_smtp_server.py on 127.0.0.22 (accepts,
// no DSN) and 127.0.0.23 (trickles its greeting), all on one port.
#include "mx_peers.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#ifndef LETTRE_CLI
#error "LETTRE_CLI must be defined"
#endif
#ifndef LETTRE_SMTP_SINK
#error "LETTRE_SMTP_SINK must be defined"
#endif

namespace {

using namespace std::chrono_literals;
using mx_it::fs::path;
namespace fs = mx_it::fs;
using mx_it::run_lettre;

constexpr const char* sink_ip = "127.0.0.21";
constexpr const char* plain_ip = "127.0.0.22";

bool accepts_connections(const char* ip, std::uint16_t port) {
    const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, ip, &a.sin_addr);
    a.sin_port = htons(port);
    const bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(s);
    return ok;
}

std::string read_all(const path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

path make_temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "lettre-mx-cli-opts-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    return tmpl;
}

/// The peers of this file, started once, stopped (by PID) at exit.
struct option_peers {
    mx_it::peers scripted;  ///< dnsmasq and mx_smtp_server.py (messages() per address)
    std::unique_ptr<dns_test::child> sink;
    path sink_dumps;

    option_peers() {
        scripted.outdir = make_temp_dir();
        scripted.dns = dns_test::start_dnsmasq({
            "--mx-host=sink.test,mx.sink.test,10",
            "--host-record=mx.sink.test,127.0.0.21",
            "--mx-host=plain.test,mx.plain.test,10",
            "--host-record=mx.plain.test,127.0.0.22",
            "--mx-host=slow.test,mx.slow.test,10",
            "--host-record=mx.slow.test,127.0.0.23",
        });
        scripted.smtp = std::make_unique<dns_test::child>(dns_test::child::start(
            {LETTRE_PYTHON, std::string(LETTRE_MX_PEERS_DIR) + "/mx_smtp_server.py", "--outdir",
             scripted.outdir.string(), "--host", "127.0.0.22=accept", "--host",
             "127.0.0.23=trickle"}));
        scripted.smtp_port = scripted.smtp->wait_ready(30s).at("smtp");
        start_sink();
    }
    ~option_peers() {
        if (sink) sink->stop();
        if (scripted.smtp) scripted.smtp->stop();
        std::error_code ec;
        fs::remove_all(scripted.outdir, ec);
        fs::remove_all(sink_dumps, ec);
    }
    option_peers(const option_peers&) = delete;
    option_peers& operator=(const option_peers&) = delete;

    /// smtp-sink on 127.0.0.21 and the scripted peers' port (--mx-port is
    /// one port for every host), as nobody: it dumps each message to a file.
    void start_sink() {
        sink_dumps = make_temp_dir();
        fs::permissions(sink_dumps, fs::perms::all);
        const std::string where = std::string(sink_ip) + ":" + std::to_string(scripted.smtp_port);
        sink = std::make_unique<dns_test::child>(dns_test::child::start(
            {LETTRE_SMTP_SINK, "-d", (sink_dumps / "msg.%H%M%S.").string(), where, "10"},
            "nobody"));
        for (int i = 0; i < 250; ++i) {
            if (accepts_connections(sink_ip, scripted.smtp_port)) return;
            std::this_thread::sleep_for(20ms);
        }
        throw std::runtime_error("smtp-sink did not start on " + where);
    }

    /// smtp-sink's dump files since the last call (their names do not sort
    /// by time within a second), each a message with its X-Helo-Args,
    /// X-Mail-Args and X-Rcpt-Args headers.
    std::vector<std::string> take_sink_messages() const {
        std::vector<std::string> out;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(sink_dumps, ec)) {
            if (!e.path().filename().string().starts_with("msg.")) continue;
            out.push_back(read_all(e.path()));
            fs::remove(e.path(), ec);
        }
        return out;
    }

    std::string base() const {
        return "send --mx --dns " + scripted.dns->server() + " --mx-port " +
               std::to_string(scripted.smtp_port) +
               " --mx-allow-local --from a@origin.test --subject hi --text hello";
    }
};

option_peers& peers() {
    static option_peers p;
    return p;
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST(mx_cli_options, ehlo_name_is_the_one_the_hosts_see) {
    auto& p = peers();
    static_cast<void>(p.take_sink_messages());
    auto r =
        run_lettre(p.base() + " --ehlo client-7.example --to one@sink.test --to two@plain.test");
    ASSERT_EQ(r.status, 0) << r.out;
    const auto sunk = p.take_sink_messages();
    ASSERT_EQ(sunk.size(), 1U) << r.out;
    EXPECT_TRUE(has(sunk.back(), "X-Helo-Args: client-7.example\n")) << sunk.back();
    const auto got = p.scripted.messages(plain_ip);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.back().helo, "client-7.example");
}

TEST(mx_cli_options, bad_ehlo_name_is_refused_before_connecting) {
    auto& p = peers();
    const int before = p.scripted.connections(plain_ip);
    for (const char* name : {"'bad name'", "-x", "a..b", "'[999.1.1.1]'"}) {
        auto r = run_lettre(p.base() + " --ehlo " + name + " --to two@plain.test");
        EXPECT_EQ(r.status, 65) << name << ": " << r.out;
        EXPECT_TRUE(has(r.out, "--ehlo")) << r.out;
    }
    EXPECT_EQ(p.scripted.connections(plain_ip), before);
}

TEST(mx_cli_options, dsn_parameters_go_to_hosts_that_offer_dsn) {
    auto& p = peers();
    static_cast<void>(p.take_sink_messages());
    auto r = run_lettre(p.base() +
                        " --notify success,failure --ret hdrs --envid lettre-42 --trace"
                        " --to one@sink.test --to two@plain.test");
    ASSERT_EQ(r.status, 0) << r.out;
    const auto sunk = p.take_sink_messages();
    ASSERT_EQ(sunk.size(), 1U) << r.out;
    const std::string& dump = sunk.back();
    EXPECT_TRUE(has(dump, "X-Mail-Args: <a@origin.test> RET=HDRS ENVID=lettre-42\n")) << dump;
    EXPECT_TRUE(has(dump, "X-Rcpt-Args: <one@sink.test> NOTIFY=SUCCESS,FAILURE\n")) << dump;
    // The host that does not offer DSN got the message too, without them.
    EXPECT_TRUE(has(r.out, "delivered  two@plain.test")) << r.out;
    EXPECT_TRUE(has(r.out, "mx.plain.test [127.0.0.22] C: MAIL FROM:<a@origin.test>\n")) << r.out;
    EXPECT_TRUE(has(r.out, "mx.plain.test [127.0.0.22] C: RCPT TO:<two@plain.test>\n")) << r.out;

    r = run_lettre(p.base() + " --notify sometimes --to one@sink.test");
    EXPECT_EQ(r.status, 64) << r.out;
    EXPECT_TRUE(has(r.out, "--notify")) << r.out;
    r = run_lettre(p.base() + " --envid 'has space' --to one@sink.test");
    EXPECT_EQ(r.status, 65) << r.out;
    EXPECT_TRUE(has(r.out, "--envid")) << r.out;
}

TEST(mx_cli_options, trace_names_the_host_of_every_line) {
    auto& p = peers();
    auto r = run_lettre(p.base() + " --trace --to one@sink.test --to two@plain.test");
    ASSERT_EQ(r.status, 0) << r.out;
    const std::string sink = "mx.sink.test [127.0.0.21] ";
    const std::string plain = "mx.plain.test [127.0.0.22] ";
    EXPECT_TRUE(has(r.out, sink + "C: EHLO ")) << r.out;
    EXPECT_TRUE(has(r.out, sink + "S: 250")) << r.out;
    EXPECT_TRUE(has(r.out, sink + "C: RCPT TO:<one@sink.test>")) << r.out;
    EXPECT_TRUE(has(r.out, plain + "S: 220 127.0.0.22 ESMTP test")) << r.out;
    EXPECT_TRUE(has(r.out, plain + "C: RCPT TO:<two@plain.test>")) << r.out;
    EXPECT_TRUE(has(r.out, plain + "C: QUIT")) << r.out;
    // smtp-sink offers AUTH; no login to an MX host.
    EXPECT_TRUE(has(r.out, sink + "S: 250-AUTH")) << r.out;
    EXPECT_FALSE(has(r.out, "C: AUTH")) << r.out;
    // Every dialogue line is one host's: none without a prefix.
    std::istringstream lines(r.out);
    std::string line;
    int traced = 0;
    while (std::getline(lines, line)) {
        if (!has(line, " C: ") && !has(line, " S: ") && !line.starts_with("C: ") &&
            !line.starts_with("S: "))
            continue;
        ++traced;
        EXPECT_TRUE(line.starts_with(sink) || line.starts_with(plain)) << line;
    }
    EXPECT_GT(traced, 10);
}

TEST(mx_cli_options, timeout_gives_up_on_a_trickling_greeting) {
    auto& p = peers();
    auto r = run_lettre(p.base() + " --timeout 2 --to one@slow.test");
    EXPECT_EQ(r.status, 75) << r.out;
    EXPECT_TRUE(has(r.out, "transient failure  one@slow.test")) << r.out;
    EXPECT_TRUE(has(r.out, "greeting timed out after 2000 ms")) << r.out;
    // Not a timing assertion: without the deadline the greeting alone takes
    // five minutes (and the peer sends it for longer than that).
    EXPECT_LT(r.took, 30s) << r.out;

    r = run_lettre(p.base() + " --timeout 0 --to one@slow.test");
    EXPECT_EQ(r.status, 64) << r.out;
    EXPECT_TRUE(has(r.out, "--timeout")) << r.out;
}

}  // namespace
