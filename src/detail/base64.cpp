#include "detail/base64.hpp"

#include "detail/base64_kernels.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>

#if LETTRE_BASE64_X86
#include <immintrin.h>
#endif

namespace lettre::detail {
namespace {
constexpr std::size_t line_input = 57;  // 57 octets -> 76 base64 characters

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The two characters of every 12-bit value, side by side.
constexpr std::array<char, 8192> make_pairs() {
    std::array<char, 8192> t{};
    for (std::size_t v = 0; v < 4096; ++v) {
        t[2 * v] = alphabet[v >> 6];
        t[2 * v + 1] = alphabet[v & 63];
    }
    return t;
}
constexpr std::array<char, 8192> pairs = make_pairs();

/// 3 octets -> 4 characters.
inline void encode3(char* dst, const unsigned char* s) noexcept {
    const unsigned v = (unsigned{s[0]} << 16) | (unsigned{s[1]} << 8) | s[2];
    std::memcpy(dst, &pairs[2 * (v >> 12)], 2);
    std::memcpy(dst + 2, &pairs[2 * (v & 0xFFF)], 2);
}

#if LETTRE_BASE64_X86
// Muła's method (http://0x80.pl/notesen/2016-01-12-sse-base64-encoding.html):
// spread 3 octets over each 32-bit lane, cut out the four 6-bit indices with
// two multiplies, and map indices to ASCII by adding a per-range offset.
__attribute__((target("ssse3"))) inline __m128i indices_ssse3(__m128i in) noexcept {
    in = _mm_shuffle_epi8(in, _mm_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10));
    const __m128i t0 = _mm_and_si128(in, _mm_set1_epi32(0x0fc0fc00));
    const __m128i t1 = _mm_mulhi_epu16(t0, _mm_set1_epi32(0x04000040));
    const __m128i t2 = _mm_and_si128(in, _mm_set1_epi32(0x003f03f0));
    const __m128i t3 = _mm_mullo_epi16(t2, _mm_set1_epi32(0x01000010));
    return _mm_or_si128(t1, t3);
}

__attribute__((target("ssse3"))) inline __m128i ascii_ssse3(__m128i idx) noexcept {
    const __m128i offsets =
        _mm_setr_epi8(65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0);
    __m128i k = _mm_subs_epu8(idx, _mm_set1_epi8(51));
    k = _mm_sub_epi8(k, _mm_cmpgt_epi8(idx, _mm_set1_epi8(25)));
    return _mm_add_epi8(idx, _mm_shuffle_epi8(offsets, k));
}

/// 12 octets (reads 16) -> 16 characters.
__attribute__((target("ssse3"))) inline void encode12_ssse3(char* dst,
                                                            const unsigned char* s) noexcept {
    const __m128i in = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), ascii_ssse3(indices_ssse3(in)));
}

/// 24 octets (reads 28) -> 32 characters.
__attribute__((target("avx2"))) inline void encode24_avx2(char* dst,
                                                          const unsigned char* s) noexcept {
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 12));
    __m256i in = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
    in = _mm256_shuffle_epi8(
        in, _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10, 1, 0, 2, 1, 4, 3, 5,
                             4, 7, 6, 8, 7, 10, 9, 11, 10));
    const __m256i t0 = _mm256_and_si256(in, _mm256_set1_epi32(0x0fc0fc00));
    const __m256i t1 = _mm256_mulhi_epu16(t0, _mm256_set1_epi32(0x04000040));
    const __m256i t2 = _mm256_and_si256(in, _mm256_set1_epi32(0x003f03f0));
    const __m256i t3 = _mm256_mullo_epi16(t2, _mm256_set1_epi32(0x01000010));
    const __m256i idx = _mm256_or_si256(t1, t3);
    const __m256i offsets =
        _mm256_setr_epi8(65, 71, -4, -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0, 65, 71, -4,
                         -4, -4, -4, -4, -4, -4, -4, -4, -4, -19, -16, 0, 0);
    __m256i k = _mm256_subs_epu8(idx, _mm256_set1_epi8(51));
    k = _mm256_sub_epi8(k, _mm256_cmpgt_epi8(idx, _mm256_set1_epi8(25)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst),
                        _mm256_add_epi8(idx, _mm256_shuffle_epi8(offsets, k)));
}
#endif

using mime_kernel = char* (*)(char*, const unsigned char*, std::size_t) noexcept;

mime_kernel pick_kernel() noexcept {
#if LETTRE_BASE64_X86
    if (base64_cpu_has_avx2()) return &encode_base64_mime_avx2;
    if (base64_cpu_has_ssse3()) return &encode_base64_mime_ssse3;
#endif
    return &encode_base64_mime_scalar;
}

}  // namespace

char* encode_base64_mime_scalar(char* dst, const unsigned char* src, std::size_t n) noexcept {
    for (std::size_t pos = 0; pos < n; pos += line_input) {
        const std::size_t end = std::min(pos + line_input, n);
        std::size_t i = pos;
        for (; i + 3 <= end; i += 3, dst += 4) encode3(dst, src + i);
        if (i < end) {  // the last 1 or 2 octets of the data
            const unsigned v =
                (unsigned{src[i]} << 16) | (i + 1 < end ? unsigned{src[i + 1]} << 8 : 0u);
            *dst++ = alphabet[(v >> 18) & 63];
            *dst++ = alphabet[(v >> 12) & 63];
            *dst++ = i + 1 < end ? alphabet[(v >> 6) & 63] : '=';
            *dst++ = '=';
        }
        *dst++ = '\r';
        *dst++ = '\n';
    }
    return dst;
}

#if LETTRE_BASE64_X86
// A whole line is 57 octets: the vector steps cover 48 (or 60: the last step
// reads 16 octets and writes 16 characters, of which 12 belong to the line).
// They run while the data holds 7 octets past the line, so no load reads
// past the input and the 4 characters written past the line's 76 (the CRLF
// overwrites 2) land where the next line goes. The rest goes to the scalar
// kernel.
__attribute__((target("ssse3"))) char* encode_base64_mime_ssse3(char* dst, const unsigned char* src,
                                                                std::size_t n) noexcept {
    std::size_t pos = 0;
    for (; pos + 64 <= n; pos += line_input, dst += 78) {
        for (std::size_t k = 0; k < 5; ++k) encode12_ssse3(dst + 16 * k, src + pos + 12 * k);
        dst[76] = '\r';
        dst[77] = '\n';
    }
    return encode_base64_mime_scalar(dst, src + pos, n - pos);
}

__attribute__((target("avx2"))) char* encode_base64_mime_avx2(char* dst, const unsigned char* src,
                                                              std::size_t n) noexcept {
    std::size_t pos = 0;
    for (; pos + 64 <= n; pos += line_input, dst += 78) {
        encode24_avx2(dst, src + pos);
        encode24_avx2(dst + 32, src + pos + 24);
        encode12_ssse3(dst + 64, src + pos + 48);
        dst[76] = '\r';
        dst[77] = '\n';
    }
    return encode_base64_mime_scalar(dst, src + pos, n - pos);
}

bool base64_cpu_has_ssse3() noexcept {
    __builtin_cpu_init();
    return __builtin_cpu_supports("ssse3") != 0;
}

bool base64_cpu_has_avx2() noexcept {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
}
#endif

std::size_t base64_size(std::size_t n) noexcept {
    return (n + 2) / 3 * 4;
}

std::size_t base64_mime_size(std::size_t n) noexcept {
    const std::size_t lines = (n + line_input - 1) / line_input;
    return base64_size(n) + 2 * lines;
}

void append_base64(std::string& out, std::string_view data) {
    const std::size_t start = out.size();
    out.resize(start + base64_size(data.size()) + 1);  // EVP_EncodeBlock writes a NUL
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + start), bytes(data),
                                  static_cast<int>(data.size()));
    out.resize(start + static_cast<std::size_t>(n));
}

// MIME bodies (attachments above all) are encoded here rather than with
// EVP_EncodeBlock, which would be called once per 57-byte line and is a
// plain byte loop. The scalar kernel turns 12 bits into two characters with
// one look-up; the SSSE3 and AVX2 kernels (Muła's method) turn 12 and 24
// octets into 16 and 32 characters per step, writing each line straight
// into the output. Header encoded-words and everything else still use
// OpenSSL.
void append_base64_mime(std::string& out, std::string_view data) {
    const std::size_t start = out.size();
    out.resize(start + base64_mime_size(data.size()));
    encode_base64_mime(out.data() + start, data);
}

char* encode_base64_mime(char* dst, std::string_view data) noexcept {
    static const mime_kernel kernel = pick_kernel();
    return kernel(dst, bytes(data), data.size());
}

bool decode_base64(std::string_view in, std::string& out) {
    std::string clean;
    clean.reserve(in.size());
    for (char c : in)
        if (c != '\r' && c != '\n' && c != ' ' && c != '\t') clean.push_back(c);
    if (clean.size() % 4 != 0) return false;
    const std::size_t start = out.size();
    out.resize(start + clean.size() / 4 * 3 + 1);
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data() + start),
                                  bytes(clean), static_cast<int>(clean.size()));
    if (n < 0) {
        out.resize(start);
        return false;
    }
    std::size_t len = static_cast<std::size_t>(n);
    // EVP_DecodeBlock counts padding as zero bytes.
    if (!clean.empty() && clean.back() == '=') --len;
    if (clean.size() >= 2 && clean[clean.size() - 2] == '=') --len;
    out.resize(start + len);
    return true;
}

}  // namespace lettre::detail
