// What both sendmail runners (blocking and Asio) share, with no Asio: the
// program is found, started in a process group of its own with a socket on
// its standard input and a pipe on its output, reaped, and its end turned
// into an error code. The blocking transport is in the Boost-free
// lettre::message component, so nothing here may include Boost.
#pragma once

#include <lettre/error.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/transport/sendmail_transport.hpp>

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <system_error>
#include <vector>

namespace lettre::detail {

// LETTRE_EXPORT on these internal functions: the async sendmail transport in
// lettre_smtp calls them across the library boundary when lettre is built
// as shared libraries. They are not installed and not part of the API.

/// The program's output kept in sendmail_report::output.
inline constexpr std::size_t sendmail_max_output = 4096;

/// The program found on disk and the argument vector for one envelope.
struct sendmail_command {
    std::string program;
    std::vector<std::string> argv;
};

/// errc::missing_recipient (nothing is run) or the lookup's error.
LETTRE_EXPORT result<sendmail_command> prepare_sendmail(const sendmail_config& config,
                                                        const envelope& env);

/// A started program. Every descriptor is close-on-exec and above 0..2; the
/// caller owns them. `exit_fd` is a pidfd, readable once the program exits,
/// or -1 (Linux before 5.3: poll waitpid instead).
struct sendmail_child {
    pid_t pid = -1;
    int in = -1;   ///< a socket: writing after the program is gone gives EPIPE
    int out = -1;  ///< its stdout and stderr
    int exit_fd = -1;
};

/// errc::sendmail_failed with a sentence saying why it could not start.
LETTRE_EXPORT result<sendmail_child> spawn_sendmail(const sendmail_command& command);

/// The program and whatever it started (its own process group): a helper it
/// forked must not outlive the send that gave up on it.
LETTRE_EXPORT void kill_sendmail_group(pid_t pid);

enum class sendmail_reap {
    running,
    exited,      ///< report.exit_status or report.signal set
    status_lost  ///< reaped elsewhere (SIGCHLD ignored by the application)
};
/// waitpid without blocking.
LETTRE_EXPORT sendmail_reap reap_sendmail(pid_t pid, sendmail_report& report);

/// A steady_clock deadline overflows past ~292 years: longer means none.
LETTRE_EXPORT bool sendmail_timeout_unlimited(std::chrono::milliseconds timeout);

/// The outcome of a run that was not cancelled. Exit 0 without reading the
/// whole message is no delivery.
LETTRE_EXPORT std::error_code sendmail_outcome(const sendmail_report& report, bool timed_out,
                                               bool status_unknown, bool all_written);

/// Bytes as the program gets them: every line end LF, or every one CRLF.
LETTRE_EXPORT std::string sendmail_line_endings(std::string bytes, bool crlf);

/// A sentence naming the program, what happened and what it printed.
/// `status_unknown`: it ended, but its exit status was reaped elsewhere.
LETTRE_EXPORT std::string describe_sendmail_failure(const std::string& command, std::error_code ec,
                                                    const sendmail_report& report,
                                                    bool status_unknown);

}  // namespace lettre::detail
