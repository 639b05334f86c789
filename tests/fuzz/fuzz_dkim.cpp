// libFuzzer target: DKIM header parsing, canonicalization (RFC 6376 §3.4)
// and signing, on arbitrary bytes.
//
// 1. parse_header_block(input) either fails with malformed_message or
//    returns fields such that: every name is 1*(%d33-126 except ':'); every
//    field text starts with its name, ends CRLF, holds no bare CR or LF and
//    every inner CRLF is followed by WSP (a fold); the body is the input's
//    tail; and the header part of the input, with CR, LF and CRLF all read
//    as CRLF, is exactly the field texts followed by one CRLF.
//
// 2. canonicalize_header:
//      simple  = the text unchanged;
//      relaxed = lower-case name (no WSP), ':' , value with no CR/LF/HTAB,
//                no SP run, no SP at either end, then one CRLF; relaxed is
//                idempotent.
//
// 3. canonical_body on the input and on the parsed body equals a reference
//    written here from RFC 6376 §3.4.3/§3.4.4 (line breaks CR, LF, CRLF read
//    as CRLF as SMTP sends them), and:
//      relaxed: empty or ends CRLF; every line break CRLF; no line has
//               trailing WSP, a tab or an SP run; never ends CRLF CRLF;
//               relaxed(relaxed(x)) == relaxed(x);
//               relaxed(simple(x)) == relaxed(x);
//      simple:  ends CRLF; never ends CRLF CRLF unless it is just CRLF;
//               simple(simple(x)) == simple(x).
//
// 4. Signing with an Ed25519 key (canonicalization from a hash of the
//    input) never crashes; it fails exactly when the header cannot be parsed
//    or has no From or more than one; otherwise the output is the field + the input, the
//    field is well formed (CRLF folds only, lines <= 998 octets, no
//    control bytes) and the signature verifies with OpenSSL over the data
//    rebuilt from h= (bottom-up field choice, RFC 6376 §5.4.2) and the
//    field with b= emptied, and bh= is the hash of the canonical body.
#include "fuzz_common.hpp"

#include "dkim/canonicalize.hpp"
#include "dkim/header_block.hpp"

#include <lettre/dkim.hpp>

#include <openssl/evp.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using lettre::dkim::canonicalization;
using lettre::dkim::detail::canonical_body;
using lettre::dkim::detail::canonicalize_header;
using lettre::dkim::detail::parse_header_block;

constexpr unsigned char ed25519_seed[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60};
constexpr std::string_view ed25519_seed_b64 = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";

/// CR, LF and CRLF all become CRLF.
std::string to_crlf(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += "\r\n";
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else if (s[i] == '\n') {
            out += "\r\n";
        } else {
            out += s[i];
        }
    }
    return out;
}

bool bare_cr_or_lf(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && (i + 1 >= s.size() || s[i + 1] != '\n')) return true;
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return true;
    }
    return false;
}

/// Lines of a CRLF text without their CRLF; a last line without CRLF kept.
std::vector<std::string_view> lines_of(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t e = s.find("\r\n", i);
        if (e == std::string_view::npos) {
            out.push_back(s.substr(i));
            break;
        }
        out.push_back(s.substr(i, e - i));
        i = e + 2;
    }
    return out;
}

// Reference body canonicalizers (RFC 6376 §3.4.3, §3.4.4) on CRLF text.
std::string ref_simple(std::string_view body) {
    const std::string crlf = to_crlf(body);
    auto lines = lines_of(crlf);
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    std::string out;
    for (auto l : lines) {
        out += l;
        out += "\r\n";
    }
    return out.empty() ? std::string("\r\n") : out;
}

std::string ref_relaxed(std::string_view body) {
    const std::string crlf = to_crlf(body);
    std::vector<std::string> lines;
    for (auto l : lines_of(crlf)) {
        std::string r;
        for (char c : l) {
            if (fuzz::is_wsp(c)) {
                if (r.empty() || r.back() != ' ') r += ' ';
            } else {
                r += c;
            }
        }
        while (!r.empty() && r.back() == ' ') r.pop_back();
        lines.push_back(std::move(r));
    }
    while (!lines.empty() && lines.back().empty()) lines.pop_back();
    std::string out;
    for (const auto& l : lines) out += l + "\r\n";
    return out;
}

void check_relaxed_body(std::string_view input, const std::string& r) {
    if (!r.empty() && !r.ends_with("\r\n"))
        fuzz::fail("relaxed body does not end CRLF", input, fuzz::escape(r));
    if (r.ends_with("\r\n\r\n"))
        fuzz::fail("relaxed body ends with an empty line", input, fuzz::escape(r));
    if (r == "\r\n") fuzz::fail("relaxed body is a lone CRLF (should be empty)", input);
    if (bare_cr_or_lf(r)) fuzz::fail("relaxed body has a bare CR or LF", input, fuzz::escape(r));
    for (auto l : lines_of(r)) {
        if (!l.empty() && l.back() == ' ')
            fuzz::fail("relaxed body line ends with WSP", input, fuzz::escape(l));
        if (l.find('\t') != std::string_view::npos)
            fuzz::fail("relaxed body line has a tab", input, fuzz::escape(l));
        if (l.find("  ") != std::string_view::npos)
            fuzz::fail("relaxed body line has an SP run", input, fuzz::escape(l));
    }
    if (canonical_body(canonicalization::relaxed, r) != r)
        fuzz::fail("relaxed body not idempotent", input);
}

void check_simple_body(std::string_view input, const std::string& s) {
    if (!s.ends_with("\r\n")) fuzz::fail("simple body does not end CRLF", input, fuzz::escape(s));
    if (s != "\r\n" && s.ends_with("\r\n\r\n"))
        fuzz::fail("simple body ends with an empty line", input);
    if (bare_cr_or_lf(s)) fuzz::fail("simple body has a bare CR or LF", input, fuzz::escape(s));
    if (canonical_body(canonicalization::simple, s) != s)
        fuzz::fail("simple body not idempotent", input);
}

void check_bodies(std::string_view input, std::string_view body) {
    const std::string r = canonical_body(canonicalization::relaxed, body);
    const std::string s = canonical_body(canonicalization::simple, body);
    if (r != ref_relaxed(body))
        fuzz::fail("relaxed body differs from the RFC 6376 reference", input,
                   "body=" + fuzz::escape(body) + " got=" + fuzz::escape(r) +
                       " want=" + fuzz::escape(ref_relaxed(body)));
    if (s != ref_simple(body))
        fuzz::fail("simple body differs from the RFC 6376 reference", input,
                   "body=" + fuzz::escape(body) + " got=" + fuzz::escape(s) +
                       " want=" + fuzz::escape(ref_simple(body)));
    check_relaxed_body(input, r);
    check_simple_body(input, s);
    if (canonical_body(canonicalization::relaxed, s) != r)
        fuzz::fail("relaxed(simple(x)) != relaxed(x)", input);
}

void check_relaxed_header(std::string_view input, std::string_view text) {
    std::string out = "keep";
    canonicalize_header(canonicalization::relaxed, text, out);
    if (!out.starts_with("keep"))
        fuzz::fail("canonicalize_header changed what was in the output", input);
    const std::string_view h = std::string_view(out).substr(4);
    const std::string ctx = "field=" + fuzz::escape(text) + " canon=" + fuzz::escape(h);
    if (!h.ends_with("\r\n")) fuzz::fail("relaxed header does not end CRLF", input, ctx);
    const std::string_view body = h.substr(0, h.size() - 2);
    if (body.find_first_of("\r\n\t") != std::string_view::npos)
        fuzz::fail("relaxed header holds CR, LF or HTAB", input, ctx);
    const std::size_t colon = body.find(':');
    if (colon == std::string_view::npos || colon == 0)
        fuzz::fail("relaxed header has no name", input, ctx);
    for (char c : body.substr(0, colon))
        if ((c >= 'A' && c <= 'Z') || c == ' ')
            fuzz::fail("relaxed header name not lower case / has WSP", input, ctx);
    const std::string_view value = body.substr(colon + 1);
    if (!value.empty() && (value.front() == ' ' || value.back() == ' '))
        fuzz::fail("relaxed header value has WSP at an end", input, ctx);
    if (value.find("  ") != std::string_view::npos)
        fuzz::fail("relaxed header value has an SP run", input, ctx);
    std::string again;
    canonicalize_header(canonicalization::relaxed, h, again);
    if (again != h)
        fuzz::fail("relaxed header not idempotent", input, ctx + " again=" + fuzz::escape(again));

    std::string simple;
    canonicalize_header(canonicalization::simple, text, simple);
    if (simple != text) fuzz::fail("simple header changed the field", input, ctx);
}

/// Checks 1 and 2; returns the parse result.
lettre::result<lettre::dkim::detail::parsed_message> check_parse(std::string_view in) {
    auto p = parse_header_block(in);
    if (!p) {
        if (p.error().code != lettre::make_error_code(lettre::errc::malformed_message))
            fuzz::fail("parse_header_block failed with an unexpected code", in, p.error().message);
        return p;
    }
    if (p->body.data() < in.data() || p->body.data() + p->body.size() != in.data() + in.size())
        fuzz::fail("body is not the tail of the input", in);
    std::string joined;
    for (const auto& f : p->fields) {
        const std::string ctx = "field=" + fuzz::escape(f.text);
        if (f.name.empty()) fuzz::fail("empty field name", in, ctx);
        for (char c : f.name)
            if (c < 33 || c > 126 || c == ':') fuzz::fail("bad byte in field name", in, ctx);
        if (!f.text.starts_with(f.name))
            fuzz::fail("field text does not start with its name", in, ctx);
        if (!f.text.ends_with("\r\n")) fuzz::fail("field text does not end CRLF", in, ctx);
        if (bare_cr_or_lf(f.text)) fuzz::fail("field text has a bare CR or LF", in, ctx);
        for (std::size_t i = f.text.find("\r\n"); i + 2 < f.text.size();
             i = f.text.find("\r\n", i + 2))
            if (!fuzz::is_wsp(f.text[i + 2]))
                fuzz::fail("CRLF inside a field not followed by WSP", in, ctx);
        joined += f.text;
        check_relaxed_header(in, f.text);
    }
    joined += "\r\n";
    const std::string header_part =
        to_crlf(in.substr(0, static_cast<std::size_t>(p->body.data() - in.data())));
    if (joined != header_part)
        fuzz::fail("fields + CRLF differ from the header part read with CRLF line ends", in,
                   "joined=" + fuzz::escape(joined) + " header=" + fuzz::escape(header_part));
    return p;
}

// --- signing ---------------------------------------------------------------------

struct ed_key {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey{
        EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, ed25519_seed, sizeof ed25519_seed),
        &EVP_PKEY_free};
    lettre::dkim::private_key key = lettre::dkim::private_key::load(ed25519_seed_b64);
};

const ed_key& keys() {
    static const ed_key k;
    return k;
}

std::string b64(std::string_view raw) {
    std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(raw.data()),
                                  static_cast<int>(raw.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string unb64(std::string_view text) {
    std::string clean;
    for (char c : text)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') clean += c;
    std::string out(clean.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(clean.data()),
                                  static_cast<int>(clean.size()));
    if (n < 0) return {};
    std::size_t len = static_cast<std::size_t>(n);
    for (std::size_t k = clean.size(); k > 0 && clean[k - 1] == '='; --k) --len;  // padding
    out.resize(len);
    return out;
}

std::string sha256(std::string_view data) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), d, &len, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<const char*>(d), len);
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// Tag value of a DKIM-Signature field (FWS removed), "" when absent.
std::string tag(std::string_view field_value, std::string_view name) {
    std::size_t i = 0;
    while (i < field_value.size()) {
        std::size_t semi = field_value.find(';', i);
        if (semi == std::string_view::npos) semi = field_value.size();
        std::string_view spec = field_value.substr(i, semi - i);
        i = semi + 1;
        const std::size_t eq = spec.find('=');
        if (eq == std::string_view::npos) continue;
        std::string k;
        for (char c : spec.substr(0, eq))
            if (!fuzz::is_wsp(c) && c != '\r' && c != '\n') k += c;
        if (k != name) continue;
        std::string v;
        for (char c : spec.substr(eq + 1))
            if (!fuzz::is_wsp(c) && c != '\r' && c != '\n') v += c;
        return v;
    }
    return {};
}

void check_signing(std::string_view in,
                   const lettre::result<lettre::dkim::detail::parsed_message>& parsed) {
    const std::uint32_t h = fuzz::fnv1a(in);
    const auto hc = (h & 1u) ? canonicalization::simple : canonicalization::relaxed;
    const auto bc = (h & 2u) ? canonicalization::simple : canonicalization::relaxed;
    lettre::dkim::signer s("example.com", "fuzz", keys().key);
    s.canonicalization(hc, bc).time(std::chrono::sys_seconds(std::chrono::seconds(1700000000)));
    if (h & 4u) s.oversign({"X-Fuzz", "Message-ID"});

    auto out = s.try_sign(in);
    std::size_t from_fields = 0;
    if (parsed)
        for (const auto& f : parsed->fields) from_fields += lower(f.name) == "from" ? 1 : 0;
    const bool has_from = from_fields == 1;  // two or more are refused (RFC 5322 §3.6)
    if (!out) {
        if (parsed && has_from)
            fuzz::fail("signing failed on a parsable message with one From", in,
                       out.error().message);
        if (out.error().code != lettre::make_error_code(lettre::errc::malformed_message))
            fuzz::fail("signing failed with an unexpected code", in, out.error().message);
        return;
    }
    if (!parsed || !has_from)
        fuzz::fail("signing succeeded without a parsable header and exactly one From", in);
    if (!out->ends_with(in) || out->size() <= in.size())
        fuzz::fail("signed output is not field + input", in);
    const std::string_view field = std::string_view(*out).substr(0, out->size() - in.size());
    if (!field.starts_with("DKIM-Signature: ") || !field.ends_with("\r\n"))
        fuzz::fail("bad DKIM-Signature field", in, fuzz::escape(field));
    if (bare_cr_or_lf(field))
        fuzz::fail("DKIM-Signature field has a bare CR or LF", in, fuzz::escape(field));
    for (auto line : lines_of(field)) {
        if (line.size() > 998) fuzz::fail("DKIM-Signature line over 998 octets", in);
        for (char c : line)
            if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') ||
                static_cast<unsigned char>(c) >= 0x7f)
                fuzz::fail("control or 8-bit byte in the DKIM-Signature field", in,
                           fuzz::escape(field));
    }
    for (std::size_t i = field.find("\r\n"); i + 2 < field.size(); i = field.find("\r\n", i + 2))
        if (!fuzz::is_wsp(field[i + 2]))
            fuzz::fail("DKIM-Signature fold not followed by WSP", in, fuzz::escape(field));

    // Verify: bh= over the canonical body, then b= over the rebuilt data.
    const std::string_view value = field.substr(16, field.size() - 18);
    if (b64(sha256(canonical_body(bc, parsed->body))) != tag(value, "bh"))
        fuzz::fail("bh= is not the hash of the canonical body", in, fuzz::escape(field));
    std::map<std::string, std::size_t> used;
    std::string data;
    const std::string h_list = tag(value, "h");
    std::size_t i = 0;
    while (i <= h_list.size()) {
        std::size_t c = h_list.find(':', i);
        if (c == std::string::npos) c = h_list.size();
        const std::string name = lower(std::string_view(h_list).substr(i, c - i));
        i = c + 1;
        std::size_t skip = used[name]++;
        for (auto it = parsed->fields.rbegin(); it != parsed->fields.rend(); ++it)
            if (lower(it->name) == name && skip-- == 0) {
                canonicalize_header(hc, it->text, data);
                break;
            }
    }
    // The b= tag: the first " b=" after bh= (base64 has no SP; b= comes last).
    const std::size_t bh = field.find("bh=");
    std::size_t b = bh == std::string_view::npos ? bh : field.find(" b=", bh);
    if (b == std::string_view::npos || field.find(';', b) != std::string_view::npos)
        fuzz::fail("b= is not the last tag", in, fuzz::escape(field));
    ++b;
    std::string own;
    canonicalize_header(hc, std::string(field.substr(0, b + 2)) + "\r\n", own);
    own.resize(own.size() - 2);
    data += own;
    const std::string sig = unb64(field.substr(b + 2, field.size() - 2 - (b + 2)));
    const std::string digest = sha256(data);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, keys().pkey.get()) != 1 ||
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                         reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) != 1)
        fuzz::fail("the signature does not verify", in,
                   "field=" + fuzz::escape(field) + " data=" + fuzz::escape(data));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);
    const auto parsed = check_parse(in);
    check_bodies(in, in);
    if (parsed) check_bodies(in, parsed->body);
    check_signing(in, parsed);
    return 0;
}
