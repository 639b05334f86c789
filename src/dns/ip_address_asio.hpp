// dns::ip_address <-> boost::asio::ip::address, for the code that connects
// or asks the kernel (the public records carry no Asio type). Internal.
#pragma once

#include <lettre/dns/records.hpp>

#include <boost/asio/ip/address.hpp>

#include <algorithm>

namespace lettre::dns::detail {

inline boost::asio::ip::address to_asio(const ip_address& a) {
    const auto b = a.bytes();
    if (a.is_v4()) {
        boost::asio::ip::address_v4::bytes_type v4{};
        std::copy(b.begin(), b.end(), v4.begin());
        return boost::asio::ip::address_v4(v4);
    }
    boost::asio::ip::address_v6::bytes_type v6{};
    std::copy(b.begin(), b.end(), v6.begin());
    return boost::asio::ip::address_v6(v6);
}

/// Drops an IPv6 scope id (DNS answers and domain literals have none).
inline ip_address from_asio(const boost::asio::ip::address& a) {
    if (a.is_v4()) {
        const auto b = a.to_v4().to_bytes();
        return ip_address(ip_address::v4_bytes{b[0], b[1], b[2], b[3]});
    }
    const auto b = a.to_v6().to_bytes();
    ip_address::v6_bytes v6{};
    std::copy(b.begin(), b.end(), v6.begin());
    return ip_address(v6);
}

}  // namespace lettre::dns::detail
