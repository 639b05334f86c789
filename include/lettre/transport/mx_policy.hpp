// The per-host TLS policy of direct MX delivery: how much TLS a host must
// give, and the hook that decides it per host. Apart from mx_transport.hpp
// so that the MTA-STS header (which mx::config holds) can name them.
#pragma once

#include <lettre/export.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace lettre::mx {

/// How much TLS a host must give.
enum class tls_policy {
    /// STARTTLS when offered, the certificate not checked; plaintext when not
    /// offered (RFC 7435 opportunistic security: the default of MTAs).
    opportunistic,
    /// STARTTLS or a transient failure; the certificate not checked.
    required,
    /// STARTTLS with a certificate valid for the MX host name.
    verified,
    /// Mandatory DANE (RFC 7672 §6; Postfix's `dane-only`): STARTTLS with a
    /// certificate matching the host's usable DNSSEC-signed TLSA records.
    /// A host without them (an unsigned zone, no TLSA records, none usable,
    /// `config::dane` off) is not used: a transient failure of that host,
    /// reported as `dane-required`. For destinations agreed with the
    /// receiver; the strictest policy.
    dane_only,
};

/// "opportunistic", "required", "verified" or "dane-only".
LETTRE_EXPORT std::string_view to_string(tls_policy p) noexcept;
/// "opportunistic", "required", "verified" or "dane-only".
LETTRE_EXPORT std::optional<tls_policy> parse_tls_policy(std::string_view s) noexcept;

/// What the policy hook decides for one MX host.
struct host_policy {
    tls_policy tls = tls_policy::opportunistic;  ///< the TLS policy for this host
    /// False: do not use this host (e.g. not in an MTA-STS policy's mx list).
    bool allowed = true;
    std::string reason;  ///< why not allowed, for the report
};

/// Called before connecting to each MX host with the recipient domain, the
/// host name and the policy so far: the configured one, made `verified`
/// when the domain's MTA-STS policy is in `enforce` mode and lists the host.
/// The hook can only make things stricter (opportunistic < required <
/// verified < dane_only): a looser answer is raised back to the policy it
/// was given, and a host refused by MTA-STS is not offered to it. Answering
/// `dane_only` for some domains asks for mandatory DANE there only. DANE
/// (RFC 7672), decided after the hook from the host's TLSA records, then
/// replaces the certificate check of a host with usable records (a
/// `verified` answer is met by DANE authentication). Without a hook, every
/// host gets the policy so far.
using policy_hook = std::function<host_policy(std::string_view domain, std::string_view mx_host,
                                              tls_policy configured)>;

}  // namespace lettre::mx
