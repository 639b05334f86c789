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
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace dns_test {

using namespace std::chrono_literals;

std::unique_ptr<child> child::start(const std::vector<std::string>& argv) {
    int in[2];
    int out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(125);
        dup2(in[0], STDIN_FILENO);
        dup2(out[1], STDOUT_FILENO);
        execv(args[0], args.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    auto c = std::make_unique<child>();
    c->pid_ = pid;
    c->in_ = in[1];
    c->out_ = out[0];
    return c;
}

std::optional<std::string> child::read_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (const auto nl = buffered_.find('\n'); nl != std::string::npos) {
            std::string line = buffered_.substr(0, nl);
            buffered_.erase(0, nl + 1);
            return line;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || out_ < 0) return std::nullopt;
        pollfd pfd{out_, POLLIN, 0};
        const int r = poll(&pfd, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return std::nullopt;
        char buf[4096];
        const ssize_t n = read(out_, buf, sizeof buf);
        if (n <= 0) return std::nullopt;
        buffered_.append(buf, static_cast<std::size_t>(n));
    }
}

bool child::alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    return waitpid(pid_, &status, WNOHANG) == 0;
}

void child::stop() {
    if (in_ >= 0) {
        close(in_);
        in_ = -1;
    }
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        int status = 0;
        bool reaped = false;
        for (int i = 0; i < 300 && !reaped; ++i) {
            const pid_t r = waitpid(pid_, &status, WNOHANG);
            if (r == pid_ || (r < 0 && errno == ECHILD))
                reaped = true;
            else
                std::this_thread::sleep_for(10ms);
        }
        if (!reaped) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
        }
        pid_ = -1;
    }
    if (out_ >= 0) {
        close(out_);
        out_ = -1;
    }
}

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

}  // namespace

std::string here() {
    return std::filesystem::path(__FILE__).parent_path().string();
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
        d->proc = child::start(argv);
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
    s->proc = child::start({"/usr/bin/python3", here() + "/scripted_dns.py"});
    while (auto line = s->proc->read_line(20s)) {
        std::istringstream in(*line);
        std::string word, name;
        unsigned port = 0;
        if (*line == "READY") return s;
        if (in >> word >> name >> port && word == "PORT")
            s->port = static_cast<std::uint16_t>(port);
    }
    throw std::runtime_error("scripted_dns.py did not start");
}

}  // namespace dns_test
