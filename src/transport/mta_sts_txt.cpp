// The `_mta-sts` TXT record (RFC 8461 §3.1), parsed strictly.
#include "transport/mta_sts_syntax.hpp"

#include <lettre/transport/mta_sts.hpp>

#include "detail/utf8.hpp"

#include <fmt/format.h>

namespace lettre::mta_sts {

namespace {

using detail::is_wsp;

constexpr std::string_view version_tag = "v=STSv1";

error_info invalid(std::string_view text, std::string_view why) {
    return make_error(
        errc::mta_sts_invalid_policy,
        fmt::format("MTA-STS TXT record {}: {}", lettre::detail::quote_for_error(text), why));
}

/// sts-ext-value: 1*(%x21-3A / %x3C / %x3E-7E).
bool is_ext_value(std::string_view v) noexcept {
    if (v.empty()) return false;
    for (char c : v)
        if (c < 0x21 || c > 0x7e || c == ';' || c == '=') return false;
    return true;
}

bool is_id(std::string_view v) noexcept {
    if (v.empty() || v.size() > 32) return false;
    for (char c : v)
        if (!detail::is_alnum(c)) return false;
    return true;
}

std::string_view skip_wsp(std::string_view s) {
    while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
    return s;
}

/// The record starts with the version tag, ended by a delimiter or the end.
bool starts_with_version(std::string_view text) {
    if (!text.starts_with(version_tag)) return false;
    const auto rest = text.substr(version_tag.size());
    return rest.empty() || rest.front() == ';' || is_wsp(rest.front());
}

}  // namespace

std::string sts_record_name(std::string_view domain) {
    return "_mta-sts." + std::string(domain);
}

result<sts_record> parse_sts_record(std::string_view text) {
    if (!starts_with_version(text)) return invalid(text, "it does not start with v=STSv1");
    std::string_view rest = text.substr(version_tag.size());
    std::optional<std::string> id;
    bool fields = false;
    while (!rest.empty()) {
        rest = skip_wsp(rest);
        if (rest.empty() || rest.front() != ';')
            return invalid(text, "fields must be separated by ';'");
        rest = skip_wsp(rest.substr(1));
        if (rest.empty()) break;  // a final delimiter
        const auto end = rest.find_first_of("; \t");
        const auto field = rest.substr(0, end);
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
        const auto eq = field.find('=');
        if (eq == std::string_view::npos)
            return invalid(
                text, fmt::format("field {} has no '='", lettre::detail::quote_for_error(field)));
        const auto name = field.substr(0, eq);
        const auto value = field.substr(eq + 1);
        if (name == "id") {
            if (id) return invalid(text, "it has two id fields");
            if (!is_id(value))
                return invalid(text, fmt::format("id {} must be 1 to 32 letters and digits",
                                                 lettre::detail::quote_for_error(value)));
            id = std::string(value);
        } else if (!detail::is_ext_name(name) || !is_ext_value(value)) {
            return invalid(text, fmt::format("field {} is not name=value",
                                             lettre::detail::quote_for_error(field)));
        }
        fields = true;
    }
    if (!fields || !id) return invalid(text, "it has no id field (v=STSv1; id=...)");
    return sts_record{std::move(*id)};
}

result<std::optional<sts_record>> select_sts_record(const std::vector<dns::txt_record>& records) {
    const dns::txt_record* found = nullptr;
    for (const auto& r : records) {
        if (!starts_with_version(r.text())) continue;
        if (found)
            return make_error(errc::mta_sts_invalid_policy,
                              "two v=STSv1 TXT records: the domain has no usable MTA-STS "
                              "policy (RFC 8461 §3.1)");
        found = &r;
    }
    if (!found) return std::optional<sts_record>{};
    auto parsed = parse_sts_record(found->text());
    if (!parsed) return parsed.error();
    return std::optional<sts_record>{std::move(*parsed)};
}

}  // namespace lettre::mta_sts
