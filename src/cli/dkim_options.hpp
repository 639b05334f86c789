// DKIM signing options: the `--key/--selector/--domain...` of `dkim sign`
// and the `--dkim-key/--dkim-selector/--dkim-domain` of compose and send,
// turned into lettre::dkim::signer objects. Keys and selectors pair in
// order; one domain (or identity) serves every key, or there is one per key.
#pragma once

#include "arguments.hpp"

#include <lettre/dkim/signer.hpp>

#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::cli {

struct dkim_options {
    /// "" for `dkim sign` (--key), "dkim-" for compose/send (--dkim-key):
    /// the option names errors are told with.
    std::string_view prefix;
    std::vector<std::string> domains, selectors, keys, identities;
    std::optional<std::string> canon, headers, time, expire;

    bool any() const noexcept {
        return !domains.empty() || !selectors.empty() || !keys.empty() || !identities.empty() ||
               canon || headers || time || expire;
    }
};

/// --dkim-domain, --dkim-selector, --dkim-key (compose and send).
std::span<const option_spec> dkim_message_option_specs() noexcept;
bool is_dkim_message_option(const option_spec& spec) noexcept;

/// Stores one parsed DKIM option, whatever its prefix ("key" or "dkim-key").
void apply_dkim_option(dkim_options& opts, const parsed_option& opt);

/// Checks the option counts (a usage error when keys and selectors do not
/// pair up, or there are neither one nor as many domains/identities as keys),
/// reads the keys (66 when missing or unreadable, 65 when not a usable key),
/// and makes one signer per key, in order. Key warnings (RSA under 2048 bits)
/// go to `err`. Empty when no DKIM option was given.
std::vector<lettre::dkim::signer> make_signers(const dkim_options& opts, std::ostream& err);

/// The message with every line break (CRLF, bare LF, bare CR) written as
/// CRLF: the bytes SMTP sends, and so the bytes DKIM signs.
std::string to_crlf(std::string_view message);

}  // namespace lettre::cli
