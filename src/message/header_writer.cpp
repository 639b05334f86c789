#include "message/header_writer.hpp"

#include <algorithm>

namespace lettre::detail {

void header_writer::add(std::string_view ws, std::string_view text, bool encoded, bool soft) {
    if (value_.empty()) {
        const std::size_t first_limit = encoded ? fold_column - 2 : fold_column;
        if (line_ + text.size() > first_limit && 1 + text.size() <= first_limit) {
            // Fold right after the colon, so that a long first token (a
            // media type like application/vnd.openxmlformats-...) fits.
            value_ = "\r\n ";
            line_ = 1;
        }
        value_ += text;
        line_ += text.size();
        line_has_word_ = encoded;
        longest_ = std::max(longest_, line_);
        return;
    }
    const std::size_t limit = (line_has_word_ || encoded) ? fold_column - 2 : fold_column;
    if ((!ws.empty() || soft) && line_ + ws.size() + text.size() > limit) {
        value_ += soft && ws.empty() ? "\r\n " : "\r\n";
        line_ = soft && ws.empty() ? 1 : 0;
        line_has_word_ = false;
    }
    value_ += ws;
    value_ += text;
    line_ += ws.size() + text.size();
    line_has_word_ = line_has_word_ || encoded;
    longest_ = std::max(longest_, line_);
}

}  // namespace lettre::detail
