// Character classes and small helpers shared by the MTA-STS parsers
// (RFC 8461 §3.1 and §3.2 ABNF). Internal.
#pragma once

#include <string_view>

namespace lettre::mta_sts::detail {

constexpr bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}
constexpr bool is_alnum(char c) noexcept {
    return is_alpha(c) || is_digit(c);
}
constexpr bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t';
}

/// sts-ext-name / sts-policy-ext-name: alnum *31(alnum / "_" / "-" / ".").
constexpr bool is_ext_name(std::string_view s) noexcept {
    if (s.empty() || s.size() > 32 || !is_alnum(s.front())) return false;
    for (char c : s)
        if (!is_alnum(c) && c != '_' && c != '-' && c != '.') return false;
    return true;
}

/// A host name label pattern of RFC 5321 `sub-domain`: Let-dig [Ldh-str],
/// at most 63 octets.
constexpr bool is_sub_domain(std::string_view s) noexcept {
    if (s.empty() || s.size() > 63 || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
    for (char c : s)
        if (!is_alnum(c) && c != '-') return false;
    return true;
}

/// RFC 5321 `Domain`: sub-domain *("." sub-domain), at most 253 octets.
constexpr bool is_domain(std::string_view s) noexcept {
    if (s.empty() || s.size() > 253) return false;
    for (;;) {
        const auto dot = s.find('.');
        if (!is_sub_domain(s.substr(0, dot))) return false;
        if (dot == std::string_view::npos) return true;
        s.remove_prefix(dot + 1);
    }
}

}  // namespace lettre::mta_sts::detail
