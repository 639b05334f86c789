#include "mx_deliver.hpp"

#include "cli_error.hpp"
#include "deliver.hpp"

#include <ostream>

namespace lettre::cli {

exit_code deliver_mx(const mx_target& target, const lettre::message* msg, const raw_message* raw,
                     const cli_streams& io) {
    std::error_code ec;
    lettre::mx::report report;
    {
        lettre::mx_transport transport(target.config);
        report = msg ? transport.send(*msg, ec) : transport.send_raw(raw->envelope, raw->bytes, ec);
    }
    bool temporary = false;
    bool permanent = false;
    for (const auto& r : report.recipients) {
        io.out << lettre::mx::outcome(r) << "  " << printable(r.recipient.to_string());
        if (r.delivered()) {
            io.out << "  " << printable(r.host) << " [" << r.ip << "]"
                   << (r.tls ? "  TLS" : "  plaintext");
            if (r.reply) io.out << "  " << printable(r.reply->to_string());
        } else {
            // The message names the host and address where there was one.
            io.out << "  " << printable(r.message);
            // As outcome() words it: permanent, or transient (outcome_unknown included).
            if (r.error == lettre::condition::permanent)
                permanent = true;
            else
                temporary = true;
        }
        io.out << '\n';
    }
    if (report.recipients.empty() && ec) {
        io.err << "lettre: delivery failed: " << printable(ec.message()) << '\n';
        return exit_code::unavailable;
    }
    if (permanent) return exit_code::unavailable;
    return temporary ? exit_code::temporary_failure : exit_code::ok;
}

}  // namespace lettre::cli
