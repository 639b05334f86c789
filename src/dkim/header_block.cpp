#include "dkim/header_block.hpp"

#include "detail/utf8.hpp"
#include "dkim/canonicalize.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace lettre::dkim::detail {
namespace {

/// Length of the line break at `i` (CRLF, LF or CR), 0 when none.
std::size_t line_break(std::string_view s, std::size_t i) noexcept {
    if (i >= s.size()) return 0;
    if (s[i] == '\r') return i + 1 < s.size() && s[i + 1] == '\n' ? 2 : 1;
    return s[i] == '\n' ? 1 : 0;
}

/// End of the line starting at `i`: the first CR or LF, or the end.
std::size_t line_end(std::string_view s, std::size_t i) noexcept {
    return static_cast<std::size_t>(find_line_break(s.data() + i, s.data() + s.size()) - s.data());
}

}  // namespace

result<parsed_message> parse_header_block(std::string_view message) {
    parsed_message out;
    out.fields.reserve(32);
    std::size_t i = 0;
    std::size_t line_no = 0;
    std::size_t field_start = 0;  // of the last field, in `message`
    bool crlf_only = true;        // the last field's lines all end CRLF
    // Ends the last field at `end` (after its final line break).
    auto close_field = [&](std::size_t end) {
        if (out.fields.empty()) return;
        raw_field& f = out.fields.back();
        if (crlf_only) {
            f.text = message.substr(field_start, end - field_start);
            return;
        }
        std::string& copy = out.normalized.emplace_back();
        std::size_t j = field_start;
        while (j < end) {
            const std::size_t e = std::min(line_end(message, j), end);
            copy.append(message.data() + j, e - j);
            copy += "\r\n";
            j = e + line_break(message, e);
        }
        f.text = copy;
        f.name = std::string_view(copy).substr(0, f.name.size());
    };
    while (true) {
        if (i >= message.size())
            return make_error(errc::malformed_message,
                              "the message has no empty line between header and body");
        if (const std::size_t eol = line_break(message, i)) {  // empty line: header ends
            close_field(i);
            out.body = message.substr(i + eol);
            break;
        }
        // One line.
        const std::size_t end = line_end(message, i);
        const std::string_view line = message.substr(i, end - i);
        ++line_no;
        if (line.front() == ' ' || line.front() == '\t') {
            if (out.fields.empty())
                return make_error(errc::malformed_message,
                                  "the message starts with a continuation line");
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
            close_field(i);
            out.fields.push_back({name, {}});
            field_start = i;
            crlf_only = true;
        }
        const std::size_t eol = line_break(message, end);
        if (eol != 2) crlf_only = false;
        i = end + eol;
        if (end >= message.size())
            return make_error(errc::malformed_message,
                              "the message has no empty line between header and body");
    }
    return out;
}

}  // namespace lettre::dkim::detail
