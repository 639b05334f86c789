#include "send_targets.hpp"

#include "cli_error.hpp"

#include <algorithm>
#include <array>

namespace lettre::cli {
namespace {

/// The targets an option is used by, as bits of target_kind.
using target_set = unsigned;

constexpr target_set bit(target_kind kind) noexcept {
    return 1U << static_cast<unsigned>(kind);
}

constexpr target_set smtp_only = bit(target_kind::smtp);
constexpr target_set mx_only = bit(target_kind::mx);
constexpr target_set sendmail_only = bit(target_kind::sendmail);

struct option_targets {
    std::string_view option;  ///< long name without the dashes
    target_set targets;
    std::string_view why_not_mx = {};  ///< said when refused with --mx
};

constexpr std::string_view no_login = "MX hosts take mail for their own domains without a login";

// Every option of send that some target does not use; a new option of
// that kind gets a line here. --ca, --timeout, --ehlo, --trace and the DSN
// options conduct the SMTP sessions of both --smtp and --mx.
constexpr std::array<option_targets, 25> table{{
    {"user", smtp_only, no_login},
    {"password-file", smtp_only, no_login},
    {"auth", smtp_only, no_login},
    {"ca", smtp_only | mx_only},
    {"timeout", smtp_only | mx_only},
    {"ehlo", smtp_only | mx_only},
    {"trace", smtp_only | mx_only},
    {"notify", smtp_only | mx_only},
    {"ret", smtp_only | mx_only},
    {"envid", smtp_only | mx_only},
    // RFC 8689 §4.2.1 asks more of an MX hop than the relay hop: every MX
    // host authenticated (DANE or MTA-STS, else a bounce) and REQUIRETLS
    // offered; the MX transport does not enforce that.
    {"requiretls", smtp_only,
     "REQUIRETLS to MX hosts needs each host authenticated by DANE or MTA-STS and offering "
     "REQUIRETLS (RFC 8689), which --mx does not enforce"},
    {"each-to", smtp_only},
    {"connections", smtp_only},
    {"failed-out", smtp_only},
    {"dns", mx_only},
    {"mx-port", mx_only},
    {"tls", mx_only},
    {"dns-timeout", mx_only},
    {"mx-allow-local", mx_only},
    {"no-dane", mx_only},
    {"no-mta-sts", mx_only},
    {"mta-sts-cache", mx_only},
    {"mta-sts-port", mx_only},
    {"tls-report", mx_only},
    {"sendmail-program", sendmail_only},
}};

constexpr std::array<target_kind, 4> all_kinds{target_kind::smtp, target_kind::mx,
                                               target_kind::sendmail, target_kind::outbox};

/// "--smtp URL" or "--smtp URL or --mx".
std::string targets_text(target_set set) {
    std::string out;
    for (const target_kind kind : all_kinds) {
        if ((set & bit(kind)) == 0) continue;
        if (!out.empty()) out += " or ";
        out += target_option(kind);
    }
    return out;
}

const option_targets* find(std::string_view name) {
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&](const option_targets& o) { return o.option == name; });
    return it == table.end() ? nullptr : &*it;
}

}  // namespace

std::string_view target_option(target_kind kind) noexcept {
    switch (kind) {
        case target_kind::smtp: return "--smtp URL";
        case target_kind::mx: return "--mx";
        case target_kind::sendmail: return "--sendmail";
        case target_kind::outbox: return "--outbox DIR";
    }
    return "--outbox DIR";
}

chosen_target choose_target_kind(const target_flags& given) {
    const int count = int{given.smtp} + int{given.mx} + int{given.sendmail} + int{given.outbox};
    if (count > 1) {
        throw usage_error(
            "--smtp, --mx, --sendmail and --outbox exclude each other: give one of them");
    }
    if (given.smtp) return {target_kind::smtp, true};
    if (given.mx) return {target_kind::mx, true};
    if (given.sendmail) return {target_kind::sendmail, true};
    return {target_kind::outbox, given.outbox};
}

void check_options_apply(const chosen_target& target, std::span<const parsed_option> options) {
    for (const parsed_option& opt : options) {
        const option_targets* entry = find(opt.spec->name);
        if (entry == nullptr || (entry->targets & bit(target.kind)) != 0) continue;
        const std::string wanted = targets_text(entry->targets);
        if (!target.named) {
            throw usage_error(opt.spelling + " needs " + wanted +
                              ": it does not apply to --outbox DIR, where send writes when no "
                              "other target is given");
        }
        const std::string why = target.kind == target_kind::mx && !entry->why_not_mx.empty()
                                    ? ". " + std::string(entry->why_not_mx)
                                    : std::string();
        throw usage_error(opt.spelling + " does not apply to " +
                          std::string(target_option(target.kind)) + ": it is for " + wanted +
                          " only; remove it" + why);
    }
}

}  // namespace lettre::cli
