// Published DKIM signatures reproduced bit for bit.
//
// RFC 8463 Appendix A signs one message with Ed25519 and RSA (relaxed/
// relaxed). Both algorithms are deterministic (Ed25519 by design, RSA
// PKCS#1 v1.5 by construction), so re-signing the exact data a verifier
// hashes must give the published b= values. The data is built with lettre's
// own canonicalizer (the signed headers bottom-up, then the published
// DKIM-Signature field with b= emptied and without its final CRLF) and
// signed with OpenSSL directly: this checks lettre's canonicalization
// against the published signatures. The same is done for RFC 6376
// Appendix A.2 (simple/simple) and go-msgauth's deterministic vector with
// the RFC 6376 Appendix C key.
#include "dkim_support.hpp"

#include "dkim/canonicalize.hpp"
#include "dkim/header_block.hpp"

namespace {

using lettre::dkim::canonicalization;
using lettre::dkim::detail::canonical_body;
using lettre::dkim::detail::canonicalize_header;
using lettre::dkim::detail::parse_header_block;

constexpr std::string_view rfc8463_ed25519_seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
constexpr std::string_view rfc8463_ed25519_pub = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
constexpr std::string_view rfc8463_rsa_pub =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
    "J16JYi"
    "0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/"
    "8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G"
    "+2kryOTIKT+l/K4w3QIDAQAB";
constexpr std::string_view rfc8463_bh = "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=";

std::string rfc8463_message() {
    return dkim_test::shared_file("vectors/rfc8463_signed_message.eml");
}

/// The PEM block starting at "-----BEGIN <label>" in `text`.
std::string pem_block(std::string_view text, std::string_view label) {
    const std::string begin = "-----BEGIN " + std::string(label) + "-----";
    const std::string end = "-----END " + std::string(label) + "-----";
    const std::size_t b = text.find(begin);
    const std::size_t e = text.find(end, b == std::string_view::npos ? 0 : b);
    if (b == std::string_view::npos || e == std::string_view::npos) return {};
    return std::string(text.substr(b, e + end.size() - b)) + "\n";
}

std::string rfc8463_rsa_pem() {
    return pem_block(dkim_test::shared_file("vectors/rfc8463_example.txt"), "RSA PRIVATE KEY");
}

dkim_test::pkey_ptr rfc8463_ed25519_key() {
    const auto seed = lettre_test::base64_decode(rfc8463_ed25519_seed);
    return dkim_test::pkey_ptr(
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                     reinterpret_cast<const unsigned char*>(seed->data()),
                                     seed->size()),
        &EVP_PKEY_free);
}

/// The data a relaxed/relaxed verifier hashes for the `index`-th signature
/// of the RFC 8463 message, canonicalized by lettre.
std::string rfc8463_signed_data(std::size_t index, std::string* published_b) {
    const std::string msg = rfc8463_message();
    auto parsed = parse_header_block(msg);
    EXPECT_LETTRE_OK(parsed);
    if (!parsed) return {};
    std::vector<const lettre::dkim::detail::raw_field*> sigs;
    for (const auto& f : parsed->fields)
        if (f.name == "DKIM-Signature") sigs.push_back(&f);
    EXPECT_EQ(sigs.size(), 2u);
    if (index >= sigs.size()) return {};
    const std::string raw(sigs[index]->text);

    // h=from : to : subject : date : message-id : from : subject : date —
    // one of each exists; the second from/subject/date select nothing.
    std::string data;
    for (std::string_view name : {"From", "To", "Subject", "Date", "Message-ID"}) {
        for (auto it = parsed->fields.rbegin(); it != parsed->fields.rend(); ++it)
            if (it->name == name) {
                canonicalize_header(canonicalization::relaxed, it->text, data);
                break;
            }
    }
    // The field with the b= value (to the end of the field) removed.
    const std::size_t b = raw.find(" b=");
    EXPECT_NE(b, std::string::npos);
    if (published_b) *published_b = dkim_test::strip_fws(raw.substr(b + 3));
    std::string own;
    canonicalize_header(canonicalization::relaxed, raw.substr(0, b + 3) + "\r\n", own);
    EXPECT_TRUE(own.ends_with("; b=\r\n")) << own;
    own.resize(own.size() - 2);
    return data + own;
}

TEST(dkim_rfc8463, BodyHash) {
    const std::string msg = rfc8463_message();
    auto parsed = parse_header_block(msg);
    ASSERT_LETTRE_OK(parsed);
    const std::string canon = canonical_body(canonicalization::relaxed, parsed->body);
    EXPECT_EQ(canon, "Hi.\r\n\r\nWe lost the game. Are you hungry yet?\r\n\r\nJoe.\r\n");
    EXPECT_EQ(dkim_test::sha256_b64(canon), rfc8463_bh);
    // Simple canonicalization keeps the two spaces: a different hash.
    EXPECT_NE(dkim_test::sha256_b64(canonical_body(canonicalization::simple, parsed->body)),
              rfc8463_bh);
}

TEST(dkim_rfc8463, SignedDataIsAsPublished) {
    const std::string data = rfc8463_signed_data(0, nullptr);
    EXPECT_EQ(data,
              "from:Joe SixPack <joe@football.example.com>\r\n"
              "to:Suzie Q <suzie@shopping.example.net>\r\n"
              "subject:Is dinner ready?\r\n"
              "date:Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n"
              "message-id:<20030712040037.46341.5F8J@football.example.com>\r\n"
              "dkim-signature:v=1; a=ed25519-sha256; c=relaxed/relaxed; d=football.example.com; "
              "i=@football.example.com; q=dns/txt; s=brisbane; t=1528637909; h=from : to : "
              "subject : date : message-id : from : subject : date; "
              "bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=; b=");
}

TEST(dkim_rfc8463, Ed25519SignatureReproducedBitForBit) {
    std::string published;
    const std::string data = rfc8463_signed_data(0, &published);
    EXPECT_EQ(
        published,
        "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==");
    auto key = rfc8463_ed25519_key();
    ASSERT_TRUE(key);
    EXPECT_EQ(lettre_test::base64_encode(dkim_test::dkim_sign_raw(key.get(), data)), published);
}

TEST(dkim_rfc8463, RsaSignatureReproducedBitForBit) {
    std::string published;
    const std::string data = rfc8463_signed_data(1, &published);
    EXPECT_EQ(published,
              "F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3DhCVlUrSjV4BwcVcOF6+"
              "FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2JzdA+L10TeYt9BgDfQNZtKdN1WO//"
              "KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=");
    auto key = dkim_test::pkey_from_pem(rfc8463_rsa_pem(), false);
    ASSERT_TRUE(key);
    EXPECT_EQ(lettre_test::base64_encode(dkim_test::dkim_sign_raw(key.get(), data)), published);
}

TEST(dkim_rfc8463, IndependentVerifierAcceptsPublishedMessage) {
    // Sanity check of the test harness used by the signer tests.
    const std::string msg = rfc8463_message();
    auto ed =
        dkim_test::pkey_from_dns_text("v=DKIM1; k=ed25519; p=" + std::string(rfc8463_ed25519_pub));
    auto rsa = dkim_test::pkey_from_dns_text("v=DKIM1; k=rsa; p=" + std::string(rfc8463_rsa_pub));
    ASSERT_TRUE(ed);
    ASSERT_TRUE(rsa);
    EXPECT_EQ(dkim_test::verify(msg, 0, ed.get()).error, "");
    EXPECT_EQ(dkim_test::verify(msg, 1, rsa.get()).error, "");
    // And refuses a changed body or header.
    std::string tampered = msg;
    tampered.replace(tampered.find("hungry"), 6, "hangry");
    EXPECT_NE(dkim_test::verify(tampered, 0, ed.get()).error, "");
    tampered = msg;
    tampered.replace(tampered.find("dinner"), 6, "supper");
    EXPECT_NE(dkim_test::verify(tampered, 1, rsa.get()).error, "");
}

TEST(dkim_rfc8463, LettreLoadsThePublishedKeys) {
    auto ed = lettre::dkim::private_key::try_load(rfc8463_ed25519_seed);
    ASSERT_LETTRE_OK(ed);
    EXPECT_EQ(ed->algorithm(), lettre::dkim::algorithm::ed25519_sha256);
    EXPECT_EQ(ed->public_key_base64(), rfc8463_ed25519_pub);
    EXPECT_TRUE(ed->warnings().empty());

    auto rsa = lettre::dkim::private_key::try_load(rfc8463_rsa_pem());
    ASSERT_LETTRE_OK(rsa);
    EXPECT_EQ(rsa->algorithm(), lettre::dkim::algorithm::rsa_sha256);
    EXPECT_EQ(rsa->bits(), 1024u);
    EXPECT_EQ(rsa->public_key_base64(), rfc8463_rsa_pub);
    EXPECT_FALSE(rsa->warnings().empty()) << "1024-bit RSA is allowed but should be warned about";

    // DNS records as printed in RFC 8463 A.2.
    auto ed_rec = lettre::dkim::make_dns_record(*ed, "brisbane", "football.example.com");
    EXPECT_EQ(ed_rec.name, "brisbane._domainkey.football.example.com");
    EXPECT_EQ(ed_rec.text, "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    auto rsa_rec = lettre::dkim::make_dns_record(*rsa, "test", "football.example.com");
    EXPECT_EQ(rsa_rec.name, "test._domainkey.football.example.com");
    EXPECT_EQ(rsa_rec.text, "v=DKIM1; k=rsa; p=" + std::string(rfc8463_rsa_pub));
}

TEST(dkim_rfc8463, LettreSignerWithThePublishedParameters) {
    // lettre writes its own tag order (no q=), so b= differs from the RFC's;
    // bh= must be the same and both signatures must verify.
    const std::string signed_msg = rfc8463_message();
    const std::string unsigned_msg = signed_msg.substr(signed_msg.find("From: "));
    auto ed = lettre::dkim::private_key::load(rfc8463_ed25519_seed);
    auto rsa = lettre::dkim::private_key::load(rfc8463_rsa_pem());
    std::vector<lettre::dkim::signer> signers;
    signers.emplace_back("football.example.com", "brisbane", ed);
    signers.emplace_back("football.example.com", "test", rsa);
    for (auto& s : signers)
        s.headers({"from", "to", "subject", "date", "message-id"})
            .identity("@football.example.com")
            .time(std::chrono::sys_seconds(std::chrono::seconds(1528637909)));
    const std::string out = lettre::dkim::sign_all(signers, unsigned_msg);
    ASSERT_TRUE(out.ends_with(unsigned_msg));

    auto ed_pub =
        dkim_test::pkey_from_dns_text("v=DKIM1; k=ed25519; p=" + std::string(rfc8463_ed25519_pub));
    auto rsa_pub =
        dkim_test::pkey_from_dns_text("v=DKIM1; k=rsa; p=" + std::string(rfc8463_rsa_pub));
    const auto v0 = dkim_test::verify(out, 0, ed_pub.get());
    const auto v1 = dkim_test::verify(out, 1, rsa_pub.get());
    EXPECT_EQ(v0.error, "");
    EXPECT_EQ(v1.error, "");
    for (const auto* v : {&v0, &v1}) {
        EXPECT_EQ(v->tags.value("bh"), rfc8463_bh);
        EXPECT_EQ(v->tags.value("c"), "relaxed/relaxed");
        EXPECT_EQ(v->tags.value("d"), "football.example.com");
        EXPECT_EQ(v->tags.value("i"), "@football.example.com");
        EXPECT_EQ(v->tags.value("t"), "1528637909");
        // From, To, Subject and Date are oversigned by default (the RFC oversigns From, Subject,
        // Date).
        EXPECT_EQ(v->tags.value("h"), "from:from:to:to:subject:subject:date:date:message-id");
    }
    EXPECT_EQ(v0.tags.value("a"), "ed25519-sha256");
    EXPECT_EQ(v0.tags.value("s"), "brisbane");
    EXPECT_EQ(v1.tags.value("a"), "rsa-sha256");
    EXPECT_EQ(v1.tags.value("s"), "test");
    // Ed25519 is deterministic: the signature over the verifier's data is
    // exactly what OpenSSL gives for the same data and key.
    auto ed_priv = rfc8463_ed25519_key();
    EXPECT_EQ(lettre_test::base64_encode(dkim_test::dkim_sign_raw(ed_priv.get(), v0.signed_data)),
              v0.tags.value("b"));
}

// --- RFC 6376 Appendix A.2 and go-msgauth (simple/simple, App. C key) -------

std::string appc_key_pem() {
    return pem_block(dkim_test::shared_file("vectors/rfc6376_appC_private.pem"), "RSA PRIVATE KEY");
}

/// Lines [first line starting with `start`, line equal to `last`] of the
/// canon vector file, joined with CRLF.
std::string canon_file_block(std::string_view start, std::string_view last) {
    const std::string file = dkim_test::shared_file("vectors/rfc6376_canon.txt");
    std::istringstream in(file);
    std::string line, out;
    bool on = false;
    while (std::getline(in, line)) {
        if (!on && line.starts_with(start)) on = true;
        if (!on) continue;
        out += line + "\r\n";
        if (line == last) return out;
    }
    return {};
}

TEST(dkim_rfc6376, AppendixA2SignatureReproducedWithSimpleCanonicalization) {
    const std::string msg =
        canon_file_block("DKIM-Signature: v=1; a=rsa-sha256; s=brisbane; d=example.com;", "Joe.");
    ASSERT_FALSE(msg.empty());
    auto parsed = parse_header_block(msg);
    ASSERT_LETTRE_OK(parsed);
    EXPECT_EQ(dkim_test::sha256_b64(canonical_body(canonicalization::simple, parsed->body)),
              "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
    std::string data;
    for (std::string_view name : {"Received", "From", "To", "Subject", "Date", "Message-ID"})
        for (auto it = parsed->fields.rbegin(); it != parsed->fields.rend(); ++it)
            if (it->name == name) {
                canonicalize_header(canonicalization::simple, it->text, data);
                break;
            }
    const std::string sig(parsed->fields.front().text);
    const std::size_t b = sig.find("b=A");
    ASSERT_NE(b, std::string::npos);
    const std::size_t b_end = sig.find(';', b);
    std::string own;
    canonicalize_header(canonicalization::simple, sig.substr(0, b + 2) + sig.substr(b_end), own);
    own.resize(own.size() - 2);
    data += own;
    auto key = dkim_test::pkey_from_pem(appc_key_pem(), false);
    ASSERT_TRUE(key);
    EXPECT_EQ(lettre_test::base64_encode(dkim_test::dkim_sign_raw(key.get(), data)),
              dkim_test::strip_fws(sig.substr(b + 2, b_end - b - 2)));
}

TEST(dkim_rfc6376, GoMsgauthDeterministicVector) {
    const std::string field =
        canon_file_block("DKIM-Signature: a=rsa-sha256;", " PcPYjrgkqj7xklnrNBs0aIUA=");
    ASSERT_FALSE(field.empty());
    std::string data;
    for (std::string_view f :
         {"From: Joe SixPack <joe@football.example.com>\r\n",
          "To: Suzie Q <suzie@shopping.example.net>\r\n", "Subject: Is dinner ready?\r\n",
          "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r\n",
          "Message-ID: <20030712040037.46341.5F8J@football.example.com>\r\n"})
        canonicalize_header(canonicalization::simple, f, data);
    const std::size_t b = field.find(" b=");
    std::string own;
    canonicalize_header(canonicalization::simple, field.substr(0, b + 3) + "\r\n", own);
    own.resize(own.size() - 2);
    data += own;
    EXPECT_EQ(dkim_test::sha256_b64(
                  canonical_body(canonicalization::simple,
                                 "Hi.\r\n\r\nWe lost the game. Are you hungry yet?\r\n\r\nJoe.")),
              "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
    auto key = dkim_test::pkey_from_pem(appc_key_pem(), false);
    ASSERT_TRUE(key);
    EXPECT_EQ(lettre_test::base64_encode(dkim_test::dkim_sign_raw(key.get(), data)),
              dkim_test::strip_fws(field.substr(b + 3)));
}

}  // namespace
