// DNS records as the resolver returns them: plain values with their TTL.
// No c-ares types; host names in ASCII (A-labels), without the final dot.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace lettre::dns {

struct mx_record {
    std::uint16_t preference = 0;
    /// The exchange host; empty for the root (a null MX, RFC 7505).
    std::string host;
    std::uint32_t ttl = 0;
    /// `0 .`: the domain says it accepts no mail.
    bool is_null() const noexcept { return host.empty(); }
};

/// An A or AAAA record.
struct address_record {
    boost::asio::ip::address address;
    std::uint32_t ttl = 0;
};

struct txt_record {
    /// The character-strings of the record, in order (each at most 255 octets).
    std::vector<std::string> strings;
    std::uint32_t ttl = 0;
    /// The strings concatenated (how SPF, DKIM and MTA-STS read them).
    std::string text() const {
        std::string out;
        for (const auto& s : strings) out += s;
        return out;
    }
};

/// RFC 6698 TLSA (for DANE, RFC 7672).
struct tlsa_record {
    std::uint8_t usage = 0;          ///< 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
    std::uint8_t selector = 0;       ///< 0 full certificate, 1 SubjectPublicKeyInfo
    std::uint8_t matching_type = 0;  ///< 0 exact, 1 SHA-256, 2 SHA-512
    std::vector<std::uint8_t> data;  ///< the certificate association data
    std::uint32_t ttl = 0;
};

}  // namespace lettre::dns
