// A test peer as a child process: see child_process.hpp.
#include "child_process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace test_support {

using namespace std::chrono_literals;

child_process::child_process(child_process&& o) noexcept
    : pid_(std::exchange(o.pid_, -1)),
      in_(std::exchange(o.in_, -1)),
      out_(std::exchange(o.out_, -1)),
      buffered_(std::move(o.buffered_)) {}

child_process& child_process::operator=(child_process&& o) noexcept {
    if (this != &o) {
        stop();
        pid_ = std::exchange(o.pid_, -1);
        in_ = std::exchange(o.in_, -1);
        out_ = std::exchange(o.out_, -1);
        buffered_ = std::move(o.buffered_);
    }
    return *this;
}

child_process::~child_process() {
    stop();
}

child_process child_process::start(const std::vector<std::string>& argv, const std::string& user,
                                   const std::filesystem::path& stdout_file) {
    if (argv.empty()) throw std::invalid_argument("empty argv");
    bool change_user = false;
    uid_t uid = 0;
    gid_t gid = 0;
    if (!user.empty() && geteuid() == 0) {
        const passwd* pw = getpwnam(user.c_str());
        if (!pw) throw std::runtime_error("no user " + user);
        change_user = true;
        uid = pw->pw_uid;
        gid = pw->pw_gid;
    }
    int in[2];
    int out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    int file_out = -1;
    if (!stdout_file.empty()) {
        file_out = open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (file_out < 0)
            throw std::runtime_error("cannot open " + stdout_file.string() + ": " +
                                     std::strerror(errno));
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    if (pid == 0) {
        // Child: only async-signal-safe calls until exec.
        if (change_user && (setgroups(0, nullptr) != 0 || setgid(gid) != 0 || setuid(uid) != 0))
            _exit(126);
        // Set after the credential change: a change clears it.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(125);
        dup2(in[0], STDIN_FILENO);
        dup2(file_out >= 0 ? file_out : out[1], STDOUT_FILENO);
        execv(args[0], args.data());
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (file_out >= 0) close(file_out);
    child_process p;
    p.pid_ = pid;
    p.in_ = in[1];
    p.out_ = out[0];
    return p;
}

std::optional<std::string> child_process::read_line(std::chrono::milliseconds timeout) {
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

std::map<std::string, std::uint16_t> child_process::wait_ready(std::chrono::milliseconds timeout) {
    std::map<std::string, std::uint16_t> ports;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        auto line = read_line(left);
        if (!line) throw std::runtime_error("test peer did not become ready");
        if (*line == "READY") return ports;
        std::istringstream in(*line);
        std::string word, name;
        unsigned port = 0;
        if (in >> word >> name >> port && word == "PORT")
            ports[name] = static_cast<std::uint16_t>(port);
    }
}

bool child_process::alive() {
    if (pid_ <= 0) return false;
    int status = 0;
    return waitpid(pid_, &status, WNOHANG) == 0;
}

void child_process::stop() {
    if (in_ >= 0) {
        close(in_);  // the Python peers exit on EOF
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

}  // namespace test_support
