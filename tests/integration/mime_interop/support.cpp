#include "support.hpp"

#include <array>

namespace interop {

void json::dump_string(std::string& out, std::string_view s) {
    if (!valid_utf8(s)) throw std::runtime_error("JSON string is not valid UTF-8");
    static constexpr std::string_view hex = "0123456789abcdef";
    out += '"';
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += ch;
        }
    }
    out += '"';
}

void json::dump_to(std::string& out, int level) const {
    switch (v_.index()) {
        case 0: out += "null"; break;
        case 1: out += std::get<bool>(v_) ? "true" : "false"; break;
        case 2: out += std::to_string(std::get<long long>(v_)); break;
        case 3: dump_string(out, std::get<std::string>(v_)); break;
        case 4: {
            const auto& a = std::get<array>(v_);
            out += '[';
            for (std::size_t i = 0; i < a.size(); ++i) {
                if (i > 0) out += ',';
                indent(out, level + 1);
                a[i].dump_to(out, level + 1);
            }
            if (!a.empty()) indent(out, level);
            out += ']';
            break;
        }
        default: {
            const auto& o = std::get<object>(v_);
            out += '{';
            for (std::size_t i = 0; i < o.size(); ++i) {
                if (i > 0) out += ',';
                indent(out, level + 1);
                dump_string(out, o[i].first);
                out += ": ";
                o[i].second.dump_to(out, level + 1);
            }
            if (!o.empty()) indent(out, level);
            out += '}';
            break;
        }
    }
}

bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0u) != 0x80u) return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

std::string base64(std::string_view bytes) {
    static constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                                std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        std::uint32_t v = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
        if (rest == 2) v |= std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += rest == 2 ? alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::string to_lf(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string repeat(std::string_view s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

json mbox(std::string_view name, std::string_view local, std::string_view domain) {
    return json::obj().set("name", name).set("local", local).set("domain", domain);
}

json single(json mailbox) {
    return json::obj().set("group", nullptr).set("members", json::array{std::move(mailbox)});
}

json group(std::string_view name, json::array members) {
    return json::obj().set("group", name).set("members", std::move(members));
}

node& node::add(node child) {
    part.add(std::move(child.part));
    expect.at("children").push(std::move(child.expect));
    return *this;
}

json leaf_expect(std::string_view type, bool text, std::string_view data,
                 std::optional<std::string> disposition, std::optional<std::string> filename,
                 std::optional<std::string> content_id) {
    auto j = json::obj()
                 .set("type", type)
                 .set("text", text)
                 .set("data_b64", base64(text ? to_lf(data) : std::string(data)))
                 .set("size", text ? to_lf(data).size() : data.size())
                 .set("disposition", disposition)
                 .set("filename", filename)
                 .set("content_id", content_id)
                 .set("params", json::obj())
                 .set("headers", json::arr());
    if (text && type.starts_with("text/")) j.at("params").set("charset", "utf-8");
    return j;
}

node text_part(std::string s) {
    auto j = leaf_expect("text/plain", true, s);
    return {lettre::part::text(std::move(s)), std::move(j)};
}

node html_part(std::string s) {
    auto j = leaf_expect("text/html", true, s);
    return {lettre::part::html(std::move(s)), std::move(j)};
}

node body_part(std::string bytes, std::string_view content_type) {
    const auto ct = lettre::content_type::parse(content_type);
    auto j = leaf_expect(ct.essence(), ct.is_text(), bytes);
    auto params = json::obj();
    for (const auto& [k, v] : ct.parameters()) params.set(k, v);
    j.set("params", std::move(params));
    return {lettre::part::body(std::move(bytes), ct), std::move(j)};
}

node attachment(std::string_view filename, std::string bytes, std::string_view expected_type,
                std::optional<std::string> explicit_type) {
    std::optional<lettre::content_type> ct;
    if (explicit_type) ct = lettre::content_type::parse(*explicit_type);
    const bool text = expected_type.starts_with("text/");
    auto j = leaf_expect(expected_type, text, bytes, "attachment", std::string(filename));
    if (ct) {
        auto params = json::obj();
        for (const auto& [k, v] : ct->parameters()) params.set(k, v);
        j.set("params", std::move(params));
    } else if (!text) {
        j.set("params", json::obj());
    }
    return {lettre::part::attachment(filename, std::move(bytes), ct), std::move(j)};
}

node inline_part(std::string_view cid, std::string bytes, std::string_view type) {
    const auto ct = lettre::content_type::parse(type);
    auto j = leaf_expect(ct.essence(), ct.is_text(), bytes, "inline?", std::nullopt,
                         "<" + std::string(cid) + ">");
    return {lettre::part::inline_body(cid, std::move(bytes), ct), std::move(j)};
}

node multipart(lettre::part p, std::string_view essence) {
    return {std::move(p), json::obj().set("type", essence).set("children", json::arr())};
}

static json multi_expect(std::string_view essence, json::array children) {
    return json::obj().set("type", essence).set("children", std::move(children));
}

json assemble(const std::optional<json>& text, const std::optional<json>& html,
              const std::vector<json>& inline_parts, const std::vector<json>& attachments) {
    std::optional<json> html_node = html;
    if (html && !inline_parts.empty()) {
        json::array kids{*html};
        kids.insert(kids.end(), inline_parts.begin(), inline_parts.end());
        html_node = multi_expect("multipart/related", std::move(kids));
    }
    std::optional<json> core;
    if (text && html_node)
        core = multi_expect("multipart/alternative", json::array{*text, *html_node});
    else if (text)
        core = text;
    else
        core = html_node;
    if (attachments.empty()) return core ? *core : json();
    json::array kids;
    if (core) kids.push_back(*core);
    kids.insert(kids.end(), attachments.begin(), attachments.end());
    return multi_expect("multipart/mixed", std::move(kids));
}

void expectation::header(std::string_view name, std::vector<std::string> values,
                         std::string_view match) {
    json::array v;
    for (auto& s : values) v.emplace_back(std::move(s));
    headers.push(json::obj().set("name", name).set("values", std::move(v)).set("match", match));
}

}  // namespace interop
