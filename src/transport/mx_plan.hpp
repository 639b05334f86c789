// The RFC 5321 §5.1 decisions of MX delivery, sans-io: what an MX lookup
// result means for a domain, the order of its hosts and of their addresses.
// Internal; unit-tested without sockets.
#pragma once

#include <lettre/dns/records.hpp>
#include <lettre/error.hpp>
#include <lettre/transport/mx_transport.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace lettre::mx::detail {

/// Returns a uniformly distributed value in [0, n).
using random_source = std::function<std::size_t(std::size_t n)>;

/// Sorts by preference and shuffles hosts of equal preference (RFC 5321
/// §5.1: "randomize them to spread the load"). Drops duplicates.
std::vector<dns::mx_record> order_mx(std::vector<dns::mx_record> records, const random_source& rnd);

/// The error to record for a failure that MX delivery decided is
/// `decided` (transient or permanent): `ec` itself when it compares equal
/// to that condition, so that `error == lettre::condition::...` always
/// says what was decided; otherwise errc::delivery_deferred for a
/// transient decision (the caller's message keeps the specific reason) and
/// `permanent_fallback` for a permanent one. outcome_unknown is kept as it
/// is: the host may have the message, which a retry must know.
std::error_code agreeing_error(const std::error_code& ec, condition decided,
                               errc permanent_fallback);

struct mx_decision {
    enum class kind {
        hosts,     ///< deliver to `hosts`, in order
        implicit,  ///< no MX (NODATA): the domain itself is the only host
        fail,      ///< no delivery: `error` (transient or permanent), `message`
    };
    kind what = kind::fail;
    std::vector<dns::mx_record> hosts;
    std::error_code error;
    std::string message;
};

/// What an MX lookup's outcome means:
/// - records, one of them null (`0 .`, RFC 7505): fail, permanent (null_mx);
/// - records: hosts, ordered, at most `max_hosts`;
/// - NODATA: the implicit MX (the domain's own A/AAAA);
/// - NXDOMAIN or an invalid name: fail, permanent;
/// - SERVFAIL, timeout, refused, any other error: fail, transient (never
///   the implicit MX: the MX records may exist); an error from outside the
///   resolver's vocabulary that is not itself transient becomes
///   delivery_deferred.
mx_decision decide(std::string_view domain, const std::error_code& ec,
                   std::vector<dns::mx_record> records, std::size_t max_hosts,
                   const random_source& rnd);

/// Whether a DNS error is an answer that retrying will not change
/// (NXDOMAIN, NODATA, an invalid name). Everything else, including errors
/// from outside the resolver's vocabulary, is treated as transient: mail is
/// never bounced on an error that might go away.
bool is_definitive(const std::error_code& ec) noexcept;

/// Orders (and filters) the addresses of one host.
std::vector<dns::ip_address> order_addresses(const std::vector<dns::address_record>& v4,
                                             const std::vector<dns::address_record>& v6,
                                             address_order order);

/// `[192.0.2.1]` or `[IPv6:2001:db8::1]`: the address of a domain literal.
std::optional<dns::ip_address> domain_literal(std::string_view domain);

/// A random_source from the C++ library's engine seeded by the system.
random_source default_random();

}  // namespace lettre::mx::detail
