#include "transport/sendmail_process.hpp"
#include "transport/sendmail_program.hpp"

#include <lettre/asio_error.hpp>

#include <fmt/format.h>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace lettre::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t max_output = 4096;

/// Moves a descriptor above 0..2, so that dup2 onto the child's standard
/// descriptors never meets itself (which would keep FD_CLOEXEC set).
int above_stdio(int fd) {
    if (fd < 0 || fd > 2) return fd;
    const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    ::close(fd);
    return moved;
}

std::string errno_text(int e) {
    return std::strerror(e);
}

class sendmail_run : public std::enable_shared_from_this<sendmail_run> {
public:
    using strand_type = asio::strand<asio::any_io_executor>;

    sendmail_run(const asio::any_io_executor& ex, const sendmail_config& config, std::string bytes,
                 asio::any_completion_handler<sendmail_signature> handler)
        : strand_(asio::make_strand(ex)),
          config_(config),
          bytes_(std::move(bytes)),
          in_(strand_),
          out_(strand_),
          exit_(strand_),
          timer_(strand_) {
        handler_.emplace(std::move(handler));
        work_.emplace(asio::prefer(asio::get_associated_executor(*handler_, ex),
                                   asio::execution::outstanding_work.tracked));
    }

    sendmail_run(const sendmail_run&) = delete;
    sendmail_run& operator=(const sendmail_run&) = delete;

    ~sendmail_run() {
        // Abandoned (its io_context destroyed mid-run): no zombie left.
        if (pid_ > 0 && !exited_) {
            kill_group();
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
    }

    void connect_cancellation() {
        auto slot = asio::get_associated_cancellation_slot(*handler_);
        if (!slot.is_connected()) return;
        std::weak_ptr<sendmail_run> weak = shared_from_this();
        slot.assign([weak](asio::cancellation_type) {
            if (auto self = weak.lock()) asio::post(self->strand_, [self] { self->cancel(); });
        });
    }

    /// Starts the program on the run's strand (so that nothing completes
    /// inside the initiating call), or completes with `refused`.
    void launch(std::vector<std::string> argv, std::string program,
                std::optional<error_info> refused) {
        asio::post(strand_, [self = shared_from_this(), argv = std::move(argv),
                             program = std::move(program), refused = std::move(refused)] {
            if (!refused) return self->start(argv, program);
            self->report_.message = refused->message;
            self->complete(error_code(refused->code));
        });
    }

private:
    /// On the strand.
    void start(const std::vector<std::string>& argv, const std::string& program) {
        if (cancelled_) return complete(asio::error::operation_aborted);
        if (auto why = spawn(argv, program)) {
            report_.message = *why;
            return complete(make_error_code(errc::sendmail_failed));
        }
        // A steady_clock deadline overflows past ~292 years: longer means none.
        if (config_.timeout >= std::chrono::hours(24 * 365 * 100)) return run();
        timer_.expires_after(config_.timeout);
        timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (ec || self->exited_) return;
            self->timed_out_ = true;
            self->kill_group();
        });
        run();
    }

    void run() {
        asio::async_write(in_, asio::buffer(bytes_),
                          [self = shared_from_this()](error_code, std::size_t n) {
                              // EPIPE or a reset: the program stopped reading;
                              // its exit status tells why.
                              self->written_ = n;
                              error_code ignored;
                              self->in_.close(ignored);
                              self->write_done_ = true;
                              self->maybe_finish();
                          });
        read_output();
        wait_exit();
    }

    /// Starts the program; on failure, why.
    std::optional<std::string> spawn(const std::vector<std::string>& argv,
                                     const std::string& program) {
        std::array<int, 2> sv{-1, -1};
        std::array<int, 2> pp{-1, -1};
        // A socket for its standard input, not a pipe: writing to it after
        // the program is gone returns EPIPE (MSG_NOSIGNAL) instead of
        // raising SIGPIPE in the caller's process.
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv.data()) != 0)
            return fmt::format("cannot create a socket pair: {}", errno_text(errno));
        if (::pipe2(pp.data(), O_CLOEXEC) != 0) {
            const int e = errno;
            ::close(sv[0]);
            ::close(sv[1]);
            return fmt::format("cannot create a pipe: {}", errno_text(e));
        }
        for (auto* fd : {&sv[0], &sv[1], &pp[0], &pp[1]}) *fd = above_stdio(*fd);

        posix_spawn_file_actions_t actions;
        posix_spawnattr_t attr;
        ::posix_spawn_file_actions_init(&actions);
        ::posix_spawnattr_init(&attr);
        ::posix_spawn_file_actions_adddup2(&actions, sv[1], STDIN_FILENO);
        ::posix_spawn_file_actions_adddup2(&actions, pp[1], STDOUT_FILENO);
        ::posix_spawn_file_actions_adddup2(&actions, pp[1], STDERR_FILENO);
        // The child starts with no blocked signals and with SIGPIPE, SIGCHLD
        // and SIGXFSZ at their defaults, whatever the application set (a
        // server that ignores SIGCHLD would break the program's own
        // waitpid), in a process group of its own (see kill_group).
        sigset_t none;
        sigset_t defaults;
        sigemptyset(&none);
        sigemptyset(&defaults);
        for (const int sig : {SIGPIPE, SIGCHLD, SIGXFSZ}) sigaddset(&defaults, sig);
        ::posix_spawnattr_setsigmask(&attr, &none);
        ::posix_spawnattr_setsigdefault(&attr, &defaults);
        ::posix_spawnattr_setpgroup(&attr, 0);
        ::posix_spawnattr_setflags(
            &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

        std::vector<char*> args;
        args.reserve(argv.size() + 1);
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        pid_t pid = -1;
        const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, args.data(), environ);
        ::posix_spawn_file_actions_destroy(&actions);
        ::posix_spawnattr_destroy(&attr);
        ::close(sv[1]);
        ::close(pp[1]);
        if (rc != 0) {
            ::close(sv[0]);
            ::close(pp[0]);
            return fmt::format("cannot run {}: {}", program, errno_text(rc));
        }
        pid_ = pid;
        in_.assign(asio::local::stream_protocol(), sv[0]);
        out_.assign(pp[0]);
        // A pidfd turns readable when the child exits: waited for like any
        // descriptor, with no SIGCHLD handler (process-wide state).
        const long pidfd = ::syscall(SYS_pidfd_open, pid_, 0);
        if (pidfd >= 0) exit_.assign(static_cast<int>(pidfd));
        return std::nullopt;
    }

    void read_output() {
        out_.async_read_some(
            asio::buffer(chunk_), [self = shared_from_this()](error_code ec, std::size_t n) {
                const std::size_t room = max_output - self->report_.output.size();
                self->report_.output.append(self->chunk_.data(), std::min(n, room));
                if (!ec) return self->read_output();
                error_code ignored;
                self->out_.close(ignored);
                self->output_done_ = true;
                self->maybe_finish();
            });
    }

    void wait_exit() {
        if (exit_.is_open()) {
            exit_.async_wait(asio::posix::descriptor_base::wait_read,
                             [self = shared_from_this()](error_code) { self->try_reap(); });
            return;
        }
        // No pidfd (Linux before 5.3): look again shortly.
        timer_poll_.emplace(strand_);
        timer_poll_->expires_after(5ms);
        timer_poll_->async_wait([self = shared_from_this()](error_code) { self->try_reap(); });
    }

    void try_reap() {
        int status = 0;
        pid_t r = -1;
        do {
            r = ::waitpid(pid_, &status, WNOHANG);
        } while (r < 0 && errno == EINTR);
        if (r == 0) return wait_exit();
        exited_ = true;
        if (r == pid_) {
            if (WIFEXITED(status)) report_.exit_status = WEXITSTATUS(status);
            if (WIFSIGNALED(status)) report_.signal = WTERMSIG(status);
        } else {
            // ECHILD: reaped elsewhere (SIGCHLD ignored by the application);
            // without a status the send cannot count as delivered.
            status_unknown_ = true;
        }
        error_code ignored;
        exit_.close(ignored);
        if (!write_done_ || !output_done_) {
            // The program is gone, but something it started may still hold
            // its standard input or output open: wait a moment, not forever.
            timer_.expires_after(std::chrono::seconds(1));
            timer_.async_wait([self = shared_from_this()](error_code ec) {
                if (ec) return;
                error_code ignored_too;
                self->in_.cancel(ignored_too);
                self->out_.cancel(ignored_too);
            });
        }
        maybe_finish();
    }

    void cancel() {
        if (finished_ || cancelled_) return;
        cancelled_ = true;
        if (pid_ > 0 && !exited_) kill_group();
    }

    /// The program and whatever it started (its own process group): a
    /// helper it forked must not outlive the send that gave up on it.
    void kill_group() const {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
    }

    void maybe_finish() {
        if (!write_done_ || !output_done_ || !exited_ || finished_) return;
        timer_.cancel();
        error_code ec;
        if (cancelled_)
            ec = asio::error::operation_aborted;
        else if (timed_out_)
            ec = make_error_code(errc::timeout);
        else if (report_.exit_status == 75)  // EX_TEMPFAIL
            ec = make_error_code(errc::sendmail_transient);
        else if (status_unknown_ || report_.exit_status != 0 || written_ < bytes_.size())
            // Exit 0 without reading the whole message is no delivery.
            ec = make_error_code(errc::sendmail_failed);
        complete(ec);
    }

    void complete(error_code ec) {
        finished_ = true;
        if (ec && report_.message.empty())
            report_.message =
                describe_sendmail_failure(config_.command, ec, report_, status_unknown_);
        auto h = std::move(*handler_);
        handler_.reset();
        auto w = std::move(*work_);
        work_.reset();
        asio::dispatch(std::move(w), [h = std::move(h), ec, r = std::move(report_)]() mutable {
            auto slot = asio::get_associated_cancellation_slot(h);
            if (slot.is_connected()) slot.clear();
            std::move(h)(ec, std::move(r));
        });
    }

    strand_type strand_;
    sendmail_config config_;
    std::string bytes_;
    asio::local::stream_protocol::socket in_;
    asio::posix::stream_descriptor out_;
    asio::posix::stream_descriptor exit_;
    asio::steady_timer timer_;
    std::optional<asio::steady_timer> timer_poll_;
    std::array<char, 4096> chunk_{};
    // optional + emplace: Boost 1.81's any_completion_handler move-assignment recurses.
    std::optional<asio::any_completion_handler<sendmail_signature>> handler_;
    std::optional<asio::any_completion_executor> work_;
    sendmail_report report_;
    pid_t pid_ = -1;
    std::size_t written_ = 0;
    bool write_done_ = false;
    bool output_done_ = false;
    bool exited_ = false;
    bool timed_out_ = false;
    bool status_unknown_ = false;
    bool cancelled_ = false;
    bool finished_ = false;
};

}  // namespace

void start_sendmail(asio::any_io_executor ex, const sendmail_config& config, const envelope& env,
                    std::string bytes, asio::any_completion_handler<sendmail_signature> handler) {
    std::string converted = sendmail_line_endings(std::move(bytes), config.crlf_line_endings);
    auto run = std::make_shared<sendmail_run>(ex, config, std::move(converted), std::move(handler));
    run->connect_cancellation();
    std::optional<error_info> refused;
    std::string program;
    std::vector<std::string> argv;
    if (env.to().empty()) {
        refused = make_error(errc::missing_recipient, "the envelope has no recipient");
    } else if (auto found = find_sendmail_program(config.command); !found) {
        refused = std::move(found).error();
    } else {
        program = std::move(*found);
        argv = sendmail_arguments(config, env);
    }
    run->launch(std::move(argv), std::move(program), std::move(refused));
}

}  // namespace lettre::detail
