#include "message/header_values.hpp"

#include "detail/utf8.hpp"
#include "message/address_parser.hpp"
#include "message/header_writer.hpp"

#include <algorithm>

namespace lettre::detail {
namespace {

constexpr std::string_view tspecials = "()<>@,;:\\\"/[]?=";
constexpr char hex[] = "0123456789ABCDEF";

bool is_attribute_char(unsigned char c) noexcept {
    return c > 0x20 && c < 0x7F && c != '*' && c != '\'' && c != '%' &&
           tspecials.find(static_cast<char>(c)) == std::string_view::npos;
}

std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

bool is_printable_ascii(std::string_view s) noexcept {
    for (char c : s)
        if (c < 0x20 || c > 0x7E) return false;
    return true;
}

void append_mailbox(std::vector<header_token>& out, const mailbox& m, std::size_t used) {
    if (m.name().empty()) {
        out.push_back({" ", m.email().to_string(), false});
        return;
    }
    auto name = phrase_tokens(m.name(), out.empty() ? used : fold_column);
    for (auto& t : name) out.push_back(std::move(t));
    out.push_back({" ", '<' + m.email().to_string() + '>', false});
}

bool dot_atom_text(std::string_view s) noexcept {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (s[i] == '.') {
            if (s[i + 1] == '.') return false;
        } else if (c >= 0x80 || !is_atext(s[i])) {
            return false;
        }
    }
    return true;
}

}  // namespace

bool is_mime_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7F || tspecials.find(ch) != std::string_view::npos) return false;
    }
    return true;
}

bool is_msg_id(std::string_view s) noexcept {
    if (s.size() < 5 || s.front() != '<' || s.back() != '>') return false;
    const std::string_view inner = s.substr(1, s.size() - 2);
    const std::size_t at = inner.rfind('@');
    if (at == std::string_view::npos) return false;
    const std::string_view left = inner.substr(0, at);
    const std::string_view right = inner.substr(at + 1);
    if (!dot_atom_text(left)) return false;
    if (right.size() >= 2 && right.front() == '[' && right.back() == ']') {
        for (char c : right.substr(1, right.size() - 2))
            if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\') return false;
        return true;
    }
    return dot_atom_text(right);
}

namespace {

/// The longest run without a space: what folding cannot break.
std::size_t longest_run(std::string_view s) noexcept {
    std::size_t longest = 0;
    std::size_t run = 0;
    for (const char c : s) {
        run = c == ' ' ? 0 : run + 1;
        longest = std::max(longest, run);
    }
    return longest;
}

/// A run of a name written as atoms or a quoted-string must fit a folded
/// line with its leading space and a following ':' or ',' (groups, lists).
constexpr std::size_t max_name_run = max_line - 8;

}  // namespace

std::vector<header_token> phrase_tokens(std::string_view name, std::size_t used) {
    std::vector<header_token> out;
    // Encoded-words (below) can be folded anywhere; atoms and quoted-strings
    // only at their spaces, so a name with a run too long for one line (a
    // quoted-string doubles its backslashes and quotes) is encoded instead.
    const bool foldable_as_text = is_ascii(name) && longest_run(name) * 2 + 2 <= max_name_run;
    if (foldable_as_text && is_plain_phrase(name)) {
        std::size_t start = 0;
        while (start <= name.size()) {
            std::size_t sp = name.find(' ', start);
            if (sp == std::string_view::npos) sp = name.size();
            out.push_back({" ", std::string(name.substr(start, sp - start)), false});
            start = sp + 1;
        }
    } else if (foldable_as_text && !needs_encoding(name)) {
        // A quoted string may fold at its spaces (RFC 5322 §3.2.4): unfolding
        // gives the same spaces back.
        const std::string q = quoted(name);
        std::size_t i = 0;
        std::string ws = " ";
        while (i < q.size()) {
            std::size_t end = i;
            while (end < q.size() && q[end] != ' ') ++end;
            out.push_back({ws, q.substr(i, end - i), false});
            std::size_t next = end;
            while (next < q.size() && q[next] == ' ') ++next;
            ws = q.substr(end, next - end);
            i = next;
        }
    } else {
        const std::size_t room = used + 1 + 16 < 76 ? 76 - used - 1 : max_encoded_word;
        for (auto& w : encode_words(name, std::min(room, max_encoded_word)))
            out.push_back({" ", std::move(w), true});
    }
    return out;
}

std::vector<header_token> address_list_tokens(const address_list& list, std::size_t used) {
    std::vector<header_token> out;
    const auto& entries = list.entries();
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (const auto* m = std::get_if<mailbox>(&entries[i])) {
            append_mailbox(out, *m, used);
        } else {
            const group& g = std::get<group>(entries[i]);
            auto name = phrase_tokens(g.name, out.empty() ? used : fold_column);
            const bool encoded = !name.empty() && name.back().encoded;
            for (auto& t : name) out.push_back(std::move(t));
            if (encoded)
                out.push_back({" ", ":", false});  // RFC 2047 §5: space after the word
            else
                out.back().text += ':';
            for (std::size_t k = 0; k < g.members.size(); ++k) {
                append_mailbox(out, g.members[k], used);
                if (k + 1 < g.members.size()) out.back().text += ',';
            }
            out.back().text += ';';
        }
        if (i + 1 < entries.size()) out.back().text += ',';
    }
    if (!out.empty()) out.front().ws.clear();
    return out;
}

void append_parameter(std::vector<header_token>& tokens, std::string_view name,
                      std::string_view value) {
    tokens.back().text += ';';
    // "name=value" must fit a line after " " and the ";" that may follow.
    constexpr std::size_t room = fold_column - 2;
    if (is_mime_token(value) && name.size() + 1 + value.size() <= room) {
        tokens.push_back({" ", std::string(name) + '=' + std::string(value), false});
        return;
    }
    // "=?" inside quotes is not an encoded-word (RFC 2047 §5), but readers
    // decode it anyway; RFC 2231 form leaves no doubt.
    if (is_printable_ascii(value) && value.find("=?") == std::string_view::npos) {
        std::string q = quoted(value);
        if (name.size() + 1 + q.size() <= room) {
            tokens.push_back({" ", std::string(name) + '=' + q, false});
            return;
        }
    }
    // RFC 2231: charset'' then percent-encoded octets, split into numbered
    // segments that each fit a line; never split a %XX or a UTF-8 sequence.
    std::vector<std::string> segments(1, "utf-8''");
    auto seg_head = [&](std::size_t n) {
        return std::string(name) + '*' + std::to_string(n) + "*=";
    };
    for (std::size_t i = 0; i < value.size();) {
        const std::size_t seq =
            std::min(utf8_sequence_length(static_cast<unsigned char>(value[i])), value.size() - i);
        std::string piece;
        for (std::size_t k = 0; k < seq; ++k) {
            const auto c = static_cast<unsigned char>(value[i + k]);
            if (is_attribute_char(c)) {
                piece += static_cast<char>(c);
            } else {
                piece += '%';
                piece += hex[c >> 4];
                piece += hex[c & 15];
            }
        }
        if (seg_head(segments.size() - 1).size() + segments.back().size() + piece.size() > room &&
            segments.back().size() > (segments.size() == 1 ? 7u : 0u))
            segments.emplace_back();
        segments.back() += piece;
        i += seq;
    }
    if (segments.size() == 1) {
        tokens.push_back({" ", std::string(name) + "*=" + segments[0], false});
        return;
    }
    for (std::size_t n = 0; n < segments.size(); ++n) {
        if (n > 0) tokens.back().text += ';';
        tokens.push_back({" ", seg_head(n) + segments[n], false});
    }
}

std::vector<header_token> content_type_tokens(const content_type& type) {
    std::vector<header_token> out;
    out.push_back({"", type.essence(), false});
    for (const auto& [name, value] : type.parameters()) append_parameter(out, name, value);
    return out;
}

std::vector<header_token> disposition_tokens(std::string_view disposition,
                                             const std::string* filename) {
    std::vector<header_token> out;
    out.push_back({"", std::string(disposition), false});
    if (filename) append_parameter(out, "filename", *filename);
    return out;
}

}  // namespace lettre::detail
