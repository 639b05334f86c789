#include "mx_command.hpp"

#include "cli_error.hpp"
#include "exit_code.hpp"
#include "mx_options.hpp"
#include "mx_security.hpp"

#include <lettre/message/address.hpp>
#include <lettre/transport/mx_transport.hpp>

#include <ostream>
#include <vector>

namespace lettre::cli {

std::string mx_help() {
    return "Usage: lettre mx DOMAIN [--dns ADDR[:PORT][,...]] [--dns-timeout S] [--ca FILE]\n"
           "Prints where mail for DOMAIN goes: the MX hosts in the order they are\n"
           "tried (equal preferences shuffled), with their preference and addresses;\n"
           "the domain itself when it has no MX record (implicit MX); or why there is\n"
           "no delivery (null MX, no such domain, a DNS failure). Then how send --mx\n"
           "would protect it: the DNSSEC status of the MX answer (secure only from a\n"
           "validating resolver on loopback), each host's TLSA records ('tlsa: 3 1 1\n"
           "<hex>' or 'tlsa: none') and DANE state, and the MTA-STS policy\n"
           "('mta-sts: enforce id=... max_age=... mx=...', 'mta-sts: none', or why\n"
           "it could not be fetched).\n"
           "  --dns ADDR[:PORT][,...] name servers to ask (default: /etc/resolv.conf)\n"
           "  --dns-timeout SECONDS   give up a lookup after about SECONDS per name\n"
           "                          server (1-300; default: the resolver's, 75 s)\n"
           "  --ca FILE               trust anchors (PEM) for the MTA-STS policy host\n"
           "                          (default: the system store)\n"
           "  --mta-sts-port N        the policy host's HTTPS port (tests only)\n"
           "  -h, --help              show this help\n"
           "Exit status: 0 a plan, 69 no delivery for good (null MX, NXDOMAIN, no\n"
           "host with an address), 75 a temporary DNS failure, 64 usage, 65 a bad\n"
           "domain.\n";
}

int run_mx(std::span<const std::string_view> args, const cli_streams& io) {
    if (wants_help(args)) {
        io.out << mx_help();
        return to_int(exit_code::ok);
    }
    // The domain is the one argument that is not an option.
    std::vector<std::string_view> rest;
    std::optional<std::string_view> domain;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (!a.starts_with('-') && !domain) {
            domain = a;
            continue;
        }
        rest.push_back(a);
        if (a.starts_with("--") && a.find('=') == std::string_view::npos && i + 1 < args.size()) {
            rest.push_back(args[++i]);  // its value
        }
    }
    if (!domain) throw usage_error("mx: give a DOMAIN");
    mx_options opts;
    const auto specs = mx_lookup_option_specs();
    for (const parsed_option& opt : parse_arguments(rest, specs)) apply_mx_option(opts, opt);
    // Known, so that the error says why rather than "unknown option".
    if (opts.port) {
        throw usage_error(
            "--mx-port does not apply to lettre mx: the plan is the same for every port (it is "
            "for send --mx)");
    }
    const lettre::mx::config cfg = make_mx_config(opts);

    // Through the address parser: IDNA to A-labels, and the syntax checked.
    auto probe = lettre::address::try_from_parts("postmaster", *domain);
    if (!probe) throw from_library(probe.error(), "mx", *domain);

    lettre::mx_transport transport(cfg);
    const lettre::mx::plan plan = transport.plan(probe->domain());
    io.out << printable(plan.domain);
    if (plan.implicit_mx) io.out << ": no MX record, the domain itself (implicit MX)";
    io.out << '\n';
    for (const auto& host : plan.hosts) {
        io.out << "  " << host.preference << "  " << printable(host.name);
        if (host.addresses.empty()) {
            io.out << "  (no address: " << host.error.message() << ")";
        }
        for (const auto& a : host.addresses) io.out << "  " << a.to_string();
        io.out << '\n';
    }
    print_mx_security(cfg, plan, io.out);
    if (plan.error) {
        io.err << "lettre: no delivery: " << printable(plan.message) << '\n';
        return to_int(plan.error == lettre::condition::permanent ? exit_code::unavailable
                                                                 : exit_code::temporary_failure);
    }
    return to_int(exit_code::ok);
}

}  // namespace lettre::cli
