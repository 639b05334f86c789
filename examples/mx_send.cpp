// Delivers a message straight to the recipients' MX hosts, without a relay,
// and prints what happened to each recipient.
// Usage: mx_send FROM TO [TO...]   (e.g. mx_send app@example.com user@example.org)
// Needs outbound port 25 and a sending IP the receivers accept (PTR, SPF).
#include <lettre/lettre.hpp>
#include <lettre/transport/mx_transport.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: mx_send FROM TO [TO...]\n";
        return 64;
    }
    auto builder = lettre::message::builder().from(argv[1]).subject("Delivered directly");
    for (int i = 2; i < argc; ++i) builder.to(argv[i]);
    const auto msg = builder.text("Hello, straight from the sender to your MX.\n").build();

    lettre::mx::config config;  // port 25, opportunistic STARTTLS, the system's DNS
    lettre::mx_transport mailer(config);

    std::error_code ec;
    const auto report = mailer.send(msg, ec);
    for (const auto& r : report.recipients) {
        std::cout << r.recipient.to_string() << ": " << lettre::mx::outcome(r);
        if (!r.host.empty()) std::cout << " via " << r.host << " [" << r.ip << "]";
        std::cout << "\n    " << r.message << '\n';
    }
    // Queue report.transient_failures() for a later retry (their error compares
    // equal to lettre::condition::transient, or outcome_unknown); bounce the
    // permanent ones (lettre::condition::permanent).
    if (!report.transient_failures().empty()) return 75;  // EX_TEMPFAIL
    return report.permanent_failures().empty() ? 0 : 1;
}
