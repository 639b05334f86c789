// libFuzzer target: DKIM private key loading from memory (PEM PKCS#1 or
// PKCS#8, DER, base64 Ed25519 seed), what --dkim-key and key files feed.
//
// private_key::try_load, try_from_pem, try_from_der and
// try_from_ed25519_seed on the input:
//   - no crash, leak or undefined behaviour;
//   - an error carries a message;
//   - a loaded key is valid, RSA of at least 1024 bits or Ed25519 (256);
//     its p= value is non-empty base64; and its PKCS#8 PEM (to_pem) loads
//     back to a key with the same algorithm, size and public key;
//   - what try_load loads, one of the specific loaders loads too, with the
//     same public key (try_load only detects the form).
#include "fuzz_common.hpp"

#include <lettre/dkim/key.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace dkim = lettre::dkim;

bool base64(std::string_view s) {
    if (s.empty() || s.size() % 4 != 0) return false;
    for (const char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '='))
            return false;
    return true;
}

void check_key(const lettre::result<dkim::private_key>& k, std::string_view input,
               std::string_view how) {
    if (!k) {
        if (k.error().message.empty()) fuzz::fail("error without a message", input, how);
        return;
    }
    if (!k->valid()) fuzz::fail("loaded key is not valid", input, how);
    if (k->algorithm() == dkim::algorithm::rsa_sha256 ? k->bits() < 1024 : k->bits() != 256)
        fuzz::fail("key size out of range", input, std::to_string(k->bits()));
    const std::string p = k->public_key_base64();
    if (!base64(p)) fuzz::fail("p= is not base64", input, p);
    const auto again = dkim::private_key::try_from_pem(k->to_pem());
    if (!again) fuzz::fail("to_pem() does not load back", input, again.error().message);
    if (again->algorithm() != k->algorithm() || again->bits() != k->bits() ||
        again->public_key_base64() != p)
        fuzz::fail("to_pem() loads back a different key", input, how);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto any = dkim::private_key::try_load(input);
    check_key(any, input, "try_load");
    const auto pem = dkim::private_key::try_from_pem(input);
    check_key(pem, input, "try_from_pem");
    const auto der = dkim::private_key::try_from_der(input);
    check_key(der, input, "try_from_der");
    const auto seed = dkim::private_key::try_from_ed25519_seed(input);
    check_key(seed, input, "try_from_ed25519_seed");
    if (any) {
        bool same = false;
        for (const auto* k : {&pem, &der, &seed})
            same = same || (*k && (*k)->public_key_base64() == any->public_key_base64());
        if (!same) fuzz::fail("try_load loads a key no specific loader loads", input);
    }
    return 0;
}
