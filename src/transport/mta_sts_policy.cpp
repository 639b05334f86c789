// The policy body (RFC 8461 §3.2), parsed strictly, and MX host matching
// (RFC 8461 §4.1).
#include "transport/mta_sts_syntax.hpp"

#include <lettre/transport/mta_sts.hpp>

#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <charconv>

namespace lettre::mta_sts {

namespace {

using lettre::detail::quote_for_error;

/// One line of the body, its number (from 1) for error messages.
struct line {
    std::size_t number = 0;
    std::string_view text;
};

error_info bad_line(const line& l, std::string_view why) {
    return make_error(
        errc::mta_sts_invalid_policy,
        fmt::format("MTA-STS policy line {} {}: {}", l.number, quote_for_error(l.text), why));
}

/// sts-policy-vchar (VCHAR or UTF-8 octets) with inner WSP.
bool is_value(std::string_view v) noexcept {
    if (v.empty()) return false;
    for (char c : v) {
        const auto u = static_cast<unsigned char>(c);
        if (!detail::is_wsp(c) && (u < 0x21 || u == 0x7f)) return false;
    }
    return !detail::is_wsp(v.front()) && !detail::is_wsp(v.back());
}

/// `[...]` or a dotted-quad / IPv6 text address.
bool is_ip_literal(std::string_view v) {
    if (v.size() >= 2 && v.front() == '[' && v.back() == ']') return true;
    return dns::ip_address::parse(v).has_value();
}

class parser {
public:
    result<policy> run(std::string_view body);

private:
    std::optional<error_info> field(const line& l);
    std::optional<error_info> field_value(const line& l, std::string_view key,
                                          std::string_view value);
    std::optional<error_info> mx_value(const line& l, std::string_view value);

    policy p_;
    bool version_ = false;
    bool mode_ = false;
    bool max_age_ = false;
};

std::optional<error_info> parser::mx_value(const line& l, std::string_view value) {
    if (is_ip_literal(value)) {
        p_.ignored_mx.emplace_back(value);
        return std::nullopt;
    }
    const auto name = value.starts_with("*.") ? value.substr(2) : value;
    if (!detail::is_domain(name)) return bad_line(l, "mx must be a host name, or *. and a domain");
    p_.mx.push_back(lettre::detail::to_lower_ascii(value));
    return std::nullopt;
}

std::optional<error_info> parser::field_value(const line& l, std::string_view key,
                                              std::string_view value) {
    auto once = [&](bool& seen) -> std::optional<error_info> {
        if (seen) return bad_line(l, fmt::format("a second {} line", key));
        seen = true;
        return std::nullopt;
    };
    if (key == "version") {
        if (auto e = once(version_)) return e;
        if (value != "STSv1") return bad_line(l, "the version must be STSv1");
    } else if (key == "mode") {
        if (auto e = once(mode_)) return e;
        if (value == "enforce")
            p_.mode = policy_mode::enforce;
        else if (value == "testing")
            p_.mode = policy_mode::testing;
        else if (value == "none")
            p_.mode = policy_mode::none;
        else
            return bad_line(l, "the mode must be enforce, testing or none");
    } else if (key == "max_age") {
        if (auto e = once(max_age_)) return e;
        std::uint64_t n = 0;
        const auto* end = value.data() + value.size();
        const auto [ptr, ec] = std::from_chars(value.data(), end, n);
        if (value.size() > 10 || ptr != end || ec != std::errc{} || !detail::is_digit(value[0]))
            return bad_line(l, "max_age must be a number of seconds");
        if (n > max_max_age)
            return bad_line(l, fmt::format("max_age is at most {} (a year)", max_max_age));
        p_.max_age = static_cast<std::uint32_t>(n);
    } else if (key == "mx") {
        return mx_value(l, value);
    }
    return std::nullopt;  // an extension: checked, ignored (RFC 8461 §3.2)
}

std::optional<error_info> parser::field(const line& l) {
    if (l.text.empty()) return bad_line(l, "empty line");
    const auto colon = l.text.find(':');
    if (colon == std::string_view::npos) return bad_line(l, "expected key: value");
    const auto key = l.text.substr(0, colon);
    if (!detail::is_ext_name(key)) return bad_line(l, "the key is not a field name");
    auto value = l.text.substr(colon + 1);
    while (!value.empty() && detail::is_wsp(value.front())) value.remove_prefix(1);
    while (!value.empty() && detail::is_wsp(value.back())) value.remove_suffix(1);
    if (!is_value(value)) return bad_line(l, "the value is empty or has control characters");
    return field_value(l, key, value);
}

result<policy> parser::run(std::string_view body) {
    if (body.size() > max_policy_size)
        return make_error(
            errc::mta_sts_invalid_policy,
            fmt::format("MTA-STS policy of {} bytes: at most {}", body.size(), max_policy_size));
    if (body.empty()) return make_error(errc::mta_sts_invalid_policy, "MTA-STS policy is empty");
    p_.text = std::string(body);
    std::string_view rest = body;
    for (std::size_t n = 1; !rest.empty(); ++n) {
        const auto lf = rest.find('\n');
        line l{n, rest.substr(0, lf)};
        rest = lf == std::string_view::npos ? std::string_view{} : rest.substr(lf + 1);
        if (lf != std::string_view::npos && l.text.ends_with('\r'))
            l.text.remove_suffix(1);  // CRLF
        if (auto e = field(l)) return std::move(*e);
    }
    auto missing = [](std::string_view what) {
        return make_error(errc::mta_sts_invalid_policy,
                          fmt::format("MTA-STS policy has no {} line", what));
    };
    if (!version_) return missing("version: STSv1");
    if (!mode_) return missing("mode");
    if (!max_age_) return missing("max_age");
    if (p_.mode != policy_mode::none && p_.mx.empty() && p_.ignored_mx.empty())
        return missing("mx");
    return std::move(p_);
}

std::string_view without_final_dot(std::string_view s) {
    if (s.ends_with('.')) s.remove_suffix(1);
    return s;
}

}  // namespace

std::string_view to_string(policy_mode m) noexcept {
    switch (m) {
        case policy_mode::enforce: return "enforce";
        case policy_mode::testing: return "testing";
        case policy_mode::none: return "none";
    }
    return "none";
}

result<policy> parse_policy(std::string_view body) {
    return parser{}.run(body);
}

bool matches_pattern(std::string_view pattern, std::string_view host) noexcept {
    host = without_final_dot(host);
    if (pattern.empty() || host.empty()) return false;
    if (!pattern.starts_with("*.")) return lettre::detail::iequals(pattern, host);
    const auto dot = host.find('.');
    // Exactly one label in place of the wildcard, and a non-empty one.
    if (dot == 0 || dot == std::string_view::npos) return false;
    return lettre::detail::iequals(pattern.substr(2), host.substr(dot + 1));
}

bool policy::matches(std::string_view mx_host) const {
    for (const auto& pattern : mx)
        if (matches_pattern(pattern, mx_host)) return true;
    return false;
}

}  // namespace lettre::mta_sts
