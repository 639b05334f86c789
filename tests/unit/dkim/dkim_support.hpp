// Helpers for the DKIM unit tests: an independent DKIM verifier written from
// RFC 6376 §3.4, §3.5, §3.7, §5.4.2 and RFC 8463 §3 on OpenSSL's EVP API
// (it shares no code with lettre's signer or canonicalizer), key helpers,
// and DKIM-Signature tag parsing.
#pragma once

#include "../test_util.hpp"

#include <lettre/dkim.hpp>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dkim_test {

using lettre_test::fs::path;

inline std::string shared_file(std::string_view rel) {
    return lettre_test::read_file(lettre_test::shared_dir() / rel);
}

// ---------------------------------------------------------------------------
// OpenSSL

using pkey_ptr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

inline pkey_ptr null_pkey() {
    return pkey_ptr(nullptr, &EVP_PKEY_free);
}

/// A private or public key from PEM text (whatever OpenSSL reads).
inline pkey_ptr pkey_from_pem(std::string_view pem, bool is_public) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    EVP_PKEY* k = is_public ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr)
                            : PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    return pkey_ptr(k, &EVP_PKEY_free);
}

/// The public key published by a DNS TXT text "v=DKIM1; k=...; p=...".
inline pkey_ptr pkey_from_dns_text(std::string_view text) {
    const std::size_t p = text.find("p=");
    if (p == std::string_view::npos) return null_pkey();
    std::string b64(text.substr(p + 2));
    if (const std::size_t semi = b64.find(';'); semi != std::string::npos) b64.resize(semi);
    const auto raw = lettre_test::base64_decode(b64);
    if (!raw) return null_pkey();
    const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
    if (text.find("k=ed25519") != std::string_view::npos)
        return pkey_ptr(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, bytes, raw->size()),
                        &EVP_PKEY_free);
    return pkey_ptr(d2i_PUBKEY(nullptr, &bytes, static_cast<long>(raw->size())), &EVP_PKEY_free);
}

inline std::string sha256(std::string_view data) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), d, &len, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(d), len);
}

inline std::string sha256_b64(std::string_view data) {
    return lettre_test::base64_encode(sha256(data));
}

/// DKIM's signing step (RFC 6376 §3.7, RFC 8463 §3): RSA PKCS#1 v1.5 over
/// SHA-256 of `data`, or pure Ed25519 over SHA-256 of `data`. Raw bytes.
inline std::string dkim_sign_raw(EVP_PKEY* key, std::string_view data) {
    md_ctx_ptr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::string input(data);
    const EVP_MD* md = EVP_sha256();
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
        input = sha256(data);
        md = nullptr;
    }
    std::size_t len = 0;
    const auto* in = reinterpret_cast<const unsigned char*>(input.data());
    if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size()) != 1)
        return {};
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                       input.size()) != 1)
        return {};
    sig.resize(len);
    return sig;
}

inline bool dkim_verify_raw(EVP_PKEY* key, std::string_view data, std::string_view sig) {
    md_ctx_ptr ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::string input(data);
    const EVP_MD* md = EVP_sha256();
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) {
        input = sha256(data);
        md = nullptr;
    }
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()),
                            sig.size(), reinterpret_cast<const unsigned char*>(input.data()),
                            input.size()) == 1;
}

// ---------------------------------------------------------------------------
// Canonicalization, written from RFC 6376 §3.4 (CRLF input only)

inline bool wsp(char c) {
    return c == ' ' || c == '\t';
}

/// §3.4.2 relaxed header: lower-case name, unfold, WSP runs to one SP, no
/// WSP at the ends of the value or around the colon. `field` ends CRLF.
inline std::string relaxed_header(std::string_view field) {
    const std::size_t colon = field.find(':');
    std::string name(field.substr(0, colon));
    while (!name.empty() && wsp(name.back())) name.pop_back();
    std::string value;
    for (char c : field.substr(colon + 1)) {
        if (c == '\r' || c == '\n')
            continue;  // unfolding (CRLF only occurs before WSP or at the end)
        if (wsp(c)) {
            if (!value.empty() && value.back() != ' ') value += ' ';
            continue;
        }
        value += c;
    }
    while (!value.empty() && value.back() == ' ') value.pop_back();
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    return lettre_test::to_lower(name) + ":" + value + "\r\n";
}

inline std::vector<std::string> body_lines(std::string_view body) {
    // Lines without their CRLF; a final line without CRLF is kept.
    std::vector<std::string> lines;
    std::size_t i = 0;
    while (i < body.size()) {
        const std::size_t e = body.find("\r\n", i);
        if (e == std::string_view::npos) {
            lines.emplace_back(body.substr(i));
            break;
        }
        lines.emplace_back(body.substr(i, e - i));
        i = e + 2;
    }
    return lines;
}

/// §3.4.3 simple body.
inline std::string simple_body(std::string_view body) {
    auto lines = body_lines(body);
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    std::string out;
    for (const auto& l : lines) out += l + "\r\n";
    return out.empty() ? std::string("\r\n") : out;
}

/// §3.4.4 relaxed body.
inline std::string relaxed_body(std::string_view body) {
    auto lines = body_lines(body);
    for (auto& l : lines) {
        std::string r;
        for (char c : l) {
            if (wsp(c)) {
                if (r.empty() || r.back() != ' ') r += ' ';
            } else {
                r += c;
            }
        }
        while (!r.empty() && r.back() == ' ') r.pop_back();
        l = r;
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    std::string out;
    for (const auto& l : lines) out += l + "\r\n";
    return out;
}

// ---------------------------------------------------------------------------
// Messages and DKIM-Signature fields

struct field {
    std::string name;  ///< as written, trailing WSP removed
    std::string raw;   ///< the whole field, folds kept, ending CRLF
};

struct split_message {
    std::vector<field> fields;
    std::string body;
    bool ok = false;
};

/// Splits a CRLF message into header fields and body.
inline split_message split(std::string_view msg) {
    split_message m;
    std::size_t i = 0;
    while (i < msg.size()) {
        const std::size_t e = msg.find("\r\n", i);
        if (e == std::string_view::npos) return m;
        const std::string_view line = msg.substr(i, e - i);
        i = e + 2;
        if (line.empty()) {
            m.body = std::string(msg.substr(i));
            m.ok = true;
            return m;
        }
        if (wsp(line.front())) {
            if (m.fields.empty()) return m;
            m.fields.back().raw += std::string(line) + "\r\n";
        } else {
            const std::size_t colon = line.find(':');
            if (colon == std::string_view::npos) return m;
            std::string name(line.substr(0, colon));
            while (!name.empty() && wsp(name.back())) name.pop_back();
            m.fields.push_back({name, std::string(line) + "\r\n"});
        }
    }
    return m;
}

/// Tag list of a DKIM-Signature value (RFC 6376 §3.2): names and values
/// with surrounding FWS removed; order kept.
struct tag_list {
    std::vector<std::pair<std::string, std::string>> tags;
    bool ok = true;

    const std::string* get(std::string_view name) const {
        for (const auto& [k, v] : tags)
            if (k == name) return &v;
        return nullptr;
    }
    std::string value(std::string_view name) const {
        const std::string* v = get(name);
        return v ? *v : std::string();
    }
};

inline std::string strip_fws(std::string_view s) {
    std::string out;
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
    return out;
}

inline tag_list parse_tags(std::string_view value) {
    tag_list t;
    std::size_t i = 0;
    while (i <= value.size()) {
        std::size_t semi = value.find(';', i);
        if (semi == std::string_view::npos) semi = value.size();
        const std::string_view spec = value.substr(i, semi - i);
        i = semi + 1;
        if (lettre_test::trim(spec).empty()) continue;  // a trailing ';' is allowed
        const std::size_t eq = spec.find('=');
        if (eq == std::string_view::npos) {
            t.ok = false;
            continue;
        }
        std::string name(lettre_test::trim(spec.substr(0, eq)));
        std::string v(lettre_test::trim(spec.substr(eq + 1)));
        if (name == "b" || name == "bh" || name == "h") v = strip_fws(v);
        for (const auto& [k, old] : t.tags)
            if (k == name) t.ok = false;  // duplicate tag: invalid (§3.2)
        t.tags.emplace_back(std::move(name), std::move(v));
    }
    return t;
}

inline std::vector<std::string> split_colon_list(std::string_view h) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i <= h.size()) {
        std::size_t c = h.find(':', i);
        if (c == std::string_view::npos) c = h.size();
        out.push_back(lettre_test::to_lower(strip_fws(h.substr(i, c - i))));
        i = c + 1;
    }
    return out;
}

/// The DKIM-Signature value (raw field) with the b= value removed (§3.7):
/// everything after "b=" up to the next ';' or the end, folds included.
inline std::string without_b_value(std::string_view raw_field) {
    // Find a tag "b=" that starts after ':' , ';' or WSP.
    for (std::size_t i = raw_field.find(':') + 1; i + 1 < raw_field.size(); ++i) {
        if (raw_field[i] != 'b') continue;
        std::size_t j = i + 1;
        while (j < raw_field.size() && (wsp(raw_field[j]))) ++j;
        if (j >= raw_field.size() || raw_field[j] != '=') continue;
        std::size_t k = i;
        while (k > 0 &&
               (wsp(raw_field[k - 1]) || raw_field[k - 1] == '\n' || raw_field[k - 1] == '\r'))
            --k;
        if (raw_field[k - 1] != ';' && raw_field[k - 1] != ':') continue;
        std::size_t end = j + 1;
        while (end < raw_field.size() && raw_field[end] != ';') ++end;
        // Keep the final CRLF of the field.
        std::string out(raw_field.substr(0, j + 1));
        if (end < raw_field.size()) {
            out += raw_field.substr(end);
        } else {
            out += "\r\n";
        }
        return out;
    }
    return std::string(raw_field);
}

/// Outcome of an independent verification: empty string = pass, otherwise why not.
struct verify_result {
    std::string error;
    tag_list tags;
    std::string signed_data;  ///< the bytes that were hashed for b=
    bool ok() const { return error.empty(); }
};

/// Verifies the `index`-th DKIM-Signature field (0 = topmost) of a CRLF
/// message against `key`.
inline verify_result verify(std::string_view message, std::size_t index, EVP_PKEY* key) {
    verify_result r;
    const split_message m = split(message);
    if (!m.ok) {
        r.error = "cannot split the message";
        return r;
    }
    std::vector<std::size_t> sigs;
    for (std::size_t i = 0; i < m.fields.size(); ++i)
        if (lettre_test::iequals(m.fields[i].name, "DKIM-Signature")) sigs.push_back(i);
    if (index >= sigs.size()) {
        r.error = "no DKIM-Signature number " + std::to_string(index);
        return r;
    }
    const field& sig = m.fields[sigs[index]];
    r.tags = parse_tags(sig.raw.substr(sig.raw.find(':') + 1));
    const tag_list& t = r.tags;
    if (!t.ok) {
        r.error = "bad tag list";
        return r;
    }
    if (t.value("v") != "1") r.error = "v= is not 1";
    const std::string a = t.value("a");
    if (a != "rsa-sha256" && a != "ed25519-sha256") r.error = "unexpected a=" + a;
    if ((a == "ed25519-sha256") != (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519))
        r.error = "a= does not match the key type";
    if (!r.error.empty()) return r;

    std::string c = t.get("c") ? t.value("c") : "simple/simple";
    if (c.find('/') == std::string::npos) c += "/simple";
    const bool relaxed_h = c.substr(0, c.find('/')) == "relaxed";
    const bool relaxed_b = c.substr(c.find('/') + 1) == "relaxed";

    std::string body = relaxed_b ? relaxed_body(m.body) : simple_body(m.body);
    if (const std::string* l = t.get("l")) body = body.substr(0, std::stoul(*l));
    if (sha256_b64(body) != t.value("bh")) {
        r.error = "body hash mismatch: computed " + sha256_b64(body) + ", bh=" + t.value("bh");
        return r;
    }

    // §5.4.2: each listed name takes the next instance from the bottom;
    // a name with no instance left contributes nothing.
    std::map<std::string, std::size_t> used;
    std::string data;
    for (const std::string& name : split_colon_list(t.value("h"))) {
        std::size_t skip = used[name]++;
        for (std::size_t i = m.fields.size(); i-- > 0;) {
            if (!lettre_test::iequals(m.fields[i].name, name)) continue;
            if (i == sigs[index]) continue;
            if (skip-- == 0) {
                data += relaxed_h ? relaxed_header(m.fields[i].raw) : m.fields[i].raw;
                break;
            }
        }
    }
    std::string own = without_b_value(sig.raw);
    own = relaxed_h ? relaxed_header(own) : own;
    own.resize(own.size() - 2);
    data += own;
    r.signed_data = data;
    const auto b = lettre_test::base64_decode(t.value("b"));
    if (!b) {
        r.error = "b= is not base64";
        return r;
    }
    if (!dkim_verify_raw(key, data, *b)) r.error = "signature does not verify";
    return r;
}

/// The raw DKIM-Signature fields of a message, top first.
inline std::vector<std::string> signature_fields(std::string_view message) {
    std::vector<std::string> out;
    for (const auto& f : split(message).fields)
        if (lettre_test::iequals(f.name, "DKIM-Signature")) out.push_back(f.raw);
    return out;
}

/// Field text (name: value CRLF) of a lettre::header_field.
inline std::string field_text(const lettre::header_field& f) {
    return f.name + ": " + f.value + "\r\n";
}

}  // namespace dkim_test
