// What a DNSSEC-aware lookup returns: the records and whether DNSSEC
// vouches for them. No c-ares or Asio types.
#pragma once

#include <lettre/dns/records.hpp>

#include <cstdint>
#include <vector>

namespace lettre::dns {

/// The DNSSEC status of an answer (RFC 4035 §4.3 names, without "bogus",
/// which is a failure: errc::dns_servfail, see answer::bogus).
///
/// The resolver does not validate signatures itself: it asks with the DO
/// and AD bits and reads the AD bit of the answer, which a validating
/// resolver sets only when every record of the answer (or the proof that
/// there is none) validated up to its trust anchor. The AD bit is not
/// protected on the wire, so it is believed only from a resolver the path
/// to which cannot be tampered with: see resolver_config::trust_ad.
enum class security : std::uint8_t {
    /// No proof: the zone is unsigned, the resolver does not validate, or
    /// its AD bit is not trusted. DANE must not be used (RFC 7672 §2.2).
    insecure,
    /// A trusted validating resolver set the AD bit: the records, or their
    /// absence, are proven by DNSSEC.
    secure,
};

/// The result of a DNSSEC-aware lookup (resolver::resolve_mx_dnssec() and
/// the like). Unlike the plain lookups, NXDOMAIN and NODATA are answers,
/// not errors: they carry a security status too, which DANE needs ("no
/// TLSA records, securely denied" differs from "no TLSA records, insecure").
template <class Record>
struct answer {
    /// The records of the asked type owned by the name or by the target of
    /// its CNAME chain; empty for NXDOMAIN or NODATA.
    std::vector<Record> records;
    /// Whether DNSSEC vouches for `records`, or for their absence.
    dns::security security = dns::security::insecure;
    /// The name does not exist (NXDOMAIN); false for NODATA and answers.
    bool nxdomain = false;
    /// Set only on failure (errc::dns_servfail): the validating resolver
    /// said why, a DNSSEC validation failure (an RFC 8914 Extended DNS
    /// Error 5 to 12: DNSSEC Bogus, Signature Expired, DNSKEY Missing...;
    /// unbound sends them with `ede: yes`). A SERVFAIL without it may be a
    /// bogus answer too: treat every failure as "failed", never as "none".
    bool bogus = false;

    /// security == security::secure.
    bool secure() const noexcept { return security == dns::security::secure; }
    /// No record (NXDOMAIN or NODATA).
    bool empty() const noexcept { return records.empty(); }
};

}  // namespace lettre::dns
