#include "transport/sendmail_blocking.hpp"

#include "transport/sendmail_child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <optional>
#include <utility>

namespace lettre::detail {

namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// A descriptor closed when it goes out of scope.
class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) : fd_(fd) {}
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() { reset(); }

    int get() const noexcept { return fd_; }
    bool is_open() const noexcept { return fd_ >= 0; }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/// Milliseconds until `t`, rounded up so that poll never wakes too early.
int ms_until(clock::time_point t, clock::time_point now) {
    if (t <= now) return 0;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(t - now).count();
    return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

/// The state of one run: the program's three descriptors, the bytes still
/// to write, and the deadlines. The same steps as the Asio run
/// (sendmail_process.cpp), driven by poll().
class blocking_run {
public:
    blocking_run(const sendmail_config& config, std::string bytes)
        : config_(config), bytes_(std::move(bytes)) {}
    blocking_run(const blocking_run&) = delete;
    blocking_run& operator=(const blocking_run&) = delete;

    ~blocking_run() {
        // Left early (poll failed): no zombie left.
        if (pid_ > 0 && !exited_) {
            kill_sendmail_group(pid_);
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
    }

    std::error_code run(const sendmail_command& command) {
        auto child = spawn_sendmail(command);
        if (!child) {
            report_.message = child.error().message;
            return child.error().code;
        }
        adopt(*child);
        if (!sendmail_timeout_unlimited(config_.timeout))
            deadline_ = clock::now() + config_.timeout;
        while (!finished()) {
            if (!wait_once()) {
                report_.message = "cannot wait for " + config_.command + " (poll failed)";
                return make_error_code(errc::sendmail_failed);
            }
        }
        return sendmail_outcome(report_, timed_out_, status_unknown_, written_ == bytes_.size());
    }

    sendmail_report& report() noexcept { return report_; }
    bool status_unknown() const noexcept { return status_unknown_; }

private:
    void adopt(const sendmail_child& child) {
        pid_ = child.pid;
        in_.reset(child.in);
        out_.reset(child.out);
        exit_.reset(child.exit_fd);
        set_nonblocking(in_.get());
        set_nonblocking(out_.get());
    }

    bool finished() const { return exited_ && !in_.is_open() && !out_.is_open(); }

    /// One poll() and what it found; false when poll itself fails.
    bool wait_once() {
        std::array<pollfd, 3> fds{};
        nfds_t n = 0;
        const auto watch = [&](const unique_fd& fd, short events) {
            if (fd.is_open()) fds[n++] = pollfd{fd.get(), events, 0};
        };
        watch(in_, POLLOUT);
        watch(out_, POLLIN);
        if (!exited_) watch(exit_, POLLIN);
        const int ready = ::poll(fds.data(), n, poll_timeout(clock::now()));
        if (ready < 0) return errno == EINTR;
        for (nfds_t i = 0; i < n; ++i) {
            if (fds[i].revents == 0) continue;
            if (fds[i].fd == in_.get())
                write_some();
            else if (fds[i].fd == out_.get())
                read_some();
        }
        // With a pidfd, look only when it says so; without, at every wake.
        if (!exited_) try_reap();
        check_deadlines(clock::now());
        return true;
    }

    int poll_timeout(clock::time_point now) const {
        int timeout = -1;
        const auto sooner = [&](int ms) { timeout = timeout < 0 ? ms : std::min(timeout, ms); };
        if (deadline_ && !exited_ && !timed_out_) sooner(ms_until(*deadline_, now));
        if (linger_) sooner(ms_until(*linger_, now));
        // No pidfd (Linux before 5.3): look again shortly.
        if (!exited_ && !exit_.is_open()) sooner(5);
        return timeout;
    }

    void write_some() {
        while (written_ < bytes_.size()) {
            const ssize_t n = ::send(in_.get(), bytes_.data() + written_, bytes_.size() - written_,
                                     MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n > 0) {
                written_ += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            // EPIPE or a reset: the program stopped reading; its exit
            // status tells why.
            break;
        }
        in_.reset();
    }

    void read_some() {
        std::array<char, 4096> chunk{};
        while (true) {
            const ssize_t n = ::read(out_.get(), chunk.data(), chunk.size());
            if (n > 0) {
                const std::size_t room = sendmail_max_output - report_.output.size();
                report_.output.append(chunk.data(), std::min(static_cast<std::size_t>(n), room));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
            break;  // end of output, or an error
        }
        out_.reset();
    }

    void try_reap() {
        const sendmail_reap r = reap_sendmail(pid_, report_);
        if (r == sendmail_reap::running) return;
        exited_ = true;
        status_unknown_ = r == sendmail_reap::status_lost;
        exit_.reset();
        // The program is gone, but something it started may still hold its
        // standard input or output open: wait a moment, not forever.
        if (in_.is_open() || out_.is_open()) linger_ = clock::now() + 1s;
    }

    void check_deadlines(clock::time_point now) {
        if (deadline_ && !exited_ && !timed_out_ && now >= *deadline_) {
            timed_out_ = true;
            kill_sendmail_group(pid_);
        }
        if (linger_ && now >= *linger_) {
            in_.reset();
            out_.reset();
        }
    }

    const sendmail_config& config_;
    std::string bytes_;
    unique_fd in_;
    unique_fd out_;
    unique_fd exit_;
    std::optional<clock::time_point> deadline_;
    std::optional<clock::time_point> linger_;
    sendmail_report report_;
    pid_t pid_ = -1;
    std::size_t written_ = 0;
    bool exited_ = false;
    bool timed_out_ = false;
    bool status_unknown_ = false;
};

}  // namespace

std::pair<std::error_code, sendmail_report> run_sendmail_blocking(const sendmail_config& config,
                                                                  const envelope& env,
                                                                  std::string bytes) {
    auto command = prepare_sendmail(config, env);
    if (!command) {
        sendmail_report refused;
        refused.message = command.error().message;
        return {command.error().code, std::move(refused)};
    }
    blocking_run run(config, sendmail_line_endings(std::move(bytes), config.crlf_line_endings));
    const std::error_code ec = run.run(*command);
    sendmail_report& report = run.report();
    if (ec && report.message.empty())
        report.message =
            describe_sendmail_failure(config.command, ec, report, run.status_unknown());
    return {ec, std::move(report)};
}

}  // namespace lettre::detail
