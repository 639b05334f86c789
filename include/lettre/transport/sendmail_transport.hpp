// Hands each message to the local mail system through the sendmail
// interface, `sendmail -i -f SENDER -- RECIPIENT...` with the message on
// standard input, as cron, PHP's mail() and Rust lettre do. Postfix, Exim,
// OpenSMTPD, msmtp and ssmtp all provide that program; the local MTA then
// queues, retries and delivers.
//
// The program runs directly (no shell), with an argument vector lettre builds
// from validated addresses, recipients after `--`: nothing in a message or an
// address can become an option or a shell word.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lettre {

/// Which program sendmail_transport runs, and how.
struct sendmail_config {
    /// The program. A name without '/' is looked up in PATH, then in
    /// /usr/sbin and /usr/lib (where sendmail lives, though PATH often lacks
    /// them).
    std::string command = "sendmail";
    /// Put before lettre's own arguments, e.g. {"-C", "/etc/mail/test.cf"}
    /// or msmtp's {"--host=smtp.example.com", "--port=587"}.
    std::vector<std::string> arguments;
    /// Line ends written to the program. false (default): LF, the Unix text
    /// form every sendmail takes (the MTA restores CRLF on the wire; DKIM
    /// signatures stay valid). true: CRLF, the bytes as formatted.
    bool crlf_line_endings = false;
    /// The whole run: start, writing the message, exit. On expiry the
    /// program and what it started (its process group) are killed
    /// (SIGKILL) and the send fails with errc::timeout. 100 years or more:
    /// no limit.
    std::chrono::milliseconds timeout = std::chrono::minutes(2);
};

/// What the program did.
struct sendmail_report {
    /// Its exit status; -1 when it did not exit by itself (killed by a
    /// signal, by the timeout, or never started) or its status was lost.
    int exit_status = -1;
    /// The signal that ended it, or 0.
    int signal = 0;
    /// What it wrote to stdout and stderr (the first 4 KiB).
    std::string output;
    /// On failure, a sentence naming the program and what went wrong (its
    /// exit status, the signal, the timeout, or why it could not be
    /// started), with its output; the error message of the blocking forms.
    std::string message;
};

/// Blocking; safe to share between threads (each send runs its own child).
class LETTRE_EXPORT sendmail_transport {
public:
    using report_type = sendmail_report;  ///< what a send reports

    sendmail_transport();
    /// Runs the program of `config`.
    explicit sendmail_transport(sendmail_config config);

    /// Throws lettre::error: errc::sendmail_transient (exit status 75,
    /// EX_TEMPFAIL: try again later), errc::sendmail_failed (any other
    /// status, a signal, or the program cannot be run), errc::timeout, or
    /// errc::missing_recipient. The message names the program, its status
    /// and what it printed.
    sendmail_report send(const message& msg) const;
    /// error_code form; the report says what the program did.
    sendmail_report send(const message& msg, std::error_code& ec) const;
    /// Result form, with the full error message.
    result<sendmail_report> try_send(const message& msg) const;

    /// Ready-made bytes (CRLF or LF lines) plus an envelope, e.g. a message
    /// signed elsewhere.
    sendmail_report send_raw(const envelope& env, std::string_view bytes) const;
    /// The same, setting `ec` (cleared on success) instead of throwing.
    sendmail_report send_raw(const envelope& env, std::string_view bytes,
                             std::error_code& ec) const;
    /// send_raw() returning the error instead of throwing it.
    result<sendmail_report> try_send_raw(const envelope& env, std::string_view bytes) const;

    /// The configuration the transport was made with.
    const sendmail_config& config() const noexcept { return config_; }

private:
    sendmail_config config_;
};

}  // namespace lettre
