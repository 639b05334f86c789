// Content-Transfer-Encoding choice and encoders for MIME leaf bodies.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lettre::detail {

enum class transfer_encoding { seven_bit, eight_bit, quoted_printable, base64 };

std::string_view encoding_name(transfer_encoding e) noexcept;

/// How a text body will be written: the encoding and the sizes the
/// encoders need, so that the body is encoded once, straight into the
/// output, after the headers that name the encoding.
struct text_plan {
    transfer_encoding encoding = transfer_encoding::seven_bit;
    std::size_t normalized_size = 0;  ///< size with every line break as CRLF
    std::size_t encoded_size = 0;     ///< exact size of the encoded body
};

/// Text is normalized to CRLF. 7bit when it is ASCII without NUL and every
/// line fits 998 octets; otherwise quoted-printable or base64, whichever is
/// smaller (quoted-printable on a tie).
text_plan plan_text_body(std::string_view text);

/// Appends `text` encoded as `plan` (from plan_text_body(text)) says.
void append_text_body(std::string& out, std::string_view text, const text_plan& plan);

/// plan_text_body() then append_text_body(); returns the encoding.
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

/// Exact size of what append_quoted_printable() appends for `text`.
std::size_t quoted_printable_size(std::string_view text) noexcept;

/// Upper bound of the encoded size of a body, for reserving buffers.
std::size_t encoded_size_bound(std::size_t raw_size) noexcept;

}  // namespace lettre::detail
