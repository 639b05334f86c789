// Tokens for the structured header values the builder writes: address
// lists, msg-id lists and MIME parameters (RFC 2231).
#pragma once

#include <lettre/message/address.hpp>
#include <lettre/message/content_type.hpp>

#include "message/encoded_word.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace lettre::detail {

/// `used`: columns the header name takes on the first line.
std::vector<header_token> address_list_tokens(const address_list& list, std::size_t used);

/// A phrase (display name): atoms as is, else a quoted string, or
/// encoded-words when it holds non-ASCII.
std::vector<header_token> phrase_tokens(std::string_view name, std::size_t used);

/// `type/subtype; p=v; ...` with RFC 2231 for values that are non-ASCII or
/// too long for one line.
std::vector<header_token> content_type_tokens(const content_type& type);

/// `disposition; filename=...` (filename via RFC 2231 when needed).
std::vector<header_token> disposition_tokens(std::string_view disposition,
                                             const std::string* filename);

/// Appends `;` then `name=value` tokens, value encoded as needed.
void append_parameter(std::vector<header_token>& tokens, std::string_view name,
                      std::string_view value);

/// True for an RFC 2045 token (no tspecials, space or controls).
bool is_mime_token(std::string_view s) noexcept;

/// Checks `<left@right>`; false when it is not an RFC 5322 msg-id.
bool is_msg_id(std::string_view s) noexcept;

}  // namespace lettre::detail
