#include "message/transfer_encoding.hpp"

#include "detail/base64.hpp"

namespace lettre::detail {
namespace {

constexpr std::size_t max_qp_line = 76;
constexpr std::size_t max_7bit_line = 998;
constexpr char hex[] = "0123456789ABCDEF";

struct text_stats {
    bool seven_bit = true;
    std::size_t normalized_size = 0;
    std::size_t escapes = 0;  ///< bytes quoted-printable must write as =XX
};

text_stats scan(std::string_view text) {
    text_stats st;
    std::size_t line = 0;
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
            st.normalized_size += 2;
            line = 0;
            continue;
        }
        ++st.normalized_size;
        if (c == '=' || c >= 0x7F || (c < 0x20 && c != '\t')) ++st.escapes;
        if (++line > max_7bit_line || c == 0 || c >= 0x80) st.seven_bit = false;
    }
    return st;
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

void append_quoted_printable(std::string& out, std::string_view text) {
    const std::size_t n = text.size();
    std::size_t col = 0;
    auto put = [&](const char* s, std::size_t len) {
        if (col + len > max_qp_line - 1) {  // keep room for the soft break "="
            out += "=\r\n";
            col = 0;
        }
        out.append(s, len);
        col += len;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
            out += "\r\n";
            col = 0;
            continue;
        }
        const bool at_line_end = i + 1 == n || text[i + 1] == '\r' || text[i + 1] == '\n';
        const bool literal =
            (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
        if (literal) {
            // A line that ends right after this character may use the 76th column.
            if (at_line_end && col + 1 == max_qp_line) {
                out += static_cast<char>(c);
                col = max_qp_line;
                continue;
            }
            const char ch = static_cast<char>(c);
            put(&ch, 1);
        } else {
            const char esc[3] = {'=', hex[c >> 4], hex[c & 15]};
            if (at_line_end && col + 3 == max_qp_line) {
                out.append(esc, 3);
                col = max_qp_line;
                continue;
            }
            put(esc, 3);
        }
    }
}

transfer_encoding append_text_body(std::string& out, std::string_view text) {
    const text_stats st = scan(text);
    if (st.seven_bit) {
        append_crlf_normalized(out, text);
        return transfer_encoding::seven_bit;
    }
    // Quoted-printable costs at least 3 bytes per escaped byte; when even
    // that bound loses to base64 (CJK text, say), skip encoding it at all.
    const std::size_t b64 = base64_mime_size(st.normalized_size);
    if (st.normalized_size + 2 * st.escapes <= b64) {
        const std::size_t before = out.size();
        append_quoted_printable(out, text);
        if (out.size() - before <= b64) return transfer_encoding::quoted_printable;
        out.resize(before);
    }
    std::string normalized;
    normalized.reserve(st.normalized_size);
    append_crlf_normalized(normalized, text);
    append_base64_mime(out, normalized);
    return transfer_encoding::base64;
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
