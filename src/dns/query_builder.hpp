// Builds the DNSSEC-aware query c-ares 1.18 cannot make itself (it has no
// API for the DO and AD bits): sent with ares_send, which takes the bytes as
// they are, including the ID. Sans-io. Internal.
#pragma once

#include "dns/answer_parser.hpp"

#include <lettre/error.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

namespace lettre::dns::detail {

/// The UDP payload size the query advertises (EDNS0): the DNS flag day 2020
/// value, which avoids IP fragmentation. The DNSSEC channel tells c-ares
/// the same size, so it accepts UDP answers up to it and retries over TCP
/// on TC.
inline constexpr std::uint16_t dnssec_udp_size = 1232;

/// A query for `name` (ASCII, without the final dot) and `type`, class IN:
/// RD=1, AD=1 (RFC 6840 §5.7: the answer's AD bit then says whether the
/// resolver validated it), one question, and an EDNS0 OPT record (RFC
/// 6891) with the DO bit (RFC 3225) and no options, last in the message.
/// errc::invalid_domain for an empty label, a label over 63 octets or a
/// name over 255 octets.
result<std::vector<std::uint8_t>> build_dnssec_query(std::string_view name, rr_type type,
                                                     std::uint16_t id);

}  // namespace lettre::dns::detail
