// lettre compose: message options -> RFC 5322 bytes on stdout or in a file.
#include "build_message.hpp"
#include "cli_error.hpp"
#include "commands.hpp"
#include "demo_message.hpp"
#include "dkim_options.hpp"
#include "message_options.hpp"
#include "usage.hpp"

#include <ostream>
#include <vector>

namespace lettre::cli {
namespace {

constexpr option_spec output_spec{"output", 'o', true, false};
constexpr option_spec help_spec{"help", 'h', false, false};

}  // namespace

int run_compose(std::span<const std::string_view> args, const cli_streams& io) {
    if (wants_help(args)) {
        io.out << compose_help();
        return to_int(exit_code::ok);
    }
    std::vector<option_spec> specs(message_option_specs().begin(), message_option_specs().end());
    specs.insert(specs.end(), dkim_message_option_specs().begin(),
                 dkim_message_option_specs().end());
    specs.push_back(output_spec);
    specs.push_back(help_spec);

    message_options opts;
    dkim_options dkim;
    dkim.prefix = "dkim-";
    std::string output = "-";
    for (const parsed_option& opt : parse_arguments(args, specs)) {
        if (is_message_option(*opt.spec)) {
            apply_message_option(opts, opt);
        } else if (is_dkim_message_option(*opt.spec)) {
            apply_dkim_option(dkim, opt);
        } else if (opt.spec->name == output_spec.name) {
            output = opt.value;
        }
    }
    if (!opts.any()) {
        throw usage_error(
            "nothing to compose: give at least --from and --to (and a body), or --demo for a "
            "sample message");
    }
    const std::vector<lettre::dkim::signer> signers = make_signers(dkim, io.err);
    if (opts.demo) apply_demo_defaults(opts);

    lettre::message msg = build(make_builder(opts, io.in, false));
    if (!signers.empty()) {
        if (auto signed_ok = msg.try_sign(signers); !signed_ok) {
            throw from_library(signed_ok.error());
        }
    }
    write_output(output, msg.formatted(), io.out);
    return to_int(exit_code::ok);
}

}  // namespace lettre::cli
