// libFuzzer target: the DNS answer parser (src/dns/answer_parser) on raw
// DNS messages, as a resolver hands them over from the network.
//
// parse_mx, parse_addresses (A and AAAA), parse_txt, parse_tlsa and
// read_meta (the DNSSEC-aware lookups' header and OPT reader: RCODE, AD
// bit, RFC 8914 Extended DNS Error) on the same bytes:
//   - no crash, leak, undefined behaviour or read past the message;
//   - an error is dns_failed (malformed) or dns_nodata, and success always
//     carries at least one record, never more than the header's ANCOUNT;
//   - every MX exchange is empty (null MX) or a host name a resolver can be
//     asked for: printable ASCII without space, at most 253 octets, no empty
//     label. Anything else would reach c-ares, TLS SNI and log lines as it is
//     (a NUL truncates the name c-ares looks up: another host);
//   - every TXT string is at most 255 octets; TLSA data fits in the message;
//     an address has the family asked for;
//   - read_meta fails (dns_failed) on less than a header; its RCODE and AD
//     bit are the header's; an Extended DNS Error comes only from a message
//     with an additional section.
#include "fuzz_common.hpp"

#include "dns/answer_parser.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace {

namespace dns = lettre::dns::detail;

std::size_t answer_count(std::span<const std::uint8_t> m) {
    return m.size() < 12 ? 0 : static_cast<std::size_t>((m[6] << 8) | m[7]);
}

template <class Result>
void check_outcome(const Result& r, std::span<const std::uint8_t> m, std::string_view input,
                   std::string_view what) {
    if (!r) {
        const auto e = r.error().code;
        if (e != lettre::make_error_code(lettre::errc::dns_failed) &&
            e != lettre::make_error_code(lettre::errc::dns_nodata))
            fuzz::fail("unexpected error code", input, what);
        return;
    }
    if (r->empty()) fuzz::fail("success without a record", input, what);
    if (r->size() > answer_count(m)) fuzz::fail("more records than ANCOUNT", input, what);
}

bool host_name(std::string_view h) {
    if (h.size() > 253) return false;
    std::size_t label = 0;
    for (const char c : h) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f) return false;
        if (c == '.') {
            if (label == 0) return false;
            label = 0;
        } else if (++label > 63) {
            return false;
        }
    }
    return label > 0;
}

/// read_meta: what the DNSSEC-aware lookups decide secure, insecure and
/// bogus from.
void check_meta(std::span<const std::uint8_t> m, std::string_view input) {
    const auto meta = dns::read_meta(m);
    if (!meta) {
        if (meta.error().code != lettre::make_error_code(lettre::errc::dns_failed))
            fuzz::fail("read_meta: unexpected error code", input);
        return;
    }
    if (m.size() < 12) fuzz::fail("read_meta: success on less than a header", input);
    if (meta->rcode != (m[3] & 0x0F)) fuzz::fail("read_meta: RCODE is not the header's", input);
    if (meta->ad != ((m[3] & 0x20) != 0)) fuzz::fail("read_meta: AD is not the header's", input);
    const bool additional = ((m[10] << 8) | m[11]) != 0;
    if (meta->ede && !additional)
        fuzz::fail("read_meta: an Extended DNS Error without an additional section", input);
    // The decision the resolver makes from it (resolver.cpp): any value.
    if (meta->ede) static_cast<void>(dns::is_dnssec_failure(*meta->ede));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> m(data, size);
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    const auto mx = dns::parse_mx(m);
    check_outcome(mx, m, input, "MX");
    if (mx)
        for (const auto& r : *mx)
            if (!r.host.empty() && !host_name(r.host))
                fuzz::fail("MX exchange is not a host name", input, r.host);

    for (const auto type : {dns::rr_type::a, dns::rr_type::aaaa}) {
        const auto a = dns::parse_addresses(m, type);
        check_outcome(a, m, input, "A/AAAA");
        if (a)
            for (const auto& r : *a)
                if (r.address.is_v4() != (type == dns::rr_type::a))
                    fuzz::fail("address of the wrong family", input, r.address.to_string());
    }

    const auto txt = dns::parse_txt(m);
    check_outcome(txt, m, input, "TXT");
    if (txt)
        for (const auto& r : *txt)
            for (const auto& s : r.strings)
                if (s.size() > 255) fuzz::fail("TXT string over 255 octets", input);

    const auto tlsa = dns::parse_tlsa(m);
    check_outcome(tlsa, m, input, "TLSA");
    if (tlsa)
        for (const auto& r : *tlsa)
            if (r.data.size() + 3 > size) fuzz::fail("TLSA data larger than the message", input);

    check_meta(m, input);
    return 0;
}
