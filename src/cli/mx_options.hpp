// `lettre send --mx` and `lettre mx` options: --dns ADDR[:PORT][,...],
// --mx-port N, --dns-timeout S, --tls opportunistic|required|verified and
// --mx-allow-local, turned into an
// mx::config. Also the help text of these options.
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
    bool allow_local = false;  ///< --mx-allow-local (send only)
};

/// --mx and the options that go with it (send).
std::span<const option_spec> mx_option_specs() noexcept;
/// --dns, --mx-port and --dns-timeout (the mx command).
std::span<const option_spec> mx_lookup_option_specs() noexcept;
bool is_mx_option(const option_spec& spec) noexcept;
void apply_mx_option(mx_options& opts, const parsed_option& opt);

/// Checks the values (usage error, 64, for a bad --dns, --mx-port,
/// --dns-timeout or --tls).
lettre::mx::config make_mx_config(const mx_options& opts);

/// The help section of --mx for `lettre send --help` and `lettre --help`.
std::string_view mx_send_section() noexcept;

}  // namespace lettre::cli
