// dkim::signer: every signature verifies with an independent verifier
// (dkim_support.hpp, OpenSSL EVP_DigestVerify), for both algorithms and all
// four canonicalization pairs; the h= list (defaults, oversigning, bottom-up
// choice among repeated fields, RFC 6376 §5.4.2); t=, x=, i= (§3.5); never
// l= or rsa-sha1 (RFC 8301); line lengths (RFC 5322 §2.1.1); errors; and
// message::sign / sign_all with several signers.
#include "dkim_support.hpp"

#include <chrono>
#include <set>
#include <thread>
#include <vector>

namespace {

using lettre::errc;
using lettre::dkim::canonicalization;
using lettre::dkim::private_key;
using lettre::dkim::signer;
using std::chrono::seconds;
using std::chrono::sys_seconds;

const private_key& rsa_key() {
    static const private_key k =
        lettre::dkim::load_key_file(lettre_test::shared_dir() / "corpus/keys/dkim_rsa2048.pem");
    return k;
}
const private_key& ed_key() {
    static const private_key k =
        lettre::dkim::load_key_file(lettre_test::shared_dir() / "corpus/keys/dkim_ed25519.pem");
    return k;
}
dkim_test::pkey_ptr public_of(const private_key& k) {
    return dkim_test::pkey_from_dns_text(lettre::dkim::make_dns_record(k, "s", "example.com").text);
}

constexpr sys_seconds fixed_time{seconds(1700000000)};

std::string small_eml() {
    return dkim_test::shared_file("corpus/small.eml");
}

/// Verifies signature `index` of `msg` with `key`; prints the message on failure.
::testing::AssertionResult verifies(const std::string& msg, std::size_t index,
                                    const private_key& key) {
    auto pub = public_of(key);
    const auto r = dkim_test::verify(msg, index, pub.get());
    if (r.ok()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << r.error << "\n--- message ---\n" << msg.substr(0, 3000);
}

dkim_test::tag_list tags_of(const lettre::header_field& f) {
    return dkim_test::parse_tags(f.value);
}

std::multiset<std::string> h_multiset(const dkim_test::tag_list& t) {
    const auto v = dkim_test::split_colon_list(t.value("h"));
    return {v.begin(), v.end()};
}

const char* name_of(canonicalization c) {
    return c == canonicalization::simple ? "simple" : "relaxed";
}

// --- verification --------------------------------------------------------------

TEST(dkim_signer, EveryAlgorithmAndCanonicalizationVerifies) {
    const std::string msg =
        "Received: from a by b;\r\n\tFri, 1 Nov 2025 12:00:00 +0000\r\n"
        "From: \"Joe  Q.\" <joe@example.com>\r\n"
        "To:   rcpt@example.org,\r\n    other@example.org   \r\n"
        "Subject:   Folded\r\n  and   spaced \t\r\n"
        "Date: Sat, 01 Nov 2025 12:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "\r\n"
        "  Body with   runs \t\r\n"
        "\r\n"
        "trailing blanks follow\r\n"
        "\r\n\r\n \r\n";
    for (const private_key* key : {&rsa_key(), &ed_key()})
        for (auto hc : {canonicalization::simple, canonicalization::relaxed})
            for (auto bc : {canonicalization::simple, canonicalization::relaxed}) {
                SCOPED_TRACE(std::string(lettre::dkim::algorithm_name(key->algorithm())) + " " +
                             name_of(hc) + "/" + name_of(bc));
                signer s("example.com", "sel", *key);
                s.canonicalization(hc, bc).time(fixed_time);
                const std::string out = s.sign(msg);
                EXPECT_TRUE(verifies(out, 0, *key));
                const auto t =
                    dkim_test::parse_tags(dkim_test::signature_fields(out).at(0).substr(15));
                EXPECT_EQ(t.value("c"), std::string(name_of(hc)) + "/" + name_of(bc));
                EXPECT_EQ(t.value("a"), lettre::dkim::algorithm_name(key->algorithm()));
            }
}

TEST(dkim_signer, SignPrependsAndKeepsTheMessage) {
    const std::string msg = small_eml();
    signer s("example.com", "ed25519", ed_key());
    s.time(fixed_time);
    const std::string out = s.sign(msg);
    ASSERT_TRUE(out.starts_with("DKIM-Signature: "));
    ASSERT_TRUE(out.ends_with(msg));
    const auto f = s.signature(msg);
    EXPECT_EQ(out, dkim_test::field_text(f) + msg);
    EXPECT_EQ(f.name, "DKIM-Signature");
    // Ed25519 is deterministic, so the same input gives the same field.
    EXPECT_EQ(s.sign(msg), out);
    EXPECT_TRUE(verifies(out, 0, ed_key()));
}

TEST(dkim_signer, SignatureIsExactlyWhatAnIndependentSignerComputes) {
    // Rebuild the signed data from the RFC and sign it with OpenSSL: the
    // b= value must be identical (Ed25519 is deterministic).
    const std::string msg = small_eml();
    signer s("example.com", "ed25519", ed_key());
    s.time(fixed_time);
    const std::string out = s.sign(msg);
    auto pub = public_of(ed_key());
    const auto v = dkim_test::verify(out, 0, pub.get());
    ASSERT_TRUE(v.ok()) << v.error;
    auto priv =
        dkim_test::pkey_from_pem(dkim_test::shared_file("corpus/keys/dkim_ed25519.pem"), false);
    EXPECT_EQ(lettre_test::base64_encode(dkim_test::dkim_sign_raw(priv.get(), v.signed_data)),
              v.tags.value("b"));
    EXPECT_TRUE(v.signed_data.starts_with("from:Bench Sender <sender@example.com>\r\n"))
        << v.signed_data;
    EXPECT_EQ(v.tags.value("bh"),
              dkim_test::sha256_b64(dkim_test::relaxed_body(msg.substr(msg.find("\r\n\r\n") + 4))));
}

TEST(dkim_signer, TamperingBreaksVerification) {
    signer s("example.com", "rsa2048", rsa_key());
    const std::string out = s.sign(small_eml());
    ASSERT_TRUE(verifies(out, 0, rsa_key()));
    std::string body_changed = out;
    body_changed[body_changed.size() - 5] ^= 1;
    EXPECT_FALSE(verifies(body_changed, 0, rsa_key()));
    std::string subject_changed = out;
    subject_changed.replace(subject_changed.find("Small benchmark"), 5, "Large");
    EXPECT_FALSE(verifies(subject_changed, 0, rsa_key()));
    // From, To, Subject, Date are oversigned: a second instance breaks it.
    for (std::string_view extra :
         {"From: evil@example.net\r\n", "Subject: urgent\r\n", "To: x@example.net\r\n",
          "Cc: x@example.net\r\n", "Reply-To: x@example.net\r\n",
          "Date: Sun, 02 Nov 2025 12:00:00 +0000\r\n"}) {
        SCOPED_TRACE(extra);
        const std::size_t end_of_header = out.find("\r\n\r\n") + 2;
        std::string added = out;
        added.insert(end_of_header, extra);  // added below the others: selected first bottom-up
        EXPECT_FALSE(verifies(added, 0, rsa_key()));
    }
    // Header fields that are not signed may be added.
    std::string received = out;
    received.insert(0, "Received: from relay.example.net by mx.example.org; Sat, 1 Nov 2025\r\n");
    EXPECT_TRUE(verifies(received, 0, rsa_key()));
    // Relaxed/relaxed tolerates re-folding and WSP changes.
    std::string refolded = out;
    refolded.replace(refolded.find("Subject: Small"), 14, "Subject:   Small\r\n\t");
    EXPECT_TRUE(verifies(refolded, 0, rsa_key()));
}

TEST(dkim_signer, BareLineEndsAreSignedAsCrlf) {
    const std::string lf =
        "From: a@example.com\nTo: b@example.org\nSubject: x\n\nline 1\nline 2  \n\n";
    signer s("example.com", "sel", ed_key());
    for (auto c : {canonicalization::simple, canonicalization::relaxed}) {
        s.canonicalization(c, c);
        const auto f = s.signature(lf);
        EXPECT_TRUE(verifies(dkim_test::field_text(f) + lettre_test::to_crlf(lf), 0, ed_key()));
    }
}

// --- h= ------------------------------------------------------------------------

TEST(dkim_signer, DefaultHeaderListOnlyPresentHeadersPlusOversigned) {
    const std::string msg =
        small_eml();  // From To Subject Date Message-ID Content-Type CTE MIME-Version
    signer s("example.com", "ed25519", ed_key());
    const auto t = tags_of(s.signature(msg));
    const std::multiset<std::string> expected{
        "from",       "from",         "to",           "to",
        "subject",    "subject",      "date",         "date",  // present + oversigned
        "cc",         "reply-to",                              // absent but oversigned
        "message-id", "mime-version", "content-type", "content-transfer-encoding"};
    EXPECT_EQ(h_multiset(t), expected) << "h=" << t.value("h");
    // Absent, not oversigned defaults are not listed.
    for (const char* absent :
         {"in-reply-to", "references", "list-unsubscribe", "list-unsubscribe-post"})
        EXPECT_EQ(h_multiset(t).count(absent), 0u) << absent;
}

TEST(dkim_signer, DefaultSignedHeadersList) {
    const auto& d = lettre::dkim::default_signed_headers();
    std::set<std::string> names(d.begin(), d.end());
    EXPECT_EQ(names.size(), d.size()) << "duplicates";
    for (const char* n :
         {"from", "to", "cc", "subject", "date", "reply-to", "message-id", "mime-version",
          "content-type", "content-transfer-encoding", "in-reply-to", "references"})
        EXPECT_EQ(names.count(n), 1u) << n;
    for (const auto& n : d) EXPECT_EQ(n, lettre_test::to_lower(n));
    // Trace and signature fields are never in the default list.
    for (const char* n : {"received", "return-path", "dkim-signature", "bcc"})
        EXPECT_EQ(names.count(n), 0u) << n;
}

TEST(dkim_signer, OversignedHeadersCountOnceMoreThanTheyOccur) {
    const std::string msg =
        "From: a@example.com\r\n"
        "To: b@example.org\r\n"
        "To: c@example.org\r\n"
        "Cc: d@example.org\r\n"
        "Cc: e@example.org\r\n"
        "Cc: f@example.org\r\n"
        "Reply-To: g@example.com\r\n"
        "Subject: s\r\n"
        "X-Custom: 1\r\n"
        "X-Custom: 2\r\n"
        "\r\nbody\r\n";
    signer s("example.com", "sel", rsa_key());
    s.oversign({"X-Custom"});
    const auto f = s.signature(msg);
    const auto h = h_multiset(tags_of(f));
    EXPECT_EQ(h.count("from"), 2u);
    EXPECT_EQ(h.count("to"), 3u);
    EXPECT_EQ(h.count("cc"), 4u);
    EXPECT_EQ(h.count("reply-to"), 2u);
    EXPECT_EQ(h.count("subject"), 2u);
    EXPECT_EQ(h.count("date"), 1u);
    EXPECT_EQ(h.count("x-custom"), 3u);
    EXPECT_EQ(h.count("message-id"), 0u);
    EXPECT_TRUE(verifies(dkim_test::field_text(f) + msg, 0, rsa_key()));
    // A fourth Cc, a third X-Custom: refused.
    for (std::string_view extra : {"Cc: z@example.net\r\n", "X-Custom: 3\r\n"}) {
        std::string m = dkim_test::field_text(f) + msg;
        m.insert(m.find("\r\n\r\n") + 2, extra);
        EXPECT_FALSE(verifies(m, 0, rsa_key())) << extra;
    }
}

TEST(dkim_signer, RepeatedHeadersAreChosenBottomUp) {
    // RFC 6376 §5.4.2: the k-th listing of a name signs the k-th instance
    // counted from the bottom. Swapping the two instances must break the
    // signature, and the signed data must hold them bottom first.
    const std::string msg =
        "From: a@example.com\r\n"
        "X-Trace: first\r\n"
        "Subject: s\r\n"
        "X-Trace: second\r\n"
        "\r\nbody\r\n";
    signer s("example.com", "sel", ed_key());
    s.headers({"From", "X-Trace"}).time(fixed_time);
    const std::string out = s.sign(msg);
    auto pub = public_of(ed_key());
    const auto v = dkim_test::verify(out, 0, pub.get());
    ASSERT_TRUE(v.ok()) << v.error;
    EXPECT_EQ(v.tags.value("h"), "from:from:x-trace:x-trace");
    EXPECT_TRUE(
        v.signed_data.starts_with("from:a@example.com\r\nx-trace:second\r\nx-trace:first\r\n"))
        << v.signed_data;

    std::string swapped = out;
    swapped.replace(swapped.find("X-Trace: first"), 14, "X-Trace: other");
    swapped.replace(swapped.find("X-Trace: second"), 15, "X-Trace: first");
    swapped.replace(swapped.find("X-Trace: other"), 14, "X-Trace: second");
    EXPECT_FALSE(dkim_test::verify(swapped, 0, pub.get()).ok());
    // A third X-Trace below the others is selected first and breaks it;
    // one above them is not signed (X-Trace is not oversigned).
    std::string below = out;
    below.insert(below.find("\r\n\r\n") + 2, "X-Trace: third\r\n");
    EXPECT_FALSE(dkim_test::verify(below, 0, pub.get()).ok());
    std::string above = out;
    above.insert(above.find("From: a@"), "X-Trace: third\r\n");
    EXPECT_TRUE(dkim_test::verify(above, 0, pub.get()).ok());
}

TEST(dkim_signer, HeadersReplacesTheListAndAlwaysKeepsFrom) {
    const std::string msg = small_eml();
    signer s("example.com", "sel", ed_key());
    s.headers({"Subject", "MESSAGE-ID", "subject", "DKIM-Signature"});
    const auto t = tags_of(s.signature(msg));
    const auto h = h_multiset(t);
    EXPECT_GE(h.count("from"), 1u) << "From MUST be signed (RFC 6376 §5.4)";
    EXPECT_GE(h.count("subject"), 1u);
    EXPECT_EQ(h.count("message-id"), 1u);
    EXPECT_EQ(h.count("dkim-signature"), 0u);
    EXPECT_EQ(h.count("content-type"), 0u);
    EXPECT_EQ(h.count("to"), 0u);
    EXPECT_TRUE(verifies(dkim_test::field_text(s.signature(msg)) + msg, 0, ed_key()));
}

TEST(dkim_signer, NoFromIsMalformed) {
    signer s("example.com", "sel", ed_key());
    EXPECT_LETTRE_ERROR(s.try_signature("To: b@example.org\r\n\r\nbody\r\n"),
                        errc::malformed_message);
    EXPECT_LETTRE_ERROR(s.try_sign("Subject: x\r\n\r\n"), errc::malformed_message);
}

TEST(dkim_signer, TwoFromFieldsAreRefused) {
    // A verifier checks one From, a mail reader may show the other: signing
    // such a message would lend the domain to a sender nobody checked.
    signer s("example.com", "sel", ed_key());
    const std::string two =
        "From: boss@example.com\r\nFrom: attacker@evil.example\r\n"
        "To: b@example.org\r\n\r\nbody\r\n";
    EXPECT_LETTRE_ERROR(s.try_sign(two), errc::malformed_message);
    const auto r = s.try_sign(two);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("2 From fields"), std::string::npos) << r.error().message;
    // Case and folding do not hide the second one.
    EXPECT_LETTRE_ERROR(s.try_signature("From: a@example.com\r\nTo: b@example.org\r\nfROM:\r\n"
                                        " c@evil.example\r\n\r\nx\r\n"),
                        errc::malformed_message);
    EXPECT_TRUE(s.try_sign("From: a@example.com\r\nTo: b@example.org\r\n\r\nx\r\n"));
}

// --- tags ------------------------------------------------------------------------

TEST(dkim_signer, TagsPresentAndNothingElse) {
    signer s("Example.COM", "sel", rsa_key());
    s.identity("user@example.com").time(fixed_time).expiration(seconds(86400));
    const auto t = tags_of(s.signature(small_eml()));
    ASSERT_TRUE(t.ok);
    std::set<std::string> names;
    for (const auto& [k, v] : t.tags) names.insert(k);
    EXPECT_EQ(names,
              (std::set<std::string>{"v", "a", "c", "d", "s", "i", "t", "x", "h", "bh", "b"}));
    EXPECT_EQ(t.value("v"), "1");
    EXPECT_EQ(t.tags.front().first, "v") << "v= should come first (RFC 6376 §3.5)";
    EXPECT_EQ(t.value("a"), "rsa-sha256");
    EXPECT_EQ(t.value("d"), "example.com");
    EXPECT_EQ(t.value("s"), "sel");
    EXPECT_EQ(t.value("t"), "1700000000");
    EXPECT_EQ(t.value("x"), "1700086400");
    EXPECT_EQ(t.value("i"), "user@example.com");
    EXPECT_EQ(t.get("l"), nullptr);
    EXPECT_EQ(lettre_test::base64_decode(t.value("b"))->size(), 256u);
    EXPECT_EQ(lettre_test::base64_decode(t.value("bh"))->size(), 32u);
}

TEST(dkim_signer, NeverLengthTagNorSha1) {
    for (const private_key* key : {&rsa_key(), &ed_key()})
        for (auto c : {canonicalization::simple, canonicalization::relaxed}) {
            signer s("example.com", "sel", *key);
            s.canonicalization(c, c);
            const auto f = s.signature(small_eml());
            const auto t = tags_of(f);
            EXPECT_EQ(t.get("l"), nullptr);
            EXPECT_EQ(f.value.find("sha1"), std::string::npos);
            EXPECT_TRUE(t.value("a") == "rsa-sha256" || t.value("a") == "ed25519-sha256");
        }
    EXPECT_EQ(lettre::dkim::algorithm_name(lettre::dkim::algorithm::rsa_sha256), "rsa-sha256");
    EXPECT_EQ(lettre::dkim::algorithm_name(lettre::dkim::algorithm::ed25519_sha256),
              "ed25519-sha256");
}

TEST(dkim_signer, TimeDefaultsToNowAndNoExpiration) {
    signer s("example.com", "sel", ed_key());
    const auto before =
        std::chrono::floor<seconds>(std::chrono::system_clock::now()).time_since_epoch().count();
    const auto t = tags_of(s.signature(small_eml()));
    const auto after =
        std::chrono::floor<seconds>(std::chrono::system_clock::now()).time_since_epoch().count();
    const long long ts = std::stoll(t.value("t"));
    EXPECT_GE(ts, before);
    EXPECT_LE(ts, after);
    EXPECT_EQ(t.get("x"), nullptr);
    EXPECT_EQ(t.get("i"), nullptr);

    s.expiration(seconds(3600));
    const auto t2 = tags_of(s.signature(small_eml()));
    EXPECT_EQ(std::stoll(t2.value("x")), std::stoll(t2.value("t")) + 3600);
}

TEST(dkim_signer, TimeIsInjectable) {
    signer s("example.com", "sel", ed_key());
    s.time(sys_seconds(seconds(1528637909))).expiration(seconds(7 * 86400));
    const auto t = tags_of(s.signature(small_eml()));
    EXPECT_EQ(t.value("t"), "1528637909");
    EXPECT_EQ(t.value("x"), "1529242709");
    EXPECT_TRUE(verifies(s.sign(small_eml()), 0, ed_key()));
}

// --- i= --------------------------------------------------------------------------

TEST(dkim_signer, IdentityInsideTheDomain) {
    const std::string msg = small_eml();
    for (std::string_view id : {"user@example.com", "@example.com", "user@mail.example.com",
                                "@a.b.example.com", "User.Name+tag@EXAMPLE.com"}) {
        SCOPED_TRACE(id);
        signer s("example.com", "sel", ed_key());
        s.identity(id);
        EXPECT_FALSE(s.config_error().has_value());
        auto f = s.try_signature(msg);
        ASSERT_LETTRE_OK(f);
        const std::string i = tags_of(*f).value("i");
        EXPECT_TRUE(lettre_test::iequals(i, id)) << i;
        EXPECT_TRUE(verifies(dkim_test::field_text(*f) + msg, 0, ed_key()));
    }
}

TEST(dkim_signer, IdentityOutsideTheDomainIsRefused) {
    for (std::string_view id :
         {"user@other.com", "user@notexample.com", "user@example.com.evil.net", "user@com",
          "no-at-sign", "user@", "user@exa mple.com", "user@[192.0.2.1]"}) {
        SCOPED_TRACE(id);
        signer s("example.com", "sel", ed_key());
        s.identity(id);
        ASSERT_TRUE(s.config_error().has_value());
        EXPECT_EQ(s.config_error()->code, lettre::make_error_code(errc::invalid_dkim_config));
        EXPECT_LETTRE_ERROR(s.try_signature(small_eml()), errc::invalid_dkim_config);
        EXPECT_LETTRE_THROW(s.sign(small_eml()), errc::invalid_dkim_config);
    }
}

TEST(dkim_signer, IdnDomainAndIdentity) {
    signer s("bücher.example", "sel", ed_key());
    EXPECT_EQ(s.domain(), "xn--bcher-kva.example");
    s.identity("info@mail.bücher.example");
    EXPECT_FALSE(s.config_error().has_value()) << s.config_error()->message;
    const std::string msg = "From: info@xn--bcher-kva.example\r\n\r\nhi\r\n";
    auto f = s.try_signature(msg);
    ASSERT_LETTRE_OK(f);
    const auto t = tags_of(*f);
    EXPECT_EQ(t.value("d"), "xn--bcher-kva.example");
    EXPECT_EQ(t.value("i"), "info@mail.xn--bcher-kva.example");
    EXPECT_TRUE(lettre_test::is_ascii(f->value));
}

/// Decodes dkim-quoted-printable (RFC 6376 §2.11); nullopt when the text is
/// not in that form (a byte outside 0x21..0x3A, 0x3C, 0x3E..0x7E that is not
/// part of an =XX escape with upper-case hex).
std::optional<std::string> dkim_qp_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c == '=') {
            if (i + 2 >= s.size() || !lettre_test::is_upper_hex(s[i + 1]) ||
                !lettre_test::is_upper_hex(s[i + 2]))
                return std::nullopt;
            out += static_cast<char>(lettre_test::hex_value(s[i + 1]) * 16 +
                                     lettre_test::hex_value(s[i + 2]));
            i += 2;
        } else if ((c >= 0x21 && c <= 0x3A) || c == 0x3C || (c >= 0x3E && c <= 0x7E)) {
            out += s[i];
        } else {
            return std::nullopt;
        }
    }
    return out;
}

TEST(dkim_signer, IdentityIsDkimQuotedPrintable) {
    // RFC 6376 §3.5: i= is dkim-quoted-printable. A local part with '=',
    // a control character or UTF-8 (RFC 6531) must be written =XX, or the
    // identity refused; it must never reach the header raw.
    for (std::string_view id : {"a=b@example.com", "j\xc3\xb6rg@example.com",
                                "a\x01"
                                "b@example.com",
                                "del\x7f@example.com", "us;er@example.com", "us er@example.com",
                                "\"quoted local\"@example.com"}) {
        SCOPED_TRACE(lettre_test::base64_encode(id));
        signer s("example.com", "sel", ed_key());
        s.identity(id);
        auto f = s.try_signature(small_eml());
        if (!f) {
            EXPECT_EQ(f.error().code, lettre::make_error_code(errc::invalid_dkim_config));
            continue;
        }
        const std::string i = tags_of(*f).value("i");
        const auto decoded = dkim_qp_decode(i);
        EXPECT_TRUE(decoded.has_value()) << "i=" << i << " is not dkim-quoted-printable";
        if (decoded) {
            EXPECT_EQ(*decoded, id);
        }
        for (char c : f->value) {
            const auto u = static_cast<unsigned char>(c);
            EXPECT_TRUE(u == '\r' || u == '\n' || u == '\t' || (u >= 0x20 && u < 0x7f))
                << "byte " << static_cast<unsigned>(u) << " in the DKIM-Signature field";
        }
    }
}

TEST(dkim_signer, ExpirationMustBeAfterTheSignatureTime) {
    // RFC 6376 §3.5 x=: "the value of the x= tag MUST be greater than the
    // value of the t= tag if both are present".
    for (long long after : {0LL, -1LL, -86400LL}) {
        SCOPED_TRACE(after);
        signer s("example.com", "sel", ed_key());
        s.time(fixed_time).expiration(seconds(after));
        auto f = s.try_signature(small_eml());
        if (!f) {
            EXPECT_EQ(f.error().code, lettre::make_error_code(errc::invalid_dkim_config));
            continue;
        }
        const auto t = tags_of(*f);
        ADD_FAILURE() << "signed with t=" << t.value("t") << " x=" << t.value("x");
    }
}

TEST(dkim_signer, TimeBeforeTheEpochIsRefused) {
    // RFC 6376 §3.5: sig-t-tag = %x74 [FWS] "=" [FWS] 1*12DIGIT — no sign.
    signer s("example.com", "sel", ed_key());
    s.time(sys_seconds(seconds(-5)));
    auto f = s.try_signature(small_eml());
    if (f) {
        ADD_FAILURE() << "signed with t=" << tags_of(*f).value("t");
    } else {
        EXPECT_EQ(f.error().code, lettre::make_error_code(errc::invalid_dkim_config));
    }
}

// --- configuration errors --------------------------------------------------------

TEST(dkim_signer, InvalidDomainOrSelector) {
    for (std::string_view d : {"", "exa mple.com", "[192.0.2.1]", "a..b", "-bad-.com"}) {
        SCOPED_TRACE(d);
        auto r = signer::try_create(d, "sel", ed_key());
        EXPECT_LETTRE_ERROR(r, errc::invalid_dkim_config);
        EXPECT_THROW(signer(d, "sel", ed_key()), lettre::error);
    }
    for (std::string_view sel : {"", "a b", "s;1", "sel_1", "sél", "[x]"}) {
        SCOPED_TRACE(sel);
        EXPECT_LETTRE_ERROR(signer::try_create("example.com", sel, ed_key()),
                            errc::invalid_dkim_config);
    }
    EXPECT_LETTRE_OK(signer::try_create("example.com", "2025-01.mail", ed_key()));
}

TEST(dkim_signer, InvalidHeaderNames) {
    // ';' is ftext but would end h= and let the name inject a tag (l=0).
    for (std::string_view bad : {"", "Bad Name", "X:Y", "Ä", "x-e;l=0", ";", "a\x7f", "a\tb"}) {
        SCOPED_TRACE(bad);
        signer s("example.com", "sel", ed_key());
        s.headers({"from", std::string(bad)});
        ASSERT_TRUE(s.config_error().has_value());
        EXPECT_LETTRE_ERROR(s.try_sign(small_eml()), errc::invalid_dkim_config);
        signer o("example.com", "sel", ed_key());
        o.oversign({std::string(bad)});
        EXPECT_LETTRE_ERROR(o.try_sign(small_eml()), errc::invalid_dkim_config);
    }
}

TEST(dkim_signer, HeaderNameWithSemicolonIsNamedAndNeverWritten) {
    signer s("example.com", "sel", ed_key());
    s.headers({"from", "x-e;l=0"});
    ASSERT_TRUE(s.config_error().has_value());
    EXPECT_NE(s.config_error()->message.find("x-e;l=0"), std::string::npos)
        << s.config_error()->message;
    const auto signed_message = s.try_sign(small_eml());
    ASSERT_FALSE(signed_message);
    EXPECT_NE(signed_message.error().message.find("x-e;l=0"), std::string::npos);
}

TEST(dkim_signer, MalformedMessages) {
    signer s("example.com", "sel", ed_key());
    for (std::string_view m :
         {"", "From: a@example.com", "From: a@example.com\r\nTo: b@example.org\r\n",
          " folded first\r\nFrom: a@example.com\r\n\r\n", "garbage line\r\n\r\nbody"}) {
        SCOPED_TRACE(dkim_test::strip_fws(m));
        EXPECT_LETTRE_ERROR(s.try_sign(m), errc::malformed_message);
        EXPECT_LETTRE_ERROR(s.try_signature(m), errc::malformed_message);
        EXPECT_LETTRE_THROW(s.sign(m), errc::malformed_message);
    }
}

// --- layout ----------------------------------------------------------------------

TEST(dkim_signer, FieldLinesAtMost78Columns) {
    std::vector<std::string> messages{small_eml(), dkim_test::shared_file("corpus/typical.eml")};
    std::string many = "From: a@example.com\r\n";
    for (int i = 0; i < 40; ++i) many += "X-Header-Number-" + std::to_string(i) + ": v\r\n";
    many += "\r\nbody\r\n";
    messages.push_back(many);
    std::vector<std::string> extra_names;
    for (int i = 0; i < 40; ++i) extra_names.push_back("X-Header-Number-" + std::to_string(i));

    for (const private_key* key : {&rsa_key(), &ed_key()})
        for (std::string_view domain :
             {"example.com", "a-rather-long-subdomain.of-a-long-domain.example.com"})
            for (const auto& msg : messages)
                for (int variant = 0; variant < 3; ++variant) {
                    signer s(domain, "selector-2025-11", *key);
                    if (variant >= 1)
                        s.identity("some.user+tag@mail." + std::string(domain))
                            .expiration(seconds(600));
                    if (variant == 2) s.oversign(extra_names);
                    const std::string out = s.sign(msg);
                    const auto fields = dkim_test::signature_fields(out);
                    ASSERT_EQ(fields.size(), 1u);
                    for (const auto& line : lettre_test::split_crlf(fields[0])) {
                        EXPECT_LE(line.size(), 78u) << line;
                        EXPECT_FALSE(line.empty());
                        EXPECT_NE(line.find_first_not_of(" \t"), std::string::npos)
                            << "whitespace-only line";
                    }
                    EXPECT_FALSE(lettre_test::has_bare_cr_or_lf(fields[0]));
                    EXPECT_TRUE(verifies(out, 0, *key));
                }
}

TEST(dkim_signer, FoldedFieldUnfoldsToTheSameTags) {
    signer s("example.com", "sel", rsa_key());
    s.oversign({"Message-ID", "Content-Type", "MIME-Version"}).time(fixed_time);
    const auto f = s.signature(small_eml());
    // Folding only adds CRLF before WSP.
    EXPECT_EQ(f.value.find("\r\n\r\n"), std::string::npos);
    for (std::size_t p = f.value.find("\r\n"); p != std::string::npos;
         p = f.value.find("\r\n", p + 2))
        EXPECT_TRUE(p + 2 < f.value.size() && (f.value[p + 2] == ' ' || f.value[p + 2] == '\t'));
    EXPECT_FALSE(f.value.ends_with("\r\n"));
}

// --- several signers, message::sign ------------------------------------------------

TEST(dkim_signer, SignAllTwoSignersTwoFields) {
    std::vector<signer> signers;
    signers.emplace_back("example.com", "rsa2048", rsa_key());
    signers.emplace_back("example.com", "ed25519", ed_key());
    signers[1].canonicalization(canonicalization::simple, canonicalization::simple);
    const std::string msg = small_eml();
    auto fields = lettre::dkim::try_signatures(signers, msg);
    ASSERT_LETTRE_OK(fields);
    ASSERT_EQ(fields->size(), 2u);
    EXPECT_EQ(tags_of((*fields)[0]).value("a"), "rsa-sha256");
    EXPECT_EQ(tags_of((*fields)[1]).value("a"), "ed25519-sha256");
    const std::string out = lettre::dkim::sign_all(signers, msg);
    EXPECT_EQ(out, dkim_test::field_text((*fields)[0]) + dkim_test::field_text((*fields)[1]) + msg);
    ASSERT_EQ(dkim_test::signature_fields(out).size(), 2u);
    EXPECT_TRUE(verifies(out, 0, rsa_key()));
    EXPECT_TRUE(verifies(out, 1, ed_key()));
    // Each signature leaves the other alone: neither signs DKIM-Signature.
    EXPECT_EQ(h_multiset(tags_of((*fields)[0])).count("dkim-signature"), 0u);

    auto r = lettre::dkim::try_sign_all(signers, msg);
    ASSERT_LETTRE_OK(r);
    EXPECT_TRUE(r->ends_with(msg));
}

TEST(dkim_signer, SignAllStopsAtTheFirstBadSigner) {
    std::vector<signer> signers;
    signers.emplace_back("example.com", "rsa2048", rsa_key());
    signers.emplace_back("example.com", "ed25519", ed_key());
    signers[1].identity("x@elsewhere.org");
    EXPECT_LETTRE_ERROR(lettre::dkim::try_sign_all(signers, small_eml()),
                        errc::invalid_dkim_config);
    EXPECT_LETTRE_THROW(lettre::dkim::sign_all(signers, small_eml()), errc::invalid_dkim_config);
    EXPECT_LETTRE_ERROR(lettre::dkim::try_signatures({}, "no separator"), errc::malformed_message);
    auto none = lettre::dkim::try_sign_all({}, small_eml());
    ASSERT_LETTRE_OK(none);
    EXPECT_EQ(*none, small_eml());
}

TEST(dkim_signer, MessageSignPrepends) {
    lettre::message m = lettre_test::must_build(lettre_test::simple_builder());
    const std::string before = m.formatted();
    signer s("example.com", "ed25519", ed_key());
    m.sign(s);
    ASSERT_FALSE(m.headers().empty());
    EXPECT_EQ(m.headers().front().name, "DKIM-Signature");
    const std::string after = m.formatted();
    EXPECT_TRUE(after.starts_with("DKIM-Signature: "));
    EXPECT_TRUE(after.ends_with(before));
    EXPECT_EQ(after.size(), m.formatted_size());
    EXPECT_TRUE(verifies(after, 0, ed_key()));
    EXPECT_EQ(m.header("dkim-signature"),
              std::optional<std::string_view>(m.headers().front().value));
}

TEST(dkim_signer, MessageSignTwoSignersInOneCall) {
    lettre::message m = lettre_test::must_build(
        lettre_test::simple_builder()
            .cc("Carol <carol@example.net>")
            .attachment(lettre::part::attachment("data.bin", std::string(5000, '\x01'))));
    const std::string before = m.formatted();
    std::vector<signer> signers;
    signers.emplace_back("example.com", "rsa2048", rsa_key());
    signers.emplace_back("example.com", "ed25519", ed_key());
    ASSERT_LETTRE_OK(m.try_sign(signers));
    ASSERT_GE(m.headers().size(), 2u);
    EXPECT_EQ(m.headers()[0].name, "DKIM-Signature");
    EXPECT_EQ(m.headers()[1].name, "DKIM-Signature");
    EXPECT_NE(m.headers()[2].name, "DKIM-Signature");
    const std::string after = m.formatted();
    EXPECT_TRUE(after.ends_with(before));
    EXPECT_EQ(dkim_test::signature_fields(after).size(), 2u);
    EXPECT_TRUE(verifies(after, 0, rsa_key()));
    EXPECT_TRUE(verifies(after, 1, ed_key()));
    EXPECT_EQ(tags_of(m.headers()[0]).value("a"), "rsa-sha256");
    EXPECT_EQ(tags_of(m.headers()[1]).value("a"), "ed25519-sha256");
}

TEST(dkim_signer, MessageSignErrorLeavesMessageUnchanged) {
    lettre::message m = lettre_test::must_build(lettre_test::simple_builder());
    const std::string before = m.formatted();
    signer bad("example.com", "sel", ed_key());
    bad.identity("x@other.org");
    EXPECT_LETTRE_ERROR(m.try_sign(std::span<const signer>(&bad, 1)), errc::invalid_dkim_config);
    EXPECT_LETTRE_THROW(m.sign(bad), errc::invalid_dkim_config);
    EXPECT_EQ(m.formatted(), before);
}

TEST(dkim_signer, ResigningASignedMessageAddsASecondSignature) {
    signer s1("example.com", "rsa2048", rsa_key());
    signer s2("example.com", "ed25519", ed_key());
    const std::string once = s1.sign(small_eml());
    const std::string twice = s2.sign(once);
    ASSERT_EQ(dkim_test::signature_fields(twice).size(), 2u);
    EXPECT_TRUE(verifies(twice, 0, ed_key()));
    EXPECT_TRUE(verifies(twice, 1, rsa_key()));
}

TEST(dkim_signer, CopiesAreIndependent) {
    signer a("example.com", "sel", ed_key());
    a.time(fixed_time);
    signer b = a;
    b.canonicalization(canonicalization::simple, canonicalization::simple);
    EXPECT_EQ(tags_of(a.signature(small_eml())).value("c"), "relaxed/relaxed");
    EXPECT_EQ(tags_of(b.signature(small_eml())).value("c"), "simple/simple");
    EXPECT_EQ(a.domain(), "example.com");
    EXPECT_EQ(a.selector(), "sel");
    EXPECT_EQ(a.key().public_key_base64(), ed_key().public_key_base64());
}

TEST(dkim_signer, OneSignerSignsOnSeveralThreadsAtOnce) {
    // Each key keeps one prepared OpenSSL context that every signature
    // duplicates: signing on several threads at once with the same signer
    // gives the same (deterministic: PKCS#1 v1.5, Ed25519) signatures.
    const std::string msg = small_eml();
    for (const private_key* key : {&rsa_key(), &ed_key()}) {
        signer s("example.com", "sel", *key);
        s.time(fixed_time);
        const std::string want = s.sign(msg);
        ASSERT_TRUE(verifies(want, 0, *key));
        std::vector<std::string> got(4);
        std::vector<std::thread> threads;
        for (std::size_t t = 0; t < got.size(); ++t)
            threads.emplace_back([&, t] {
                for (int i = 0; i < 10; ++i) {
                    std::string out = s.sign(msg);
                    if (out != want) {
                        got[t] = std::move(out);
                        return;
                    }
                }
                got[t] = want;
            });
        for (auto& th : threads) th.join();
        for (const auto& g : got) EXPECT_EQ(g, want);
    }
}

}  // namespace
