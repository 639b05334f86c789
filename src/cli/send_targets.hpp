// Where `lettre send` delivers (--smtp URL, --mx, --sendmail, --outbox DIR)
// and which options each target uses: one table, so that an option that
// does not apply to the chosen target is refused (64), never ignored.
#pragma once

#include "arguments.hpp"

#include <span>
#include <string>
#include <string_view>

namespace lettre::cli {

enum class target_kind { smtp, mx, sendmail, outbox };

/// The target named by the options given. `named` false: none was given
/// and the outbox is the default.
struct chosen_target {
    target_kind kind = target_kind::outbox;
    bool named = false;
};

/// Which target options were given (each at most once).
struct target_flags {
    bool smtp = false, mx = false, sendmail = false, outbox = false;
};

/// The one target given, or the default outbox. Usage error when more than
/// one is given.
chosen_target choose_target_kind(const target_flags& given);

/// Usage error (64) for the first option in `options` that the table says
/// does not apply to `target`, naming the option, the target and the
/// target the option is for. Options outside the table (message, DKIM and
/// envelope options, --message) apply to every target.
void check_options_apply(const chosen_target& target, std::span<const parsed_option> options);

/// "--smtp URL", "--mx", "--sendmail" or "--outbox DIR".
std::string_view target_option(target_kind kind) noexcept;

}  // namespace lettre::cli
