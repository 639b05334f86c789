// The policy lifecycle of RFC 8461 §5.1, sans-io.
#include "transport/mta_sts_lifecycle.hpp"

#include <fmt/format.h>

namespace lettre::mta_sts::detail {

namespace {

failure failure_from(const error_info& e) {
    return {failure_type_of(e.code), e.code, e.message};
}

discovery from_cache(cached_policy c, std::optional<failure> problem) {
    discovery d;
    d.active = std::move(c.value);
    d.origin = policy_origin::cache;
    d.id = std::move(c.id);
    d.problem = std::move(problem);
    return d;
}

}  // namespace

txt_answer read_txt_answer(std::string_view domain, const std::error_code& ec,
                           const std::vector<dns::txt_record>& records) {
    if (ec == errc::dns_nxdomain || ec == errc::dns_nodata) return {};
    if (ec) {
        return {std::nullopt, failure{failure_type::policy_fetch_error,
                                      make_error_code(errc::mta_sts_fetch_failed),
                                      fmt::format("MTA-STS: the TXT lookup of {} failed: {}",
                                                  sts_record_name(domain), ec.message())}};
    }
    auto selected = select_sts_record(records);
    if (!selected) {
        auto e = selected.error();
        e.message = fmt::format("{}: {}", sts_record_name(domain), e.message);
        return {std::nullopt, failure_from(e)};
    }
    return {std::move(*selected), std::nullopt};
}

bool is_valid(const std::optional<cached_policy>& cached,
              std::chrono::system_clock::time_point now) {
    return cached && now < cached->expires();
}

step next_step(const txt_answer& txt, const std::optional<cached_policy>& cached,
               std::chrono::system_clock::time_point now) {
    const bool valid = is_valid(cached, now);
    if (!txt.record) return valid ? step::use_cache : step::no_policy;
    if (valid && cached->id == txt.record->id) return step::use_cache;
    return step::fetch;
}

discovery without_fetch(const txt_answer& txt, std::optional<cached_policy> cached,
                        std::chrono::system_clock::time_point now) {
    if (is_valid(cached, now)) return from_cache(std::move(*cached), txt.problem);
    discovery d;
    d.problem = txt.problem;
    return d;
}

discovery after_fetch(std::string_view domain, result<policy> fetched, const std::string& id,
                      std::optional<cached_policy> cached,
                      std::chrono::system_clock::time_point now, policy_cache& cache) {
    if (!fetched) {
        auto problem = failure_from(fetched.error());
        if (is_valid(cached, now)) return from_cache(std::move(*cached), std::move(problem));
        discovery d;
        d.problem = std::move(problem);
        return d;
    }
    discovery d;
    d.cache_error = cache.store(domain, cached_policy{*fetched, id, now});
    d.active = std::move(*fetched);
    d.origin = policy_origin::fetched;
    d.id = id;
    return d;
}

}  // namespace lettre::mta_sts::detail
