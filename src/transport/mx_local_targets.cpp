#include "transport/mx_local_targets.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include <ifaddrs.h>
#include <netinet/in.h>

namespace lettre::mx::detail {
namespace {

/// The IPv4 address inside `a` (itself, or an IPv4-mapped IPv6 address).
std::optional<dns::ip_address::v4_bytes> as_v4(const dns::ip_address& a) {
    const auto b = a.bytes();
    if (a.is_v4()) return dns::ip_address::v4_bytes{b[0], b[1], b[2], b[3]};
    constexpr std::array<std::uint8_t, 12> mapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!std::equal(mapped.begin(), mapped.end(), b.begin())) return std::nullopt;
    return dns::ip_address::v4_bytes{b[12], b[13], b[14], b[15]};
}

}  // namespace

std::optional<std::string_view> local_target(const dns::ip_address& a,
                                             std::span<const dns::ip_address> own) {
    if (const auto v4 = as_v4(a)) {
        if ((*v4)[0] == 127) return "loopback";   // 127.0.0.0/8
        if ((*v4)[0] == 0) return "unspecified";  // 0.0.0.0/8 reaches this host on Linux
    } else {
        const auto b = a.bytes();
        const bool zero_prefix = std::all_of(b.begin(), b.end() - 1, [](auto x) { return x == 0; });
        if (zero_prefix && b.back() == 1) return "loopback";     // ::1
        if (zero_prefix && b.back() == 0) return "unspecified";  // ::
    }
    if (std::find(own.begin(), own.end(), a) != own.end()) return "an address of this machine";
    if (const auto v4 = as_v4(a); v4 && a.is_v6()) {
        if (std::find(own.begin(), own.end(), dns::ip_address(*v4)) != own.end())
            return "an address of this machine";
    }
    return std::nullopt;
}

std::vector<dns::ip_address> own_addresses() {
    std::vector<dns::ip_address> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr) continue;
        if (i->ifa_addr->sa_family == AF_INET) {
            dns::ip_address::v4_bytes b{};
            const auto* sin = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
            std::memcpy(b.data(), &sin->sin_addr, b.size());
            out.emplace_back(b);
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            dns::ip_address::v6_bytes b{};
            const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
            std::memcpy(b.data(), &sin6->sin6_addr, b.size());
            out.emplace_back(b);
        }
    }
    ::freeifaddrs(list);
    return out;
}

}  // namespace lettre::mx::detail
