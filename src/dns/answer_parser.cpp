#include "dns/answer_parser.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <optional>
#include <string>

namespace lettre::dns::detail {
namespace {

struct rr {
    std::string owner;
    rr_type type;
    std::uint32_t ttl;
    std::size_t rdata;  ///< offset of the rdata in the message
    std::size_t rdlength;
};

error_info malformed(std::string_view what) {
    return make_error(errc::dns_failed, fmt::format("malformed DNS response: {}", what));
}

std::uint16_t u16(bytes m, std::size_t at) {
    return static_cast<std::uint16_t>((m[at] << 8) | m[at + 1]);
}

std::uint32_t u32(bytes m, std::size_t at) {
    return (std::uint32_t{m[at]} << 24) | (std::uint32_t{m[at + 1]} << 16) |
           (std::uint32_t{m[at + 2]} << 8) | std::uint32_t{m[at + 3]};
}

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               const auto lx = (x >= 'A' && x <= 'Z') ? static_cast<char>(x + 32) : x;
               const auto ly = (y >= 'A' && y <= 'Z') ? static_cast<char>(y + 32) : y;
               return lx == ly;
           });
}

/// A label a host name can hold, written with dots between labels: visible
/// ASCII only, and no '.' inside a label (it would read as two labels).
bool host_label(const std::uint8_t* p, std::size_t len) {
    return std::all_of(p, p + len, [](std::uint8_t c) { return c > 0x20 && c < 0x7F && c != '.'; });
}

/// Reads a possibly compressed name at `at`; sets `next` to the offset after
/// it in the original position. Bounded: 255 octets, and a pointer may only
/// go backwards, so a loop cannot form. `host` (when given) says whether
/// every label is a host_label.
bool read_name(bytes m, std::size_t at, std::string& out, std::size_t& next, bool* host = nullptr) {
    if (host) *host = true;
    out.clear();
    bool jumped = false;
    std::size_t limit = at;  // pointers must point before this
    std::size_t length = 0;
    while (true) {
        if (at >= m.size()) return false;
        const std::uint8_t len = m[at];
        if ((len & 0xC0) == 0xC0) {
            if (at + 1 >= m.size()) return false;
            const std::size_t target = static_cast<std::size_t>(((len & 0x3F) << 8) | m[at + 1]);
            if (!jumped) next = at + 2;
            if (target >= limit) return false;
            jumped = true;
            limit = target;
            at = target;
            continue;
        }
        if ((len & 0xC0) != 0) return false;  // extended label types: not in answers
        if (len == 0) {
            if (!jumped) next = at + 1;
            return true;
        }
        if (at + 1 + len > m.size()) return false;
        length += len + 1u;
        if (length > 255) return false;
        if (!out.empty()) out += '.';
        if (host && !host_label(m.data() + at + 1, len)) *host = false;
        out.append(reinterpret_cast<const char*>(m.data() + at + 1), len);
        at += 1u + len;
    }
}

struct answer {
    std::vector<rr> records;  ///< only those owned by the name or its CNAME targets
};

result<answer> read_answer(bytes m, rr_type want) {
    if (m.size() < 12) return malformed("shorter than a header");
    const std::uint16_t qdcount = u16(m, 4);
    const std::uint16_t ancount = u16(m, 6);
    std::size_t at = 12;
    std::string qname;
    std::string name;
    for (std::uint16_t i = 0; i < qdcount; ++i) {
        std::size_t next = 0;
        if (!read_name(m, at, name, next) || next + 4 > m.size()) return malformed("question");
        if (i == 0) qname = name;
        at = next + 4;
    }
    std::vector<rr> all;
    for (std::uint16_t i = 0; i < ancount; ++i) {
        std::size_t next = 0;
        if (!read_name(m, at, name, next) || next + 10 > m.size())
            return malformed("answer record");
        rr r{name, static_cast<rr_type>(u16(m, next)), u32(m, next + 4), next + 10,
             u16(m, next + 8)};
        if (u16(m, next + 2) != 1) {  // not class IN
            at = r.rdata + r.rdlength;
            if (at > m.size()) return malformed("record data");
            continue;
        }
        if (r.rdata + r.rdlength > m.size()) return malformed("record data");
        at = r.rdata + r.rdlength;
        // TTLs with the top bit set are treated as zero (RFC 2181 §8).
        if (r.ttl > 0x7FFFFFFFu) r.ttl = 0;
        all.push_back(std::move(r));
    }
    // Follow the CNAME chain from the question's name (bounded by the count).
    std::vector<std::string> owners{qname};
    for (std::size_t round = 0; round < all.size(); ++round) {
        bool grew = false;
        for (const auto& r : all) {
            if (r.type != rr_type::cname || want == rr_type::cname) continue;
            if (!iequal(r.owner, owners.back())) continue;
            std::string target;
            std::size_t next = 0;
            if (!read_name(m, r.rdata, target, next)) return malformed("CNAME target");
            if (std::any_of(owners.begin(), owners.end(),
                            [&](const std::string& o) { return iequal(o, target); }))
                break;  // a loop
            owners.push_back(std::move(target));
            grew = true;
            break;
        }
        if (!grew) break;
    }
    answer out;
    for (auto& r : all) {
        if (r.type != want) continue;
        const bool owned = std::any_of(owners.begin(), owners.end(),
                                       [&](const std::string& o) { return iequal(o, r.owner); });
        if (!owned) continue;
        out.records.push_back(std::move(r));
    }
    return out;
}

error_info no_data() {
    return make_error(errc::dns_nodata, "no record of that type");
}

/// Skips one resource record at `at`; false if it does not fit.
bool skip_record(bytes m, std::size_t& at, std::string& owner, std::uint16_t& type,
                 std::size_t& rdata, std::size_t& rdlength) {
    std::size_t next = 0;
    if (!read_name(m, at, owner, next) || next + 10 > m.size()) return false;
    type = u16(m, next);
    rdata = next + 10;
    rdlength = u16(m, next + 8);
    if (rdata + rdlength > m.size()) return false;
    at = rdata + rdlength;
    return true;
}

/// The first EDE option (code 15) of an OPT record's RDATA.
std::optional<std::uint16_t> find_ede(bytes m, std::size_t at, std::size_t end) {
    while (at + 4 <= end) {
        const std::uint16_t code = u16(m, at);
        const std::size_t len = u16(m, at + 2);
        if (at + 4 + len > end) return std::nullopt;
        if (code == 15 && len >= 2) return u16(m, at + 4);
        at += 4 + len;
    }
    return std::nullopt;
}

}  // namespace

result<response_meta> read_meta(bytes m) {
    if (m.size() < 12) return malformed("shorter than a header");
    response_meta meta;
    meta.rcode = m[3] & 0x0F;
    meta.ad = (m[3] & 0x20) != 0;
    std::size_t at = 12;
    std::string name;
    for (std::uint16_t i = 0; i < u16(m, 4); ++i) {
        std::size_t next = 0;
        if (!read_name(m, at, name, next) || next + 4 > m.size()) return malformed("question");
        at = next + 4;
    }
    const std::size_t records = std::size_t{u16(m, 6)} + u16(m, 8) + u16(m, 10);
    const std::size_t additional_from = records - u16(m, 10);
    for (std::size_t i = 0; i < records; ++i) {
        std::uint16_t type = 0;
        std::size_t rdata = 0;
        std::size_t rdlength = 0;
        if (!skip_record(m, at, name, type, rdata, rdlength)) return malformed("record");
        if (i >= additional_from && type == 41 && !meta.ede)
            meta.ede = find_ede(m, rdata, rdata + rdlength);
    }
    return meta;
}

bool is_dnssec_failure(std::uint16_t info_code) noexcept {
    return info_code >= 5 && info_code <= 12;
}

result<std::vector<mx_record>> parse_mx(bytes m) {
    auto a = read_answer(m, rr_type::mx);
    if (!a) return std::move(a).error();
    std::vector<mx_record> out;
    for (const auto& r : a->records) {
        if (r.rdlength < 3) return malformed("MX record");
        mx_record mx;
        mx.preference = u16(m, r.rdata);
        mx.ttl = r.ttl;
        std::size_t next = 0;
        bool host = true;
        if (!read_name(m, r.rdata + 2, mx.host, next, &host) || next > r.rdata + r.rdlength)
            return malformed("MX exchange");
        // The exchange goes to the resolver, into TLS SNI and into messages as
        // text: a NUL would make c-ares look up a shorter name (another host),
        // a '.' inside a label another name. (Found by fuzz_dns_answer.)
        if (!host)
            return malformed(
                "MX exchange is not a host name (bytes outside visible ASCII or "
                "a '.' inside a label)");
        out.push_back(std::move(mx));
    }
    if (out.empty()) return no_data();
    return out;
}

result<std::vector<address_record>> parse_addresses(bytes m, rr_type type) {
    auto a = read_answer(m, type);
    if (!a) return std::move(a).error();
    std::vector<address_record> out;
    for (const auto& r : a->records) {
        if (type == rr_type::a) {
            if (r.rdlength != 4) return malformed("A record");
            ip_address::v4_bytes b{};
            std::copy_n(m.begin() + static_cast<std::ptrdiff_t>(r.rdata), 4, b.begin());
            out.push_back({ip_address(b), r.ttl});
        } else {
            if (r.rdlength != 16) return malformed("AAAA record");
            ip_address::v6_bytes b{};
            std::copy_n(m.begin() + static_cast<std::ptrdiff_t>(r.rdata), 16, b.begin());
            out.push_back({ip_address(b), r.ttl});
        }
    }
    if (out.empty()) return no_data();
    return out;
}

result<std::vector<txt_record>> parse_txt(bytes m) {
    auto a = read_answer(m, rr_type::txt);
    if (!a) return std::move(a).error();
    std::vector<txt_record> out;
    for (const auto& r : a->records) {
        txt_record t;
        t.ttl = r.ttl;
        std::size_t at = r.rdata;
        const std::size_t end = r.rdata + r.rdlength;
        while (at < end) {
            const std::size_t len = m[at];
            if (at + 1 + len > end) return malformed("TXT string");
            t.strings.emplace_back(reinterpret_cast<const char*>(m.data() + at + 1), len);
            at += 1 + len;
        }
        out.push_back(std::move(t));
    }
    if (out.empty()) return no_data();
    return out;
}

result<std::vector<tlsa_record>> parse_tlsa(bytes m) {
    auto a = read_answer(m, rr_type::tlsa);
    if (!a) return std::move(a).error();
    std::vector<tlsa_record> out;
    for (const auto& r : a->records) {
        if (r.rdlength < 3) return malformed("TLSA record");
        tlsa_record t;
        t.usage = m[r.rdata];
        t.selector = m[r.rdata + 1];
        t.matching_type = m[r.rdata + 2];
        t.data.assign(m.begin() + static_cast<std::ptrdiff_t>(r.rdata + 3),
                      m.begin() + static_cast<std::ptrdiff_t>(r.rdata + r.rdlength));
        t.ttl = r.ttl;
        out.push_back(std::move(t));
    }
    if (out.empty()) return no_data();
    return out;
}

}  // namespace lettre::dns::detail
