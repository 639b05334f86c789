// Writes a part tree as MIME: entity headers, boundaries, encoded bodies.
#pragma once

#include <lettre/error.hpp>
#include <lettre/message/message.hpp>
#include <lettre/message/part.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::detail {

/// Validates a header name (ftext, RFC 5322 §2.2) and a value supplied by
/// the user (no CR, LF, NUL; valid UTF-8).
std::optional<error_info> check_header(std::string_view name, std::string_view value);

/// Encodes an unstructured value (non-ASCII as encoded-words) and folds it.
/// `long_word`: longer ASCII words are encoded too, so they can be split.
result<header_field> unstructured_field(std::string_view name, std::string_view value,
                                        std::size_t long_word);

/// Renders `root`: its entity headers are appended to `fields` (they become
/// message headers) and its body to `body`.
std::optional<error_info> render_mime(const part& root, std::vector<header_field>& fields,
                                      std::string& body);

/// Upper bound of the rendered size, for reserving.
std::size_t mime_size_bound(const part& root) noexcept;

}  // namespace lettre::detail
