// dkim::private_key: every accepted form (PEM PKCS#1 and PKCS#8, DER
// PKCS#1 and PKCS#8, the RFC 8463 base64 Ed25519 seed), the RFC 8301 size
// rules (< 1024 refused as weak_key, 1024 accepted with a warning), the
// errors for garbage and missing files, and the published p= values.
#include "dkim/key_impl.hpp"  // internal (-I src): key_access::native
#include "dkim_support.hpp"

#include <openssl/ec.h>
#include <openssl/rsa.h>

namespace {

using lettre::errc;
using lettre::dkim::algorithm;
using lettre::dkim::private_key;

std::string rsa_pem() {
    return dkim_test::shared_file("corpus/keys/dkim_rsa2048.pem");
}
std::string ed_pem() {
    return dkim_test::shared_file("corpus/keys/dkim_ed25519.pem");
}

/// Base64 of the DER inside a PEM block (the SubjectPublicKeyInfo for a
/// public key file).
std::string pem_body_b64(std::string_view pem) {
    std::string out;
    std::istringstream in{std::string(pem)};
    std::string line;
    while (std::getline(in, line))
        if (!line.starts_with("-----")) out += line;
    return out;
}

std::string der_of(EVP_PKEY* k, bool pkcs8) {
    unsigned char* buf = nullptr;
    int len = 0;
    if (pkcs8) {
        PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(k);
        len = i2d_PKCS8_PRIV_KEY_INFO(p8, &buf);
        PKCS8_PRIV_KEY_INFO_free(p8);
    } else {
        len = i2d_PrivateKey(k, &buf);  // "traditional": PKCS#1 for RSA
    }
    if (len <= 0) return {};
    std::string out(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(len));
    OPENSSL_free(buf);
    return out;
}

std::string pem_of(EVP_PKEY* k, bool pkcs1) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (pkcs1)
        PEM_write_bio_PrivateKey_traditional(bio.get(), k, nullptr, nullptr, 0, nullptr, nullptr);
    else
        PEM_write_bio_PKCS8PrivateKey(bio.get(), k, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

dkim_test::pkey_ptr rsa_key(unsigned bits) {
    return dkim_test::pkey_ptr(
        EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits)), &EVP_PKEY_free);
}

/// True when `k` signs data that OpenSSL verifies with `pub`.
bool signs_for(const private_key& k, EVP_PKEY* pub) {
    const std::string msg = "From: a@example.com\r\n\r\nbody\r\n";
    lettre::dkim::signer s("example.com", "sel", k);
    const std::string out = s.sign(msg);
    return dkim_test::verify(out, 0, pub).ok();
}

TEST(dkim_key, Pkcs8PemCorpusKeys) {
    auto rsa = private_key::try_load(rsa_pem());
    ASSERT_LETTRE_OK(rsa);
    EXPECT_TRUE(rsa->valid());
    EXPECT_EQ(rsa->algorithm(), algorithm::rsa_sha256);
    EXPECT_EQ(rsa->bits(), 2048u);
    EXPECT_TRUE(rsa->warnings().empty());
    EXPECT_EQ(rsa->public_key_base64(),
              pem_body_b64(dkim_test::shared_file("corpus/keys/dkim_rsa2048.pub.pem")));

    auto ed = private_key::try_load(ed_pem());
    ASSERT_LETTRE_OK(ed);
    EXPECT_EQ(ed->algorithm(), algorithm::ed25519_sha256);
    EXPECT_TRUE(ed->warnings().empty());
    // p= for Ed25519 is the raw 32-byte key: the SPKI minus its 12-byte prefix.
    const auto spki = lettre_test::base64_decode(
        pem_body_b64(dkim_test::shared_file("corpus/keys/dkim_ed25519.pub.pem")));
    ASSERT_TRUE(spki);
    ASSERT_EQ(spki->size(), 44u);
    EXPECT_EQ(ed->public_key_base64(), lettre_test::base64_encode(spki->substr(12)));

    EXPECT_LETTRE_OK(private_key::try_from_pem(rsa_pem()));
    EXPECT_LETTRE_OK(private_key::try_from_pem(ed_pem()));
}

TEST(dkim_key, Pkcs1Pem) {
    auto src = dkim_test::pkey_from_pem(rsa_pem(), false);
    ASSERT_TRUE(src);
    const std::string pkcs1 = pem_of(src.get(), true);
    ASSERT_NE(pkcs1.find("BEGIN RSA PRIVATE KEY"), std::string::npos);
    auto k = private_key::try_load(pkcs1);
    ASSERT_LETTRE_OK(k);
    EXPECT_EQ(k->bits(), 2048u);
    EXPECT_EQ(k->public_key_base64(), private_key::load(rsa_pem()).public_key_base64());
    // CRLF line ends in the PEM file.
    EXPECT_LETTRE_OK(private_key::try_load(lettre_test::to_crlf(pkcs1)));
}

TEST(dkim_key, Der) {
    for (const auto& pem : {rsa_pem(), ed_pem()}) {
        auto src = dkim_test::pkey_from_pem(pem, false);
        ASSERT_TRUE(src);
        const std::string expected = private_key::load(pem).public_key_base64();
        for (bool pkcs8 : {false, true}) {
            SCOPED_TRACE(pkcs8 ? "PKCS#8 DER" : "traditional DER");
            const std::string der = der_of(src.get(), pkcs8);
            ASSERT_FALSE(der.empty());
            auto k = private_key::try_load(der);
            ASSERT_LETTRE_OK(k);
            EXPECT_EQ(k->public_key_base64(), expected);
            auto k2 = private_key::try_from_der(der);
            ASSERT_LETTRE_OK(k2);
            EXPECT_EQ(k2->public_key_base64(), expected);
        }
    }
}

TEST(dkim_key, Ed25519Seed) {
    // RFC 8032 7.1 TEST 1, as printed in RFC 8463 A.1.
    const std::string seed = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
    for (const std::string& form : {seed, seed + "\n", seed + "\r\n", "  " + seed + "\n"}) {
        auto k = private_key::try_load(form);
        ASSERT_LETTRE_OK(k);
        EXPECT_EQ(k->algorithm(), algorithm::ed25519_sha256);
        EXPECT_EQ(k->public_key_base64(), "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    }
    auto direct = private_key::try_from_ed25519_seed(seed);
    ASSERT_LETTRE_OK(direct);
    EXPECT_EQ(direct->public_key_base64(), "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    // Wrong length or not base64.
    EXPECT_LETTRE_ERROR(private_key::try_from_ed25519_seed("AAAA"), errc::invalid_key);
    EXPECT_LETTRE_ERROR(
        private_key::try_from_ed25519_seed(lettre_test::base64_encode(std::string(31, 'x'))),
        errc::invalid_key);
    EXPECT_LETTRE_ERROR(
        private_key::try_from_ed25519_seed(lettre_test::base64_encode(std::string(33, 'x'))),
        errc::invalid_key);
    EXPECT_LETTRE_ERROR(private_key::try_from_ed25519_seed(std::string(43, '!') + "="),
                        errc::invalid_key);
}

TEST(dkim_key, LoadedKeysSign) {
    auto rsa_pub =
        dkim_test::pkey_from_pem(dkim_test::shared_file("corpus/keys/dkim_rsa2048.pub.pem"), true);
    auto ed_pub =
        dkim_test::pkey_from_pem(dkim_test::shared_file("corpus/keys/dkim_ed25519.pub.pem"), true);
    ASSERT_TRUE(rsa_pub);
    ASSERT_TRUE(ed_pub);
    EXPECT_TRUE(signs_for(private_key::load(rsa_pem()), rsa_pub.get()));
    EXPECT_TRUE(signs_for(private_key::load(ed_pem()), ed_pub.get()));
    EXPECT_FALSE(signs_for(private_key::load(ed_pem()), rsa_pub.get()));
}

TEST(dkim_key, RsaUnder1024IsWeak) {
    auto k768 = rsa_key(768);
    ASSERT_TRUE(k768);
    for (bool pkcs1 : {false, true}) {
        const std::string pem = pem_of(k768.get(), pkcs1);
        auto r = private_key::try_load(pem);
        EXPECT_LETTRE_ERROR(r, errc::weak_key);
        if (!r) {
            EXPECT_NE(r.error().message.find("768"), std::string::npos) << r.error().message;
        }
    }
    EXPECT_LETTRE_ERROR(private_key::try_load(der_of(k768.get(), true)), errc::weak_key);
    EXPECT_LETTRE_THROW(private_key::load(pem_of(k768.get(), false)), errc::weak_key);
    // 1023 bits is still under the limit.
    auto k1023 = rsa_key(1023);
    ASSERT_TRUE(k1023);
    EXPECT_LETTRE_ERROR(private_key::try_load(pem_of(k1023.get(), false)), errc::weak_key);
    // The generator refuses too.
    EXPECT_LETTRE_ERROR(private_key::try_generate(algorithm::rsa_sha256, 768), errc::weak_key);
    EXPECT_LETTRE_ERROR(private_key::try_generate(algorithm::rsa_sha256, 512), errc::weak_key);
}

TEST(dkim_key, Rsa1024IsAllowedWithAWarning) {
    auto k1024 = rsa_key(1024);
    ASSERT_TRUE(k1024);
    auto k = private_key::try_load(pem_of(k1024.get(), false));
    ASSERT_LETTRE_OK(k);
    EXPECT_EQ(k->bits(), 1024u);
    ASSERT_EQ(k->warnings().size(), 1u);
    EXPECT_NE(k->warnings().front().find("1024"), std::string::npos) << k->warnings().front();
    EXPECT_NE(k->warnings().front().find("2048"), std::string::npos) << k->warnings().front();

    auto gen = private_key::try_generate(algorithm::rsa_sha256, 1024);
    ASSERT_LETTRE_OK(gen);
    EXPECT_EQ(gen->bits(), 1024u);
    EXPECT_FALSE(gen->warnings().empty());
}

TEST(dkim_key, Generate) {
    auto ed = private_key::generate(algorithm::ed25519_sha256);
    EXPECT_EQ(ed.algorithm(), algorithm::ed25519_sha256);
    EXPECT_EQ(lettre_test::base64_decode(ed.public_key_base64())->size(), 32u);
    auto rsa = private_key::generate(algorithm::rsa_sha256);
    EXPECT_EQ(rsa.bits(), 2048u);
    EXPECT_TRUE(rsa.warnings().empty());
    // to_pem() is PKCS#8 and loads back to the same key.
    for (const auto* k : {&ed, &rsa}) {
        const std::string pem = k->to_pem();
        EXPECT_NE(pem.find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
        auto back = private_key::try_load(pem);
        ASSERT_LETTRE_OK(back);
        EXPECT_EQ(back->public_key_base64(), k->public_key_base64());
        auto ossl = dkim_test::pkey_from_pem(pem, false);
        ASSERT_TRUE(ossl);
        EXPECT_TRUE(signs_for(*k, ossl.get()));
    }
}

TEST(dkim_key, GarbageIsInvalidKey) {
    const std::vector<std::string> garbage{
        "",
        "hello",
        "not a key at all, just some text that is rather long and has no structure",
        std::string("\x30\x03\x02\x01\x00", 5),  // a DER SEQUENCE that is no key
        std::string("\x30\x82\xff\xff", 4),      // truncated DER
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "-----BEGIN RSA PRIVATE KEY-----\n-----END RSA PRIVATE KEY-----\n",
        dkim_test::shared_file("corpus/keys/dkim_rsa2048.pub.pem"),  // a public key
        rsa_pem().substr(0, 600),                                    // cut short
        std::string(44, 'A').replace(10, 1, "*"),
    };
    for (const auto& g : garbage) {
        SCOPED_TRACE(g.substr(0, 40));
        auto r = private_key::try_load(g);
        EXPECT_LETTRE_ERROR(r, errc::invalid_key);
        if (!r) {
            EXPECT_FALSE(r.error().message.empty());
        }
    }
    EXPECT_LETTRE_ERROR(private_key::try_from_pem("garbage"), errc::invalid_key);
    EXPECT_LETTRE_ERROR(private_key::try_from_der("garbage"), errc::invalid_key);
    EXPECT_LETTRE_THROW(private_key::load("garbage"), errc::invalid_key);
}

TEST(dkim_key, OtherAlgorithmsAreInvalidKey) {
    dkim_test::pkey_ptr ec(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), &EVP_PKEY_free);
    ASSERT_TRUE(ec);
    EXPECT_LETTRE_ERROR(private_key::try_load(pem_of(ec.get(), false)), errc::invalid_key);
    EXPECT_LETTRE_ERROR(private_key::try_load(der_of(ec.get(), true)), errc::invalid_key);
    dkim_test::pkey_ptr x(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"), &EVP_PKEY_free);
    ASSERT_TRUE(x);
    EXPECT_LETTRE_ERROR(private_key::try_load(pem_of(x.get(), false)), errc::invalid_key);
}

TEST(dkim_key, EncryptedPemIsInvalidKey) {
    auto src = dkim_test::pkey_from_pem(ed_pem(), false);
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    char pass[] = "secret";
    ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), src.get(), EVP_aes_256_cbc(), pass, 6,
                                            nullptr, nullptr),
              1);
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    auto r = private_key::try_load(std::string(data, static_cast<std::size_t>(len)));
    EXPECT_LETTRE_ERROR(r, errc::invalid_key);
}

TEST(dkim_key, Files) {
    lettre_test::temp_dir dir;
    lettre_test::write_file(dir / "rsa.pem", rsa_pem());
    lettre_test::write_file(dir / "ed.seed", "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=\n");
    auto src = dkim_test::pkey_from_pem(rsa_pem(), false);
    lettre_test::write_file(dir / "rsa.der", der_of(src.get(), true));
    lettre_test::write_file(dir / "junk.pem", "junk\n");

    EXPECT_LETTRE_OK(lettre::dkim::try_load_key_file(dir / "rsa.pem"));
    EXPECT_LETTRE_OK(lettre::dkim::try_load_key_file(dir / "rsa.der"));
    auto seed = lettre::dkim::try_load_key_file(dir / "ed.seed");
    ASSERT_LETTRE_OK(seed);
    EXPECT_EQ(seed->public_key_base64(), "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    EXPECT_NO_THROW((void)lettre::dkim::load_key_file(lettre_test::shared_dir() /
                                                      "corpus/keys/dkim_ed25519.pem"));

    const auto missing = dir / "no-such-key.pem";
    auto r = lettre::dkim::try_load_key_file(missing);
    EXPECT_LETTRE_ERROR(r, errc::file_not_found);
    if (!r) {
        EXPECT_NE(r.error().message.find(missing.string()), std::string::npos) << r.error().message;
    }
    EXPECT_LETTRE_THROW(lettre::dkim::load_key_file(missing), errc::file_not_found);
    EXPECT_NE(lettre_test::thrown_message([&] {
                  static_cast<void>(lettre::dkim::load_key_file(missing));
              }).find(missing.string()),
              std::string::npos);

    // Over the limit: refused by size, /dev/zero included (read no further).
    lettre_test::write_file(dir / "big.pem",
                            rsa_pem() + std::string(lettre::dkim::max_key_file_size, '\n'));
    auto big = lettre::dkim::try_load_key_file(dir / "big.pem");
    EXPECT_LETTRE_ERROR(big, errc::invalid_key);
    if (!big) {
        EXPECT_NE(big.error().message.find("larger than 65536 bytes"), std::string::npos)
            << big.error().message;
    }
    EXPECT_LETTRE_ERROR(lettre::dkim::try_load_key_file("/dev/zero"), errc::invalid_key);

    // Errors about a file's content name the file too.
    auto junk = lettre::dkim::try_load_key_file(dir / "junk.pem");
    EXPECT_LETTRE_ERROR(junk, errc::invalid_key);
    if (!junk) {
        EXPECT_NE(junk.error().message.find("junk.pem"), std::string::npos) << junk.error().message;
    }
}

TEST(dkim_key, UnreadableFile) {
    if (lettre_test::running_as_root()) GTEST_SKIP() << "root reads any file";
    lettre_test::temp_dir dir;
    lettre_test::write_file(dir / "locked.pem", rsa_pem());
    lettre_test::fs::permissions(dir / "locked.pem", lettre_test::fs::perms::none);
    auto r = lettre::dkim::try_load_key_file(dir / "locked.pem");
    EXPECT_LETTRE_ERROR(r, errc::file_unreadable);
}

TEST(dkim_key, KeysAreCheapToCopyAndShareTheKey) {
    auto k = private_key::load(ed_pem());
    private_key copy = k;
    EXPECT_EQ(&lettre::dkim::key_access::native(copy), &lettre::dkim::key_access::native(k));
    EXPECT_EQ(copy.public_key_base64(), k.public_key_base64());
}

}  // namespace
