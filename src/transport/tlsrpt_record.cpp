// The `_smtp._tls` TXT record of RFC 8460 §3: where a domain wants its TLS
// reports sent.
#include <lettre/transport/tls_report.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace lettre::mx {

namespace {

constexpr std::string_view version_tag = "v=TLSRPTv1";

bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
    return s;
}

/// Splits on `sep`, trimming each piece (the ABNF's *WSP around delimiters).
std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    for (;;) {
        const auto at = s.find(sep);
        out.push_back(trim(s.substr(0, at)));
        if (at == std::string_view::npos) return out;
        s.remove_prefix(at + 1);
    }
}

error_info bad(std::string_view what, std::string_view text) {
    return make_error(errc::tlsrpt_invalid_record,
                      fmt::format("TLSRPT record \"{}\": {}", text, what));
}

/// A URI of the rua list: visible ASCII, no delimiter of the record.
bool plausible_uri(std::string_view u) {
    return !u.empty() && std::all_of(u.begin(), u.end(), [](char c) {
        return c > 0x20 && c < 0x7f && c != ';' && c != ',';
    });
}

/// "ALPHA / DIGIT" then up to 31 of ALPHA / DIGIT / "_" / "-" / ".".
bool extension_name(std::string_view n) {
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    return !n.empty() && n.size() <= 32 && alnum(n.front()) &&
           std::all_of(n.begin(), n.end(),
                       [&](char c) { return alnum(c) || c == '_' || c == '-' || c == '.'; });
}

bool starts_with_version(std::string_view text) {
    if (!text.starts_with(version_tag)) return false;
    const auto rest = trim(text.substr(version_tag.size()));
    return rest.empty() || rest.front() == ';';
}

}  // namespace

std::string tlsrpt_name(std::string_view domain) {
    if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    return fmt::format("_smtp._tls.{}", domain);
}

result<tlsrpt_record> parse_tlsrpt_record(std::string_view text) {
    if (!starts_with_version(text)) return bad("does not start with v=TLSRPTv1;", text);
    auto fields = split(text, ';');
    if (!fields.empty() && fields.back().empty()) fields.pop_back();  // a final ";"
    tlsrpt_record out;
    bool have_rua = false;
    for (std::size_t i = 1; i < fields.size(); ++i) {
        const auto f = fields[i];
        const auto eq = f.find('=');
        if (eq == std::string_view::npos) return bad(fmt::format("field \"{}\" has no =", f), text);
        const auto name = f.substr(0, eq);
        const auto value = f.substr(eq + 1);
        if (name != "rua") {
            if (!extension_name(name) || value.empty())
                return bad(fmt::format("field \"{}\" is malformed", f), text);
            continue;  // an extension this reader does not know
        }
        if (have_rua) return bad("two rua fields", text);
        have_rua = true;
        for (auto uri : split(value, ',')) {
            if (!plausible_uri(uri))
                return bad(fmt::format("rua URI \"{}\" is malformed", uri), text);
            // RFC 8460 §3 defines mailto: and https:; other schemes are for
            // later extensions and are skipped, not refused.
            if (uri.starts_with("mailto:") || uri.starts_with("https:")) out.rua.emplace_back(uri);
        }
    }
    if (!have_rua) return bad("no rua field", text);
    if (out.rua.empty()) return bad("no mailto: or https: URI in rua", text);
    return out;
}

std::optional<tlsrpt_record> select_tlsrpt_record(const std::vector<std::string>& txt_texts) {
    const std::string* only = nullptr;
    for (const auto& t : txt_texts) {
        if (!starts_with_version(t)) continue;
        if (only) return std::nullopt;  // more than one: no reports (RFC 8460 §3)
        only = &t;
    }
    if (!only) return std::nullopt;
    auto r = parse_tlsrpt_record(*only);
    if (!r) return std::nullopt;
    return std::move(r).value();
}

}  // namespace lettre::mx
