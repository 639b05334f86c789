// DKIM private keys (RSA, Ed25519) and the DNS records that publish them.
// OpenSSL stays behind an opaque pointer.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::dkim {

/// A DKIM signing algorithm (the a= tag); rsa-sha1 is not offered.
enum class algorithm { rsa_sha256, ed25519_sha256 };

/// `rsa-sha256` or `ed25519-sha256`, as in the a= tag.
[[nodiscard]] LETTRE_EXPORT std::string_view algorithm_name(algorithm a) noexcept;

/// A DKIM signing key, RSA or Ed25519; copies share the key.
class LETTRE_EXPORT private_key {
public:
    /// Any form below, detected: PEM (PKCS#1 or PKCS#8), DER, or an Ed25519
    /// seed as 32 raw bytes in base64 (the form RFC 8463 prints). Keys in
    /// files: dkim::load_key_file() in lettre/dkim/key_file.hpp.
    [[nodiscard]] static private_key load(std::string_view data);
    /// load() returning the error instead of throwing it.
    [[nodiscard]] static result<private_key> try_load(std::string_view data);

    /// An unencrypted PKCS#1 or PKCS#8 PEM key, RSA or Ed25519.
    [[nodiscard]] static result<private_key> try_from_pem(std::string_view pem);
    /// One DER key, nothing after it.
    [[nodiscard]] static result<private_key> try_from_der(std::string_view der);
    /// An Ed25519 key from its 32-byte seed in base64 (whitespace ignored).
    [[nodiscard]] static result<private_key> try_from_ed25519_seed(std::string_view base64_seed);

    /// A new key from OpenSSL's generator. RSA below 1024 bits is refused.
    [[nodiscard]] static private_key generate(algorithm alg, unsigned rsa_bits = 2048);
    /// generate() returning the error instead of throwing it.
    [[nodiscard]] static result<private_key> try_generate(algorithm alg, unsigned rsa_bits = 2048);

    /// False only for a default-initialized key inside a moved-from signer.
    bool valid() const noexcept { return impl_ != nullptr; }
    dkim::algorithm algorithm() const noexcept { return alg_; }  ///< RSA or Ed25519
    unsigned bits() const noexcept { return bits_; }             ///< the key size OpenSSL reports

    /// Advice the caller may show, e.g. an RSA key under 2048 bits.
    const std::vector<std::string>& warnings() const noexcept { return warnings_; }

    /// The p= value: base64 of the SubjectPublicKeyInfo (RSA) or of the raw
    /// 32-byte public key (Ed25519, RFC 8463 §4).
    [[nodiscard]] std::string public_key_base64() const;
    /// PKCS#8 PEM of the private key.
    [[nodiscard]] std::string to_pem() const;

private:
    struct impl;               // the OpenSSL key: src/dkim/key_impl.hpp
    friend struct key_access;  // what the signer needs: src/dkim/key_impl.hpp
    friend class signer;
    private_key() = default;
    std::shared_ptr<const impl> impl_;
    dkim::algorithm alg_ = dkim::algorithm::rsa_sha256;
    unsigned bits_ = 0;
    std::vector<std::string> warnings_;
};

/// The TXT record to publish for a key.
struct dns_record {
    std::string name;                  ///< selector._domainkey.domain (A-labels)
    std::string text;                  ///< v=DKIM1; k=...; p=...
    std::vector<std::string> strings;  ///< text split into <= 255-byte strings
    /// Zone-file form: `name. IN TXT ( "..." "..." )`.
    [[nodiscard]] LETTRE_EXPORT std::string zone_line() const;
};

/// The record publishing `key` under `selector`._domainkey.`domain`;
/// throws lettre::error on an invalid selector or domain.
[[nodiscard]] LETTRE_EXPORT dns_record make_dns_record(const private_key& key,
                                                       std::string_view selector,
                                                       std::string_view domain);
/// make_dns_record() returning the error instead of throwing it.
[[nodiscard]] LETTRE_EXPORT result<dns_record> try_make_dns_record(const private_key& key,

                                                                   std::string_view selector,
                                                                   std::string_view domain);

}  // namespace lettre::dkim
