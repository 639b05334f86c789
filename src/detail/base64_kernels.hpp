// The MIME base64 encoders behind append_base64_mime, one per instruction
// set, visible to the tests so that each is checked against OpenSSL on any
// machine that can run it. Internal.
#pragma once

#include <cstddef>

namespace lettre::detail {

/// Each writes the base64 of `src[0..n)` in 76-column lines, each ending
/// CRLF, to `dst` (exactly base64_mime_size(n) bytes) and returns the end.
char* encode_base64_mime_scalar(char* dst, const unsigned char* src, std::size_t n) noexcept;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LETTRE_BASE64_X86 1
char* encode_base64_mime_ssse3(char* dst, const unsigned char* src, std::size_t n) noexcept;
char* encode_base64_mime_avx2(char* dst, const unsigned char* src, std::size_t n) noexcept;
bool base64_cpu_has_ssse3() noexcept;
bool base64_cpu_has_avx2() noexcept;
#endif

}  // namespace lettre::detail
