// Builds a message and signs it with two DKIM keys (RSA and Ed25519, as
// RFC 8463 recommends), then prints the DNS records to publish.
#include <lettre/dkim.hpp>
#include <lettre/lettre.hpp>

#include <iostream>
#include <vector>

int main() {
    using namespace lettre;
    // Real programs load their keys: dkim::load_key_file("dkim.pem")
    // (lettre/dkim/key_file.hpp).
    auto rsa = dkim::private_key::generate(dkim::algorithm::rsa_sha256, 2048);
    auto ed = dkim::private_key::generate(dkim::algorithm::ed25519_sha256);
    std::vector<dkim::signer> signers{dkim::signer("example.com", "rsa2026", rsa),
                                      dkim::signer("example.com", "ed2026", ed)};

    auto msg = message::builder()
                   .from("News <news@example.com>")
                   .to("reader@example.org")
                   .subject("Signed")
                   .text("This message carries two DKIM signatures.\n")
                   .build();
    msg.sign(signers);
    msg.write_to(std::cout);

    for (const auto& s : signers)
        std::cerr << dkim::make_dns_record(s.key(), s.selector(), s.domain()).zone_line() << '\n';
}
