// DNS records as the resolver returns them: plain values with their TTL.
// No c-ares or Asio types; host names in ASCII (A-labels), without the
// final dot.
#pragma once

#include <lettre/export.hpp>

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::dns {

/// An IPv4 or IPv6 address as octets in network order: what an A or AAAA
/// record holds. A value type of its own so that records need no Asio
/// header; Asio users convert with `boost::asio::ip::make_address(a.to_string())`
/// or from bytes().
class LETTRE_EXPORT ip_address {
public:
    using v4_bytes = std::array<std::uint8_t, 4>;   ///< an IPv4 address, network order
    using v6_bytes = std::array<std::uint8_t, 16>;  ///< an IPv6 address, network order

    /// 0.0.0.0
    constexpr ip_address() noexcept = default;
    /// An IPv4 address.
    constexpr explicit ip_address(const v4_bytes& b) noexcept : bytes_{b[0], b[1], b[2], b[3]} {}
    /// An IPv6 address.
    constexpr explicit ip_address(const v6_bytes& b) noexcept : v6_(true), bytes_(b) {}

    constexpr bool is_v4() const noexcept { return !v6_; }  ///< an IPv4 address
    constexpr bool is_v6() const noexcept { return v6_; }   ///< an IPv6 address
    /// The 4 or 16 octets, network order.
    std::span<const std::uint8_t> bytes() const noexcept {
        return {bytes_.data(), v6_ ? std::size_t{16} : std::size_t{4}};
    }

    /// "192.0.2.1", "2001:db8::1" (RFC 5952 form, as inet_ntop writes it).
    std::string to_string() const;
    /// Dotted-quad IPv4 or textual IPv6 (inet_pton); nullopt otherwise.
    static std::optional<ip_address> parse(std::string_view text);

    /// IPv4 addresses order before IPv6 ones, then by octets.
    friend constexpr bool operator==(const ip_address&, const ip_address&) noexcept = default;
    /// IPv4 before IPv6, then by octets.
    friend constexpr auto operator<=>(const ip_address&, const ip_address&) noexcept = default;

private:
    bool v6_ = false;
    v6_bytes bytes_{};  ///< an IPv4 address in the first four, the rest zero
};

/// An MX record: a mail exchange host and its preference.
struct mx_record {
    std::uint16_t preference = 0;  ///< lower is tried first
    /// The exchange host; empty for the root (a null MX, RFC 7505).
    std::string host;
    std::uint32_t ttl = 0;  ///< seconds, as served
    /// `0 .`: the domain says it accepts no mail.
    bool is_null() const noexcept { return host.empty(); }
};

/// An A or AAAA record.
struct address_record {
    ip_address address;     ///< the A or AAAA address
    std::uint32_t ttl = 0;  ///< seconds, as served
};

/// A TXT record.
struct txt_record {
    /// The character-strings of the record, in order (each at most 255 octets).
    std::vector<std::string> strings;
    std::uint32_t ttl = 0;  ///< seconds, as served
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
    std::uint32_t ttl = 0;           ///< seconds, as served
};

}  // namespace lettre::dns
