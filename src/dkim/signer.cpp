#include <lettre/dkim/signer.hpp>

#include "detail/base64.hpp"
#include "detail/utf8.hpp"
#include "dkim/canonicalize.hpp"
#include "dkim/header_block.hpp"
#include "dkim/key_impl.hpp"
#include "message/header_writer.hpp"
#include "message/idna.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <memory>

namespace lettre::dkim {
namespace {

using md_ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;
using pkey_ctx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;

result<std::string> body_hash(canonicalization c, std::string_view body) {
    std::array<unsigned char, 32> digest{};
    if (!detail::body_sha256(c, body, digest)) {
        ERR_clear_error();
        return make_error(errc::signing_failed, "OpenSSL could not hash the body");
    }
    std::string out;
    lettre::detail::append_base64(
        out, std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
    return out;
}

/// The signature of `data` (the canonical header fields) in base64.
/// rsa-sha256: PKCS#1 v1.5 over SHA-256(data); ed25519-sha256: pure Ed25519
/// over SHA-256(data) (RFC 8463 §3). The context comes from the key's
/// template (key_impl.hpp) when there is one.
result<std::string> sign_data(const private_key& key, std::string_view data) {
    const key_access::impl& k = key_access::native(key);
    auto fail = [](const char* what) -> error_info {
        ERR_clear_error();
        return make_error(errc::signing_failed, what);
    };
    unsigned char digest[32];
    unsigned int dlen = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &dlen, key_access::impl::sha256(), nullptr) !=
            1 ||
        dlen != sizeof digest)
        return fail("OpenSSL could not hash the header fields");
    const int max_size = EVP_PKEY_get_size(k.pkey.get());
    std::string sig(static_cast<std::size_t>(max_size > 0 ? max_size : 1024), '\0');
    auto* out = reinterpret_cast<unsigned char*>(sig.data());
    std::size_t sig_len = sig.size();
    if (key.algorithm() == algorithm::rsa_sha256) {
        pkey_ctx ctx(nullptr, &EVP_PKEY_CTX_free);
        if (k.rsa_sign) {
            ctx.reset(EVP_PKEY_CTX_dup(k.rsa_sign.get()));
        } else {
            ctx.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, k.pkey.get(), nullptr));
            if (ctx && (EVP_PKEY_sign_init(ctx.get()) != 1 ||
                        EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
                        EVP_PKEY_CTX_set_signature_md(ctx.get(), key_access::impl::sha256()) != 1))
                ctx.reset();
        }
        if (!ctx) return fail("OpenSSL could not start the signature");
        if (EVP_PKEY_sign(ctx.get(), out, &sig_len, digest, sizeof digest) != 1)
            return fail("OpenSSL could not sign");
    } else {
        md_ctx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
        const bool ready =
            ctx && (k.ed25519_sign ? EVP_MD_CTX_copy_ex(ctx.get(), k.ed25519_sign.get()) == 1
                                   : EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr,
                                                        k.pkey.get()) == 1);
        if (!ready) return fail("OpenSSL could not start the signature");
        if (EVP_DigestSign(ctx.get(), out, &sig_len, digest, sizeof digest) != 1)
            return fail("OpenSSL could not sign");
    }
    sig.resize(sig_len);
    std::string b64;
    lettre::detail::append_base64(b64, sig);
    return b64;
}

/// ASCII case-insensitive equality; `lower` is lower case already.
bool equals_lower(std::string_view s, std::string_view lower) noexcept {
    if (s.size() != lower.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        if (c != lower[i]) return false;
    }
    return true;
}

/// Folds the DKIM-Signature value the way lettre::detail::header_writer
/// does (78 columns), without a token vector: each tag after a SP, the
/// names of h= glued with a fold (CRLF SP) where one would overflow.
class field_folder {
public:
    field_folder(std::string& out, std::size_t name_size) : out_(out), col_(name_size + 2) {}

    void tag(std::initializer_list<std::string_view> pieces) {
        std::size_t n = 0;
        for (auto p : pieces) n += p.size();
        if (!out_.empty()) {
            if (col_ + 1 + n > lettre::detail::fold_column) {
                out_ += "\r\n";
                col_ = 0;
            }
            out_ += ' ';
            ++col_;
        }
        for (auto p : pieces) out_ += p;
        col_ += n;
    }
    void glued(std::string_view a, std::string_view b) {
        if (col_ + a.size() + b.size() > lettre::detail::fold_column) {
            out_ += "\r\n ";
            col_ = 1;
        }
        out_ += a;
        out_ += b;
        col_ += a.size() + b.size();
    }

private:
    std::string& out_;
    std::size_t col_;
};

/// An RFC 5322 field name (ftext: printable US-ASCII but ':') that can also
/// stand in h=: a tag value has no ';' (RFC 6376 §3.2 VALCHAR), and a ';'
/// would end h= and start a tag of the caller's choosing (l=0...).
bool is_signable_name(std::string_view name) noexcept {
    if (name.empty()) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return c >= 33 && c <= 126 && c != ':' && c != ';'; });
}

error_info bad_header_name(std::string_view name, std::string_view where) {
    return make_error(errc::invalid_dkim_config,
                      fmt::format("invalid header name {} {}: a field name is printable ASCII "
                                  "without spaces, ':' or ';'",
                                  lettre::detail::quote_for_error(name), where));
}

std::string_view canon_name(canonicalization c) noexcept {
    return c == canonicalization::simple ? "simple" : "relaxed";
}

/// RFC 6376 §2.11 dkim-quoted-printable: bytes outside 0x21-0x3A, 0x3C,
/// 0x3E-0x7E (so also '=', ';', space, controls, UTF-8) become =XX.
std::string dkim_quoted_printable(std::string_view s) {
    std::string out;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 0x21 && c <= 0x3A) || c == 0x3C || (c >= 0x3E && c <= 0x7E))
            out += ch;
        else
            out += fmt::format("={:02X}", c);
    }
    return out;
}

const std::vector<std::string>& default_oversigned() {
    static const std::vector<std::string> names{"from", "subject", "date", "to", "cc", "reply-to"};
    return names;
}

}  // namespace

const std::vector<std::string>& default_signed_headers() {
    static const std::vector<std::string> names{"from",
                                                "reply-to",
                                                "subject",
                                                "date",
                                                "to",
                                                "cc",
                                                "message-id",
                                                "in-reply-to",
                                                "references",
                                                "mime-version",
                                                "content-type",
                                                "content-transfer-encoding",
                                                "list-unsubscribe",
                                                "list-unsubscribe-post"};
    return names;
}

result<signer> signer::try_create(std::string_view domain, std::string_view selector,
                                  private_key key) {
    if (!key.valid()) return make_error(errc::invalid_key, "no key given");
    auto d = lettre::detail::domain_to_ascii(domain, domain);
    if (!d || domain.front() == '[') {
        return make_error(errc::invalid_dkim_config,
                          fmt::format("invalid signing domain {}: a domain name (letters, "
                                      "digits, '-', dots; IDN allowed) is needed",
                                      lettre::detail::quote_for_error(domain)));
    }
    auto s = lettre::detail::domain_to_ascii(selector, selector);
    if (!s || selector.front() == '[' || !lettre::detail::is_ascii(selector))
        return make_error(errc::invalid_dkim_config,
                          fmt::format("invalid selector {}: letters, digits, '-' and '.' only",
                                      lettre::detail::quote_for_error(selector)));
    signer sg;
    sg.domain_ = lettre::detail::to_lower_ascii(*d);
    sg.selector_ = *s;
    sg.key_ = std::move(key);
    sg.headers_ = default_signed_headers();
    sg.oversign_ = default_oversigned();
    return sg;
}

signer::signer(std::string_view domain, std::string_view selector, private_key key) {
    auto r = try_create(domain, selector, std::move(key));
    if (!r) throw lettre::error(std::move(r).error());
    *this = std::move(*r);
}

signer& signer::canonicalization(dkim::canonicalization header, dkim::canonicalization body) {
    header_c_ = header;
    body_c_ = body;
    return *this;
}

signer& signer::headers(std::vector<std::string> names) {
    headers_.clear();
    for (auto& n : names) {
        if (!is_signable_name(n)) {
            if (!error_) error_ = bad_header_name(n, "in the signed list");
            continue;
        }
        std::string lower = lettre::detail::to_lower_ascii(n);
        if (lower == "dkim-signature") continue;  // never signs its own kind implicitly
        if (std::find(headers_.begin(), headers_.end(), lower) == headers_.end())
            headers_.push_back(std::move(lower));
    }
    if (std::find(headers_.begin(), headers_.end(), "from") == headers_.end())
        headers_.insert(headers_.begin(), "from");  // RFC 6376 §5.4: From MUST be signed
    return *this;
}

signer& signer::oversign(std::vector<std::string> names) {
    for (auto& n : names) {
        if (!is_signable_name(n)) {
            if (!error_) error_ = bad_header_name(n, "to oversign");
            continue;
        }
        std::string lower = lettre::detail::to_lower_ascii(n);
        if (std::find(oversign_.begin(), oversign_.end(), lower) == oversign_.end())
            oversign_.push_back(lower);
        if (std::find(headers_.begin(), headers_.end(), lower) == headers_.end())
            headers_.push_back(std::move(lower));
    }
    return *this;
}

signer& signer::identity(std::string_view id) {
    const std::size_t at = id.rfind('@');
    std::optional<error_info> e;
    if (at == std::string_view::npos) {
        e = make_error(errc::invalid_dkim_config,
                       fmt::format("identity {} has no '@'", lettre::detail::quote_for_error(id)));
    } else {
        auto d = lettre::detail::domain_to_ascii(id.substr(at + 1), id);
        const std::string dom = d ? lettre::detail::to_lower_ascii(*d) : std::string();
        const bool inside =
            d && (dom == domain_ || (dom.size() > domain_.size() && dom.ends_with("." + domain_)));
        if (!inside)
            e = make_error(errc::invalid_dkim_config,
                           fmt::format("identity {} is not in the signing domain {} (RFC 6376 "
                                       "§3.5 i=)",
                                       lettre::detail::quote_for_error(id), domain_));
        else
            identity_ = dkim_quoted_printable(id.substr(0, at)) + '@' + dom;
    }
    if (e && !error_) error_ = std::move(e);
    return *this;
}

signer& signer::time(std::chrono::sys_seconds t) {
    if (t.time_since_epoch().count() < 0 && !error_)
        error_ = make_error(errc::invalid_dkim_config, "t= cannot be before 1970");
    time_ = t;
    return *this;
}

signer& signer::expiration(std::chrono::seconds after) {
    // RFC 6376 §3.5: x= MUST be greater than t=.
    if (after.count() <= 0 && !error_)
        error_ = make_error(
            errc::invalid_dkim_config,
            fmt::format("expiration must be after the signature time (got {} s)", after.count()));
    expiration_ = after;
    return *this;
}

namespace {

/// Builds one DKIM-Signature field once the body hash is known.
result<header_field> make_signature(const signer& s, dkim::canonicalization header_c,
                                    dkim::canonicalization body_c,
                                    const std::vector<std::string>& headers,
                                    const std::vector<std::string>& oversign,
                                    const std::optional<std::string>& identity,
                                    std::chrono::sys_seconds when,
                                    const std::optional<std::chrono::seconds>& expiration,
                                    const detail::parsed_message& msg, const std::string& bh) {
    // h=: each name as often as it occurs; oversigned names once more.
    // Bottom-up (RFC 6376 §5.4.2): the k-th listing takes the k-th field from
    // the end. A header block has a few dozen fields: a scan per name beats a
    // map of lower-cased names.
    std::vector<std::string_view> h;
    h.reserve(headers.size() + oversign.size() + 8);
    std::string data;  // what is signed: the canonical fields, then our own
    data.reserve(1024);
    bool has_from = false;
    for (const auto& name : headers) {
        std::size_t count = 0;
        for (auto it = msg.fields.rbegin(); it != msg.fields.rend(); ++it)
            if (equals_lower(it->name, name)) {
                detail::canonicalize_header(header_c, it->text, data);
                ++count;
            }
        if (name == "from" && count > 1)
            // RFC 5322 §3.6: exactly one From. With two, verifiers check one
            // and mail readers may show the other: a signature over such a
            // message vouches for a sender nobody checked (the classic
            // DKIM replay/spoof), so it is refused, not signed.
            return make_error(errc::malformed_message,
                              fmt::format("the message has {} From fields; RFC 5322 allows "
                                          "exactly one, and signing it would lend the domain's "
                                          "name to whichever a reader shows",
                                          count));
        if (count != 0 && name == "from") has_from = true;
        const bool over = std::find(oversign.begin(), oversign.end(), name) != oversign.end();
        h.insert(h.end(), count + (over ? 1 : 0), name);
    }
    if (!has_from || std::find(h.begin(), h.end(), "from") == h.end())
        return make_error(errc::malformed_message, "the message has no From field to sign");

    // The field, folded, with b= last and empty while signing.
    char t_buf[24];
    char x_buf[24];
    const auto t_end = std::to_chars(t_buf, t_buf + sizeof t_buf, when.time_since_epoch().count());
    std::string value;
    value.reserve(640);
    field_folder f(value, std::string_view("DKIM-Signature").size());
    f.tag({"v=1;"});
    f.tag({"a=", algorithm_name(s.key().algorithm()), ";"});
    f.tag({"c=", canon_name(header_c), "/", canon_name(body_c), ";"});
    f.tag({"d=", s.domain(), ";"});
    f.tag({"s=", s.selector(), ";"});
    if (identity) f.tag({"i=", *identity, ";"});
    f.tag({"t=", std::string_view(t_buf, static_cast<std::size_t>(t_end.ptr - t_buf)), ";"});
    if (expiration) {
        const auto x_end = std::to_chars(x_buf, x_buf + sizeof x_buf,
                                         (when + *expiration).time_since_epoch().count());
        f.tag({"x=", std::string_view(x_buf, static_cast<std::size_t>(x_end.ptr - x_buf)), ";"});
    }
    for (std::size_t i = 0; i < h.size(); ++i) {
        const std::string_view sep = i + 1 < h.size() ? ":" : ";";
        if (i == 0)
            f.tag({"h=", h[i], sep});
        else
            f.glued(h[i], sep);
    }
    f.tag({"bh=", bh, ";"});
    f.tag({"b="});

    // The signature's own field goes in without its CRLF.
    std::string own;
    own.reserve(value.size() + 20);
    own += "DKIM-Signature: ";
    own += value;
    own += "\r\n";
    detail::canonicalize_header(header_c, own, data);
    data.resize(data.size() - 2);
    auto sig = sign_data(s.key(), data);
    if (!sig) return std::move(sig).error();

    // Append b= in pieces that fold without adding characters to the value.
    std::size_t col = 0;
    const std::size_t last_nl = value.rfind('\n');
    col = last_nl == std::string::npos ? value.size() + 16 : value.size() - last_nl - 1;
    const std::string_view b = *sig;
    value.reserve(value.size() + b.size() + 3 * (b.size() / 70 + 2));
    for (std::size_t i = 0; i < b.size();) {
        if (col >= lettre::detail::fold_column - 2) {
            value += "\r\n ";
            col = 1;
        }
        const std::size_t n = std::min(b.size() - i, lettre::detail::fold_column - 2 - col);
        value.append(b.data() + i, n);
        col += n;
        i += n;
    }
    return header_field{"DKIM-Signature", std::move(value)};
}

}  // namespace

result<std::vector<header_field>> try_signatures(std::span<const signer> signers,
                                                 std::string_view message) {
    auto parsed = detail::parse_header_block(message);
    if (!parsed) return std::move(parsed).error();
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    // One body hash per body canonicalization (simple, relaxed).
    std::array<std::optional<std::string>, 2> hashes;
    std::vector<header_field> out;
    out.reserve(signers.size());
    for (const signer& s : signers) {
        if (s.error_) return *s.error_;
        if (!s.key_.valid()) return make_error(errc::invalid_key, "signer without a key");
        auto& bh = hashes[s.body_c_ == canonicalization::simple ? 0 : 1];
        if (!bh) {
            auto h = body_hash(s.body_c_, parsed->body);
            if (!h) return std::move(h).error();
            bh = std::move(*h);
        }
        auto f = make_signature(s, s.header_c_, s.body_c_, s.headers_, s.oversign_, s.identity_,
                                s.time_.value_or(now), s.expiration_, *parsed, *bh);
        if (!f) return std::move(f).error();
        out.push_back(std::move(*f));
    }
    return out;
}

result<std::string> try_sign_all(std::span<const signer> signers, std::string_view message) {
    auto fields = try_signatures(signers, message);
    if (!fields) return std::move(fields).error();
    std::string out;
    std::size_t extra = 0;
    for (const auto& f : *fields) extra += f.name.size() + f.value.size() + 4;
    out.reserve(message.size() + extra);
    for (const auto& f : *fields) lettre::detail::append_field(out, f.name, f.value);
    out += message;
    return out;
}

std::string sign_all(std::span<const signer> signers, std::string_view message) {
    auto r = try_sign_all(signers, message);
    if (!r) throw lettre::error(std::move(r).error());
    return std::move(*r);
}

result<header_field> signer::try_signature(std::string_view message) const {
    auto r = try_signatures(std::span<const signer>(this, 1), message);
    if (!r) return std::move(r).error();
    return std::move(r->front());
}

header_field signer::signature(std::string_view message) const {
    auto r = try_signature(message);
    if (!r) throw lettre::error(std::move(r).error());
    return std::move(*r);
}

result<std::string> signer::try_sign(std::string_view message) const {
    return try_sign_all(std::span<const signer>(this, 1), message);
}

std::string signer::sign(std::string_view message) const {
    auto r = try_sign(message);
    if (!r) throw lettre::error(std::move(r).error());
    return std::move(*r);
}

}  // namespace lettre::dkim

namespace lettre {

result<void> message::try_sign(std::span<const dkim::signer> signers) {
    auto fields = dkim::try_signatures(signers, formatted());
    if (!fields) return std::move(fields).error();
    // The signatures go first, in the order of `signers` (RFC 6376 §5.6).
    headers_.insert(headers_.begin(), std::make_move_iterator(fields->begin()),
                    std::make_move_iterator(fields->end()));
    return {};
}

message& message::sign(std::span<const dkim::signer> signers) {
    try_sign(signers).value();
    return *this;
}

message& message::sign(const dkim::signer& s) {
    return sign(std::span<const dkim::signer>(&s, 1));
}

}  // namespace lettre
