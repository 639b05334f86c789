#include <lettre/dns/records.hpp>

#include <arpa/inet.h>
#include <sys/socket.h>

namespace lettre::dns {

std::string ip_address::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (!::inet_ntop(v6_ ? AF_INET6 : AF_INET, bytes_.data(), buf, sizeof buf)) return {};
    return buf;
}

std::optional<ip_address> ip_address::parse(std::string_view text) {
    // inet_pton wants a NUL-terminated string; INET6_ADDRSTRLEN bounds any valid one.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
    const std::string s(text);
    v4_bytes v4{};
    if (::inet_pton(AF_INET, s.c_str(), v4.data()) == 1) return ip_address(v4);
    v6_bytes v6{};
    if (::inet_pton(AF_INET6, s.c_str(), v6.data()) == 1) return ip_address(v6);
    return std::nullopt;
}

}  // namespace lettre::dns
