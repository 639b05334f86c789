// Delivers straight to the recipients' MX hosts with DANE and MTA-STS (both
// on by default), prints how each recipient's session was protected, and
// writes the RFC 8460 TLS report of each recipient domain, with the
// addresses the domain asks reports to be sent to (its _smtp._tls record).
// Usage: mx_tls_report FROM TO [TO...]
// Needs outbound port 25, and for DANE a validating resolver on this
// machine (e.g. unbound on 127.0.0.1 in /etc/resolv.conf).
#include <lettre/dns/resolver.hpp>
#include <lettre/lettre.hpp>
#include <lettre/transport/mx_transport.hpp>
#include <lettre/transport/tls_report.hpp>

#include <chrono>
#include <fstream>
#include <iostream>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: mx_tls_report FROM TO [TO...]\n";
        return 64;
    }
    auto builder = lettre::message::builder().from(argv[1]).subject("Delivered directly");
    for (int i = 2; i < argc; ++i) builder.to(argv[i]);
    const auto msg = builder.text("Hello over authenticated TLS, where the domain asks.\n").build();

    // The collector must outlive the transport that calls its hook.
    lettre::mx::tls_report_collector reports;
    const auto start = std::chrono::system_clock::now();
    lettre::mx::report report;
    {
        lettre::mx::config config;  // dane = true, mta_sts.enabled = true
        // reports.hook() alone would do; this one also logs each failure.
        config.tls_report = [&reports](const lettre::mx::tls_session_result& r) {
            reports.add(r);
            if (r.failure)
                std::cerr << "tls: " << r.policy.domain << " " << r.receiving_mx_hostname << ": "
                          << lettre::mx::to_string(*r.failure) << " " << r.failure_reason << '\n';
        };
        lettre::mx_transport mailer(config);
        std::error_code ec;
        report = mailer.send(msg, ec);
    }
    for (const auto& r : report.recipients) {
        std::cout << r.recipient.to_string() << ": " << lettre::mx::outcome(r);
        if (r.delivered()) std::cout << " (" << lettre::mx::to_string(r.protection) << ")";
        std::cout << "\n    " << r.message << '\n';
    }

    lettre::mx::tls_report_header header;
    header.organization_name = msg.envelope().from()->domain();
    header.contact_info = "mailto:postmaster@" + header.organization_name;
    header.start = start;
    header.end = std::chrono::system_clock::now();
    lettre::dns::resolver dns;
    for (const auto& domain : reports.domains()) {
        header.report_id = std::to_string(header.start.time_since_epoch().count()) + "." + domain;
        const std::string file = domain + ".tlsrpt.json";
        std::ofstream(file) << reports.report_json(header, domain);
        // Where the domain wants it (mail it gzipped, or POST it): RFC 8460 §3.
        std::error_code ec;
        std::vector<std::string> texts;
        for (const auto& txt : dns.resolve_txt(lettre::mx::tlsrpt_name(domain), ec))
            texts.push_back(txt.text());
        const auto record = lettre::mx::select_tlsrpt_record(texts);
        std::cout << file << ": ";
        if (!record) std::cout << "the domain asks for no reports\n";
        for (const auto& uri : record ? record->rua : std::vector<std::string>{})
            std::cout << "send to " << uri << ' ';
        if (record) std::cout << '\n';
    }
    return report.all_delivered() ? 0 : 75;
}
