#include "support.hpp"

#include <lettre/smtp/async_transport.hpp>

#include <boost/asio/io_context.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef LETTRE_PYTHON
#error "LETTRE_PYTHON must be defined"
#endif
#ifndef LETTRE_SMTP_PEERS_DIR
#error "LETTRE_SMTP_PEERS_DIR must be defined"
#endif
#ifndef LETTRE_SMTP_SINK
#define LETTRE_SMTP_SINK ""
#endif

namespace smtp_it {

// ---------------------------------------------------------------------------
// files, ports

temp_dir::temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "lettre-smtp-it-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
}

temp_dir::~temp_dir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::uint16_t free_port() {
    const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(s);
        throw std::runtime_error("bind failed");
    }
    socklen_t len = sizeof a;
    getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    close(s);
    return ntohs(a.sin_port);
}

bool wait_port(std::uint16_t port, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        const int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        const bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        close(s);
        if (ok) return true;
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(10ms);
    }
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string lf_only(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        out += s[i];
    }
    return out;
}

std::vector<received> mailbox(const fs::path& dir) {
    std::vector<fs::path> envs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".env") envs.push_back(e.path());
    std::sort(envs.begin(), envs.end());
    std::vector<received> out;
    for (const auto& env : envs) {
        received r;
        r.content = read_file(fs::path(env).replace_extension(".eml"));
        std::istringstream in(read_file(env));
        std::string line;
        while (std::getline(in, line)) {
            const auto sp = line.find(' ');
            const std::string key = line.substr(0, sp);
            const std::string value = sp == std::string::npos ? "" : line.substr(sp + 1);
            if (key == "from")
                r.from = value;
            else if (key == "option")
                r.options.push_back(value);
            else if (key == "rcpt")
                r.rcpts.push_back(value);
            else if (key == "tls")
                r.tls = value == "1";
            else if (key == "auth")
                r.auth = value;
            else if (key == "reused")
                r.reused = value == "1";
            else if (key == "tlsversion")
                r.tls_version = value;
        }
        out.push_back(std::move(r));
    }
    return out;
}

// ---------------------------------------------------------------------------
// shared peers

namespace {

struct shared_state {
    std::unique_ptr<temp_dir> root;
    std::optional<fs::path> certs;
    std::unique_ptr<process> aiosmtpd_proc;
    std::optional<aiosmtpd_peer> aiosmtpd;
    std::unique_ptr<process> fake_proc;
    std::optional<fake_peer> fake;
};

shared_state& state() {
    static shared_state s;
    return s;
}

const fs::path& root_dir() {
    auto& s = state();
    if (!s.root) s.root = std::make_unique<temp_dir>();
    return s.root->path();
}

std::string peer_script(const char* name) {
    return std::string(LETTRE_SMTP_PEERS_DIR) + "/" + name;
}

}  // namespace

void stop_all_peers() {
    auto& s = state();
    if (s.aiosmtpd_proc) s.aiosmtpd_proc->stop();
    if (s.fake_proc) s.fake_proc->stop();
    s.aiosmtpd_proc.reset();
    s.fake_proc.reset();
    s.root.reset();
}

const fs::path& cert_dir() {
    auto& s = state();
    if (!s.certs) {
        const fs::path d = root_dir() / "certs";
        process p = process::start({LETTRE_PYTHON, peer_script("make_certs.py"), d.string()});
        const auto line = p.read_line(30s);
        p.stop();
        if (!line || *line != "ok") throw std::runtime_error("make_certs.py failed");
        s.certs = d;
    }
    return *s.certs;
}

std::uint16_t aiosmtpd_peer::port(const std::string& listener) const {
    const auto it = ports.find(listener);
    if (it == ports.end()) throw std::runtime_error("no aiosmtpd listener " + listener);
    return it->second;
}

const aiosmtpd_peer& aiosmtpd() {
    auto& s = state();
    if (!s.aiosmtpd) {
        const fs::path out = root_dir() / "aiosmtpd";
        fs::create_directories(out);
        std::vector<std::string> argv = {LETTRE_PYTHON, peer_script("aiosmtpd_peer.py"),
                                         "--outdir",    out.string(),
                                         "--certdir",   cert_dir().string()};
        for (const char* l : {"plain:plain", "nopipe:nopipe", "size:size", "auth_plain:auth_plain",
                              "starttls:starttls", "impostor:impostor", "implicit:implicit",
                              "count:count", "resume:starttls", "resume12:starttls12",
                              "resume_implicit:implicit", "resume_other:starttls", "flaky:flaky"}) {
            argv.emplace_back("--listen");
            argv.emplace_back(l);
        }
        s.aiosmtpd_proc = std::make_unique<process>(process::start(argv));
        aiosmtpd_peer peer;
        peer.outdir = out;
        peer.ports = s.aiosmtpd_proc->wait_ready(20s);
        s.aiosmtpd = std::move(peer);
    }
    return *s.aiosmtpd;
}

std::vector<std::string> aiosmtpd_peer::subjects(const std::string& listener) const {
    std::vector<std::string> out;
    std::istringstream in(read_file(outdir / (listener + ".subjects")));
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

std::uint16_t fake_peer::port(const std::string& scenario) const {
    const auto it = ports.find(scenario);
    if (it == ports.end()) throw std::runtime_error("no fake scenario " + scenario);
    return it->second;
}

std::optional<std::string> fake_peer::log(const std::string& scenario, int n) const {
    const fs::path p = outdir / (scenario + "." + std::to_string(n) + ".log");
    if (!eventually([&] { return fs::exists(p); }, 5s)) return std::nullopt;
    return read_file(p);
}

int fake_peer::connections(const std::string& scenario) const {
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(outdir, ec))
        if (e.path().filename().string().starts_with(scenario + ".")) ++n;
    return n;
}

const fake_peer& fake_server() {
    auto& s = state();
    if (!s.fake) {
        const fs::path out = root_dir() / "fake";
        fs::create_directories(out);
        s.fake_proc = std::make_unique<process>(process::start(
            {LETTRE_PYTHON, peer_script("fake_server.py"), "--outdir", out.string()}));
        fake_peer peer;
        peer.outdir = out;
        peer.ports = s.fake_proc->wait_ready(20s);
        s.fake = std::move(peer);
    }
    return *s.fake;
}

std::vector<fs::path> smtp_sink::messages() const {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dumps->path(), ec))
        if (e.path().filename().string().starts_with("msg.")) out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

namespace {

std::unique_ptr<smtp_sink> launch_smtp_sink(const std::vector<std::string>& options,
                                            bool counting) {
    const std::string binary = LETTRE_SMTP_SINK;
    if (binary.empty() || access(binary.c_str(), X_OK) != 0)
        throw std::runtime_error(
            "smtp-sink not found (Debian package postfix; see "
            "scripts/install-deps.sh)");
    auto sink = std::make_unique<smtp_sink>();
    sink->dumps = std::make_unique<temp_dir>();
    fs::permissions(sink->dumps->path(), fs::perms::all);  // smtp-sink runs as nobody
    // smtp-sink binds the port itself: take a free one, retry on a race.
    for (int attempt = 0; attempt < 5; ++attempt) {
        sink->port = free_port();
        std::vector<std::string> argv = {binary};
        argv.insert(argv.end(), options.begin(), options.end());
        if (counting) {
            argv.emplace_back("-c");
        } else {
            // %H%M%S. plus smtp-sink's random suffix; a sortable prefix keeps order per second.
            argv.insert(argv.end(), {"-d", (sink->dumps->path() / "msg.%Y%m%d%H%M%S.").string()});
        }
        argv.insert(argv.end(), {"127.0.0.1:" + std::to_string(sink->port), "100"});
        sink->proc = process::start(argv, "nobody",
                                    counting ? sink->dumps->path() / "counters" : fs::path());
        if (wait_port(sink->port, 5s)) return sink;
        sink->proc.stop();
    }
    throw std::runtime_error("smtp-sink did not start");
}

}  // namespace

std::unique_ptr<smtp_sink> start_smtp_sink(const std::vector<std::string>& options) {
    return launch_smtp_sink(options, false);
}

std::unique_ptr<smtp_sink> start_counting_smtp_sink(const std::vector<std::string>& options) {
    return launch_smtp_sink(options, true);
}

std::size_t smtp_sink::counted() const {
    // "sess=N quit=N mesg=N\r", rewritten in place on a terminal: the last one counts.
    const std::string all = read_file(dumps->path() / "counters");
    const auto at = all.rfind("mesg=");
    if (at == std::string::npos) return 0;
    return static_cast<std::size_t>(std::strtoull(all.c_str() + at + 5, nullptr, 10));
}

std::unique_ptr<chaos_server> start_chaos_server(const std::vector<std::string>& options) {
    auto c = std::make_unique<chaos_server>();
    c->dir = std::make_unique<temp_dir>();
    std::vector<std::string> argv = {LETTRE_PYTHON, peer_script("chaos_server.py"), "--outdir",
                                     c->dir->path().string()};
    argv.insert(argv.end(), options.begin(), options.end());
    c->proc = process::start(argv);
    c->port = c->proc.wait_ready(20s).at("chaos");
    return c;
}

std::vector<std::pair<std::string, std::string>> chaos_server::events() const {
    std::vector<std::pair<std::string, std::string>> out;
    std::istringstream in(read_file(dir->path() / "events.log"));
    std::string line;
    while (std::getline(in, line)) {
        const auto sp = line.find(' ');
        if (sp == std::string::npos) continue;
        out.emplace_back(line.substr(0, sp), line.substr(sp + 1));
    }
    return out;
}

std::map<std::string, int> chaos_server::stats() const {
    std::map<std::string, int> out;
    std::istringstream in(read_file(dir->path() / "stats.txt"));
    std::string key;
    int value = 0;
    while (in >> key >> value) out[key] = value;
    return out;
}

// ---------------------------------------------------------------------------
// lettre helpers

lettre::smtp::tls_parameters test_ca() {
    lettre::smtp::tls_parameters t;
    t.ca_file = cert_dir() / "ca.pem";
    return t;
}

lettre::smtp_transport_builder plain_builder(std::uint16_t port) {
    auto b = lettre::smtp_transport::builder_dangerous("127.0.0.1");
    b.port(port).hello_name("client.example").timeouts(lettre::smtp::timeouts::all(10s));
    return b;
}

lettre::smtp_transport_builder starttls_builder(std::uint16_t port) {
    auto b = lettre::smtp_transport::starttls_relay("127.0.0.1");
    b.port(port)
        .hello_name("client.example")
        .timeouts(lettre::smtp::timeouts::all(10s))
        .tls(test_ca());
    return b;
}

lettre::smtp_transport_builder implicit_builder(std::uint16_t port) {
    auto b = lettre::smtp_transport::relay("127.0.0.1");
    b.port(port)
        .hello_name("client.example")
        .timeouts(lettre::smtp::timeouts::all(10s))
        .tls(test_ca());
    return b;
}

lettre::message sample_message(const std::string& to, const std::string& subject) {
    return lettre::message::builder()
        .from("Sender <sender@example.com>")
        .to(to)
        .cc("Copy <copy@example.net>")
        .bcc("hidden@example.net")
        .subject(subject)
        .text("First line\n.leading dot\n.\n..two dots\nlast line\n")
        .build();
}

std::string describe(const std::error_code& ec, const lettre::smtp::send_report& r) {
    std::string s = ec ? ec.message() : "success";
    if (!r.diagnostics.message.empty()) s += " — " + r.diagnostics.message;
    if (r.diagnostics.server_reply) s += " — server: " + r.diagnostics.server_reply->to_string();
    s += std::string(" — phase ") + std::string(lettre::smtp::phase_name(r.diagnostics.phase));
    return s;
}

std::vector<std::string> send_windowed(lettre::smtp::transport_config cfg, int n, int in_flight) {
    boost::asio::io_context ioc;
    cfg.pool.max_connections = 1;
    lettre::async_smtp_transport mailer(ioc.get_executor(), cfg);
    std::vector<std::string> sent;
    std::vector<lettre::message> messages;
    for (int i = 0; i < n; ++i) {
        messages.push_back(sample_message("rcpt@example.org", "window " + std::to_string(i)));
        sent.push_back(messages.back().formatted());
    }
    int started = 0;
    int finished = 0;
    std::function<void()> start_next = [&] {
        const int i = started++;
        mailer.async_send(messages[static_cast<std::size_t>(i)],
                          [&, i](std::error_code ec, lettre::smtp::send_report r) {
                              EXPECT_FALSE(ec) << i << ": " << describe(ec, r);
                              EXPECT_EQ(r.final_reply.code(), 250) << i;
                              EXPECT_EQ(mailer.metrics().connections_open, 1u);
                              if (++finished == n) return mailer.shutdown();
                              if (in_flight > 0 && started < n) start_next();
                          });
    };
    const int first = in_flight > 0 ? std::min(in_flight, n) : n;
    for (int i = 0; i < first; ++i) start_next();
    ioc.run();
    EXPECT_EQ(finished, n);
    EXPECT_EQ(mailer.metrics().reconnects, 0u);
    return sent;
}

}  // namespace smtp_it
