// MTA-STS (RFC 8461): the `_mta-sts` TXT record and the policy a domain
// publishes at https://mta-sts.<domain>/.well-known/mta-sts.txt, their
// strict parsers, the policy cache (RFC 8461 §5.1) and what a policy means
// for a domain's MX hosts. The blocking policy source is here; the
// asynchronous one is in lettre/transport/async_mta_sts.hpp. No Asio,
// Beast or OpenSSL in this header.
#pragma once

#include <lettre/dns/records.hpp>
#include <lettre/dns/resolver.hpp>
#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/transport/mta_sts_config.hpp>
#include <lettre/transport/mx_policy.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lettre::mta_sts {

/// The `mode` of a policy.
enum class policy_mode {
    enforce,  ///< MX hosts not in the policy are not used; the others need verified TLS
    testing,  ///< nothing enforced; failures are only reported (RFC 8460)
    none,     ///< the domain withdrew its policy
};
/// "enforce", "testing" or "none".
LETTRE_EXPORT std::string_view to_string(policy_mode m) noexcept;

/// The longest policy body accepted (RFC 8461 §3.3: 64 KiB).
inline constexpr std::size_t max_policy_size = 64 * 1024;
/// The largest `max_age` (RFC 8461 §3.2: about one year).
inline constexpr std::uint32_t max_max_age = 31557600;

/// A parsed `_mta-sts.<domain>` TXT record (`v=STSv1; id=...`).
struct sts_record {
    std::string id;  ///< 1 to 32 letters and digits: changes when the policy does
};

/// `_mta-sts.<domain>`: where the TXT record lives.
LETTRE_EXPORT std::string sts_record_name(std::string_view domain);

/// One TXT record's text, strictly per the ABNF of RFC 8461 §3.1:
/// `v=STSv1` first, then `;`-separated fields with exactly one `id`;
/// extension fields (`name=value`) are checked and ignored. Errors
/// (errc::mta_sts_invalid_policy) name the offending field.
LETTRE_EXPORT result<sts_record> parse_sts_record(std::string_view text);

/// The TXT records of `_mta-sts.<domain>`: records not starting with
/// `v=STSv1` are ignored. Exactly one left: it is parsed (an invalid one is
/// an error). None left: nullopt (the domain has no policy). Two or more:
/// an error (RFC 8461 §3.1: the sender must then assume no policy).
LETTRE_EXPORT result<std::optional<sts_record>> select_sts_record(
    const std::vector<dns::txt_record>& records);

/// A parsed policy (RFC 8461 §3.2).
struct policy {
    policy_mode mode = policy_mode::none;  ///< enforce, testing or none
    /// The `mx` patterns, lower case, in order: `mail.example.com` or
    /// `*.example.com` (matches exactly one leftmost label).
    std::vector<std::string> mx;
    /// `mx` values that were IP literals (`192.0.2.1`, `[192.0.2.1]`,
    /// `[IPv6:...]`): the RFC's patterns are host names, so these are kept
    /// out of `mx` and never match.
    std::vector<std::string> ignored_mx;
    std::uint32_t max_age = 0;  ///< seconds the policy may be cached
    /// The policy as served (its text is the RFC 8460 `policy-string`).
    std::string text;

    /// Whether `mx_host` matches one of the patterns (case-insensitive, a
    /// trailing dot ignored).
    LETTRE_EXPORT bool matches(std::string_view mx_host) const;
};

/// Parses a policy body strictly: LF or CRLF line ends, `key: value`
/// lines, `version: STSv1` and `mode` once each, `max_age` once
/// (0..31557600), one or more `mx` (optional with mode none), unknown keys
/// checked against the ABNF and ignored; no empty line except a final line
/// end. Errors (errc::mta_sts_invalid_policy) name the bad line and its
/// number.
LETTRE_EXPORT result<policy> parse_policy(std::string_view body);

/// Whether `host` matches `pattern` (RFC 8461 §4.1): equal names, or
/// `*.rest` and a host of exactly one more label ending in `rest`. Both
/// case-insensitive; a trailing dot on `host` is ignored.
LETTRE_EXPORT bool matches_pattern(std::string_view pattern, std::string_view host) noexcept;

/// The RFC 8460 result types of policy discovery. Kept apart so that they
/// can join the other TLS-RPT result types later.
enum class failure_type {
    policy_fetch_error,  ///< sts-policy-fetch-error: no answer, HTTP error, redirect, too big...
    policy_invalid,      ///< sts-policy-invalid: the TXT record or the policy is malformed
    webpki_invalid,      ///< sts-webpki-invalid: the policy host's certificate failed PKIX
};
/// "sts-policy-fetch-error", "sts-policy-invalid" or "sts-webpki-invalid".
LETTRE_EXPORT std::string_view to_string(failure_type t) noexcept;
/// The result type of an MTA-STS error code: errc::mta_sts_invalid_policy
/// is policy_invalid, errc::mta_sts_certificate_invalid webpki_invalid,
/// anything else a fetch error.
LETTRE_EXPORT failure_type failure_type_of(const std::error_code& ec) noexcept;

/// Something that went wrong while looking for a domain's policy.
struct failure {
    failure_type type = failure_type::policy_fetch_error;  ///< for the RFC 8460 report
    std::error_code code;  ///< errc::mta_sts_fetch_failed, ..._invalid_policy, ...
    std::string message;   ///< a sentence naming the domain and the cause
};

/// A policy in the cache, with the TXT id it was fetched under.
struct cached_policy {
    mta_sts::policy value;                            ///< the policy
    std::string id;                                   ///< the TXT record's id then
    std::chrono::system_clock::time_point fetched{};  ///< when it was fetched
    /// fetched + max_age: past it, the policy is no longer used.
    std::chrono::system_clock::time_point expires() const {
        return fetched + std::chrono::seconds(value.max_age);
    }
};

/// Where policies are kept between lookups. Implementations must be safe
/// to call from several threads.
class LETTRE_EXPORT policy_cache {
public:
    virtual ~policy_cache();
    /// The cached policy of `domain` (lower-case A-label), if any.
    virtual std::optional<cached_policy> load(std::string_view domain) = 0;
    /// Replaces the policy of `domain`; an error when it could not be kept.
    virtual std::error_code store(std::string_view domain, const cached_policy& p) = 0;
};

/// A cache in memory (the default): policies live as long as the cache.
LETTRE_EXPORT std::shared_ptr<policy_cache> memory_cache();

/// A cache in a directory, so that short-lived processes (the CLI) keep
/// policies: one file per domain, written atomically (temporary file,
/// fsync, rename); a file larger than the largest policy plus its header, or
/// unreadable, counts as absent. The directory is created when missing;
/// errc::io_error when that fails or it is not a directory.
LETTRE_EXPORT result<std::shared_ptr<policy_cache>> directory_cache(std::filesystem::path dir);

// mta_sts::config (CA file, port, timeout, resolver, cache, clock) is in
// lettre/transport/mta_sts_config.hpp, included above.

/// Where the policy in use came from.
enum class policy_origin {
    none,     ///< no policy applies
    cache,    ///< a cached policy still valid, its TXT id unchanged (or no TXT answer)
    fetched,  ///< fetched now (and cached)
};

/// The outcome of looking for a domain's policy (RFC 8461 §5.1).
struct discovery {
    std::optional<mta_sts::policy> active;       ///< the policy to apply; none when empty
    policy_origin origin = policy_origin::none;  ///< where `active` came from
    std::string id;                              ///< the TXT id of `active`
    /// What went wrong on the way, reported even when a valid cached
    /// policy is used instead (a failed refetch).
    std::optional<mta_sts::failure> problem;
    /// Set when a fetched policy could not be stored in the cache.
    std::error_code cache_error;
};

/// What a policy says about one MX host.
struct host_verdict {
    std::string host;     ///< the MX host name
    bool allowed = true;  ///< false: the policy (enforce) forbids this host
    /// enforce: the host must present a certificate valid for its name
    /// (PKIX, verified); a failure is transient for that host.
    bool requires_verified_tls = false;
    /// testing: check the certificate and report the outcome, but deliver anyway.
    bool report_only = false;
    /// The host matches the policy's mx patterns (true without a policy).
    bool matched = true;
    /// Why not allowed (or, in testing mode, what would have been refused).
    std::string reason;
};

/// What a domain's policy means for its MX hosts.
struct mx_decision {
    policy_mode mode = policy_mode::none;  ///< none also when there is no policy
    std::vector<host_verdict> hosts;       ///< one per MX host, in the given order
    /// The names of the allowed hosts, in order.
    LETTRE_EXPORT std::vector<std::string> allowed_hosts() const;
    /// The verdict of `host` (case-insensitive, trailing dot ignored), if listed.
    LETTRE_EXPORT const host_verdict* find(std::string_view host) const;
};

/// Applies `p` to the MX hosts of `domain`: enforce drops the hosts not
/// matching (reason "MTA-STS enforce: H is not in the policy of D") and
/// marks the others as needing verified TLS; testing keeps every host,
/// marks them report_only and records the mismatches; none (or no policy)
/// keeps every host unchanged.
LETTRE_EXPORT mx_decision apply_policy(const std::optional<policy>& p, std::string_view domain,
                                       const std::vector<std::string>& mx_hosts);

/// The mx::host_policy of `host` under `d`, for an mx::policy_hook:
/// disallowed hosts stay disallowed, enforced ones become `verified`
/// (`dane_only` stays), others keep `configured`.
LETTRE_EXPORT mx::host_policy host_policy_for(const mx_decision& d, std::string_view host,
                                              mx::tls_policy configured);

/// The blocking policy source: TXT lookup, cache and HTTPS fetch on a
/// thread of its own (the async engine). Safe to share between threads.
class LETTRE_EXPORT policy_source {
public:
    /// A source for `cfg`; its engine runs on a thread of its own.
    explicit policy_source(config cfg = {});
    /// Waits for pending lookups to finish.
    ~policy_source();
    policy_source(policy_source&&) noexcept;             ///< movable, not copyable
    policy_source& operator=(policy_source&&) noexcept;  ///< movable, not copyable

    /// The policy to apply to `domain` (A-label), per RFC 8461 §5.1: the
    /// cached one while it is valid and the TXT id is unchanged; otherwise
    /// fetched (and cached); a failed fetch keeps a valid cached policy.
    discovery discover(std::string_view domain);
    /// Fetches and parses the policy of `domain` now, without TXT lookup or
    /// cache. Errors: errc::mta_sts_fetch_failed, mta_sts_invalid_policy,
    /// mta_sts_certificate_invalid, invalid_domain.
    result<policy> fetch(std::string_view domain);

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace lettre::mta_sts
