#include "deliver.hpp"
#include "smtp_outcome.hpp"

#include "cli_error.hpp"

#include <lettre/smtp/transport.hpp>
#include <lettre/transport/file_transport.hpp>
#include <lettre/transport/sendmail_transport.hpp>

#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lettre::cli {
namespace {

template <class... F>
struct overloaded : F... {
    using F::operator()...;
};
template <class... F>
overloaded(F...) -> overloaded<F...>;

exit_code deliver_to(const outbox_target& target, const outgoing_message& msg,
                     const cli_streams& io) {
    const lettre::file_transport transport(target.directory);
    auto sent = std::visit(
        overloaded{
            [&](const lettre::message& m) { return transport.try_send(m); },
            [&](const raw_message& r) { return transport.try_send_raw(r.envelope, r.bytes); },
        },
        msg);
    if (!sent) throw from_library(sent.error(), "--outbox", target.directory.string());
    io.out << "sent to outbox: " << sent->eml_path.string() << " (envelope "
           << sent->json_path.string() << ")\n";
    return exit_code::ok;
}

/// What happened to a recipient the server took at RCPT TO when the message
/// itself was not taken: "rejected at end of data: 550 ...".
std::string not_sent(const lettre::smtp::diagnostics& failure, const std::string& why) {
    using lettre::smtp::phase;
    if (failure.error == lettre::errc::outcome_unknown) return why;
    if (failure.server_reply && failure.phase == phase::data_final)
        return "rejected at end of data: " + failure.server_reply->to_string();
    if (failure.server_reply && failure.phase == phase::data)
        return "rejected at DATA: " + failure.server_reply->to_string();
    return "not sent: " + why;
}

/// One line per recipient: `accepted  bob@example.org  250 2.1.5 OK` only
/// when the message was queued for them; `refused` with the RCPT reply;
/// `failed` (or `unknown` when no reply came after the data) with what
/// happened to a recipient the server took before the message failed.
void print_recipients(const std::vector<lettre::smtp::recipient_result>& recipients,
                      const lettre::smtp::diagnostics* failure, const std::string& why,
                      std::ostream& out) {
    for (const lettre::smtp::recipient_result& r : recipients) {
        std::string_view word = r.accepted() ? "accepted" : "refused";
        std::string what = r.reply.to_string();
        if (r.accepted() && failure) {
            word = failure->error == lettre::errc::outcome_unknown ? "unknown" : "failed";
            what = not_sent(*failure, why);
        }
        out << word << "  " << printable(r.recipient.to_string()) << "  " << printable(what)
            << '\n';
    }
}

/// The library's sentence with its configuration names replaced by the
/// tool's options.
std::string in_cli_terms(const lettre::smtp::diagnostics& failure, std::string why) {
    if (failure.error == lettre::errc::plaintext_auth_refused) {
        return "refusing to send the password over an unencrypted connection (tls=opportunistic "
               "and the server gave no STARTTLS); use TLS, or add plaintext_auth=dangerous to "
               "the --smtp URL";
    }
    constexpr std::string_view ca_hint = "set tls ca_file (ca_file= in the URL) to it";
    if (const auto at = why.find(ca_hint); at != std::string::npos) {
        why.replace(at, ca_hint.size(), "give it with --ca FILE");
    }
    return why;
}

/// Prints what the server did and picks the exit status: 0 when every
/// recipient was accepted and the message queued; 75 when every failure
/// (each refused recipient, and the error that ended the send) was
/// transient; 69 otherwise. An unknown outcome (no reply after the final
/// dot) is 69: the server may have taken the message, and a retry could
/// deliver it twice. The server's reply is printed once.
exit_code report_outcome(const lettre::smtp::send_report& report, const std::error_code& ec,
                         const cli_streams& io) {
    lettre::smtp::diagnostics failure = report.diagnostics;
    if (!failure.error) failure.error = ec;
    const std::vector<lettre::smtp::recipient_result>& recipients =
        report.recipients.empty() ? failure.recipients : report.recipients;
    const std::string why =
        in_cli_terms(failure, failure.message.empty() ? failure.error.message() : failure.message);
    print_recipients(recipients, ec ? &failure : nullptr, why, io.out);

    const auto refused = static_cast<std::size_t>(
        std::count_if(recipients.begin(), recipients.end(),
                      [](const lettre::smtp::recipient_result& r) { return !r.accepted(); }));
    bool permanent = std::any_of(recipients.begin(), recipients.end(),
                                 [](const lettre::smtp::recipient_result& r) {
                                     return !r.accepted() && !r.reply.transient();
                                 });

    if (!ec) {
        io.out << "queued: " << printable(report.final_reply.to_string()) << '\n';
        if (refused == 0) return exit_code::ok;
        io.err << "lettre: the server refused " << refused << " of " << recipients.size()
               << " recipients; the message was queued for the others\n";
        return permanent ? exit_code::unavailable : exit_code::temporary_failure;
    }

    if (failure.error == lettre::errc::outcome_unknown) {
        io.err << "lettre: delivery outcome unknown: " << printable(why)
               << "; sending it again may deliver it twice\n";
        return exit_code::unavailable;
    }
    io.err << "lettre: delivery failed: " << printable(why) << '\n';
    if (failure.error == lettre::errc::no_recipient_accepted ||
        failure.error == lettre::errc::recipients_deferred) {
        // The recipients' replies (above) are the reasons.
        if (recipients.empty()) permanent = true;
    } else {
        const bool said = failure.server_reply &&
                          why.find(failure.server_reply->to_string()) != std::string::npos;
        if (failure.server_reply && !said) {
            io.err << "lettre: server reply: " << printable(failure.server_reply->to_string())
                   << '\n';
        }
        if (!retry_may_help(failure)) permanent = true;
    }
    return permanent ? exit_code::unavailable : exit_code::temporary_failure;
}

exit_code deliver_to(const smtp_target& target, const outgoing_message& msg,
                     const cli_streams& io) {
    lettre::smtp_transport_builder builder(target.config);
    if (target.trace) {
        builder.trace([&err = io.err](lettre::smtp::trace_direction d, std::string_view line) {
            err << (d == lettre::smtp::trace_direction::sent ? "C: " : "S: ") << printable(line)
                << '\n';
            err.flush();
        });
    }
    std::error_code ec;
    lettre::smtp::send_report report;
    {
        // The transport's engine (and the trace hook) runs on a thread of its
        // own; it is gone, its QUIT traced, before anything else is printed.
        lettre::smtp_transport transport = builder.build();
        report = std::visit(
            overloaded{
                [&](const lettre::message& m) { return transport.send(m, ec); },
                [&](const raw_message& r) { return transport.send_raw(r.envelope, r.bytes, ec); },
            },
            msg);
    }
    return report_outcome(report, ec, io);
}

exit_code deliver_to(const mx_target& target, const outgoing_message& msg, const cli_streams& io) {
    return deliver_mx(target, std::get_if<lettre::message>(&msg), std::get_if<raw_message>(&msg),
                      io);
}

/// `handed to /usr/sbin/sendmail`; on failure the reason (with what the
/// program printed) on stderr, and 75 for EX_TEMPFAIL or a timeout, 69
/// otherwise.
exit_code deliver_to(const sendmail_target& target, const outgoing_message& msg,
                     const cli_streams& io) {
    lettre::sendmail_config config;
    config.command = target.program;
    const lettre::sendmail_transport transport(config);
    auto sent = std::visit(
        overloaded{
            [&](const lettre::message& m) { return transport.try_send(m); },
            [&](const raw_message& r) { return transport.try_send_raw(r.envelope, r.bytes); },
        },
        msg);
    if (sent) {
        io.out << "handed to " << printable(target.program) << '\n';
        return exit_code::ok;
    }
    const std::error_code ec = sent.error().code;
    const bool transient = ec == lettre::errc::sendmail_transient || ec == lettre::errc::timeout;
    if (!transient && ec != lettre::errc::sendmail_failed)
        throw from_library(sent.error(), "--sendmail");  // e.g. no recipient: 65
    io.err << "lettre: delivery failed: " << printable(sent.error().message) << '\n';
    return transient ? exit_code::temporary_failure : exit_code::unavailable;
}

}  // namespace

exit_code deliver(const delivery_target& target, const outgoing_message& msg,
                  const cli_streams& io) {
    return std::visit([&](const auto& t) { return deliver_to(t, msg, io); }, target);
}

}  // namespace lettre::cli
