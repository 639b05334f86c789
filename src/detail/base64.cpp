#include "detail/base64.hpp"

#include <openssl/evp.h>

namespace lettre::detail {
namespace {
constexpr std::size_t line_input = 57;  // 57 octets -> 76 base64 characters

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}
}  // namespace

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

// MIME bodies are encoded with a table here rather than EVP_EncodeBlock:
// OpenSSL's routine has to be called once per 57-byte line, and measured
// on the corpus' 100 KB attachment this loop is about twice as fast.
// Header encoded-words and everything else still use OpenSSL.
void append_base64_mime(std::string& out, std::string_view data) {
    static constexpr char table[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const std::size_t start = out.size();
    out.resize(start + base64_mime_size(data.size()));
    char* dst = out.data() + start;
    const auto* src = bytes(data);
    const std::size_t n = data.size();
    for (std::size_t pos = 0; pos < n; pos += line_input) {
        const std::size_t end = std::min(pos + line_input, n);
        std::size_t i = pos;
        for (; i + 3 <= end; i += 3) {
            const unsigned v = (unsigned{src[i]} << 16) | (unsigned{src[i + 1]} << 8) | src[i + 2];
            *dst++ = table[(v >> 18) & 63];
            *dst++ = table[(v >> 12) & 63];
            *dst++ = table[(v >> 6) & 63];
            *dst++ = table[v & 63];
        }
        if (i < end) {  // the last 1 or 2 bytes of the data
            const unsigned v =
                (unsigned{src[i]} << 16) | (i + 1 < end ? unsigned{src[i + 1]} << 8 : 0u);
            *dst++ = table[(v >> 18) & 63];
            *dst++ = table[(v >> 12) & 63];
            *dst++ = i + 1 < end ? table[(v >> 6) & 63] : '=';
            *dst++ = '=';
        }
        *dst++ = '\r';
        *dst++ = '\n';
    }
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
