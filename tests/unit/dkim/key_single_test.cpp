// A key file holds one key and nothing else: trailing data or a second PEM
// block is refused (docs/security.md, "Decisions on careless input").
#include <lettre/dkim/key.hpp>
#include <lettre/dkim/key_file.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

using namespace std::string_literals;
using lettre::dkim::algorithm;
using lettre::dkim::private_key;

namespace {

const std::string& ed25519_pem() {
    static const std::string pem = private_key::generate(algorithm::ed25519_sha256).to_pem();
    return pem;
}

void expect_refused(const std::string& text, const std::string& why) {
    auto key = private_key::try_load(text);
    ASSERT_FALSE(key) << "accepted: " << text;
    EXPECT_EQ(key.error().code, lettre::errc::invalid_key);
    EXPECT_NE(key.error().message.find(why), std::string::npos) << key.error().message;
}

}  // namespace

TEST(DkimKeySingle, OneKeyWithSurroundingWhitespaceAndLeadingTextLoads) {
    EXPECT_TRUE(private_key::try_load(ed25519_pem() + "\n\r\n  \n"));
    EXPECT_TRUE(private_key::try_load("my DKIM key, made 2026-01-01\n" + ed25519_pem()));
}

TEST(DkimKeySingle, TrailingGarbageIsRefused) {
    expect_refused(ed25519_pem() + "garbage\n", "trailing data");
    expect_refused(ed25519_pem() + "-----END PRIVATE KEY-----\n", "trailing data");
}

TEST(DkimKeySingle, TwoKeysAreRefused) {
    const std::string other = private_key::generate(algorithm::ed25519_sha256).to_pem();
    expect_refused(ed25519_pem() + other, "2 blocks");
    expect_refused(ed25519_pem() + ed25519_pem(), "2 blocks");
}

TEST(DkimKeySingle, DerWithTrailingBytesIsRefused) {
    // PKCS#8 Ed25519 DER is 48 bytes: 30 2e 02 01 00 30 05 06 03 2b 65 70 04 22 04 20 + seed.
    std::string der = "\x30\x2e\x02\x01\x00\x30\x05\x06\x03\x2b\x65\x70\x04\x22\x04\x20"s;
    der.append(32, '\x07');
    EXPECT_TRUE(private_key::try_load(der));
    expect_refused(der + "x", "trailing data");
}

TEST(DkimKeySingle, KeyFileWithTwoKeysIsRefusedNamingThePath) {
    const auto path = std::filesystem::temp_directory_path() / "lettre_two_keys.pem";
    std::ofstream(path, std::ios::binary) << ed25519_pem() << ed25519_pem();
    auto key = lettre::dkim::try_load_key_file(path);
    std::filesystem::remove(path);
    ASSERT_FALSE(key);
    EXPECT_NE(key.error().message.find(path.string()), std::string::npos) << key.error().message;
    EXPECT_NE(key.error().message.find("exactly one private key"), std::string::npos)
        << key.error().message;
}
