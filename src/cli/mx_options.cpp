#include "mx_options.hpp"

#include "cli_error.hpp"

#include <lettre/dns/resolver.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>

namespace lettre::cli {
namespace {

constexpr option_spec mx_spec{"mx", '\0', false, false};
constexpr option_spec dns_spec{"dns", '\0', true, false};
constexpr option_spec port_spec{"mx-port", '\0', true, false};
constexpr option_spec tls_spec{"tls", '\0', true, false};
constexpr option_spec dns_timeout_spec{"dns-timeout", '\0', true, false};
constexpr option_spec allow_local_spec{"mx-allow-local", '\0', false, false};

constexpr std::array<option_spec, 6> send_specs{mx_spec,  dns_spec,         port_spec,
                                                tls_spec, dns_timeout_spec, allow_local_spec};
constexpr std::array<option_spec, 3> lookup_specs{dns_spec, port_spec, dns_timeout_spec};

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
    if (opts.port) {
        unsigned value = 0;
        const std::string& p = *opts.port;
        const auto [end, e] = std::from_chars(p.data(), p.data() + p.size(), value);
        if (e != std::errc() || end != p.data() + p.size() || value == 0 || value > 65535)
            throw usage_error("--mx-port " + in_quotes(p) + ": not a port number (1-65535)");
        cfg.port = static_cast<std::uint16_t>(value);
    }
    if (opts.tls) {
        const auto policy = lettre::mx::parse_tls_policy(*opts.tls);
        if (!policy)
            throw usage_error("--tls " + in_quotes(*opts.tls) +
                              ": expected opportunistic, required or verified");
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
           "                          valid for the MX host name)\n"
           "  send --mx prints one line per recipient: delivered (with the MX host, TLS\n"
           "  or plaintext, and the server's reply), temporary or permanent failure\n"
           "  (with the reason). Exit status as for --smtp: 0\n"
           "  when everyone got it, 75 when every failure was temporary, 69 otherwise.\n"
           "  The options of --smtp (--user, --ca, --timeout, --ehlo, --trace,\n"
           "  --requiretls, --notify, --ret, --envid...) do not apply to --mx and are\n"
           "  refused (64), as every option the chosen target has no use for.\n"
           "  'lettre mx DOMAIN [--dns ADDR] [--dns-timeout S]' prints the\n"
           "  delivery plan.\n";
}

}  // namespace lettre::cli
