// Helpers shared by the unit tests: error checks, line splitting, header
// unfolding, a small MIME reader, independent decoders (base64, quoted-
// printable, RFC 2047 words, RFC 2231 parameters), a tiny JSON reader and a
// temporary directory. They are written from the RFCs, independently of the
// library, so that the tests check properties rather than the library's own
// choices.
#pragma once

#include <lettre/lettre.hpp>

#include "message/encoded_word.hpp"  // internal (-I src): lettre::detail::decode_unstructured

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace lettre_test {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Errors

inline std::error_code ec(lettre::errc e) {
    return lettre::make_error_code(e);
}

/// Runs `f` and returns the code of the lettre::error it throws, or an empty
/// error_code when it returns normally. Other exceptions escape (and fail the
/// test).
template <class F>
std::error_code thrown_code(F&& f) {
    try {
        f();
    } catch (const lettre::error& e) {
        EXPECT_EQ(e.code(), e.info().code) << "system_error::code() and info().code differ";
        EXPECT_FALSE(e.info().message.empty()) << "error without a message";
        return e.info().code;
    }
    return {};
}

/// Runs `f` and returns the message of the lettre::error it throws ("" when none).
template <class F>
std::string thrown_message(F&& f) {
    try {
        f();
    } catch (const lettre::error& e) {
        return e.info().message;
    }
    return {};
}

template <class T>
std::error_code code_of(const lettre::result<T>& r) {
    return r.has_value() ? std::error_code{} : r.error().code;
}

}  // namespace lettre_test

/// EXPECT that evaluating `expr` throws lettre::error with `code`.
#define EXPECT_LETTRE_THROW(expr, code)                                     \
    EXPECT_EQ(::lettre_test::thrown_code([&] { static_cast<void>(expr); }), \
              ::lettre::make_error_code(code))                              \
        << "expression: " #expr

/// EXPECT that a lettre::result holds an error with `code`.
#define EXPECT_LETTRE_ERROR(res, code) \
    EXPECT_EQ(::lettre_test::code_of(res), ::lettre::make_error_code(code)) << "expression: " #res

/// EXPECT that a lettre::result holds a value (prints the error otherwise).
/// `res` is evaluated once.
#define EXPECT_LETTRE_OK(res)                                                       \
    do {                                                                            \
        const auto& lettre_ok_result_ = (res);                                      \
        EXPECT_TRUE(lettre_ok_result_.has_value())                                  \
            << "expression: " #res << "\n  error: "                                 \
            << (lettre_ok_result_.has_value() ? std::string()                       \
                                              : lettre_ok_result_.error().message); \
    } while (false)

#define ASSERT_LETTRE_OK(res)                                                       \
    do {                                                                            \
        const auto& lettre_ok_result_ = (res);                                      \
        ASSERT_TRUE(lettre_ok_result_.has_value())                                  \
            << "expression: " #res << "\n  error: "                                 \
            << (lettre_ok_result_.has_value() ? std::string()                       \
                                              : lettre_ok_result_.error().message); \
    } while (false)

namespace lettre_test {

/// Matcher: an error_code equal to one of the given lettre codes.
inline auto is_one_of(lettre::errc a, lettre::errc b) {
    return ::testing::AnyOf(::testing::Eq(ec(a)), ::testing::Eq(ec(b)));
}
inline auto is_one_of(lettre::errc a, lettre::errc b, lettre::errc c) {
    return ::testing::AnyOf(::testing::Eq(ec(a)), ::testing::Eq(ec(b)), ::testing::Eq(ec(c)));
}

// ---------------------------------------------------------------------------
// Text

inline std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

inline bool iequals(std::string_view a, std::string_view b) {
    return to_lower(a) == to_lower(b);
}

inline bool istarts_with(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

inline std::string_view trim(std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

inline std::string repeat(std::string_view s, std::size_t n) {
    std::string out;
    out.reserve(s.size() * n);
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

inline std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i != 0) out += sep;
        out += parts[i];
    }
    return out;
}

inline unsigned char byte_at(std::string_view s, std::size_t i) {
    return static_cast<unsigned char>(s[i]);
}

/// Splits on CRLF. A trailing CRLF does not produce a final empty line. Bare
/// CR or LF stay inside the lines (see has_bare_cr_or_lf).
inline std::vector<std::string> split_crlf(std::string_view s) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < s.size()) {
        std::size_t pos = s.find("\r\n", start);
        if (pos == std::string_view::npos) {
            lines.emplace_back(s.substr(start));
            break;
        }
        lines.emplace_back(s.substr(start, pos - start));
        start = pos + 2;
    }
    return lines;
}

/// True when `s` holds a CR not followed by LF or an LF not preceded by CR.
inline bool has_bare_cr_or_lf(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && (i + 1 >= s.size() || s[i + 1] != '\n')) return true;
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return true;
    }
    return false;
}

inline std::size_t max_line_length(std::string_view s) {
    std::size_t m = 0;
    for (const auto& l : split_crlf(s)) m = std::max(m, l.size());
    return m;
}

inline bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

/// Strict UTF-8 validation (no overlongs, no surrogates, <= U+10FFFF).
inline bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = byte_at(s, i);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + len > s.size()) return false;
        for (std::size_t k = 1; k < len; ++k) {
            const unsigned char cc = byte_at(s, i + k);
            if ((cc & 0xC0u) != 0x80u) return false;
            cp = (cp << 6) | (cc & 0x3Fu);
        }
        if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
        if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
        i += len;
    }
    return true;
}

/// Removes a single trailing CRLF, if any (bodies may or may not end with one).
inline std::string_view chomp_crlf(std::string_view s) {
    if (s.size() >= 2 && s.substr(s.size() - 2) == "\r\n") s.remove_suffix(2);
    return s;
}

/// LF, CR and CRLF all become CRLF (the canonical form of text).
inline std::string to_crlf(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += "\r\n";
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else if (s[i] == '\n') {
            out += "\r\n";
        } else {
            out += s[i];
        }
    }
    return out;
}

// ---------------------------------------------------------------------------
// Decoders written from the RFCs

inline int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

inline bool is_upper_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/// Base64 (RFC 4648) ignoring CR, LF; nullopt on any other non-alphabet byte
/// or bad padding.
inline std::optional<std::string> base64_decode(std::string_view in) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string clean;
    for (char c : in) {
        if (c == '\r' || c == '\n') continue;
        clean += c;
    }
    if (clean.size() % 4 != 0) return std::nullopt;
    std::string out;
    for (std::size_t i = 0; i < clean.size(); i += 4) {
        int v[4];
        int pad = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const char c = clean[i + k];
            if (c == '=') {
                if (i + 4 != clean.size() || k < 2) return std::nullopt;
                v[k] = 0;
                ++pad;
            } else {
                if (pad != 0) return std::nullopt;
                v[k] = value(c);
                if (v[k] < 0) return std::nullopt;
            }
        }
        const auto n = static_cast<std::uint32_t>((v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3]);
        out += static_cast<char>((n >> 16) & 0xFFu);
        if (pad < 2) out += static_cast<char>((n >> 8) & 0xFFu);
        if (pad < 1) out += static_cast<char>(n & 0xFFu);
    }
    return out;
}

inline std::string base64_encode(std::string_view in) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const std::uint32_t n = (std::uint32_t{byte_at(in, i)} << 16) |
                                (std::uint32_t{byte_at(in, i + 1)} << 8) | byte_at(in, i + 2);
        out += alphabet[(n >> 18) & 63u];
        out += alphabet[(n >> 12) & 63u];
        out += alphabet[(n >> 6) & 63u];
        out += alphabet[n & 63u];
    }
    if (i + 1 == in.size()) {
        const std::uint32_t n = std::uint32_t{byte_at(in, i)} << 16;
        out += alphabet[(n >> 18) & 63u];
        out += alphabet[(n >> 12) & 63u];
        out += "==";
    } else if (i + 2 == in.size()) {
        const std::uint32_t n =
            (std::uint32_t{byte_at(in, i)} << 16) | (std::uint32_t{byte_at(in, i + 1)} << 8);
        out += alphabet[(n >> 18) & 63u];
        out += alphabet[(n >> 12) & 63u];
        out += alphabet[(n >> 6) & 63u];
        out += '=';
    }
    return out;
}

/// Quoted-printable (RFC 2045 §6.7): "=XX" is a byte, "=" CRLF a soft break.
/// nullopt on a malformed "=".
inline std::optional<std::string> qp_decode(std::string_view in) {
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '=') {
            out += in[i];
            continue;
        }
        if (in.substr(i + 1, 2) == "\r\n") {
            i += 2;
            continue;
        }
        if (i + 2 >= in.size()) return std::nullopt;
        const int hi = hex_value(in[i + 1]);
        const int lo = hex_value(in[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

/// One RFC 2047 encoded-word taken apart.
struct encoded_word {
    std::string charset;
    char encoding = 'B';  ///< 'B' or 'Q' (upper-cased)
    std::string text;     ///< the encoded text between the last two '?'
};

inline std::optional<encoded_word> split_encoded_word(std::string_view w) {
    if (w.size() < 8 || w.substr(0, 2) != "=?" || w.substr(w.size() - 2) != "?=")
        return std::nullopt;
    const std::string_view inner = w.substr(2, w.size() - 4);
    const std::size_t q1 = inner.find('?');
    if (q1 == std::string_view::npos || q1 + 2 >= inner.size() || inner[q1 + 2] != '?')
        return std::nullopt;
    encoded_word out;
    out.charset = std::string(inner.substr(0, q1));
    const char e = inner[q1 + 1];
    if (e == 'b' || e == 'B') {
        out.encoding = 'B';
    } else if (e == 'q' || e == 'Q') {
        out.encoding = 'Q';
    } else {
        return std::nullopt;
    }
    out.text = std::string(inner.substr(q1 + 3));
    if (out.text.find('?') != std::string::npos) return std::nullopt;
    return out;
}

/// The octets of one encoded-word, decoded independently of the library.
inline std::optional<std::string> decode_word_bytes(std::string_view w) {
    const auto ew = split_encoded_word(w);
    if (!ew) return std::nullopt;
    if (ew->encoding == 'B') return base64_decode(ew->text);
    std::string out;
    const std::string& t = ew->text;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] == '_') {
            out += ' ';
        } else if (t[i] == '=') {
            if (i + 2 >= t.size()) return std::nullopt;
            const int hi = hex_value(t[i + 1]);
            const int lo = hex_value(t[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += t[i];
        }
    }
    return out;
}

/// Every encoded-word in a header value.
inline std::vector<std::string> find_encoded_words(std::string_view s) {
    static const std::regex re(R"(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)");
    std::vector<std::string> out;
    const std::string str(s);
    for (auto it = std::sregex_iterator(str.begin(), str.end(), re); it != std::sregex_iterator();
         ++it)
        out.push_back(it->str());
    return out;
}

// ---------------------------------------------------------------------------
// Header fields

/// RFC 5322 §3.2.2 unfolding: remove every CRLF that is followed by WSP.
inline std::string unfold(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 2 < s.size() && s[i + 1] == '\n' &&
            (s[i + 2] == ' ' || s[i + 2] == '\t')) {
            ++i;
            continue;
        }
        out += s[i];
    }
    return out;
}

/// One header field as found in the bytes.
struct raw_header {
    std::string name;                ///< as written
    std::vector<std::string> lines;  ///< physical lines, without CRLF
    std::string raw;                 ///< lines joined with CRLF (no final CRLF)
    std::string value;               ///< unfolded, leading WSP after ':' removed
};

/// Parses a header block (the lines before the blank line, each ending in
/// CRLF or the last one without). Lines starting with WSP continue a field.
inline std::vector<raw_header> parse_header_block(std::string_view block) {
    std::vector<raw_header> out;
    for (const auto& line : split_crlf(block)) {
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t') && !out.empty()) {
            out.back().lines.push_back(line);
            continue;
        }
        raw_header h;
        const std::size_t colon = line.find(':');
        h.name = line.substr(0, colon == std::string::npos ? line.size() : colon);
        h.lines.push_back(line);
        out.push_back(std::move(h));
    }
    for (auto& h : out) {
        h.raw = join(h.lines, "\r\n");
        const std::string unfolded = unfold(h.raw);
        const std::size_t colon = unfolded.find(':');
        std::string_view v = colon == std::string::npos
                                 ? std::string_view{}
                                 : std::string_view(unfolded).substr(colon + 1);
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        h.value = std::string(v);
    }
    return out;
}

inline const raw_header* find_header(const std::vector<raw_header>& hs, std::string_view name) {
    for (const auto& h : hs)
        if (iequals(h.name, name)) return &h;
    return nullptr;
}

inline std::vector<const raw_header*> find_headers(const std::vector<raw_header>& hs,
                                                   std::string_view name) {
    std::vector<const raw_header*> out;
    for (const auto& h : hs)
        if (iequals(h.name, name)) out.push_back(&h);
    return out;
}

// ---------------------------------------------------------------------------
// MIME parameters (RFC 2045 §5.1, RFC 2231)

inline bool is_tspecial(char c) {
    return std::string_view("()<>@,;:\\\"/[]?=").find(c) != std::string_view::npos;
}

/// RFC 2231 attribute-char: any CHAR except SPACE, CTLs, "*", "'", "%", or tspecials.
inline bool is_attribute_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7F && c != '*' && c != '\'' && c != '%' && !is_tspecial(c);
}

struct raw_param {
    std::string name;   ///< lower-cased, with any "*N" / "*" suffix kept
    std::string value;  ///< quotes removed, escapes resolved
    bool quoted = false;
};

struct parsed_params {
    std::string main;  ///< "type/subtype" or disposition type, lower-cased
    std::vector<raw_param> params;
    bool ok = true;  ///< false on a syntax error
};

/// Splits `main; a=b; c="d"` (an unfolded header value). Comments are not
/// expected in generated output and are not handled.
inline parsed_params parse_params(std::string_view v) {
    parsed_params out;
    std::size_t i = 0;
    auto skip_ws = [&] {
        while (i < v.size() && (v[i] == ' ' || v[i] == '\t')) ++i;
    };
    skip_ws();
    const std::size_t start = i;
    while (i < v.size() && v[i] != ';') ++i;
    out.main = to_lower(trim(v.substr(start, i - start)));
    while (i < v.size()) {
        if (v[i] != ';') {
            out.ok = false;
            return out;
        }
        ++i;
        skip_ws();
        if (i >= v.size()) break;  // tolerate a trailing ';'
        const std::size_t ns = i;
        while (i < v.size() && v[i] != '=' && v[i] != ';' && v[i] != ' ' && v[i] != '\t') ++i;
        raw_param p;
        p.name = to_lower(v.substr(ns, i - ns));
        skip_ws();
        if (i >= v.size() || v[i] != '=' || p.name.empty()) {
            out.ok = false;
            return out;
        }
        ++i;
        skip_ws();
        if (i < v.size() && v[i] == '"') {
            p.quoted = true;
            ++i;
            bool closed = false;
            while (i < v.size()) {
                if (v[i] == '\\' && i + 1 < v.size()) {
                    p.value += v[i + 1];
                    i += 2;
                } else if (v[i] == '"') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    p.value += v[i++];
                }
            }
            if (!closed) {
                out.ok = false;
                return out;
            }
        } else {
            const std::size_t vs = i;
            while (i < v.size() && v[i] != ';' && v[i] != ' ' && v[i] != '\t') ++i;
            p.value = std::string(v.substr(vs, i - vs));
            for (char c : p.value) {
                if (!(static_cast<unsigned char>(c) > 0x20 &&
                      static_cast<unsigned char>(c) < 0x7F && !is_tspecial(c))) {
                    out.ok = false;
                    return out;
                }
            }
        }
        out.params.push_back(std::move(p));
        skip_ws();
    }
    return out;
}

inline std::optional<std::string> percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        const int hi = hex_value(s[i + 1]);
        const int lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

/// A parameter reassembled per RFC 2231.
struct rfc2231_value {
    std::string value;    ///< octets (in `charset`)
    std::string charset;  ///< "" when not extended
    std::string language;
    bool extended = false;     ///< came from name* or name*0*
    bool continued = false;    ///< came from name*0, name*1...
    std::vector<int> indices;  ///< segment numbers in the order written
    std::string error;         ///< non-empty when the encoding breaks a rule
};

/// Reassembles parameter `name` from plain, `name*`, and `name*N[*]` forms.
/// Rules checked (error set): numbering from 0 without gaps, duplicates or
/// leading zeros; charset'lang' only on the first extended segment; every
/// extended segment percent-decodes on its own (a %XX is never split);
/// extended values use only attribute-char and %XX.
inline std::optional<rfc2231_value> rfc2231_param(const std::vector<raw_param>& params,
                                                  std::string_view name) {
    const std::string lname = to_lower(name);
    rfc2231_value out;
    bool found = false;
    struct seg {
        int index;
        bool ext;
        std::string text;
        bool quoted;
    };
    std::vector<seg> segs;
    for (const auto& p : params) {
        if (p.name == lname) {
            out.value = p.value;
            found = true;
        } else if (p.name == lname + "*") {
            out.extended = true;
            found = true;
            const std::size_t a = p.value.find('\'');
            const std::size_t b = a == std::string::npos ? a : p.value.find('\'', a + 1);
            if (b == std::string::npos) {
                out.error = "extended value without charset'language'";
                return out;
            }
            out.charset = p.value.substr(0, a);
            out.language = p.value.substr(a + 1, b - a - 1);
            const std::string enc = p.value.substr(b + 1);
            for (char c : enc)
                if (c != '%' && !is_attribute_char(c))
                    out.error = "character outside attribute-char";
            auto dec = percent_decode(enc);
            if (!dec) {
                out.error = "bad percent-encoding";
                return out;
            }
            out.value = *dec;
        } else if (p.name.size() > lname.size() + 1 &&
                   p.name.compare(0, lname.size(), lname) == 0 && p.name[lname.size()] == '*') {
            std::string rest = p.name.substr(lname.size() + 1);
            bool ext = false;
            if (!rest.empty() && rest.back() == '*') {
                ext = true;
                rest.pop_back();
            }
            if (rest.empty() ||
                !std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; }))
                continue;  // another parameter sharing the prefix
            if (rest.size() > 1 && rest[0] == '0') out.error = "leading zero in segment number";
            segs.push_back({std::stoi(rest), ext, p.value, p.quoted});
            out.indices.push_back(segs.back().index);
            found = true;
        }
    }
    if (!found) return std::nullopt;
    if (segs.empty()) return out;
    out.continued = true;
    std::sort(segs.begin(), segs.end(),
              [](const seg& a, const seg& b) { return a.index < b.index; });
    std::string value;
    for (std::size_t k = 0; k < segs.size(); ++k) {
        if (segs[k].index != static_cast<int>(k)) {
            out.error = "segment numbers have a gap or a duplicate";
            return out;
        }
        std::string text = segs[k].text;
        if (segs[k].ext) {
            if (segs[k].quoted) out.error = "extended segment in quotes";
            if (k == 0) {
                out.extended = true;
                const std::size_t a = text.find('\'');
                const std::size_t b = a == std::string::npos ? a : text.find('\'', a + 1);
                if (b == std::string::npos) {
                    out.error = "first extended segment without charset'language'";
                    return out;
                }
                out.charset = text.substr(0, a);
                out.language = text.substr(a + 1, b - a - 1);
                text = text.substr(b + 1);
            }
            for (char c : text)
                if (c != '%' && !is_attribute_char(c))
                    out.error = "character outside attribute-char";
            auto dec = percent_decode(text);
            if (!dec) {
                out.error = "segment " + std::to_string(k) + " does not percent-decode on its own";
                return out;
            }
            value += *dec;
        } else {
            value += text;
        }
    }
    out.value = value;
    return out;
}

// ---------------------------------------------------------------------------
// A small MIME reader

struct entity {
    std::vector<raw_header> headers;
    std::string body;  ///< raw body bytes (as in the message)
    std::string boundary;
    std::vector<entity> children;
    bool parse_ok = true;
    std::string parse_error;

    const raw_header* header(std::string_view name) const { return find_header(headers, name); }
    std::string value(std::string_view name) const {
        const raw_header* h = header(name);
        return h ? h->value : std::string();
    }
    /// Lower-cased type/subtype; text/plain when there is no Content-Type.
    std::string essence() const {
        const raw_header* h = header("Content-Type");
        return h ? parse_params(h->value).main : std::string("text/plain");
    }
    std::vector<raw_param> content_type_params() const {
        return parse_params(value("Content-Type")).params;
    }
    std::string cte() const { return to_lower(trim(value("Content-Transfer-Encoding"))); }
};

inline entity parse_entity(std::string_view bytes) {
    entity e;
    std::string_view header_part;
    std::string_view body;
    if (bytes.substr(0, 2) == "\r\n") {
        body = bytes.substr(2);
    } else {
        const std::size_t end = bytes.find("\r\n\r\n");
        if (end == std::string_view::npos) {
            header_part = bytes;
            e.parse_ok = false;
            e.parse_error = "no blank line after the header";
        } else {
            header_part = bytes.substr(0, end);
            body = bytes.substr(end + 4);
        }
    }
    e.headers = parse_header_block(header_part);
    e.body = std::string(body);
    const auto ct = parse_params(e.value("Content-Type"));
    if (ct.main.rfind("multipart/", 0) != 0) return e;
    for (const auto& p : ct.params)
        if (p.name == "boundary") e.boundary = p.value;
    if (e.boundary.empty()) {
        e.parse_ok = false;
        e.parse_error = "multipart without boundary";
        return e;
    }
    // Delimiter lines: "--boundary" at the start of the body or after CRLF,
    // then optional WSP, then CRLF; the close delimiter adds "--".
    const std::string dash = "--" + e.boundary;
    std::vector<std::pair<std::size_t, std::size_t>> spans;  // content [begin, end)
    std::size_t pos = 0;
    std::optional<std::size_t> content_begin;
    bool closed = false;
    while (pos <= body.size()) {
        std::size_t found = body.find(dash, pos);
        if (found == std::string_view::npos) break;
        const bool at_line_start =
            found == 0 || (found >= 2 && body.substr(found - 2, 2) == "\r\n");
        if (!at_line_start) {
            pos = found + 1;
            continue;
        }
        std::size_t after = found + dash.size();
        bool close = body.substr(after, 2) == "--";
        if (close) after += 2;
        while (after < body.size() && (body[after] == ' ' || body[after] == '\t')) ++after;
        const bool eol = after == body.size() || body.substr(after, 2) == "\r\n";
        if (!eol) {
            pos = found + 1;
            continue;
        }
        if (content_begin) {
            const std::size_t content_end = found >= 2 ? found - 2 : found;
            spans.emplace_back(*content_begin, std::max(content_end, *content_begin));
        }
        if (close) {
            closed = true;
            break;
        }
        content_begin = std::min(after + 2, body.size());
        pos = *content_begin;
    }
    if (!closed) {
        e.parse_ok = false;
        e.parse_error = "no close delimiter for boundary " + e.boundary;
    }
    for (const auto& [b, en] : spans) e.children.push_back(parse_entity(body.substr(b, en - b)));
    return e;
}

/// Transfer-decoded body of a leaf; nullopt when the encoding is broken.
inline std::optional<std::string> decoded_body(const entity& e) {
    const std::string cte = e.cte();
    if (cte == "base64") return base64_decode(e.body);
    if (cte == "quoted-printable") return qp_decode(e.body);
    return e.body;
}

inline void collect_leaves(const entity& e, std::vector<const entity*>& out) {
    if (e.children.empty() && e.boundary.empty()) {
        out.push_back(&e);
        return;
    }
    for (const auto& c : e.children) collect_leaves(c, out);
}

inline std::vector<const entity*> leaves(const entity& e) {
    std::vector<const entity*> out;
    collect_leaves(e, out);
    return out;
}

/// Human-readable outline such as `multipart/mixed[text/plain,image/png]`.
inline std::string outline(const entity& e) {
    std::string s = e.essence();
    if (!e.boundary.empty()) {
        s += '[';
        for (std::size_t i = 0; i < e.children.size(); ++i) {
            if (i) s += ',';
            s += outline(e.children[i]);
        }
        s += ']';
    }
    return s;
}

// ---------------------------------------------------------------------------
// Files

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const fs::path& p, std::string_view bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write test file " + p.string());
}

/// A fresh directory, removed (permissions restored first) on destruction.
class temp_dir {
public:
    temp_dir() {
        std::string tmpl = (fs::temp_directory_path() / "lettre-unit-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ignored;
        for (auto it = fs::recursive_directory_iterator(path_, ignored);
             it != fs::recursive_directory_iterator(); it.increment(ignored))
            fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::remove_all(path_, ignored);
    }
    const fs::path& path() const noexcept { return path_; }
    fs::path operator/(std::string_view name) const { return path_ / name; }

private:
    fs::path path_;
};

inline bool running_as_root() {
    return ::geteuid() == 0;
}

inline fs::path shared_dir() {
    return fs::path(LETTRE_SHARED_DIR);
}

// ---------------------------------------------------------------------------
// A tiny JSON reader (objects, arrays, strings, numbers, true/false/null)

struct json {
    enum class kind { null, boolean, number, string, array, object };
    kind type = kind::null;
    bool b = false;
    double num = 0;
    std::string str;
    std::vector<json> items;        ///< array elements or object values
    std::vector<std::string> keys;  ///< object keys, parallel to items

    const json* get(std::string_view key) const {
        for (std::size_t i = 0; i < keys.size(); ++i)
            if (keys[i] == key) return &items[i];
        return nullptr;
    }
};

namespace detail_json {

inline void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

class reader {
public:
    explicit reader(std::string_view s) : s_(s) {}

    json document() {
        json v = value();
        ws();
        if (i_ != s_.size()) fail("trailing characters");
        return v;
    }

private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at " + std::to_string(i_));
    }
    void ws() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
            ++i_;
    }
    bool eat(char c) {
        ws();
        if (i_ < s_.size() && s_[i_] == c) {
            ++i_;
            return true;
        }
        return false;
    }
    std::uint32_t hex4() {
        if (i_ + 4 > s_.size()) fail("short \\u escape");
        std::uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            const int h = hex_value(s_[i_++]);
            if (h < 0) fail("bad \\u escape");
            v = v * 16 + static_cast<std::uint32_t>(h);
        }
        return v;
    }
    std::string string_literal() {
        if (!eat('"')) fail("expected string");
        std::string out;
        while (true) {
            if (i_ >= s_.size()) fail("unterminated string");
            const char c = s_[i_++];
            if (c == '"') break;
            if (static_cast<unsigned char>(c) < 0x20) fail("control character in string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i_ >= s_.size()) fail("bad escape");
            const char e = s_[i_++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    std::uint32_t cp = hex4();
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        if (s_.substr(i_, 2) != "\\u") fail("lone surrogate");
                        i_ += 2;
                        const std::uint32_t lo = hex4();
                        if (lo < 0xDC00 || lo > 0xDFFF) fail("bad surrogate pair");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    append_utf8(out, cp);
                    break;
                }
                default: fail("bad escape");
            }
        }
        return out;
    }
    json value() {
        ws();
        if (i_ >= s_.size()) fail("unexpected end");
        json v;
        const char c = s_[i_];
        if (c == '{') {
            ++i_;
            v.type = json::kind::object;
            if (eat('}')) return v;
            do {
                ws();
                v.keys.push_back(string_literal());
                if (!eat(':')) fail("expected ':'");
                v.items.push_back(value());
            } while (eat(','));
            if (!eat('}')) fail("expected '}'");
        } else if (c == '[') {
            ++i_;
            v.type = json::kind::array;
            if (eat(']')) return v;
            do {
                v.items.push_back(value());
            } while (eat(','));
            if (!eat(']')) fail("expected ']'");
        } else if (c == '"') {
            v.type = json::kind::string;
            v.str = string_literal();
        } else if (s_.substr(i_, 4) == "null") {
            i_ += 4;
        } else if (s_.substr(i_, 4) == "true") {
            i_ += 4;
            v.type = json::kind::boolean;
            v.b = true;
        } else if (s_.substr(i_, 5) == "false") {
            i_ += 5;
            v.type = json::kind::boolean;
        } else {
            const std::size_t start = i_;
            while (i_ < s_.size() &&
                   std::string_view("+-0123456789.eE").find(s_[i_]) != std::string_view::npos)
                ++i_;
            if (start == i_) fail("unexpected character");
            v.type = json::kind::number;
            v.num = std::stod(std::string(s_.substr(start, i_ - start)));
        }
        return v;
    }

    std::string_view s_;
    std::size_t i_ = 0;
};

}  // namespace detail_json

/// Parses a JSON document; throws std::runtime_error when malformed.
inline json parse_json(std::string_view text) {
    return detail_json::reader(text).document();
}

// ---------------------------------------------------------------------------
// Messages

/// A message with one From, one To, a subject and a text body.
inline lettre::message_builder simple_builder() {
    lettre::message_builder b = lettre::message::builder();
    b.from("Alice <alice@example.com>").to("Bob <bob@example.org>").subject("Hello").text("Hi Bob");
    return b;
}

/// Builds, failing the test (with the library's message) when it cannot.
inline lettre::message must_build(const lettre::message_builder& b) {
    auto r = b.try_build();
    if (!r) {
        ADD_FAILURE() << "try_build failed: " << r.error().message;
        throw std::runtime_error("try_build failed: " + r.error().message);
    }
    return std::move(r).value();
}

/// The header block of formatted bytes (without the blank line).
inline std::string header_block(std::string_view formatted) {
    const std::size_t end = formatted.find("\r\n\r\n");
    return std::string(formatted.substr(0, end == std::string_view::npos ? formatted.size() : end));
}

inline std::vector<raw_header> top_headers(const lettre::message& m) {
    return parse_header_block(header_block(m.formatted()));
}

/// Decodes a display-name phrase as a receiver would: quoted-strings are
/// unquoted, other runs go through the library's RFC 2047 decoder.
inline std::string decode_phrase(std::string_view phrase) {
    std::string out;
    std::string run;
    auto flush = [&] {
        if (run.empty()) return;
        auto r = lettre::detail::decode_unstructured(run);
        out += r ? *r : run;
        run.clear();
    };
    for (std::size_t i = 0; i < phrase.size(); ++i) {
        if (phrase[i] == '"') {
            flush();
            ++i;
            while (i < phrase.size() && phrase[i] != '"') {
                if (phrase[i] == '\\' && i + 1 < phrase.size()) ++i;
                out += phrase[i++];
            }
        } else {
            run += phrase[i];
        }
    }
    flush();
    return std::string(trim(out));
}

/// Splits an unfolded `name-addr` header value into (display phrase,
/// "<addr-spec>") at the last '<' outside quotes. The phrase is "" for a
/// bare addr-spec.
inline std::pair<std::string, std::string> split_name_addr(std::string_view v) {
    bool in_quotes = false;
    std::size_t lt = std::string_view::npos;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && in_quotes) {
            ++i;
            continue;
        }
        if (v[i] == '"') in_quotes = !in_quotes;
        if (v[i] == '<' && !in_quotes) lt = i;
    }
    if (lt == std::string_view::npos) return {"", std::string(trim(v))};
    return {std::string(trim(v.substr(0, lt))), std::string(trim(v.substr(lt)))};
}

}  // namespace lettre_test
