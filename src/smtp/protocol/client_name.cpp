#include "smtp/protocol/client_name.hpp"

#include <cstddef>

namespace lettre::smtp::detail {
namespace {

constexpr std::size_t max_domain = 255;  ///< RFC 5321 §4.5.3.1.2
constexpr std::size_t max_label = 63;    ///< RFC 1035 §2.3.4

bool is_let_dig(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/// Splits off the text up to `sep` (all of it when absent).
std::string_view take_until(std::string_view& rest, char sep, bool& found) noexcept {
    const std::size_t at = rest.find(sep);
    found = at != std::string_view::npos;
    const std::string_view head = rest.substr(0, at);
    rest = found ? rest.substr(at + 1) : std::string_view();
    return head;
}

/// sub-domain = Let-dig [Ldh-str]: no empty label, no hyphen at either end.
std::optional<std::string_view> domain_problem(std::string_view name) noexcept {
    if (name.size() > max_domain) return "longer than 255 characters";
    bool more = true;
    while (more) {
        const std::string_view label = take_until(name, '.', more);
        if (label.empty()) return "an empty label (two dots, or a dot at an end)";
        if (label.size() > max_label) return "a label longer than 63 characters";
        for (char c : label)
            if (!is_let_dig(c) && c != '-')
                return "only letters, digits, hyphens and dots may appear in a domain";
        if (label.front() == '-' || label.back() == '-')
            return "a label that starts or ends with a hyphen";
    }
    return std::nullopt;
}

/// Snum = 1*3DIGIT representing a decimal integer value in the range 0-255.
bool is_octet(std::string_view s) noexcept {
    if (s.empty() || s.size() > 3) return false;
    unsigned value = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value <= 255;
}

bool is_ipv4(std::string_view s) noexcept {
    for (int i = 0; i < 4; ++i) {
        bool more = false;
        if (!is_octet(take_until(s, '.', more))) return false;
        if (more != (i < 3)) return false;
    }
    return true;
}

/// Counts the 16-bit groups of one side of "::" (an IPv4 tail counts two);
/// -1 when the side is malformed. `last` allows the IPv4 tail.
int count_groups(std::string_view side, bool last) noexcept {
    if (side.empty()) return 0;
    int groups = 0;
    bool more = true;
    while (more) {
        const std::string_view group = take_until(side, ':', more);
        if (!more && last && group.find('.') != std::string_view::npos)
            return is_ipv4(group) ? groups + 2 : -1;
        if (group.empty() || group.size() > 4) return -1;
        for (char c : group)
            if (!is_hex(c)) return -1;
        ++groups;
    }
    return groups;
}

/// RFC 4291 §2.2 text forms (RFC 5321 IPv6-addr): eight groups, or fewer
/// around one "::", with an optional dotted IPv4 tail.
bool is_ipv6(std::string_view s) noexcept {
    const std::size_t gap = s.find("::");
    if (gap == std::string_view::npos) return count_groups(s, true) == 8;
    const std::string_view before = s.substr(0, gap);
    const std::string_view after = s.substr(gap + 2);
    if (after.find("::") != std::string_view::npos) return false;
    const int head = count_groups(before, false);
    const int tail = count_groups(after, true);
    return head >= 0 && tail >= 0 && head + tail <= 7;
}

std::optional<std::string_view> literal_problem(std::string_view name) noexcept {
    if (name.size() < 2 || name.back() != ']') return "an address literal ends with ']'";
    const std::string_view inside = name.substr(1, name.size() - 2);
    constexpr std::string_view v6_tag = "IPv6:";
    if (inside.starts_with(v6_tag)) {
        if (is_ipv6(inside.substr(v6_tag.size()))) return std::nullopt;
        return "not an IPv6 address after [IPv6:";
    }
    if (is_ipv4(inside)) return std::nullopt;
    return "not an IPv4 address (four numbers from 0 to 255) or [IPv6:...]";
}

}  // namespace

std::optional<std::string_view> client_name_problem(std::string_view name) noexcept {
    if (name.empty()) return "empty";
    if (name.front() == '[') return literal_problem(name);
    return domain_problem(name);
}

}  // namespace lettre::smtp::detail
