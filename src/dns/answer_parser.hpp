// Reads the answer section of a raw DNS response (RFC 1035 §4.1) into
// records with their TTLs. Sans-io and c-ares free: c-ares 1.18 has no TLSA
// parser and drops the TTL of MX and TXT, so one bounded parser serves every
// type. Only records owned by the question's name, or by the target of a
// CNAME chain in the same answer, are taken.
#pragma once

#include <lettre/dns/records.hpp>
#include <lettre/error.hpp>

#include <cstdint>
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
result<std::vector<tlsa_record>> parse_tlsa(bytes msg);

}  // namespace lettre::dns::detail
