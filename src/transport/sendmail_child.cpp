#include "transport/sendmail_child.hpp"
#include "transport/sendmail_program.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

extern char** environ;  // NOLINT: POSIX declares it nowhere else

namespace lettre::detail {

namespace {

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

/// The child starts with no blocked signals and with SIGPIPE, SIGCHLD and
/// SIGXFSZ at their defaults, whatever the application set (a server that
/// ignores SIGCHLD would break the program's own waitpid), in a process
/// group of its own (see kill_sendmail_group).
void set_child_signals(posix_spawnattr_t& attr) {
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
}

/// posix_spawn's result: 0 or an errno value.
int spawn_with(const sendmail_command& command, int in, int out, pid_t& pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawnattr_init(&attr);
    ::posix_spawn_file_actions_adddup2(&actions, in, STDIN_FILENO);
    ::posix_spawn_file_actions_adddup2(&actions, out, STDOUT_FILENO);
    ::posix_spawn_file_actions_adddup2(&actions, out, STDERR_FILENO);
    set_child_signals(attr);
    std::vector<char*> args;
    args.reserve(command.argv.size() + 1);
    for (const auto& a : command.argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const int rc =
        ::posix_spawn(&pid, command.program.c_str(), &actions, &attr, args.data(), environ);
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attr);
    return rc;
}

}  // namespace

result<sendmail_command> prepare_sendmail(const sendmail_config& config, const envelope& env) {
    if (env.to().empty())
        return make_error(errc::missing_recipient, "the envelope has no recipient");
    auto found = find_sendmail_program(config.command);
    if (!found) return std::move(found).error();
    return sendmail_command{std::move(*found), sendmail_arguments(config, env)};
}

result<sendmail_child> spawn_sendmail(const sendmail_command& command) {
    std::array<int, 2> sv{-1, -1};
    std::array<int, 2> pp{-1, -1};
    // A socket for its standard input, not a pipe: writing to it after the
    // program is gone returns EPIPE (MSG_NOSIGNAL) instead of raising
    // SIGPIPE in the caller's process.
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv.data()) != 0)
        return make_error(errc::sendmail_failed,
                          fmt::format("cannot create a socket pair: {}", errno_text(errno)));
    if (::pipe2(pp.data(), O_CLOEXEC) != 0) {
        const int e = errno;
        ::close(sv[0]);
        ::close(sv[1]);
        return make_error(errc::sendmail_failed,
                          fmt::format("cannot create a pipe: {}", errno_text(e)));
    }
    for (auto* fd : {&sv[0], &sv[1], &pp[0], &pp[1]}) *fd = above_stdio(*fd);

    sendmail_child child;
    const int rc = spawn_with(command, sv[1], pp[1], child.pid);
    ::close(sv[1]);
    ::close(pp[1]);
    if (rc != 0) {
        ::close(sv[0]);
        ::close(pp[0]);
        return make_error(errc::sendmail_failed,
                          fmt::format("cannot run {}: {}", command.program, errno_text(rc)));
    }
    child.in = sv[0];
    child.out = pp[0];
    // A pidfd turns readable when the child exits: waited for like any
    // descriptor, with no SIGCHLD handler (process-wide state).
    const long pidfd = ::syscall(SYS_pidfd_open, child.pid, 0);
    // pidfd_open sets close-on-exec itself.
    if (pidfd >= 0) child.exit_fd = static_cast<int>(pidfd);
    return child;
}

void kill_sendmail_group(pid_t pid) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
}

sendmail_reap reap_sendmail(pid_t pid, sendmail_report& report) {
    int status = 0;
    pid_t r = -1;
    do {
        r = ::waitpid(pid, &status, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return sendmail_reap::running;
    if (r != pid) return sendmail_reap::status_lost;  // ECHILD
    if (WIFEXITED(status)) report.exit_status = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) report.signal = WTERMSIG(status);
    return sendmail_reap::exited;
}

bool sendmail_timeout_unlimited(std::chrono::milliseconds timeout) {
    return timeout >= std::chrono::hours(24 * 365 * 100);
}

std::error_code sendmail_outcome(const sendmail_report& report, bool timed_out, bool status_unknown,
                                 bool all_written) {
    if (timed_out) return make_error_code(errc::timeout);
    if (report.exit_status == 75) return make_error_code(errc::sendmail_transient);  // EX_TEMPFAIL
    // Without a status the send cannot count as delivered.
    if (status_unknown || report.exit_status != 0 || !all_written)
        return make_error_code(errc::sendmail_failed);
    return {};
}

}  // namespace lettre::detail
