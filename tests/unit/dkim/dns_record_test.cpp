// make_dns_record: the exact TXT text (RFC 6376 §3.6.1; RFC 8463 §4 for
// k=ed25519 with the raw 32-byte key), the split into <= 255-byte
// character-strings (RFC 1035 §3.3.14, RFC 6376 §3.6.2.2), the owner name
// selector._domainkey.domain in A-labels, and the zone-file line.
#include "dkim_support.hpp"

namespace {

using lettre::errc;
using lettre::dkim::algorithm;
using lettre::dkim::make_dns_record;
using lettre::dkim::private_key;
using lettre::dkim::try_make_dns_record;

private_key corpus_key(std::string_view name) {
    return lettre::dkim::load_key_file(lettre_test::shared_dir() / "corpus/keys" /
                                       (std::string(name) + ".pem"));
}

std::string corpus_txt(std::string_view name) {
    const auto json = lettre_test::parse_json(dkim_test::shared_file("corpus/keys/dns_txt.json"));
    const auto* v = json.get(name);
    return v ? v->str : std::string();
}

void check_strings(const lettre::dkim::dns_record& r) {
    std::string joined;
    for (const auto& s : r.strings) {
        EXPECT_LE(s.size(), 255u);
        EXPECT_FALSE(s.empty());
        EXPECT_EQ(s.find('"'), std::string::npos);
        joined += s;
    }
    EXPECT_EQ(joined, r.text);
    // As few strings as possible.
    EXPECT_EQ(r.strings.size(), (r.text.size() + 254) / 255);
}

TEST(dkim_dns_record, CorpusRecordsMatchPublishedText) {
    for (std::string_view name : {"dkim_rsa2048", "dkim_ed25519"}) {
        SCOPED_TRACE(name);
        const auto key = corpus_key(name);
        const auto rec =
            make_dns_record(key, name == "dkim_rsa2048" ? "rsa2048" : "ed25519", "example.com");
        const std::string expected = corpus_txt(name);
        ASSERT_FALSE(expected.empty());
        EXPECT_EQ(rec.text, expected);
        check_strings(rec);
        // The record's key is the signing key's public half.
        auto pub = dkim_test::pkey_from_dns_text(rec.text);
        ASSERT_TRUE(pub);
        lettre::dkim::signer s("example.com", "sel", key);
        EXPECT_TRUE(
            dkim_test::verify(s.sign("From: a@example.com\r\n\r\nx\r\n"), 0, pub.get()).ok());
    }
}

TEST(dkim_dns_record, ExactForm) {
    const auto rsa = make_dns_record(corpus_key("dkim_rsa2048"), "rsa2048", "example.com");
    EXPECT_EQ(rsa.name, "rsa2048._domainkey.example.com");
    EXPECT_TRUE(rsa.text.starts_with("v=DKIM1; k=rsa; p=MIIB")) << rsa.text;
    EXPECT_EQ(rsa.strings.size(), 2u);
    EXPECT_EQ(rsa.strings[0].size(), 255u);

    const auto ed = make_dns_record(corpus_key("dkim_ed25519"), "ed25519", "example.com");
    EXPECT_EQ(ed.name, "ed25519._domainkey.example.com");
    EXPECT_EQ(ed.text, "v=DKIM1; k=ed25519; p=+1CYpCo7dL7jDdt+7NaZ7zQyE6ONkkzqlCxMU8Vg5p0=");
    ASSERT_EQ(ed.strings.size(), 1u);
    EXPECT_EQ(ed.strings[0], ed.text);
    EXPECT_EQ(ed.zone_line(),
              "ed25519._domainkey.example.com. IN TXT ( "
              "\"v=DKIM1; k=ed25519; p=+1CYpCo7dL7jDdt+7NaZ7zQyE6ONkkzqlCxMU8Vg5p0=\" )");
    EXPECT_EQ(rsa.zone_line(), "rsa2048._domainkey.example.com. IN TXT ( \"" + rsa.strings[0] +
                                   "\" \"" + rsa.strings[1] + "\" )");
}

TEST(dkim_dns_record, LargeKeySplitsIntoSeveralStrings) {
    const auto k = private_key::generate(algorithm::rsa_sha256, 3072);
    const auto rec = make_dns_record(k, "big", "example.com");
    EXPECT_GT(rec.text.size(), 510u);
    check_strings(rec);
    EXPECT_GE(rec.strings.size(), 3u);
}

TEST(dkim_dns_record, IdnDomainBecomesALabels) {
    const auto key = corpus_key("dkim_ed25519");
    auto r = try_make_dns_record(key, "sel", "bücher.example");
    ASSERT_LETTRE_OK(r);
    EXPECT_EQ(r->name, "sel._domainkey.xn--bcher-kva.example");
    auto r2 = try_make_dns_record(key, "mail", "例え.テスト");
    ASSERT_LETTRE_OK(r2);
    EXPECT_EQ(r2->name, "mail._domainkey.xn--r8jz45g.xn--zckzah");
    EXPECT_TRUE(lettre_test::is_ascii(r2->zone_line()));
}

TEST(dkim_dns_record, SubdomainSelector) {
    auto r = try_make_dns_record(corpus_key("dkim_ed25519"), "2025.q1", "mail.example.com");
    ASSERT_LETTRE_OK(r);
    EXPECT_EQ(r->name, "2025.q1._domainkey.mail.example.com");
}

TEST(dkim_dns_record, InvalidNamesAreRefused) {
    const auto key = corpus_key("dkim_ed25519");
    EXPECT_FALSE(try_make_dns_record(key, "sel", "").has_value());
    EXPECT_FALSE(try_make_dns_record(key, "sel", "exa mple.com").has_value());
    EXPECT_FALSE(try_make_dns_record(key, "", "example.com").has_value());
    EXPECT_FALSE(try_make_dns_record(key, "se;l", "example.com").has_value());
    EXPECT_FALSE(
        try_make_dns_record(key, "sel", lettre_test::repeat("a", 64) + ".com").has_value());
    EXPECT_THROW((void)make_dns_record(key, "", "example.com"), lettre::error);
}

TEST(dkim_dns_record, DomainLiteralIsRefused) {
    // A DKIM d= is a domain name (RFC 6376 §3.5 "d=" is a domain-name); the
    // signer refuses "[192.0.2.1]" and the record maker should too: a TXT
    // owner "sel._domainkey.[192.0.2.1]" cannot exist in DNS.
    const auto key = corpus_key("dkim_ed25519");
    auto r = try_make_dns_record(key, "sel", "[192.0.2.1]");
    EXPECT_FALSE(r.has_value()) << "accepted, name = " << (r ? r->name : std::string());
    if (!r) {
        EXPECT_EQ(r.error().code, lettre::make_error_code(errc::invalid_dkim_config));
    }
    EXPECT_FALSE(try_make_dns_record(key, "[sel]", "example.com").has_value());
}

}  // namespace
