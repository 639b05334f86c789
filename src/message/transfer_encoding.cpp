#include "message/transfer_encoding.hpp"

#include "detail/base64.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace lettre::detail {
namespace {

constexpr std::size_t max_qp_line = 76;
constexpr std::size_t max_7bit_line = 998;
constexpr char hex[] = "0123456789ABCDEF";

bool is_break(char c) noexcept {
    return c == '\r' || c == '\n';
}

/// Whether the octet at `i` is the last of its line (end of text, or a line
/// break follows).
bool at_line_end(std::string_view text, std::size_t i) noexcept {
    return i + 1 == text.size() || is_break(text[i + 1]);
}

/// Printable ASCII but '=' stands for itself; space and tab too, except at
/// the end of a line (RFC 2045 §6.7 rule 3).
bool qp_literal(unsigned char c, bool line_end) noexcept {
    return (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end);
}

/// Places a character `width` columns wide on the current quoted-printable
/// line; true when a soft line break ("=" CRLF) must come before it. The
/// last character of a line may use the 76th column, the others keep it for
/// the "=" of a soft break. The encoder and the size count both use this,
/// so they cannot disagree.
bool qp_place(std::size_t& col, std::size_t width, bool line_end) noexcept {
    if (line_end && col + width == max_qp_line) {
        col = max_qp_line;
        return false;
    }
    const bool soft_break = col + width > max_qp_line - 1;
    col = (soft_break ? 0 : col) + width;
    return soft_break;
}

/// Size of quoted-printable for one line (no line breaks in it), placing
/// every character: for lines wider than 76 columns, which need soft breaks.
std::size_t qp_line_size(std::string_view line) noexcept {
    std::size_t size = 0;
    std::size_t col = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const bool line_end = i + 1 == line.size();
        const std::size_t width = qp_literal(static_cast<unsigned char>(line[i]), line_end) ? 1 : 3;
        size += width + (qp_place(col, width, line_end) ? 3 : 0);
    }
    return size;
}

// Per octet: 1 line break, 2 written as =XX by quoted-printable in the middle
// of a line (everything but printable ASCII other than '=', space and tab),
// 4 not 7bit (NUL or 8-bit).
constexpr std::array<unsigned char, 256> make_classes() {
    std::array<unsigned char, 256> t{};
    for (unsigned c = 0; c < 256; ++c) {
        unsigned char k = 0;
        if (c == '\r' || c == '\n') k |= 1;
        if (!((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t')) k |= 2;
        if (c == 0 || c >= 0x80) k |= 4;
        t[c] = k;
    }
    return t;
}
constexpr std::array<unsigned char, 256> classes = make_classes();

struct text_stats {
    bool seven_bit = true;
    std::size_t normalized_size = 0;
    std::size_t qp_size = 0;  ///< exact size of the quoted-printable form
};

/// One pass: 7bit or not, the CRLF-normalized size, and the exact
/// quoted-printable size. A line whose encoded width fits 76 columns needs
/// no soft break (every character but the last ends by column 75), so only
/// longer lines are placed character by character.
text_stats scan(std::string_view text) noexcept {
    text_stats st;
    const std::size_t n = text.size();
    unsigned char seen = 0;
    std::size_t line_start = 0;
    std::size_t extra = 0;  // 2 per =XX on the current line
    const auto end_line = [&](std::size_t end) {
        const std::size_t len = end - line_start;
        if (len == 0) return;
        if (len > max_7bit_line) st.seven_bit = false;
        const char last = text[end - 1];
        const std::size_t width = len + extra + (last == ' ' || last == '\t' ? 2 : 0);
        st.qp_size += width <= max_qp_line ? width : qp_line_size(text.substr(line_start, len));
        st.normalized_size += len;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const unsigned char k = classes[static_cast<unsigned char>(text[i])];
        if (k & 1) {
            end_line(i);
            if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
            st.normalized_size += 2;
            st.qp_size += 2;
            line_start = i + 1;
            extra = 0;
            continue;
        }
        extra += k & 2;
        seen |= k;
    }
    end_line(n);
    if (seen & 4) st.seven_bit = false;
    return st;
}

/// Writes quoted-printable of `text` at `dst` (quoted_printable_size(text)
/// bytes) and returns the end.
char* write_quoted_printable(char* dst, std::string_view text) noexcept {
    const std::size_t n = text.size();
    std::size_t col = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (is_break(text[i])) {
            if (c == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
            *dst++ = '\r';
            *dst++ = '\n';
            col = 0;
            continue;
        }
        const bool line_end = at_line_end(text, i);
        const bool literal = qp_literal(c, line_end);
        if (qp_place(col, literal ? 1 : 3, line_end)) {
            std::memcpy(dst, "=\r\n", 3);
            dst += 3;
        }
        if (literal) {
            *dst++ = static_cast<char>(c);
        } else {
            dst[0] = '=';
            dst[1] = hex[c >> 4];
            dst[2] = hex[c & 15];
            dst += 3;
        }
    }
    return dst;
}

/// Writes `text` with CRLF line breaks at `dst` until `dst_end` or the end
/// of the text, whichever comes first; a CRLF that does not fit whole is
/// left for the next call. Advances `i` in the text; returns the end.
char* write_crlf_normalized(char* dst, const char* dst_end, std::string_view text,
                            std::size_t& i) noexcept {
    const std::size_t n = text.size();
    while (i < n && dst < dst_end) {
        // Copy the run up to the next line break (or as much as fits).
        const char* p = text.data() + i;
        const std::size_t limit = std::min(n - i, static_cast<std::size_t>(dst_end - dst));
        const void* lf = std::memchr(p, '\n', limit);
        std::size_t run = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - p) : limit;
        if (const void* cr = std::memchr(p, '\r', run))
            run = static_cast<std::size_t>(static_cast<const char*>(cr) - p);
        std::memcpy(dst, p, run);
        dst += run;
        i += run;
        if (run == limit) continue;
        if (dst_end - dst < 2) break;
        *dst++ = '\r';
        *dst++ = '\n';
        i += text[i] == '\r' && i + 1 < n && text[i + 1] == '\n' ? 2u : 1u;
    }
    return dst;
}

/// base64 of the CRLF-normalized text, `normalized_size` octets, without a
/// normalized copy: the text is normalized a block of whole lines (57
/// octets each) at a time into a buffer on the stack and each block is
/// encoded straight into `out`.
void append_base64_mime_normalized(std::string& out, std::string_view text,
                                   std::size_t normalized_size) {
    constexpr std::size_t block = 57 * 32;
    const std::size_t start = out.size();
    out.resize(start + base64_mime_size(normalized_size));
    char* dst = out.data() + start;
    char buf[block + 1];   // one more: a CRLF may straddle the block's end
    std::size_t held = 0;  // octets already in buf (a carried LF)
    std::size_t i = 0;
    while (i < text.size() || held > 0) {
        const char* end = write_crlf_normalized(buf + held, buf + sizeof buf, text, i);
        const auto len = static_cast<std::size_t>(end - buf);
        const std::size_t take = i < text.size() && len >= block ? block : len;
        dst = encode_base64_mime(dst, std::string_view(buf, take));
        held = len - take;
        if (held > 0) std::memmove(buf, buf + take, held);
        if (take == 0) break;
    }
}

}  // namespace

std::string_view encoding_name(transfer_encoding e) noexcept {
    switch (e) {
        case transfer_encoding::seven_bit: return "7bit";
        case transfer_encoding::eight_bit: return "8bit";
        case transfer_encoding::quoted_printable: return "quoted-printable";
        case transfer_encoding::base64: return "base64";
    }
    return "7bit";
}

void append_crlf_normalized(std::string& out, std::string_view text) {
    const std::size_t n = text.size();
    std::size_t run = 0;  // start of the pending run without line breaks
    for (std::size_t i = 0; i < n; ++i) {
        const char c = text[i];
        if (c != '\r' && c != '\n') continue;
        out.append(text.data() + run, i - run);
        out += "\r\n";
        if (c == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
        run = i + 1;
    }
    out.append(text.data() + run, n - run);
}

std::size_t quoted_printable_size(std::string_view text) noexcept {
    return scan(text).qp_size;
}

void append_quoted_printable(std::string& out, std::string_view text) {
    const std::size_t start = out.size();
    out.resize(start + quoted_printable_size(text));
    write_quoted_printable(out.data() + start, text);
}

text_plan plan_text_body(std::string_view text) {
    const text_stats st = scan(text);
    text_plan plan{transfer_encoding::seven_bit, st.normalized_size, st.normalized_size};
    if (st.seven_bit) return plan;
    const std::size_t b64 = base64_mime_size(st.normalized_size);
    if (st.qp_size <= b64)
        return {transfer_encoding::quoted_printable, st.normalized_size, st.qp_size};
    return {transfer_encoding::base64, st.normalized_size, b64};
}

void append_text_body(std::string& out, std::string_view text, const text_plan& plan) {
    const std::size_t start = out.size();
    switch (plan.encoding) {
        case transfer_encoding::quoted_printable:
            out.resize(start + plan.encoded_size);
            write_quoted_printable(out.data() + start, text);
            return;
        case transfer_encoding::base64:
            append_base64_mime_normalized(out, text, plan.normalized_size);
            return;
        default:
            out.reserve(start + plan.normalized_size);
            append_crlf_normalized(out, text);
            return;
    }
}

transfer_encoding append_text_body(std::string& out, std::string_view text) {
    const text_plan plan = plan_text_body(text);
    append_text_body(out, text, plan);
    return plan.encoding;
}

bool is_seven_bit(std::string_view text) noexcept {
    return scan(text).seven_bit;
}

transfer_encoding append_binary_body(std::string& out, std::string_view data) {
    append_base64_mime(out, data);
    return transfer_encoding::base64;
}

std::size_t encoded_size_bound(std::size_t raw) noexcept {
    return base64_mime_size(raw) + 64;
}

}  // namespace lettre::detail
