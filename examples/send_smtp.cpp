// Sends one message through a submission server with STARTTLS and AUTH,
// using the blocking transport, DKIM-signed when a key is given.
// Usage: send_smtp smtp://user:pass@host:587 to@example.org [dkim-key.pem selector]
#include <lettre/lettre.hpp>
#include <lettre/smtp/transport.hpp>

#include <iostream>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: send_smtp SMTP_URL RECIPIENT [DKIM_KEY SELECTOR]\n";
        return 64;
    }
    auto builder = lettre::smtp_transport::from_url(argv[1]);
    if (!builder) {
        std::cerr << builder.error().message << '\n';
        return 64;
    }
    if (argc >= 5) {
        // Every message this transport sends is signed for example.com.
        auto key = lettre::dkim::try_load_key_file(argv[3]);
        if (!key) {
            std::cerr << key.error().message << '\n';
            return 66;
        }
        builder->dkim(lettre::dkim::signer("example.com", argv[4], std::move(*key)));
    }
    auto mailer = builder->build();
    auto msg = lettre::message::builder()
                   .from("Reports <reports@example.com>")
                   .to(argv[2])
                   .subject("Nightly report")
                   .text("All systems nominal.\n")
                   .build();
    std::error_code ec;
    auto report = mailer.send(msg, ec);
    if (ec) {
        // Retry later, or give up? One question for every cause.
        std::cerr << (ec == lettre::condition::transient ? "try again later: " : "failed: ");
        // The server's own words, and where it happened.
        std::cerr << "not sent: " << report.diagnostics.message << '\n';
        if (report.diagnostics.server_reply)
            std::cerr << "server said: " << report.diagnostics.server_reply->to_string() << '\n';
        return 1;
    }
    for (const auto& r : report.refused())
        std::cerr << "refused " << r.recipient.to_string() << ": " << r.reply.to_string() << '\n';
    std::cout << "accepted: " << report.final_reply.to_string() << '\n';
}
