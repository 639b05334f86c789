// Reads the header block of formatted bytes: fields in order, folded lines
// kept, line ends normalized to CRLF as SMTP will send them. Internal.
#pragma once

#include <lettre/error.hpp>

#include <list>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::dkim::detail {

struct raw_field {
    std::string_view name;  ///< as written
    std::string_view text;  ///< whole field, folds included, ending CRLF
};

/// The views point into the message given to parse_header_block(), or into
/// `normalized` for a field whose lines did not end CRLF.
struct parsed_message {
    parsed_message() = default;
    parsed_message(parsed_message&&) noexcept = default;
    parsed_message& operator=(parsed_message&&) noexcept = default;
    parsed_message(const parsed_message&) = delete;  // the views would point into the original
    parsed_message& operator=(const parsed_message&) = delete;

    std::vector<raw_field> fields;
    std::string_view body;  ///< everything after the blank line (not copied)
    /// Copies of fields with bare CR or LF line ends, rewritten with CRLF
    /// (list nodes: the views stay valid when the message is moved).
    std::list<std::string> normalized;
};

/// Splits `message` at the first empty line. Bare CR and LF count as CRLF.
/// The result refers to `message`, which must outlive it.
result<parsed_message> parse_header_block(std::string_view message);

}  // namespace lettre::dkim::detail
