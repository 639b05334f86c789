// lettre send: build a message (or read a ready one) and deliver it.
#include "build_message.hpp"
#include "cli_error.hpp"
#include "commands.hpp"
#include "deliver.hpp"
#include "demo_message.hpp"
#include "dkim_options.hpp"
#include "each_to.hpp"
#include "envelope_options.hpp"
#include "message_options.hpp"
#include "mx_options.hpp"
#include "send_targets.hpp"
#include "smtp_options.hpp"
#include "usage.hpp"

#include <lettre/message/envelope.hpp>

#include <cstdlib>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace lettre::cli {
namespace {

constexpr option_spec message_file_spec{"message", '\0', true, false};
constexpr option_spec envelope_from_spec{"envelope-from", '\0', true, false};
constexpr option_spec envelope_to_spec{"envelope-to", '\0', true, true};
constexpr option_spec outbox_spec{"outbox", '\0', true, false};
constexpr option_spec sendmail_spec{"sendmail", '\0', false, false};
constexpr option_spec sendmail_program_spec{"sendmail-program", '\0', true, false};
constexpr option_spec help_spec{"help", 'h', false, false};

/// What send needs besides the message options.
struct send_options {
    std::optional<std::string> message_file;
    std::optional<std::string> envelope_from;
    std::vector<std::string> envelope_to;
    // Transport choice; --mx goes here and into choose_target() next.
    std::optional<std::string> outbox;
    bool sendmail = false;
    std::optional<std::string> sendmail_program;
    smtp_options smtp;
    mx_options mx;
    each_to_options each_to;
    /// The first message option given, for the --message conflict message.
    std::optional<std::string> first_message_option;
};

/// LETTRE_PASSWORD, the password for --user when no --password-file is given.
std::optional<std::string> password_from_environment() {
    const char* value = std::getenv("LETTRE_PASSWORD");
    if (value == nullptr) return std::nullopt;
    return std::string(value);
}

/// Standard input can feed one option only.
void check_stdin_readers(const send_options& opts, const message_options& mopts) {
    const bool message_reader =
        opts.message_file == "-" || mopts.text_file == "-" || mopts.html_file == "-";
    if (opts.each_to.file == "-" && (message_reader || opts.smtp.password_file == "-")) {
        throw usage_error("--each-to - reads standard input, which another option reads already");
    }
    if (opts.smtp.password_file != "-") return;
    if (message_reader) {
        throw usage_error(
            "--password-file - reads standard input, which another option reads already");
    }
}

/// --each-to FILE goes through the SMTP pool only: a copy per address into
/// an outbox or through MX lookups is not what it is for.
void check_each_to(const send_options& opts) {
    const each_to_options& each = opts.each_to;
    if (!each.given()) {
        if (each.first_dependent)
            throw usage_error(*each.first_dependent + " needs --each-to FILE");
        return;
    }
    if (opts.mx.mx || opts.outbox || opts.sendmail || !opts.smtp.url) {
        throw usage_error(
            "--each-to sends through an SMTP server's connection pool: it needs --smtp URL "
            "(and works neither with --outbox, --mx nor --sendmail)");
    }
    if (!opts.envelope_to.empty()) {
        throw usage_error(
            "--each-to and --envelope-to exclude each other: each copy goes to one address of "
            "the file");
    }
    static_cast<void>(parse_connections(each));
}

/// --timeout, --ehlo and the DSN options on every MX session, as with --smtp.
void apply_session_values(session_values session, lettre::mx::config& cfg) {
    if (session.timeouts) cfg.timeouts = *session.timeouts;
    if (session.hello_name) cfg.hello_name = std::move(*session.hello_name);
    cfg.dsn = std::move(session.dsn);
}

/// One target, and no option it has no use for (send_targets.cpp's table).
delivery_target choose_target(const send_options& opts, std::span<const parsed_option> given,
                              const cli_streams& io) {
    const chosen_target target = choose_target_kind(
        {opts.smtp.url.has_value(), opts.mx.mx, opts.sendmail, opts.outbox.has_value()});
    check_options_apply(target, given);
    switch (target.kind) {
        case target_kind::sendmail:
            return sendmail_target{opts.sendmail_program.value_or("sendmail")};
        case target_kind::mx: {
            mx_options mx = opts.mx;
            mx.ca = opts.smtp.ca;  // parsed with the SMTP options, used by both
            // Usage errors first, then the --mx values, then bad data.
            session_values session = parse_session_values(opts.smtp);
            lettre::mx::config cfg = make_mx_config(mx);
            check_session_data(opts.smtp, session);
            apply_session_values(std::move(session), cfg);
            return mx_target{std::move(cfg), mx.tls_report, opts.smtp.trace};
        }
        case target_kind::smtp: {
            smtp_settings settings =
                make_smtp_settings(opts.smtp, password_from_environment(), io.in);
            for (const std::string& w : settings.warnings)
                io.err << "lettre: warning: " << w << '\n';
            return smtp_target{std::move(settings.config), settings.trace};
        }
        case target_kind::outbox: break;
    }
    return outbox_target{opts.outbox.value_or("outbox")};
}

lettre::envelope make_envelope(std::optional<lettre::address> from,
                               std::vector<lettre::address> to) {
    auto env = lettre::envelope::try_create(std::move(from), std::move(to));
    if (!env) throw from_library(env.error(), "envelope");
    return std::move(env).value();
}

/// The bytes of --message FILE, DKIM-signed when --dkim-* options are given,
/// and the reverse-path; the recipients are the caller's.
std::pair<std::string, std::optional<lettre::address>> read_ready_bytes(const send_options& opts,
                                                                        const dkim_options& dkim,
                                                                        const cli_streams& io) {
    if (opts.first_message_option) {
        throw usage_error("--message sends FILE as it is; it cannot be combined with " +
                          *opts.first_message_option);
    }
    if (!opts.envelope_from || (opts.envelope_to.empty() && !opts.each_to.given())) {
        throw usage_error(opts.each_to.given()
                              ? "--message with --each-to needs --envelope-from: no envelope is "
                                "derived from the message's headers"
                              : "--message needs --envelope-from and --envelope-to: no envelope "
                                "is derived from the message's headers");
    }
    const std::vector<lettre::dkim::signer> signers = make_signers(dkim, io.err);
    std::string bytes = read_input("--message", *opts.message_file, io.in);
    if (bytes.empty()) {
        throw cli_error(exit_code::data_error,
                        "--message " + in_quotes(*opts.message_file) + " is empty");
    }
    std::optional<lettre::address> from = parse_envelope_from(*opts.envelope_from);
    if (!signers.empty()) {
        auto signed_bytes = lettre::dkim::try_sign_all(signers, to_crlf(bytes));
        if (!signed_bytes) {
            throw from_library(signed_bytes.error(), "--message", *opts.message_file);
        }
        bytes = std::move(signed_bytes).value();
    }
    return {std::move(bytes), std::move(from)};
}

/// --message FILE: the bytes as they are, with the envelope given by hand.
/// With --dkim-* options the line ends are made CRLF and the bytes signed.
raw_message read_ready_message(const send_options& opts, const dkim_options& dkim,
                               const cli_streams& io) {
    auto [bytes, from] = read_ready_bytes(opts, dkim, io);
    return {make_envelope(std::move(from), parse_envelope_to(opts.envelope_to)), std::move(bytes)};
}

/// --each-to: the message every copy is made from. Without --to, --cc and
/// --bcc each copy is built for its recipient (To: that address); otherwise
/// the message is built once and every copy has the same bytes.
each_to_message each_to_outgoing(message_options& mopts, const send_options& opts,
                                 const dkim_options& dkim, const cli_streams& io) {
    each_to_message out;
    if (opts.message_file) {
        auto [bytes, from] = read_ready_bytes(opts, dkim, io);
        out.bytes = std::make_shared<const std::string>(std::move(bytes));
        out.reverse_path = std::move(from);
        return out;
    }
    if (!mopts.any()) {
        throw usage_error(
            "nothing to send: give message options (at least --from), or --message FILE with "
            "--envelope-from, or --demo for a sample message");
    }
    auto signers =
        std::make_shared<const std::vector<lettre::dkim::signer>>(make_signers(dkim, io.err));
    const bool per_recipient = !mopts.has_recipient();
    if (mopts.demo) apply_demo_defaults(mopts);
    if (per_recipient) mopts.to.clear();  // --demo's To: the file gives it

    lettre::message_builder builder = make_builder(mopts, io.in, true);
    out.reverse_path = opts.envelope_from ? parse_envelope_from(*opts.envelope_from)
                                          : std::optional(derived_reverse_path(mopts));
    const auto sign = [](lettre::message& msg, const std::vector<lettre::dkim::signer>& with) {
        if (with.empty()) return;
        if (auto signed_ok = msg.try_sign(with); !signed_ok) throw from_library(signed_ok.error());
    };
    if (per_recipient) {
        out.per_recipient = [builder, signers, sign](const lettre::mailbox& to) {
            lettre::message_builder copy = builder;
            copy.to(to);
            lettre::message msg = build(std::move(copy));
            sign(msg, *signers);
            return msg;
        };
        // A first copy now: errors in the options show before anything is sent.
        static_cast<void>(out.per_recipient(lettre::mailbox(derived_reverse_path(mopts))));
        return out;
    }
    lettre::message msg = build(std::move(builder));
    sign(msg, *signers);
    out.bytes = std::make_shared<const std::string>(msg.formatted());
    return out;
}

/// Built from the message options; --envelope-from/--envelope-to replace the
/// derived reverse-path/recipients.
/// With --dkim-* options the built message is signed.
lettre::message build_outgoing(message_options& mopts, const send_options& opts,
                               const dkim_options& dkim, const cli_streams& io) {
    if (!mopts.any()) {
        throw usage_error(
            "nothing to send: give message options (at least --from and --to), --message FILE "
            "with --envelope-from and --envelope-to, or --demo for a sample message");
    }
    const std::vector<lettre::dkim::signer> signers = make_signers(dkim, io.err);
    if (mopts.demo) apply_demo_defaults(mopts);

    lettre::message_builder builder = make_builder(mopts, io.in, !opts.envelope_to.empty());
    if (opts.envelope_from || !opts.envelope_to.empty()) {
        std::optional<lettre::address> from = opts.envelope_from
                                                  ? parse_envelope_from(*opts.envelope_from)
                                                  : derived_reverse_path(mopts);
        std::vector<lettre::address> to = opts.envelope_to.empty()
                                              ? build(builder).envelope().to()
                                              : parse_envelope_to(opts.envelope_to);
        builder.envelope(make_envelope(std::move(from), std::move(to)));
    }
    lettre::message msg = build(std::move(builder));
    if (!signers.empty()) {
        if (auto signed_ok = msg.try_sign(signers); !signed_ok) {
            throw from_library(signed_ok.error());
        }
    }
    return msg;
}

}  // namespace

int run_send(std::span<const std::string_view> args, const cli_streams& io) {
    if (wants_help(args)) {
        io.out << send_help();
        return to_int(exit_code::ok);
    }
    std::vector<option_spec> specs(message_option_specs().begin(), message_option_specs().end());
    specs.insert(specs.end(), dkim_message_option_specs().begin(),
                 dkim_message_option_specs().end());
    specs.insert(specs.end(), {message_file_spec, envelope_from_spec, envelope_to_spec, outbox_spec,
                               sendmail_spec, sendmail_program_spec, help_spec});
    specs.insert(specs.end(), smtp_option_specs().begin(), smtp_option_specs().end());
    specs.insert(specs.end(), mx_option_specs().begin(), mx_option_specs().end());
    specs.insert(specs.end(), each_to_option_specs().begin(), each_to_option_specs().end());

    message_options mopts;
    send_options opts;
    dkim_options dkim;
    dkim.prefix = "dkim-";
    const std::vector<parsed_option> given = parse_arguments(args, specs);
    for (const parsed_option& opt : given) {
        const std::string_view name = opt.spec->name;
        if (is_message_option(*opt.spec)) {
            apply_message_option(mopts, opt);
            if (!opts.first_message_option) opts.first_message_option = opt.spelling;
        } else if (is_dkim_message_option(*opt.spec)) {
            apply_dkim_option(dkim, opt);
        } else if (is_smtp_option(*opt.spec)) {
            apply_smtp_option(opts.smtp, opt);
        } else if (is_mx_option(*opt.spec)) {
            apply_mx_option(opts.mx, opt);
        } else if (is_each_to_option(*opt.spec)) {
            apply_each_to_option(opts.each_to, opt);
        } else if (name == message_file_spec.name) {
            opts.message_file = opt.value;
        } else if (name == envelope_from_spec.name) {
            opts.envelope_from = opt.value;
        } else if (name == envelope_to_spec.name) {
            opts.envelope_to.push_back(opt.value);
        } else if (name == outbox_spec.name) {
            opts.outbox = opt.value;
        } else if (name == sendmail_spec.name) {
            opts.sendmail = true;
        } else if (name == sendmail_program_spec.name) {
            opts.sendmail_program = opt.value;
        }
    }

    check_stdin_readers(opts, mopts);
    check_each_to(opts);
    const delivery_target target = choose_target(opts, given, io);
    if (opts.each_to.given()) {
        const auto& smtp = std::get<smtp_target>(target);
        return to_int(deliver_each_to(opts.each_to, smtp.config, smtp.trace,
                                      each_to_outgoing(mopts, opts, dkim, io), io));
    }
    const outgoing_message msg = opts.message_file
                                     ? outgoing_message(read_ready_message(opts, dkim, io))
                                     : outgoing_message(build_outgoing(mopts, opts, dkim, io));
    return to_int(deliver(target, msg, io));
}

}  // namespace lettre::cli
