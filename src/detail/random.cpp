#include "detail/random.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace lettre::detail {

std::string random_token(std::size_t n) {
    static constexpr char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::vector<unsigned char> raw(n);
    if (RAND_bytes(raw.data(), static_cast<int>(n)) != 1)
        throw std::runtime_error("lettre: the system random generator failed");
    std::string out(n, '0');
    // 256 % 36 != 0: the bias (<1.2%) does not matter for uniqueness tokens.
    for (std::size_t i = 0; i < n; ++i) out[i] = alphabet[raw[i] % 36];
    return out;
}

}  // namespace lettre::detail
