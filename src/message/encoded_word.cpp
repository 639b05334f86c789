#include "message/encoded_word.hpp"

#include "detail/base64.hpp"
#include "detail/utf8.hpp"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <optional>

namespace lettre::detail {
namespace {

constexpr std::string_view q_prefix = "=?utf-8?q?";
constexpr std::string_view b_prefix = "=?utf-8?b?";
constexpr std::size_t overhead = 12;  // prefix (10) + "?=" (2)
constexpr char hex[] = "0123456789ABCDEF";

bool q_literal(unsigned char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '!' ||
           c == '*' || c == '+' || c == '-' || c == '/';
}

std::size_t q_cost(unsigned char c) noexcept {
    return q_literal(c) || c == ' ' ? 1 : 3;
}

void append_q(std::string& out, std::string_view bytes) {
    for (char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (q_literal(c)) {
            out += ch;
        } else if (c == ' ') {
            out += '_';
        } else {
            out += '=';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
}

std::size_t sequence_at(std::string_view s, std::size_t i) noexcept {
    return std::min(utf8_sequence_length(static_cast<unsigned char>(s[i])), s.size() - i);
}

bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t';
}

}  // namespace

std::vector<std::string> encode_words(std::string_view utf8, std::size_t first_max) {
    std::vector<std::string> words;
    std::size_t p = 0;
    while (p < utf8.size()) {
        const std::size_t max_word = words.empty() ? first_max : max_encoded_word;
        const std::size_t room = max_word > overhead + 4 ? max_word - overhead : 4;
        // Longest chunk each encoding can carry in `room` characters.
        std::size_t q_end = p, q_len = 0;
        while (q_end < utf8.size()) {
            const std::size_t seq = sequence_at(utf8, q_end);
            std::size_t cost = 0;
            for (std::size_t k = 0; k < seq; ++k)
                cost += q_cost(static_cast<unsigned char>(utf8[q_end + k]));
            if (q_len + cost > room) break;
            q_len += cost;
            q_end += seq;
        }
        const std::size_t b_bytes = room / 4 * 3;
        std::size_t b_end = p;
        while (b_end < utf8.size()) {
            const std::size_t seq = sequence_at(utf8, b_end);
            if (b_end + seq - p > b_bytes) break;
            b_end += seq;
        }
        if (q_end == p && b_end == p) {  // room too small for one character
            q_end = p + sequence_at(utf8, p);
            b_end = q_end;
        }
        const std::size_t b_len = base64_size(b_end - p);
        const bool use_q = q_end > b_end || (q_end == b_end && q_len <= b_len);
        std::string w;
        if (use_q) {
            w.reserve(overhead + q_len);
            w += q_prefix;
            append_q(w, utf8.substr(p, q_end - p));
            p = q_end;
        } else {
            w.reserve(overhead + b_len);
            w += b_prefix;
            append_base64(w, utf8.substr(p, b_end - p));
            p = b_end;
        }
        w += "?=";
        words.push_back(std::move(w));
    }
    return words;
}

bool needs_encoding(std::string_view text) noexcept {
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= 0x7F || (c < 0x20 && c != '\t')) return true;
    }
    return text.find("=?") != std::string_view::npos;
}

std::vector<header_token> unstructured_tokens(std::string_view text, std::size_t used,
                                              std::size_t long_word) {
    while (!text.empty() && is_wsp(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_wsp(text.back())) text.remove_suffix(1);

    struct segment {
        std::string_view ws, word;
        bool encode;
    };
    std::vector<segment> segs;
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t ws_start = i;
        while (i < text.size() && is_wsp(text[i])) ++i;
        const std::size_t word_start = i;
        while (i < text.size() && !is_wsp(text[i])) ++i;
        const std::string_view w = text.substr(word_start, i - word_start);
        segs.push_back({text.substr(ws_start, word_start - ws_start), w,
                        needs_encoding(w) || w.size() > long_word});
    }

    std::vector<header_token> tokens;
    for (std::size_t k = 0; k < segs.size();) {
        if (!segs[k].encode) {
            tokens.push_back({std::string(segs[k].ws), std::string(segs[k].word), false});
            ++k;
            continue;
        }
        // A run of words to encode: the white space between them goes inside
        // the encoded text, since decoders drop it between encoded-words.
        const std::size_t first = k;
        std::string run(segs[k].word);
        for (++k; k < segs.size() && segs[k].encode; ++k) {
            run += segs[k].ws;
            run += segs[k].word;
        }
        std::size_t first_max = max_encoded_word;
        if (tokens.empty() && used + overhead + 4 < 76) first_max = std::min(first_max, 76 - used);
        auto words = encode_words(run, first_max);
        for (std::size_t w = 0; w < words.size(); ++w)
            tokens.push_back({w == 0 ? std::string(segs[first].ws) : std::string(" "),
                              std::move(words[w]), true});
    }
    return tokens;
}

namespace {

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

struct decoded_word {
    std::string charset;
    std::string bytes;
    std::size_t length = 0;  // characters consumed
};

/// Parses one encoded-word at the start of `s`.
std::optional<decoded_word> parse_word(std::string_view s) {
    if (!s.starts_with("=?")) return std::nullopt;
    const std::size_t q1 = s.find('?', 2);
    if (q1 == std::string_view::npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') return std::nullopt;
    const char enc = s[q1 + 1];
    const std::size_t end = s.find("?=", q1 + 3);
    if (end == std::string_view::npos) return std::nullopt;
    const std::string_view text = s.substr(q1 + 3, end - q1 - 3);
    if (text.find_first_of(" \t?") != std::string_view::npos) return std::nullopt;
    decoded_word w;
    w.charset = to_lower_ascii(s.substr(2, q1 - 2));
    if (const auto star = w.charset.find('*'); star != std::string::npos)
        w.charset.resize(star);  // RFC 2231 §5 language
    if (w.charset.empty()) return std::nullopt;
    if (enc == 'Q' || enc == 'q') {
        for (std::size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            if (c == '_') {
                w.bytes += ' ';
            } else if (c == '=') {
                const int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
                const int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
                if (hi < 0 || lo < 0) return std::nullopt;
                w.bytes += static_cast<char>(hi * 16 + lo);
                i += 2;
            } else {
                w.bytes += c;
            }
        }
    } else if (enc == 'B' || enc == 'b') {
        if (!decode_base64(text, w.bytes)) return std::nullopt;
    } else {
        return std::nullopt;
    }
    w.length = end + 2;
    return w;
}

std::optional<std::string> to_utf8(const std::string& charset, const std::string& bytes) {
    if (charset == "utf-8" || charset == "utf8" || charset == "us-ascii") return bytes;
    iconv_t cd = iconv_open("UTF-8", charset.c_str());
    if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
    std::string out(bytes.size() * 4 + 16, '\0');
    char* in_ptr = const_cast<char*>(bytes.data());
    std::size_t in_left = bytes.size();
    char* out_ptr = out.data();
    std::size_t out_left = out.size();
    const std::size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
    iconv_close(cd);
    if (rc == static_cast<std::size_t>(-1)) return std::nullopt;
    out.resize(out.size() - out_left);
    return out;
}

}  // namespace

result<std::string> decode_unstructured(std::string_view value) {
    std::string unfolded;
    unfolded.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\r' && i + 1 < value.size() && value[i + 1] == '\n') {
            ++i;
            continue;
        }
        if (value[i] == '\n') continue;
        unfolded += value[i];
    }

    std::string out;
    std::string pending_ws;       // white space not yet written
    std::string pending_charset;  // bytes of adjacent encoded-words, same charset
    std::string pending_bytes;
    bool last_was_word = false;
    auto flush = [&] {
        if (pending_charset.empty()) return;
        auto text = to_utf8(pending_charset, pending_bytes);
        out += text ? *text : pending_bytes;
        pending_charset.clear();
        pending_bytes.clear();
    };

    const std::string_view s = unfolded;
    std::size_t i = 0;
    while (i < s.size()) {
        if (is_wsp(s[i])) {
            pending_ws += s[i++];
            continue;
        }
        std::size_t end = i;
        while (end < s.size() && !is_wsp(s[end])) ++end;
        const std::string_view run = s.substr(i, end - i);
        // A run is decoded only when it is one or more whole encoded-words.
        std::vector<decoded_word> words;
        std::size_t pos = 0;
        while (pos < run.size()) {
            auto w = parse_word(run.substr(pos));
            if (!w) break;
            pos += w->length;
            words.push_back(std::move(*w));
        }
        if (!words.empty() && pos == run.size() &&
            std::all_of(words.begin(), words.end(),
                        [](const decoded_word& w) { return to_utf8(w.charset, "").has_value(); })) {
            if (!last_was_word) {
                out += pending_ws;
            }
            pending_ws.clear();
            for (auto& w : words) {
                if (w.charset != pending_charset) flush();
                pending_charset = w.charset;
                pending_bytes += w.bytes;
            }
            last_was_word = true;
        } else {
            flush();
            out += pending_ws;
            pending_ws.clear();
            out += run;
            last_was_word = false;
        }
        i = end;
    }
    flush();
    out += pending_ws;
    return out;
}

}  // namespace lettre::detail
