#include "dns_peers.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace dns_test {

using namespace std::chrono_literals;

namespace {

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    return a;
}

std::uint16_t free_udp_port() {
    const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(0);
    if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(s);
        throw std::runtime_error("bind failed");
    }
    socklen_t len = sizeof a;
    getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    close(s);
    return ntohs(a.sin_port);
}

/// dnsmasq has bound the port once we no longer can.
bool udp_port_taken(std::uint16_t port) {
    const int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(port);
    const bool taken = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0;
    close(s);
    return taken;
}

std::string find_dnsmasq() {
    for (const char* p : {"/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/usr/local/sbin/dnsmasq"})
        if (access(p, X_OK) == 0) return p;
    throw std::runtime_error(
        "dnsmasq not found (Debian package dnsmasq; see "
        "scripts/install-deps.sh --test)");
}

std::string find_tool(const char* name, const char* package) {
    for (const char* dir : {"/usr/sbin/", "/usr/bin/", "/usr/local/sbin/", "/usr/local/bin/"}) {
        const std::string p = std::string(dir) + name;
        if (access(p.c_str(), X_OK) == 0) return p;
    }
    throw std::runtime_error(std::string(name) + " not found (Debian package " + package +
                             "; see scripts/install-deps.sh --test)");
}

/// Waits until `proc` has bound `port` (UDP, 127.0.0.1); false if it died
/// or took longer than `limit`.
bool wait_bound(child& proc, std::uint16_t port, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline && proc.alive()) {
        if (udp_port_taken(port)) {
            std::this_thread::sleep_for(50ms);  // TCP listener too
            return true;
        }
        std::this_thread::sleep_for(20ms);
    }
    return false;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str().substr(0, 4000);
}

}  // namespace

dnssec_world::~dnssec_world() {
    if (unbound) unbound->stop();
    if (nsd) nsd->stop();
    std::error_code ec;
    if (!dir.empty()) std::filesystem::remove_all(dir, ec);
}

std::unique_ptr<dnssec_world> start_dnssec_world(const std::map<std::string, std::string>& extra) {
    const std::string nsd = find_tool("nsd", "nsd");
    const std::string unbound = find_tool("unbound", "unbound");
    find_tool("ldns-signzone", "ldnsutils");
    std::string logs;
    for (int attempt = 0; attempt < 5; ++attempt) {
        auto w = std::make_unique<dnssec_world>();
        std::string templ = (std::filesystem::temp_directory_path() / "lettre-dnssec-XXXXXX");
        if (!mkdtemp(templ.data())) throw std::runtime_error("mkdtemp failed");
        w->dir = templ;
        for (const auto& [zone, records] : extra)
            std::ofstream(w->dir / (zone + ".extra")) << records << '\n';
        w->nsd_port = free_udp_port();
        do w->port = free_udp_port();
        while (w->port == w->nsd_port);
        const std::string cmd = "/bin/bash '" + here() + "/dnssec/make_zones.sh' '" +
                                w->dir.string() + "' " + std::to_string(w->nsd_port) + " " +
                                std::to_string(w->port) + " >'" + w->dir.string() +
                                "/make_zones.log' 2>&1";
        if (std::system(cmd.c_str()) != 0)
            throw std::runtime_error("make_zones.sh failed: " +
                                     read_file(w->dir / "make_zones.log"));
        w->nsd = std::make_unique<child>(child::start(
            {nsd, "-d", "-c", (w->dir / "nsd.conf").string()}, {}, w->dir / "nsd.out"));
        if (!wait_bound(*w->nsd, w->nsd_port, 10s)) {  // port taken meanwhile? Again.
            logs = read_file(w->dir / "nsd.log");
            continue;
        }
        w->unbound = std::make_unique<child>(child::start(
            {unbound, "-d", "-c", (w->dir / "unbound.conf").string()}, {}, w->dir / "unbound.out"));
        if (!wait_bound(*w->unbound, w->port, 10s)) {
            logs = read_file(w->dir / "unbound.log");
            continue;
        }
        return w;
    }
    throw std::runtime_error("nsd or unbound did not start: " + logs);
}

std::string here() {
    // Not __FILE__: with ccache's base_dir it is relative to the build
    // directory, and ctest runs each test binary from its own directory.
    return LETTRE_DNS_TEST_DIR;
}

std::unique_ptr<dnsmasq> start_dnsmasq(const std::vector<std::string>& records) {
    const std::string binary = find_dnsmasq();
    for (int attempt = 0; attempt < 5; ++attempt) {
        auto d = std::make_unique<dnsmasq>();
        d->port = free_udp_port();
        std::vector<std::string> argv = {binary,
                                         "--no-daemon",
                                         "--port=" + std::to_string(d->port),
                                         "--listen-address=127.0.0.1",
                                         "--bind-interfaces",
                                         "--no-resolv",
                                         "--no-hosts",
                                         "--conf-file=/dev/null",
                                         "--log-facility=/dev/null",
                                         "--pid-file=",
                                         "--local=/test/",
                                         "--local-ttl=300"};
        argv.insert(argv.end(), records.begin(), records.end());
        d->proc = std::make_unique<child>(child::start(argv));
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (std::chrono::steady_clock::now() < deadline && d->proc->alive()) {
            if (udp_port_taken(d->port)) {
                std::this_thread::sleep_for(20ms);  // TCP listener too
                return d;
            }
            std::this_thread::sleep_for(10ms);
        }
        d->proc->stop();
    }
    throw std::runtime_error("dnsmasq did not start");
}

std::unique_ptr<scripted_dns> start_scripted_dns() {
    auto s = std::make_unique<scripted_dns>();
    s->proc =
        std::make_unique<child>(child::start({"/usr/bin/python3", here() + "/scripted_dns.py"}));
    s->port = s->proc->wait_ready(20s).at("dns");
    return s;
}

}  // namespace dns_test
