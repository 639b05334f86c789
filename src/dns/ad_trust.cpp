#include "dns/ad_trust.hpp"

#include <algorithm>

namespace lettre::dns::detail {

bool is_loopback(const ip_address& a) noexcept {
    const auto b = a.bytes();
    if (a.is_v4()) return b[0] == 127;
    return std::all_of(b.begin(), b.end() - 1, [](std::uint8_t x) { return x == 0; }) &&
           b.back() == 1;
}

bool ad_trusted(std::span<const ip_address> servers, ad_trust mode) noexcept {
    switch (mode) {
        case ad_trust::always: return true;
        case ad_trust::never: return false;
        case ad_trust::loopback:
            return !servers.empty() && std::all_of(servers.begin(), servers.end(), is_loopback);
    }
    return false;
}

}  // namespace lettre::dns::detail
