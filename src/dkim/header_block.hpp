// Reads the header block of formatted bytes: fields in order, folded lines
// kept, line ends normalized to CRLF as SMTP will send them. Internal.
#pragma once

#include <lettre/error.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace lettre::dkim::detail {

struct raw_field {
    std::string name;  ///< as written
    std::string text;  ///< whole field, folds included, ending CRLF
};

struct parsed_message {
    std::vector<raw_field> fields;
    std::string_view body;  ///< everything after the blank line (not copied)
};

/// Splits `message` at the first empty line. Bare CR and LF count as CRLF.
result<parsed_message> parse_header_block(std::string_view message);

}  // namespace lettre::dkim::detail
