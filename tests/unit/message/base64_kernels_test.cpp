// The MIME base64 kernels (scalar, SSSE3, AVX2 where the CPU has them, and
// the dispatched append_base64_mime) against OpenSSL's EVP_EncodeBlock on
// random data of every length 0..300 and some large ones: the same bytes, in
// 76-column CRLF lines, nothing written past the end, nothing read past the
// input (the input is a vector of exactly n octets, so ASan would see it).
#include "detail/base64_kernels.hpp"
#include "detail/base64.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstddef>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

using kernel = char* (*)(char*, const unsigned char*, std::size_t) noexcept;

std::vector<unsigned char> random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<unsigned char> v(n);
    for (auto& b : v) b = static_cast<unsigned char>(rng());
    return v;
}

/// OpenSSL's base64, one 57-octet line at a time, each followed by CRLF.
std::string openssl_mime(const std::vector<unsigned char>& data) {
    std::string out;
    unsigned char line[80];
    for (std::size_t pos = 0; pos < data.size(); pos += 57) {
        const std::size_t len = std::min<std::size_t>(57, data.size() - pos);
        const int n = EVP_EncodeBlock(line, data.data() + pos, static_cast<int>(len));
        out.append(reinterpret_cast<const char*>(line), static_cast<std::size_t>(n));
        out += "\r\n";
    }
    return out;
}

std::vector<std::size_t> lengths() {
    std::vector<std::size_t> n;
    for (std::size_t i = 0; i <= 300; ++i) n.push_back(i);
    for (std::size_t big : {57u * 32, 57u * 32 + 7, 4096u, 65536u + 1, 102400u, 57u * 1000 + 63})
        n.push_back(big);
    return n;
}

void check_kernel(kernel k, const char* name) {
    for (const std::size_t n : lengths()) {
        const auto data = random_bytes(n, static_cast<unsigned>(n) * 7919u + 1);
        const std::string want = openssl_mime(data);
        ASSERT_EQ(want.size(), lettre::detail::base64_mime_size(n)) << n;
        std::string got(want.size() + 16, '#');  // 16 guard octets
        char* end = k(got.data(), data.data(), n);
        ASSERT_EQ(end, got.data() + want.size()) << name << ", length " << n;
        EXPECT_EQ(got.substr(want.size()), std::string(16, '#'))
            << name << " wrote past the end, length " << n;
        got.resize(want.size());
        ASSERT_EQ(got, want) << name << ", length " << n;
    }
}

TEST(Base64Kernels, ScalarMatchesOpenSsl) {
    check_kernel(&lettre::detail::encode_base64_mime_scalar, "scalar");
}

#if LETTRE_BASE64_X86
TEST(Base64Kernels, Ssse3MatchesOpenSsl) {
    if (!lettre::detail::base64_cpu_has_ssse3()) GTEST_SKIP() << "no SSSE3 on this CPU";
    check_kernel(&lettre::detail::encode_base64_mime_ssse3, "ssse3");
}

TEST(Base64Kernels, Avx2MatchesOpenSsl) {
    if (!lettre::detail::base64_cpu_has_avx2()) GTEST_SKIP() << "no AVX2 on this CPU";
    check_kernel(&lettre::detail::encode_base64_mime_avx2, "avx2");
}
#endif

TEST(Base64Kernels, AppendBase64MimeMatchesOpenSsl) {
    for (const std::size_t n : lengths()) {
        const auto data = random_bytes(n, static_cast<unsigned>(n) + 17u);
        std::string out = "prefix";
        lettre::detail::append_base64_mime(
            out, std::string_view(reinterpret_cast<const char*>(data.data()), n));
        ASSERT_EQ(out, "prefix" + openssl_mime(data)) << "length " << n;
    }
}

}  // namespace
