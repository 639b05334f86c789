// `lettre send --each-to FILE`: one copy of the message to every address in
// FILE, through the SMTP transport's connection pool (--connections N),
// with a progress bar on a terminal, a summary line and --failed-out FILE.
#pragma once

#include "arguments.hpp"
#include "exit_code.hpp"
#include "io_files.hpp"

#include <lettre/message/address.hpp>
#include <lettre/message/message.hpp>
#include <lettre/smtp/config.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace lettre::cli {

/// Default of --connections.
inline constexpr std::size_t default_each_to_connections = 4;
/// The largest --connections.
inline constexpr std::size_t max_each_to_connections = 1000;

struct each_to_options {
    std::optional<std::string> file;  ///< --each-to FILE ('-': stdin)
    std::optional<std::string> connections, failed_out;
    /// The first option given that needs --each-to, as spelled (for the error).
    std::optional<std::string> first_dependent;

    bool given() const noexcept { return file.has_value(); }
};

/// --each-to, --connections and --failed-out.
std::span<const option_spec> each_to_option_specs() noexcept;
bool is_each_to_option(const option_spec& spec) noexcept;
void apply_each_to_option(each_to_options& opts, const parsed_option& opt);

/// --connections as a number from 1 to max_each_to_connections (usage error
/// otherwise); the default when not given.
std::size_t parse_connections(const each_to_options& opts);

/// What every copy is made from.
struct each_to_message {
    /// MAIL FROM of every copy (empty: the null reverse-path).
    std::optional<lettre::address> reverse_path;
    /// The bytes every copy shares (used when `per_recipient` is empty):
    /// shared with every send in flight, never copied.
    std::shared_ptr<const std::string> bytes;
    /// When set, builds each copy for its recipient (To: that recipient);
    /// returns the formatted (and signed) copy.
    std::function<lettre::message(const lettre::mailbox& recipient)> per_recipient;
};

/// Sends a copy of `msg` to every address in opts.file (one per line;
/// blank lines and lines starting with '#' skipped; a line that is not an
/// address or mailbox is reported on io.err with its number and skipped)
/// over `config` with a pool of parse_connections(opts) connections, at
/// most two sends per connection in flight. Prints the summary line
/// `sent S, failed F, in T s (R msg/s)` on io.out; with opts.failed_out
/// writes `ADDRESS<TAB>REASON` per failure (invalid lines included).
/// Exit status: ok when every line was sent; unavailable (69) when a
/// failure was permanent or of unknown outcome; otherwise data_error (65)
/// when a line was invalid; otherwise temporary_failure (75).
exit_code deliver_each_to(const each_to_options& opts, lettre::smtp::transport_config config,
                          bool trace, const each_to_message& msg, const cli_streams& io);

}  // namespace lettre::cli
