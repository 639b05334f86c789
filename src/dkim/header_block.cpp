#include "dkim/header_block.hpp"

#include "detail/utf8.hpp"

#include <fmt/format.h>

namespace lettre::dkim::detail {
namespace {

/// Length of the line break at `i` (CRLF, LF or CR), 0 when none.
std::size_t line_break(std::string_view s, std::size_t i) noexcept {
    if (i >= s.size()) return 0;
    if (s[i] == '\r') return i + 1 < s.size() && s[i + 1] == '\n' ? 2 : 1;
    return s[i] == '\n' ? 1 : 0;
}

}  // namespace

result<parsed_message> parse_header_block(std::string_view message) {
    parsed_message out;
    std::size_t i = 0;
    std::size_t line_no = 0;
    while (true) {
        if (i >= message.size())
            return make_error(errc::malformed_message,
                              "the message has no empty line between header and body");
        if (const std::size_t eol = line_break(message, i)) {  // empty line: header ends
            out.body = message.substr(i + eol);
            break;
        }
        // One line.
        std::size_t end = i;
        while (end < message.size() && message[end] != '\r' && message[end] != '\n') ++end;
        const std::string_view line = message.substr(i, end - i);
        ++line_no;
        if (line.front() == ' ' || line.front() == '\t') {
            if (out.fields.empty())
                return make_error(errc::malformed_message,
                                  "the message starts with a continuation line");
            out.fields.back().text += line;
            out.fields.back().text += "\r\n";
        } else {
            const std::size_t colon = line.find(':');
            if (colon == std::string_view::npos || colon == 0)
                return make_error(
                    errc::malformed_message,
                    fmt::format("header line {} is not a field (no name and ':'): {}", line_no,
                                lettre::detail::quote_for_error(line.substr(0, 60))));
            std::string_view name = line.substr(0, colon);
            while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
                name.remove_suffix(1);  // obs-optional: "Name :"
            for (char c : name)
                if (c < 33 || c > 126)
                    return make_error(errc::malformed_message,
                                      fmt::format("header line {} has an invalid field name {}",
                                                  line_no, lettre::detail::quote_for_error(name)));
            out.fields.push_back({std::string(name), std::string(line) + "\r\n"});
        }
        i = end + line_break(message, end);
        if (end >= message.size())
            return make_error(errc::malformed_message,
                              "the message has no empty line between header and body");
    }
    return out;
}

}  // namespace lettre::dkim::detail
