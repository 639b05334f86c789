#include "mx_options.hpp"

#include "cli_error.hpp"
#include "io_files.hpp"

#include <lettre/dns/resolver.hpp>
#include <lettre/transport/mta_sts.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <sstream>

namespace lettre::cli {
namespace {

constexpr option_spec mx_spec{"mx", '\0', false, false};
constexpr option_spec dns_spec{"dns", '\0', true, false};
constexpr option_spec port_spec{"mx-port", '\0', true, false};
constexpr option_spec tls_spec{"tls", '\0', true, false};
constexpr option_spec dns_timeout_spec{"dns-timeout", '\0', true, false};
constexpr option_spec allow_local_spec{"mx-allow-local", '\0', false, false};
constexpr option_spec no_dane_spec{"no-dane", '\0', false, false};
constexpr option_spec no_mta_sts_spec{"no-mta-sts", '\0', false, false};
constexpr option_spec mta_sts_cache_spec{"mta-sts-cache", '\0', true, false};
constexpr option_spec mta_sts_port_spec{"mta-sts-port", '\0', true, false};
constexpr option_spec tls_report_spec{"tls-report", '\0', true, false};
// --ca of the mx command; send has it among the SMTP options.
constexpr option_spec ca_spec{"ca", '\0', true, false};

constexpr std::array<option_spec, 11> send_specs{
    mx_spec,          dns_spec,     port_spec,       tls_spec,           dns_timeout_spec,
    allow_local_spec, no_dane_spec, no_mta_sts_spec, mta_sts_cache_spec, mta_sts_port_spec,
    tls_report_spec};
constexpr std::array<option_spec, 5> lookup_specs{dns_spec, port_spec, dns_timeout_spec,
                                                  mta_sts_port_spec, ca_spec};

/// A port number option's value (1-65535).
std::uint16_t parse_port(std::string_view option, const std::string& p) {
    unsigned value = 0;
    const auto [end, e] = std::from_chars(p.data(), p.data() + p.size(), value);
    if (e != std::errc() || end != p.data() + p.size() || value == 0 || value > 65535)
        throw usage_error(std::string(option) + " " + in_quotes(p) +
                          ": not a port number (1-65535)");
    return static_cast<std::uint16_t>(value);
}

constexpr unsigned max_dns_timeout = 300;  // seconds; c-ares alone gives up after 75

/// --dns-timeout SECONDS: each lookup gives up after about that long per
/// name server. Two tries, the second twice as long (c-ares doubles the
/// wait per round), so one lost UDP packet does not fail the lookup.
void apply_dns_timeout(const std::string& text, lettre::dns::resolver_config& dns) {
    unsigned value = 0;
    const auto [end, e] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (e != std::errc() || end != text.data() + text.size() || value == 0 ||
        value > max_dns_timeout)
        throw usage_error("--dns-timeout " + in_quotes(text) + ": give whole seconds, 1 to " +
                          std::to_string(max_dns_timeout));
    dns.tries = 2;
    dns.timeout = std::chrono::milliseconds(value * 1000U / 3U);
}

/// --no-dane, --no-mta-sts, --mta-sts-cache, --mta-sts-port and --ca.
void apply_secure_options(const mx_options& opts, lettre::mx::config& cfg) {
    cfg.dane = !opts.no_dane;
    cfg.mta_sts.enabled = !opts.no_mta_sts;
    if (opts.no_mta_sts && (opts.mta_sts_cache || opts.mta_sts_port))
        throw usage_error(std::string(opts.mta_sts_cache ? "--mta-sts-cache" : "--mta-sts-port") +
                          " does not apply with --no-mta-sts: remove one of them");
    if (opts.mta_sts_port)
        cfg.mta_sts.source.port = parse_port("--mta-sts-port", *opts.mta_sts_port);
    if (opts.ca) {
        if (*opts.ca == "-") throw usage_error("--ca needs a file, not standard input");
        // OpenSSL reads the file again; this read checks that it is there
        // and within the limit.
        std::istringstream no_stdin;
        static_cast<void>(read_input("--ca", *opts.ca, no_stdin, ca_file_limit));
        // The MX hosts' certificates (--tls verified, MTA-STS enforce) and
        // the policy hosts' are checked against the same anchors.
        cfg.tls_parameters.ca_file = *opts.ca;
        cfg.mta_sts.source.ca_file = *opts.ca;
    }
    if (opts.mta_sts_cache) {
        auto cache = lettre::mta_sts::directory_cache(*opts.mta_sts_cache);
        if (!cache)
            throw cli_error(
                exit_code::failure,
                "--mta-sts-cache " + in_quotes(*opts.mta_sts_cache) + ": " + cache.error().message);
        cfg.mta_sts.source.cache = std::move(cache).value();
    }
}

}  // namespace

std::span<const option_spec> mx_option_specs() noexcept {
    return send_specs;
}
std::span<const option_spec> mx_lookup_option_specs() noexcept {
    return lookup_specs;
}

bool is_mx_option(const option_spec& spec) noexcept {
    return std::any_of(send_specs.begin(), send_specs.end(),
                       [&](const option_spec& s) { return s.name == spec.name; });
}

void apply_mx_option(mx_options& opts, const parsed_option& opt) {
    const std::string_view name = opt.spec->name;
    if (name == mx_spec.name) {
        opts.mx = true;
        return;
    }
    if (name == dns_spec.name)
        opts.dns = opt.value;
    else if (name == port_spec.name)
        opts.port = opt.value;
    else if (name == tls_spec.name)
        opts.tls = opt.value;
    else if (name == dns_timeout_spec.name)
        opts.dns_timeout = opt.value;
    else if (name == allow_local_spec.name)
        opts.allow_local = true;
    else if (name == no_dane_spec.name)
        opts.no_dane = true;
    else if (name == no_mta_sts_spec.name)
        opts.no_mta_sts = true;
    else if (name == mta_sts_cache_spec.name)
        opts.mta_sts_cache = opt.value;
    else if (name == mta_sts_port_spec.name)
        opts.mta_sts_port = opt.value;
    else if (name == tls_report_spec.name)
        opts.tls_report = opt.value;
    else if (name == ca_spec.name)
        opts.ca = opt.value;
}

lettre::mx::config make_mx_config(const mx_options& opts) {
    lettre::mx::config cfg;
    if (opts.dns) {
        auto servers = lettre::dns::parse_servers(*opts.dns);
        if (!servers)
            throw usage_error("--dns " + in_quotes(*opts.dns) + ": " + servers.error().message);
        cfg.dns.servers = std::move(servers).value();
    }
    if (opts.dns_timeout) apply_dns_timeout(*opts.dns_timeout, cfg.dns);
    cfg.allow_local_targets = opts.allow_local;
    if (opts.port) cfg.port = parse_port("--mx-port", *opts.port);
    apply_secure_options(opts, cfg);
    if (opts.tls) {
        const auto policy = lettre::mx::parse_tls_policy(*opts.tls);
        if (!policy)
            throw usage_error("--tls " + in_quotes(*opts.tls) +
                              ": expected opportunistic, required, verified or dane-only");
        if (*policy == lettre::mx::tls_policy::dane_only && opts.no_dane)
            throw usage_error("--tls dane-only needs DANE: remove --no-dane");
        cfg.tls = *policy;
    }
    return cfg;
}

std::string_view mx_send_section() noexcept {
    return "Direct delivery (send --mx):\n"
           "  --mx                    deliver straight to each recipient domain's MX\n"
           "                          hosts (port 25), without a relay\n"
           "  --dns ADDR[:PORT][,...] name servers to ask (default: /etc/resolv.conf)\n"
           "  --mx-port N             the SMTP port of the MX hosts (tests only)\n"
           "  --dns-timeout SECONDS   give up a DNS lookup after about SECONDS per name\n"
           "                          server (1-300; default: the resolver's, 75 s)\n"
           "  --mx-allow-local        deliver even when an MX host is this machine\n"
           "                          (loopback, 0.0.0.0, an own address); otherwise\n"
           "                          such recipients fail: \"mail loops back to myself\"\n"
           "  --tls MODE              opportunistic (default: STARTTLS when offered,\n"
           "                          certificate not checked), required (no STARTTLS\n"
           "                          is a temporary failure) or verified (certificate\n"
           "                          valid for the MX host name), dane-only (every\n"
           "                          host must be authenticated by DNSSEC-signed TLSA\n"
           "                          records; a host without them is a temporary\n"
           "                          failure: for receivers that agreed to DANE)\n"
           "  --ca FILE               trust anchors (PEM) for --tls verified, for MX\n"
           "                          hosts under MTA-STS enforce and for the policy\n"
           "                          hosts (default: the system store)\n"
           "  --no-dane               no DNSSEC, no TLSA lookups (DANE, RFC 7672, is on:\n"
           "                          a host with secure TLSA records must do STARTTLS\n"
           "                          with a certificate matching them)\n"
           "  --no-mta-sts            no MTA-STS policy lookups (on by default: a domain\n"
           "                          in enforce mode is delivered only to the MX hosts\n"
           "                          its policy lists, over verified TLS)\n"
           "  --mta-sts-cache DIR     keep MTA-STS policies in DIR between runs (default:\n"
           "                          in memory, for this run only)\n"
           "  --mta-sts-port N        the policy hosts' HTTPS port (tests only)\n"
           "  --tls-report FILE       write the RFC 8460 TLS reports of this run to FILE\n"
           "                          ('-': standard output): a JSON array, one report\n"
           "                          per recipient domain, ready for its _smtp._tls rua\n"
           "  send --mx prints one line per recipient: delivered (with the MX host, how\n"
           "  the session was protected: plaintext, TLS, TLS verified, TLS MTA-STS or\n"
           "  TLS DANE, and the server's reply), temporary or permanent failure (with\n"
           "  the reason, naming the policy that refused a host). Exit status as for\n"
           "  --smtp: 0 when everyone got it, 75 when every failure was temporary, 69\n"
           "  otherwise. --timeout, --ehlo, --trace, --notify, --ret and --envid work\n"
           "  as with --smtp, for each MX session (--trace lines start with the host\n"
           "  and address; --timeout is not for DNS: see --dns-timeout). --user,\n"
           "  --password-file and --auth are refused (64): MX hosts take mail without\n"
           "  a login; --requiretls too: REQUIRETLS to MX hosts needs each host\n"
           "  authenticated (DANE or MTA-STS) and offering it, not enforced here.\n"
           "  'lettre mx DOMAIN [--dns ADDR] [--dns-timeout S]' prints the\n"
           "  delivery plan, its DNSSEC status, TLSA records and MTA-STS policy.\n";
}

}  // namespace lettre::cli
