#include "dns/query_builder.hpp"

#include <fmt/format.h>

namespace lettre::dns::detail {

namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v & 0xFF));
}

error_info bad_name(std::string_view name, std::string_view why) {
    return make_error(errc::invalid_domain, fmt::format("bad domain name \"{}\": {}", name, why));
}

/// RFC 1035 §3.1: length-prefixed labels, then the root's zero.
result<std::vector<std::uint8_t>> encode_name(std::string_view name) {
    std::vector<std::uint8_t> out;
    std::string_view rest = name;
    while (!rest.empty()) {
        const std::size_t dot = rest.find('.');
        const std::string_view label = rest.substr(0, dot);
        if (label.empty()) return bad_name(name, "empty label");
        if (label.size() > 63) return bad_name(name, "a label is longer than 63 octets");
        out.push_back(static_cast<std::uint8_t>(label.size()));
        out.insert(out.end(), label.begin(), label.end());
        rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
        if (dot != std::string_view::npos && rest.empty()) return bad_name(name, "empty label");
    }
    out.push_back(0);
    if (out.size() > 255) return bad_name(name, "longer than 255 octets");
    return out;
}

}  // namespace

result<std::vector<std::uint8_t>> build_dnssec_query(std::string_view name, rr_type type,
                                                     std::uint16_t id) {
    if (name.empty()) return bad_name(name, "empty");
    auto qname = encode_name(name);
    if (!qname) return std::move(qname).error();
    std::vector<std::uint8_t> q;
    q.reserve(12 + qname->size() + 4 + 11);
    put16(q, id);
    q.push_back(0x01);  // QR=0, opcode QUERY, AA=0, TC=0, RD=1
    q.push_back(0x20);  // RA=0, Z=0, AD=1, CD=0, RCODE=0
    put16(q, 1);        // QDCOUNT
    put16(q, 0);        // ANCOUNT
    put16(q, 0);        // NSCOUNT
    put16(q, 1);        // ARCOUNT: the OPT record
    q.insert(q.end(), qname->begin(), qname->end());
    put16(q, static_cast<std::uint16_t>(type));
    put16(q, 1);  // class IN
    // OPT (RFC 6891 §6.1.2): root owner, type 41, the class is the UDP
    // payload size, the TTL holds extended RCODE 0, version 0 and the flags
    // (DO is the top bit), no RDATA. Exactly 11 octets and last: c-ares
    // strips those 11 octets if a server answers FORMERR to EDNS.
    q.push_back(0);
    put16(q, 41);
    put16(q, dnssec_udp_size);
    q.push_back(0);    // extended RCODE
    q.push_back(0);    // EDNS version 0
    put16(q, 0x8000);  // DO
    put16(q, 0);       // RDLENGTH
    return q;
}

}  // namespace lettre::dns::detail
