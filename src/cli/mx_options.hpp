// `lettre send --mx` and `lettre mx` options: --dns ADDR[:PORT][,...],
// --mx-port N, --dns-timeout S, --tls opportunistic|required|verified,
// --mx-allow-local, --no-dane, --no-mta-sts, --mta-sts-cache DIR,
// --mta-sts-port N, --tls-report FILE (and --ca FILE, an SMTP option
// shared with --mx), turned into an mx::config. Also the help text of
// these options.
#pragma once

#include "arguments.hpp"

#include <lettre/transport/mx_transport.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace lettre::cli {

struct mx_options {
    bool mx = false;  ///< --mx given (send only)
    std::optional<std::string> dns, port, tls, dns_timeout;
    bool allow_local = false;                  ///< --mx-allow-local (send only)
    bool no_dane = false;                      ///< --no-dane (send only)
    bool no_mta_sts = false;                   ///< --no-mta-sts (send only)
    std::optional<std::string> mta_sts_cache;  ///< --mta-sts-cache DIR (send only)
    std::optional<std::string> mta_sts_port;   ///< --mta-sts-port N (tests)
    std::optional<std::string> tls_report;     ///< --tls-report FILE (send only)
    std::optional<std::string> ca;             ///< --ca FILE (an SMTP option too)
};

/// --mx and the options that go with it (send).
std::span<const option_spec> mx_option_specs() noexcept;
/// --dns, --mx-port, --dns-timeout, --mta-sts-port and --ca (the mx command).
std::span<const option_spec> mx_lookup_option_specs() noexcept;
bool is_mx_option(const option_spec& spec) noexcept;
void apply_mx_option(mx_options& opts, const parsed_option& opt);

/// Checks the values (usage error, 64, for a bad --dns, --mx-port,
/// --dns-timeout, --tls or --mta-sts-port; 1 for a --mta-sts-cache
/// directory that cannot be made).
lettre::mx::config make_mx_config(const mx_options& opts);

/// The help section of --mx for `lettre send --help` and `lettre --help`.
std::string_view mx_send_section() noexcept;

}  // namespace lettre::cli
