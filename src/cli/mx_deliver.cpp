#include "mx_deliver.hpp"

#include "cli_error.hpp"
#include "deliver.hpp"

#include <lettre/transport/tls_report.hpp>

#include <unistd.h>

#include <chrono>
#include <ostream>
#include <string>

namespace lettre::cli {
namespace {

/// --tls-report FILE: a JSON array holding the RFC 8460 report of each
/// recipient domain this run had a session with (or a policy problem).
/// The sender's domain names the organization; "-" is standard output.
void write_tls_report(const std::string& path, const lettre::mx::tls_report_collector& c,
                      const std::optional<lettre::address>& from,
                      std::chrono::system_clock::time_point start, std::ostream& out) {
    lettre::mx::tls_report_header h;
    const std::string org = from ? from->domain() : std::string("localhost");
    h.organization_name = org;
    h.contact_info = "mailto:postmaster@" + org;
    h.start = start;
    h.end = std::chrono::system_clock::now();
    const auto stamp = std::chrono::duration_cast<std::chrono::seconds>(start.time_since_epoch());
    std::string json = "[";
    bool first = true;
    for (const auto& domain : c.domains()) {
        h.report_id = std::to_string(stamp.count()) + "." + std::to_string(::getpid()) + "." +
                      domain + "@" + org;
        json += first ? "\n" : ",\n";
        first = false;
        std::string one = c.report_json(h, domain);
        while (!one.empty() && one.back() == '\n') one.pop_back();
        json += one;
    }
    json += "\n]\n";
    write_output(path, json, out);
}

/// --trace: the lines of --smtp ("C: ", "S: "), each after the host and
/// address of its session, for sessions to several hosts run at once.
lettre::mx::host_trace_hook trace_printer(std::ostream& err) {
    return [&err](std::string_view host, std::string_view ip, lettre::smtp::trace_direction d,
                  std::string_view line) {
        err << printable(host);
        // An address literal is its own address.
        if (!host.starts_with('[')) err << " [" << ip << ']';
        err << (d == lettre::smtp::trace_direction::sent ? " C: " : " S: ") << printable(line)
            << '\n';
        err.flush();
    };
}

}  // namespace

exit_code deliver_mx(const mx_target& target, const lettre::message* msg, const raw_message* raw,
                     const cli_streams& io) {
    std::error_code ec;
    lettre::mx::report report;
    lettre::mx::tls_report_collector collector;
    const auto start = std::chrono::system_clock::now();
    {
        lettre::mx::config cfg = target.config;
        if (target.tls_report) cfg.tls_report = collector.hook();
        if (target.trace) cfg.host_trace = trace_printer(io.err);
        lettre::mx_transport transport(std::move(cfg));
        report = msg ? transport.send(*msg, ec) : transport.send_raw(raw->envelope, raw->bytes, ec);
    }
    bool temporary = false;
    bool permanent = false;
    for (const auto& r : report.recipients) {
        io.out << lettre::mx::outcome(r) << "  " << printable(r.recipient.to_string());
        if (r.delivered()) {
            io.out << "  " << printable(r.host) << " [" << r.ip << "]  "
                   << lettre::mx::to_string(r.protection);
            if (r.reply) io.out << "  " << printable(r.reply->to_string());
        } else {
            // The message names the host and address where there was one,
            // and the policy (DANE, MTA-STS) that refused it.
            io.out << "  " << printable(r.message);
            // As outcome() words it: permanent, or transient (outcome_unknown included).
            if (r.error == lettre::condition::permanent)
                permanent = true;
            else
                temporary = true;
        }
        io.out << '\n';
    }
    if (target.tls_report) {
        const auto& from = msg ? msg->envelope().from() : raw->envelope.from();
        write_tls_report(*target.tls_report, collector, from, start, io.out);
    }
    if (report.recipients.empty() && ec) {
        io.err << "lettre: delivery failed: " << printable(ec.message()) << '\n';
        return exit_code::unavailable;
    }
    if (permanent) return exit_code::unavailable;
    return temporary ? exit_code::temporary_failure : exit_code::ok;
}

}  // namespace lettre::cli
