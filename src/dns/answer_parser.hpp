// Reads the answer section of a raw DNS response (RFC 1035 §4.1) into
// records with their TTLs. Sans-io and c-ares free: c-ares 1.18 has no TLSA
// parser and drops the TTL of MX and TXT, so one bounded parser serves every
// type. Only records owned by the question's name, or by the target of a
// CNAME chain in the same answer, are taken.
#pragma once

#include <lettre/dns/records.hpp>
#include <lettre/error.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace lettre::dns::detail {

enum class rr_type : std::uint16_t { a = 1, cname = 5, mx = 15, txt = 16, aaaa = 28, tlsa = 52 };

using bytes = std::span<const std::uint8_t>;

/// Malformed input gives errc::dns_failed; no record of the type, dns_nodata.
result<std::vector<mx_record>> parse_mx(bytes msg);
/// `type` is rr_type::a or rr_type::aaaa.
result<std::vector<address_record>> parse_addresses(bytes msg, rr_type type);
result<std::vector<txt_record>> parse_txt(bytes msg);
/// TLSA RDATA is kept as served: any usage, selector and matching type
/// (deciding which are usable is DANE's job, RFC 7672 §3.1), data of any
/// length, even empty; RDATA shorter than the three fields is malformed.
result<std::vector<tlsa_record>> parse_tlsa(bytes msg);

/// What the DNSSEC-aware lookups read besides the records.
struct response_meta {
    std::uint8_t rcode = 0;  ///< the header's RCODE (0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN...)
    bool ad = false;         ///< the header's AD bit (Authentic Data)
    /// The INFO-CODE of the first Extended DNS Error option (RFC 8914) of
    /// the OPT record, if any.
    std::optional<std::uint16_t> ede;
};

/// The header, and the OPT record of the additional section; every
/// section is walked with the same bounds as the answers. Malformed input
/// gives errc::dns_failed.
result<response_meta> read_meta(bytes msg);

/// An RFC 8914 INFO-CODE that reports a failed DNSSEC validation (5
/// Indeterminate to 12 NSEC Missing: Bogus, Signature Expired, DNSKEY
/// Missing, RRSIGs Missing...). 1 and 2 (unsupported algorithms) are not:
/// they make an answer insecure, not bogus.
bool is_dnssec_failure(std::uint16_t info_code) noexcept;

}  // namespace lettre::dns::detail
