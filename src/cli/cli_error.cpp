#include "cli_error.hpp"

#include <array>
#include <cstddef>

namespace lettre::cli {

exit_code exit_code_for(const std::error_code& ec) noexcept {
    if (ec.category() != lettre::error_category()) return exit_code::failure;
    switch (static_cast<lettre::errc>(ec.value())) {
        case lettre::errc::file_not_found:
        case lettre::errc::file_unreadable: return exit_code::no_input;
        case lettre::errc::io_error: return exit_code::failure;
        default: return exit_code::data_error;
    }
}

cli_error from_library(const lettre::error_info& info, std::string_view context,
                       std::string_view value) {
    std::string text;
    if (!context.empty()) {
        text.append(context);
        const bool named = info.message.find(value) != std::string::npos ||
                           info.message.find(in_quotes(value)) != std::string::npos;
        if (!value.empty() && !named) {
            text.append(" ").append(in_quotes(value));
        }
        text.append(": ");
    }
    text.append(printable(info.message.empty() ? info.code.message() : info.message));
    return {exit_code_for(info.code), text};
}

namespace {

constexpr std::array<char, 16> hex{'0', '1', '2', '3', '4', '5', '6', '7',
                                   '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};

void append_hex_digits(std::string& out, std::size_t byte) {
    out += hex[(byte >> 4U) & 0x0fU];
    out += hex[byte & 0x0fU];
}

void append_hex_byte(std::string& out, std::size_t byte) {
    out += "\\x";
    append_hex_digits(out, byte);
}

bool continuation(std::string_view text, std::size_t i, unsigned lo = 0x80, unsigned hi = 0xbf) {
    if (i >= text.size()) return false;
    const unsigned b = static_cast<unsigned char>(text[i]);
    return b >= lo && b <= hi;
}

/// The length (2 to 4) of the well-formed UTF-8 sequence at text[i]
/// (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF), 0
/// when there is none.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
    const unsigned lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xc2 && lead <= 0xdf) return continuation(text, i + 1) ? 2 : 0;
    if (lead >= 0xe0 && lead <= 0xef) {
        const unsigned lo = lead == 0xe0 ? 0xa0 : 0x80;
        const unsigned hi = lead == 0xed ? 0x9f : 0xbf;
        return continuation(text, i + 1, lo, hi) && continuation(text, i + 2) ? 3 : 0;
    }
    if (lead >= 0xf0 && lead <= 0xf4) {
        const unsigned lo = lead == 0xf0 ? 0x90 : 0x80;
        const unsigned hi = lead == 0xf4 ? 0x8f : 0xbf;
        return continuation(text, i + 1, lo, hi) && continuation(text, i + 2) &&
                       continuation(text, i + 3)
                   ? 4
                   : 0;
    }
    return 0;
}

void append_ascii(std::string& out, char c) {
    const std::size_t byte = static_cast<unsigned char>(c);
    if (c == '\r') {
        out += "\\r";
    } else if (c == '\n') {
        out += "\\n";
    } else if (c == '\t') {
        out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
        append_hex_byte(out, byte);
    } else {
        out += c;
    }
}

}  // namespace

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x80) {
            append_ascii(out, text[i++]);
            continue;
        }
        const std::size_t n = utf8_sequence(text, i);
        if (n == 0) {
            // Not UTF-8: a raw byte, which a terminal may take for a C1
            // control (0x9b is CSI, an escape sequence without ESC).
            append_hex_byte(out, byte);
            ++i;
        } else if (byte == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0) {
            // U+0080..U+009F: the C1 controls, encoded in UTF-8.
            out += "\\u00";
            append_hex_digits(out, static_cast<unsigned char>(text[i + 1]));
            i += 2;
        } else {
            out.append(text.substr(i, n));
            i += n;
        }
    }
    return out;
}

std::string in_quotes(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size());
    for (const char c : text) {
        if (c == '"' || c == '\\') escaped += '\\';
        escaped += c;
    }
    return '"' + printable(escaped) + '"';
}

}  // namespace lettre::cli
