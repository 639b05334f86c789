#include <lettre/message/content_type.hpp>

#include "detail/utf8.hpp"
#include "message/header_values.hpp"

#include <fmt/format.h>

namespace lettre {
namespace {

error_info bad(std::string_view text, std::string_view what, std::size_t at) {
    return make_error(errc::invalid_content_type,
                      fmt::format("invalid content type {}: {} at offset {}",
                                  detail::quote_for_error(text), what, at));
}

void skip_ws(std::string_view s, std::size_t& i) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
}

std::string_view read_token(std::string_view s, std::size_t& i) {
    const std::size_t start = i;
    while (i < s.size() && detail::is_mime_token(s.substr(i, 1))) ++i;
    return s.substr(start, i - start);
}

}  // namespace

result<content_type> content_type::try_parse(std::string_view text) {
    if (const auto bad_at = detail::find_line_break_or_nul(text); bad_at != std::string_view::npos)
        return make_error(errc::header_injection,
                          fmt::format("invalid content type {}: CR, LF or NUL at offset {}",
                                      detail::quote_for_error(text), bad_at));
    content_type ct;
    std::size_t i = 0;
    skip_ws(text, i);
    const auto type = read_token(text, i);
    if (type.empty()) return bad(text, "expected a type", i);
    if (i >= text.size() || text[i] != '/') return bad(text, "expected '/'", i);
    ++i;
    const auto subtype = read_token(text, i);
    if (subtype.empty()) return bad(text, "expected a subtype", i);
    ct.type_ = detail::to_lower_ascii(type);
    ct.subtype_ = detail::to_lower_ascii(subtype);
    while (true) {
        skip_ws(text, i);
        if (i >= text.size()) break;
        if (text[i] != ';') return bad(text, "expected ';'", i);
        ++i;
        skip_ws(text, i);
        if (i >= text.size()) break;  // a trailing ';' is common and harmless
        const auto name = read_token(text, i);
        if (name.empty()) return bad(text, "expected a parameter name", i);
        skip_ws(text, i);
        if (i >= text.size() || text[i] != '=') return bad(text, "expected '='", i);
        ++i;
        skip_ws(text, i);
        std::string value;
        if (i < text.size() && text[i] == '"') {
            const std::size_t open = i++;
            bool closed = false;
            while (i < text.size()) {
                if (text[i] == '\\' && i + 1 < text.size()) {
                    value += text[i + 1];
                    i += 2;
                } else if (text[i] == '"') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    value += text[i++];
                }
            }
            if (!closed) return bad(text, "unterminated quoted string", open);
        } else {
            const auto token = read_token(text, i);
            if (token.empty()) return bad(text, "expected a parameter value", i);
            value = token;
        }
        ct.set_parameter(name, value);
    }
    return ct;
}

content_type content_type::parse(std::string_view text) {
    auto r = try_parse(text);
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

content_type content_type::text_plain() {
    content_type ct;
    ct.type_ = "text";
    ct.subtype_ = "plain";
    ct.params_.emplace_back("charset", "utf-8");
    return ct;
}

content_type content_type::text_html() {
    content_type ct = text_plain();
    ct.subtype_ = "html";
    return ct;
}

content_type content_type::octet_stream() {
    content_type ct;
    ct.type_ = "application";
    ct.subtype_ = "octet-stream";
    return ct;
}

std::string_view content_type::parameter_value(std::string_view name) const noexcept {
    for (const auto& [n, v] : params_)
        if (detail::iequals(n, name)) return v;
    return {};
}

content_type& content_type::set_parameter(std::string_view name, std::string_view value) {
    if (!detail::is_mime_token(name))
        throw error(
            make_error(errc::invalid_content_type,
                       fmt::format("invalid parameter name {}", detail::quote_for_error(name))));
    if (detail::find_line_break_or_nul(value) != std::string_view::npos)
        throw error(
            make_error(errc::header_injection, fmt::format("CR, LF or NUL in parameter {} value {}",
                                                           name, detail::quote_for_error(value))));
    const std::string lower = detail::to_lower_ascii(name);
    for (auto& [n, v] : params_) {
        if (n == lower) {
            v = value;
            return *this;
        }
    }
    params_.emplace_back(lower, std::string(value));
    return *this;
}

std::string content_type::to_string() const {
    std::string out = essence();
    for (const auto& [n, v] : params_) {
        out += "; ";
        out += n;
        out += '=';
        if (detail::is_mime_token(v)) {
            out += v;
        } else {
            out += '"';
            for (char c : v) {
                if (c == '"' || c == '\\') out += '\\';
                out += c;
            }
            out += '"';
        }
    }
    return out;
}

}  // namespace lettre
