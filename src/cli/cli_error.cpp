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

std::string printable(std::string_view text) {
    constexpr std::array<char, 16> hex{'0', '1', '2', '3', '4', '5', '6', '7',
                                       '8', '9', 'a', 'b', 'c', 'd', 'e', 'f'};
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const std::size_t byte = static_cast<unsigned char>(c);
        if (c == '\r') {
            out += "\\r";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            out += "\\x";
            out += hex[byte >> 4U];
            out += hex[byte & 0x0fU];
        } else {
            out += c;
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
