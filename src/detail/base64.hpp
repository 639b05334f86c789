// Base64: MIME bodies in 76-column lines (own kernels, see
// base64_kernels.hpp); the rest on OpenSSL's EVP_EncodeBlock.
#pragma once
// LETTRE_EXPORT: also called by lettre::smtp / lettre::mx, which are separate
// shared libraries when BUILD_SHARED_LIBS=ON. Internal all the same: src/
// headers are not installed.

#include <lettre/export.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace lettre::detail {

/// Size of base64 in 76-column CRLF-terminated lines.
std::size_t base64_mime_size(std::size_t input_size) noexcept;
/// Appends base64 in 76-column lines, each ending CRLF (RFC 2045 §6.8).
void append_base64_mime(std::string& out, std::string_view data);
/// Writes the same bytes as append_base64_mime (base64_mime_size(size)) at
/// `dst` and returns the end: the fastest kernel the CPU runs.
char* encode_base64_mime(char* dst, std::string_view data) noexcept;
/// Appends base64 without line breaks (for encoded-words).
LETTRE_EXPORT void append_base64(std::string& out, std::string_view data);
std::size_t base64_size(std::size_t input_size) noexcept;
/// Decodes standard base64; false on malformed input.
LETTRE_EXPORT bool decode_base64(std::string_view in, std::string& out);

}  // namespace lettre::detail
