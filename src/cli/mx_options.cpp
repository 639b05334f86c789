#include "mx_options.hpp"

#include "cli_error.hpp"

#include <lettre/dns/resolver.hpp>

#include <array>
#include <charconv>

namespace lettre::cli {
namespace {

constexpr option_spec mx_spec{"mx", '\0', false, false};
constexpr option_spec dns_spec{"dns", '\0', true, false};
constexpr option_spec port_spec{"mx-port", '\0', true, false};
constexpr option_spec tls_spec{"tls", '\0', true, false};

constexpr std::array<option_spec, 4> send_specs{mx_spec, dns_spec, port_spec, tls_spec};
constexpr std::array<option_spec, 2> lookup_specs{dns_spec, port_spec};

}  // namespace

std::span<const option_spec> mx_option_specs() noexcept {
    return send_specs;
}
std::span<const option_spec> mx_lookup_option_specs() noexcept {
    return lookup_specs;
}

bool is_mx_option(const option_spec& spec) noexcept {
    return spec.name == mx_spec.name || spec.name == dns_spec.name || spec.name == port_spec.name ||
           spec.name == tls_spec.name;
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
}

lettre::mx::config make_mx_config(const mx_options& opts) {
    lettre::mx::config cfg;
    if (opts.dns) {
        auto servers = lettre::dns::parse_servers(*opts.dns);
        if (!servers)
            throw usage_error("--dns " + in_quotes(*opts.dns) + ": " + servers.error().message);
        cfg.dns.servers = std::move(servers).value();
    }
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
           "  'lettre mx DOMAIN [--dns ADDR]' prints the delivery plan.\n";
}

}  // namespace lettre::cli
