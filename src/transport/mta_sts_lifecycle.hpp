// The policy lifecycle of RFC 8461 §5.1, sans-io: given the TXT answer, the
// cached policy and the time, what to do; given a fetch outcome, what to
// apply and cache. Internal; unit-tested without sockets.
#pragma once

#include <lettre/transport/mta_sts.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace lettre::mta_sts::detail {

/// What the `_mta-sts` TXT lookup said.
struct txt_answer {
    std::optional<sts_record> record;  ///< the one valid v=STSv1 record, if any
    std::optional<failure> problem;    ///< an invalid/ambiguous record or a failed lookup
};

/// The TXT lookup's outcome as a txt_answer: NXDOMAIN and NODATA mean no
/// record (not a problem); other errors are fetch errors; records go
/// through select_sts_record().
txt_answer read_txt_answer(std::string_view domain, const std::error_code& ec,
                           const std::vector<dns::txt_record>& records);

enum class step {
    use_cache,  ///< the cached policy applies, nothing to fetch
    fetch,      ///< fetch (a valid TXT record, and no valid cached policy under its id)
    no_policy,  ///< nothing applies
};

/// A cached policy is valid until it expires.
bool is_valid(const std::optional<cached_policy>& cached,
              std::chrono::system_clock::time_point now);

/// RFC 8461 §5.1: fetch when the TXT id differs from the cached policy's or
/// the cached policy has expired; without a TXT record, a valid cached
/// policy still applies.
step next_step(const txt_answer& txt, const std::optional<cached_policy>& cached,
               std::chrono::system_clock::time_point now);

/// The discovery when no fetch is done (use_cache or no_policy).
discovery without_fetch(const txt_answer& txt, std::optional<cached_policy> cached,
                        std::chrono::system_clock::time_point now);

/// The discovery after a fetch under `id`: the fetched policy (stored in
/// `cache`), or on failure the valid cached policy with the failure
/// recorded, or no policy.
discovery after_fetch(std::string_view domain, result<policy> fetched, const std::string& id,
                      std::optional<cached_policy> cached,
                      std::chrono::system_clock::time_point now, policy_cache& cache);

}  // namespace lettre::mta_sts::detail
