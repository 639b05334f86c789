// Content-Transfer-Encoding choice and encoders for MIME leaf bodies.
#pragma once

#include <string>
#include <string_view>

namespace lettre::detail {

enum class transfer_encoding { seven_bit, eight_bit, quoted_printable, base64 };

std::string_view encoding_name(transfer_encoding e) noexcept;

/// Text is normalized to CRLF. 7bit when it is ASCII without NUL and every
/// line fits 998 octets; otherwise quoted-printable or base64, whichever is
/// smaller. The chosen body is appended to `out` in its encoded form.
transfer_encoding append_text_body(std::string& out, std::string_view text);

/// ASCII without NUL, every line at most 998 octets (CRLF text).
bool is_seven_bit(std::string_view crlf_text) noexcept;

/// Binary data: always base64 in 76-column lines.
transfer_encoding append_binary_body(std::string& out, std::string_view data);

/// Appends `text` with every CR, LF and CRLF turned into CRLF.
void append_crlf_normalized(std::string& out, std::string_view text);

/// Quoted-printable (RFC 2045 §6.7) of text whose line breaks (any of CR,
/// LF, CRLF) become hard CRLF breaks; lines at most 76 characters.
void append_quoted_printable(std::string& out, std::string_view text);

/// Upper bound of the encoded size of a body, for reserving buffers.
std::size_t encoded_size_bound(std::size_t raw_size) noexcept;

}  // namespace lettre::detail
