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

#include <algorithm>
#include <array>
#include <map>
#include <memory>

namespace lettre::dkim {
namespace {

using md_ctx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string body_hash(canonicalization c, std::string_view body) {
    md_ctx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    detail::canonicalize_body(
        c, body, [&](std::string_view s) { EVP_DigestUpdate(ctx.get(), s.data(), s.size()); });
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &len);
    std::string out;
    lettre::detail::append_base64(out, std::string_view(reinterpret_cast<char*>(digest), len));
    return out;
}

result<std::string> sign_data(const private_key& key, std::string_view data) {
    EVP_PKEY* pkey = key.native().pkey.get();
    md_ctx ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::string to_sign(data);
    const EVP_MD* md = EVP_sha256();
    if (key.algorithm() == algorithm::ed25519_sha256) {
        // RFC 8463 §3: Ed25519 (pure) signs the SHA-256 hash of the data.
        unsigned char digest[32];
        unsigned int len = 0;
        EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr);
        to_sign.assign(reinterpret_cast<char*>(digest), len);
        md = nullptr;
    }
    std::size_t sig_len = 0;
    if (EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, pkey) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &sig_len,
                       reinterpret_cast<const unsigned char*>(to_sign.data()),
                       to_sign.size()) != 1) {
        ERR_clear_error();
        return make_error(errc::signing_failed, "OpenSSL could not start the signature");
    }
    std::string sig(sig_len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                       reinterpret_cast<const unsigned char*>(to_sign.data()),
                       to_sign.size()) != 1) {
        ERR_clear_error();
        return make_error(errc::signing_failed, "OpenSSL could not sign");
    }
    sig.resize(sig_len);
    std::string out;
    lettre::detail::append_base64(out, sig);
    return out;
}

bool is_ftext_name(std::string_view name) noexcept {
    if (name.empty()) return false;
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return c >= 33 && c <= 126 && c != ':'; });
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
        if (!is_ftext_name(n)) {
            if (!error_)
                error_ = make_error(errc::invalid_dkim_config,
                                    fmt::format("invalid header name {} in the signed list",
                                                lettre::detail::quote_for_error(n)));
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
        if (!is_ftext_name(n)) {
            if (!error_)
                error_ = make_error(errc::invalid_dkim_config,
                                    fmt::format("invalid header name {} to oversign",
                                                lettre::detail::quote_for_error(n)));
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
    std::vector<std::string> h;
    std::map<std::string, std::vector<const detail::raw_field*>> by_name;
    for (const auto& f : msg.fields) by_name[lettre::detail::to_lower_ascii(f.name)].push_back(&f);
    std::string signed_headers;
    for (const auto& name : headers) {
        const auto it = by_name.find(name);
        const std::size_t count = it == by_name.end() ? 0 : it->second.size();
        const bool over = std::find(oversign.begin(), oversign.end(), name) != oversign.end();
        // Bottom-up (RFC 6376 §5.4.2): the k-th listing takes the k-th field from the end.
        for (std::size_t k = 0; k < count; ++k)
            detail::canonicalize_header(header_c, it->second[count - 1 - k]->text, signed_headers);
        for (std::size_t k = 0; k < count + (over ? 1 : 0); ++k) h.push_back(name);
    }
    if (h.empty() || std::find(h.begin(), h.end(), "from") == h.end() ||
        by_name.find("from") == by_name.end())
        return make_error(errc::malformed_message, "the message has no From field to sign");

    // The field, folded, with b= last and empty while signing.
    std::vector<lettre::detail::header_token> t;
    auto tag = [&](std::string text) {
        t.push_back({t.empty() ? "" : " ", std::move(text), false, false});
    };
    tag("v=1;");
    tag(fmt::format("a={};", algorithm_name(s.key().algorithm())));
    tag(fmt::format("c={}/{};", canon_name(header_c), canon_name(body_c)));
    tag(fmt::format("d={};", s.domain()));
    tag(fmt::format("s={};", s.selector()));
    if (identity) tag(fmt::format("i={};", *identity));
    tag(fmt::format("t={};", when.time_since_epoch().count()));
    if (expiration) tag(fmt::format("x={};", (when + *expiration).time_since_epoch().count()));
    for (std::size_t i = 0; i < h.size(); ++i) {
        std::string piece = (i == 0 ? "h=" : "") + h[i] + (i + 1 < h.size() ? ":" : ";");
        if (i == 0)
            tag(std::move(piece));
        else
            t.push_back({"", std::move(piece), false, true});
    }
    tag(fmt::format("bh={};", bh));
    tag("b=");
    lettre::detail::header_writer w("DKIM-Signature");
    w.add(t);
    std::string value = w.take();

    std::string data = std::move(signed_headers);
    std::string own;
    detail::canonicalize_header(header_c, "DKIM-Signature: " + value + "\r\n", own);
    own.resize(own.size() - 2);  // the signature's own field goes in without its CRLF
    data += own;
    auto sig = sign_data(s.key(), data);
    if (!sig) return std::move(sig).error();

    // Append b= in pieces that fold without adding characters to the value.
    std::size_t col = 0;
    const std::size_t last_nl = value.rfind('\n');
    col = last_nl == std::string::npos ? value.size() + 16 : value.size() - last_nl - 1;
    const std::string_view b = *sig;
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
    std::map<canonicalization, std::string> hashes;  // one body hash per body canonicalization
    std::vector<header_field> out;
    for (const signer& s : signers) {
        if (s.error_) return *s.error_;
        if (!s.key_.valid()) return make_error(errc::invalid_key, "signer without a key");
        auto it = hashes.find(s.body_c_);
        if (it == hashes.end())
            it = hashes.emplace(s.body_c_, body_hash(s.body_c_, parsed->body)).first;
        auto f = make_signature(s, s.header_c_, s.body_c_, s.headers_, s.oversign_, s.identity_,
                                s.time_.value_or(now), s.expiration_, *parsed, it->second);
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
    for (auto it = fields->rbegin(); it != fields->rend(); ++it) prepend_header(std::move(*it));
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
