#include "transport/mx_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <random>

namespace lettre::mx::detail {

std::vector<dns::mx_record> order_mx(std::vector<dns::mx_record> records,
                                     const random_source& rnd) {
    std::sort(records.begin(), records.end(),
              [](const auto& a, const auto& b) { return a.preference < b.preference; });
    // Drop a host listed twice (keep its best preference).
    std::vector<dns::mx_record> out;
    for (auto& r : records) {
        const bool seen = std::any_of(out.begin(), out.end(), [&](const dns::mx_record& o) {
            return o.host.size() == r.host.size() &&
                   std::equal(o.host.begin(), o.host.end(), r.host.begin(), [](char x, char y) {
                       return std::tolower(static_cast<unsigned char>(x)) ==
                              std::tolower(static_cast<unsigned char>(y));
                   });
        });
        if (!seen) out.push_back(std::move(r));
    }
    // Fisher-Yates within each run of equal preference.
    for (std::size_t begin = 0; begin < out.size();) {
        std::size_t end = begin;
        while (end < out.size() && out[end].preference == out[begin].preference) ++end;
        for (std::size_t i = end - begin; i > 1; --i) {
            const std::size_t j = rnd(i);
            std::swap(out[begin + i - 1], out[begin + j]);
        }
        begin = end;
    }
    return out;
}

std::error_code agreeing_error(const std::error_code& ec, condition decided,
                               errc permanent_fallback) {
    if (ec == decided || ec == condition::outcome_unknown) return ec;
    return make_error_code(decided == condition::transient ? errc::delivery_deferred
                                                           : permanent_fallback);
}

mx_decision decide(std::string_view domain, const std::error_code& ec,
                   std::vector<dns::mx_record> records, std::size_t max_hosts,
                   const random_source& rnd) {
    mx_decision d;
    if (!ec) {
        if (std::any_of(records.begin(), records.end(),
                        [](const dns::mx_record& r) { return r.is_null(); })) {
            // RFC 7505 §3: a null MX says the domain takes no mail. A domain
            // that mixes it with other records is misconfigured; we follow
            // the explicit "no mail" rather than guess.
            d.error = make_error_code(errc::null_mx);
            d.message = fmt::format("{} accepts no mail (null MX, RFC 7505)", domain);
            return d;
        }
        d.what = mx_decision::kind::hosts;
        d.hosts = order_mx(std::move(records), rnd);
        if (max_hosts > 0 && d.hosts.size() > max_hosts) d.hosts.resize(max_hosts);
        return d;
    }
    if (ec == make_error_code(errc::dns_nodata)) {
        d.what = mx_decision::kind::implicit;
        d.hosts.push_back({0, std::string(domain), 0});
        return d;
    }
    const bool permanent = is_definitive(ec);
    d.error = agreeing_error(ec, permanent ? condition::permanent : condition::transient,
                             errc::invalid_domain);
    if (ec == make_error_code(errc::dns_nxdomain))
        d.message = fmt::format("{} does not exist (NXDOMAIN)", domain);
    else if (permanent)
        d.message = fmt::format("MX lookup for {} failed: {}", domain, ec.message());
    else
        d.message =
            fmt::format("MX lookup for {} failed, try again later: {}", domain, ec.message());
    return d;
}

bool is_definitive(const std::error_code& ec) noexcept {
    return ec == make_error_code(errc::dns_nxdomain) || ec == make_error_code(errc::dns_nodata) ||
           ec == make_error_code(errc::invalid_domain);
}

std::vector<dns::ip_address> order_addresses(const std::vector<dns::address_record>& v4,
                                             const std::vector<dns::address_record>& v6,
                                             address_order order) {
    std::vector<dns::ip_address> out;
    auto add = [&](const std::vector<dns::address_record>& rs) {
        for (const auto& r : rs)
            if (std::find(out.begin(), out.end(), r.address) == out.end()) out.push_back(r.address);
    };
    switch (order) {
        case address_order::ipv4_first:
            add(v4);
            add(v6);
            break;
        case address_order::ipv6_first:
            add(v6);
            add(v4);
            break;
        case address_order::ipv4_only: add(v4); break;
        case address_order::ipv6_only: add(v6); break;
    }
    return out;
}

std::optional<dns::ip_address> domain_literal(std::string_view domain) {
    if (domain.size() < 3 || domain.front() != '[' || domain.back() != ']') return std::nullopt;
    std::string_view inner = domain.substr(1, domain.size() - 2);
    const bool v6 =
        inner.size() > 5 && (inner.substr(0, 5) == "IPv6:" || inner.substr(0, 5) == "ipv6:");
    if (v6) inner.remove_prefix(5);
    auto a = dns::ip_address::parse(inner);
    if (!a || a->is_v6() != v6) return std::nullopt;
    return a;
}

random_source default_random() {
    // Shared by the sends of one transport, which may run on several threads.
    struct state {
        std::mutex mutex;
        std::mt19937 engine{std::random_device{}()};
    };
    auto s = std::make_shared<state>();
    return [s](std::size_t n) {
        std::uniform_int_distribution<std::size_t> dist(0, n - 1);
        std::lock_guard lock(s->mutex);
        return dist(s->engine);
    };
}

}  // namespace lettre::mx::detail
