#include <lettre/dkim/key.hpp>

#include "detail/base64.hpp"
#include "detail/utf8.hpp"
#include "dkim/key_impl.hpp"
#include "message/idna.hpp"

#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <optional>
#include <string>
#include <string_view>

namespace lettre::dkim {
namespace {

constexpr unsigned min_rsa_bits = 1024;   // RFC 8301 §3.2: verifiers refuse less
constexpr unsigned good_rsa_bits = 2048;  // RFC 8301: signers SHOULD use at least this
constexpr unsigned max_rsa_bits = 16384;  // beyond this generation takes minutes
constexpr std::size_t ed25519_seed = 32;
constexpr std::size_t max_txt_string = 255;

using bio_ptr = std::unique_ptr<BIO, decltype(&BIO_free)>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string openssl_reason() {
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

/// Why a PEM text is more than one key, or nullopt. `rest` is the BIO the
/// key was read from, positioned after its END line. Text before the BEGIN
/// line is allowed (RFC 7468 §2: explanatory text); a second PEM block, or
/// anything but white space after the key, is refused: it is a file that
/// was concatenated or cut, and signing with the first key of it would be
/// a guess.
std::optional<std::string> pem_extra(std::string_view pem, BIO& rest) {
    std::size_t blocks = 0;
    for (auto at = pem.find("-----BEGIN "); at != std::string_view::npos;
         at = pem.find("-----BEGIN ", at + 1))
        ++blocks;
    if (blocks > 1)
        return fmt::format(
            "the PEM text holds {} blocks (-----BEGIN lines); give a file with exactly one "
            "private key",
            blocks);
    char* data = nullptr;
    const long left = BIO_get_mem_data(&rest, &data);
    const std::string_view tail(data, left > 0 ? static_cast<std::size_t>(left) : 0U);
    const auto junk = tail.find_first_not_of(" \t\r\n");
    if (junk == std::string_view::npos) return std::nullopt;
    return fmt::format(
        "{} bytes of trailing data after the key's -----END line; give a file with exactly one "
        "private key",
        tail.size() - junk);
}

}  // namespace

const EVP_MD* private_key::impl::sha256() {
    static const std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> md(
        EVP_MD_fetch(nullptr, "SHA256", nullptr), &EVP_MD_free);
    return md ? md.get() : EVP_sha256();
}

std::string_view algorithm_name(algorithm a) noexcept {
    return a == algorithm::rsa_sha256 ? "rsa-sha256" : "ed25519-sha256";
}

// Wraps an EVP_PKEY after checking it is a usable DKIM key.
static result<private_key> adopt(pkey_ptr pkey, std::string_view source);

result<private_key> private_key::try_from_pem(std::string_view pem) {
    bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    if (!bio) return make_error(errc::invalid_key, "out of memory reading the key");
    pkey_ptr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr), &EVP_PKEY_free);
    if (!pkey)
        return make_error(errc::invalid_key,
                          fmt::format("cannot read the PEM private key: {} (expected an "
                                      "unencrypted PKCS#1 or PKCS#8 RSA or Ed25519 key)",
                                      openssl_reason()));
    if (auto extra = pem_extra(pem, *bio)) return make_error(errc::invalid_key, std::move(*extra));
    return adopt(std::move(pkey), "PEM");
}

result<private_key> private_key::try_from_der(std::string_view der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    pkey_ptr pkey(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())), &EVP_PKEY_free);
    if (!pkey)
        return make_error(errc::invalid_key,
                          fmt::format("cannot read the DER private key: {}", openssl_reason()));
    const auto used =
        static_cast<std::size_t>(p - reinterpret_cast<const unsigned char*>(der.data()));
    if (used != der.size())
        return make_error(errc::invalid_key,
                          fmt::format("{} bytes of trailing data after the DER private key; give "
                                      "a file with exactly one key",
                                      der.size() - used));
    return adopt(std::move(pkey), "DER");
}

result<private_key> private_key::try_from_ed25519_seed(std::string_view base64_seed) {
    std::string trimmed;
    for (char c : base64_seed)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') trimmed += c;
    std::string seed;
    if (!detail::decode_base64(trimmed, seed) || seed.size() != ed25519_seed)
        return make_error(errc::invalid_key,
                          "an Ed25519 seed must be 32 bytes in base64 (44 characters)");
    pkey_ptr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                               reinterpret_cast<const unsigned char*>(seed.data()),
                                               seed.size()),
                  &EVP_PKEY_free);
    if (!pkey)
        return make_error(errc::invalid_key,
                          fmt::format("cannot use the Ed25519 seed: {}", openssl_reason()));
    return adopt(std::move(pkey), "Ed25519 seed");
}

result<private_key> private_key::try_load(std::string_view data) {
    if (data.find("-----BEGIN") != std::string_view::npos) {
        if (data.find("ENCRYPTED") != std::string_view::npos)
            return make_error(errc::invalid_key,
                              "the key is encrypted; give an unencrypted key (chmod 600 it)");
        return try_from_pem(data);
    }
    std::string trimmed(data);
    while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back())))
        trimmed.pop_back();
    if (trimmed.size() >= 43 && trimmed.size() <= 46 && detail::is_ascii(trimmed))
        return try_from_ed25519_seed(trimmed);
    if (!data.empty() && static_cast<unsigned char>(data.front()) == 0x30)  // DER SEQUENCE
        return try_from_der(data);
    return make_error(errc::invalid_key,
                      "unrecognized key format: expected PEM, DER or a base64 Ed25519 seed");
}

private_key private_key::load(std::string_view data) {
    auto r = try_load(data);
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

result<private_key> private_key::try_generate(dkim::algorithm alg, unsigned rsa_bits) {
    if (alg == dkim::algorithm::rsa_sha256 && rsa_bits > max_rsa_bits)
        return make_error(errc::invalid_key,
                          fmt::format("RSA keys of {} bits are not generated (limit {}); DKIM "
                                      "records and verifiers expect 1024 to 4096",
                                      rsa_bits, max_rsa_bits));
    if (alg == dkim::algorithm::rsa_sha256 && rsa_bits < min_rsa_bits)
        return make_error(errc::weak_key,
                          fmt::format("RSA keys of {} bits are refused; DKIM verifiers reject "
                                      "keys under 1024 bits (RFC 8301), use 2048",
                                      rsa_bits));
    EVP_PKEY* raw = alg == dkim::algorithm::rsa_sha256
                        ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(rsa_bits))
                        : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (!raw)
        return make_error(errc::invalid_key,
                          fmt::format("key generation failed: {}", openssl_reason()));
    return adopt(pkey_ptr(raw, &EVP_PKEY_free), "generated");
}

private_key private_key::generate(dkim::algorithm alg, unsigned rsa_bits) {
    auto r = try_generate(alg, rsa_bits);
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

static result<private_key> adopt(pkey_ptr pkey, std::string_view source) {
    auto impl = std::make_shared<key_access::impl>();
    const int id = EVP_PKEY_get_base_id(pkey.get());
    if (id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519)
        return make_error(errc::invalid_key,
                          fmt::format("the {} key is neither RSA nor Ed25519 (DKIM signs with "
                                      "rsa-sha256 or ed25519-sha256 only)",
                                      source));
    const auto bits = static_cast<unsigned>(EVP_PKEY_get_bits(pkey.get()));
    std::vector<std::string> warnings;
    if (id == EVP_PKEY_RSA) {
        if (bits < min_rsa_bits)
            return make_error(errc::weak_key,
                              fmt::format("the RSA key has {} bits; DKIM verifiers reject keys "
                                          "under 1024 bits (RFC 8301), use 2048",
                                          bits));
        if (bits < good_rsa_bits)
            warnings.push_back(fmt::format(
                "the RSA key has {} bits; RFC 8301 asks signers for at least 2048", bits));
    }
    impl->pkey = std::move(pkey);
    // The signing context templates (see key_impl.hpp); without them the
    // signer sets a context up for each signature.
    if (id == EVP_PKEY_RSA) {
        impl->rsa_sign.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, impl->pkey.get(), nullptr));
        if (!impl->rsa_sign || EVP_PKEY_sign_init(impl->rsa_sign.get()) != 1 ||
            EVP_PKEY_CTX_set_rsa_padding(impl->rsa_sign.get(), RSA_PKCS1_PADDING) != 1 ||
            EVP_PKEY_CTX_set_signature_md(impl->rsa_sign.get(), key_access::impl::sha256()) != 1)
            impl->rsa_sign.reset();
    } else {
        impl->ed25519_sign.reset(EVP_MD_CTX_new());
        if (!impl->ed25519_sign || EVP_DigestSignInit(impl->ed25519_sign.get(), nullptr, nullptr,
                                                      nullptr, impl->pkey.get()) != 1)
            impl->ed25519_sign.reset();
    }
    ERR_clear_error();
    return key_access::make(std::move(impl),
                            id == EVP_PKEY_RSA ? algorithm::rsa_sha256 : algorithm::ed25519_sha256,
                            bits, std::move(warnings));
}

std::string private_key::public_key_base64() const {
    std::string out;
    if (alg_ == dkim::algorithm::ed25519_sha256) {
        unsigned char raw[32];
        std::size_t len = sizeof raw;
        if (EVP_PKEY_get_raw_public_key(impl_->pkey.get(), raw, &len) != 1) return {};
        detail::append_base64(out, std::string_view(reinterpret_cast<char*>(raw), len));
        return out;
    }
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(impl_->pkey.get(), &der);
    if (len <= 0) return {};
    detail::append_base64(
        out, std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(len)));
    OPENSSL_free(der);
    return out;
}

std::string private_key::to_pem() const {
    bio_ptr bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0,
                                              nullptr, nullptr) != 1)
        return {};
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(len));
}

std::string dns_record::zone_line() const {
    std::string out = name + ". IN TXT (";
    for (const auto& s : strings) out += " \"" + s + '"';
    out += " )";
    return out;
}

result<dns_record> try_make_dns_record(const private_key& key, std::string_view selector,
                                       std::string_view domain) {
    auto d = detail::domain_to_ascii(domain, domain);
    if (!d || domain.front() == '[')
        return make_error(errc::invalid_dkim_config, fmt::format("invalid signing domain {}",
                                                                 detail::quote_for_error(domain)));
    auto s = detail::domain_to_ascii(selector, selector);
    if (!s || selector.front() == '[' || !detail::is_ascii(selector))
        return make_error(errc::invalid_dkim_config,
                          fmt::format("invalid selector {}", detail::quote_for_error(selector)));
    dns_record r;
    r.name = fmt::format("{}._domainkey.{}", *s, *d);
    r.text = fmt::format("v=DKIM1; k={}; p={}",
                         key.algorithm() == algorithm::rsa_sha256 ? "rsa" : "ed25519",
                         key.public_key_base64());
    for (std::size_t i = 0; i < r.text.size(); i += max_txt_string)
        r.strings.push_back(r.text.substr(i, max_txt_string));
    return r;
}

dns_record make_dns_record(const private_key& key, std::string_view selector,
                           std::string_view domain) {
    auto r = try_make_dns_record(key, selector, domain);
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

}  // namespace lettre::dkim
