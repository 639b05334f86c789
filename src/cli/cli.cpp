#include "cli.hpp"

#include "cli_error.hpp"
#include "commands.hpp"
#include "mx_command.hpp"
#include "usage.hpp"
#include "version_text.hpp"

#include <lettre/error.hpp>

#include <algorithm>
#include <array>
#include <exception>
#include <ostream>
#include <string>

namespace lettre::cli {
namespace {

struct command {
    std::string_view name;
    int (*run)(std::span<const std::string_view>, const cli_streams&);
    std::string (*help)();
};

constexpr std::array<command, 4> commands{{
    {"compose", &run_compose, &compose_help},
    {"send", &run_send, &send_help},
    {"dkim", &run_dkim, &dkim_help},
    {"mx", &run_mx, &mx_help},
}};

const command* find_command(std::string_view name) {
    const auto it = std::find_if(commands.begin(), commands.end(),
                                 [&](const command& c) { return c.name == name; });
    return it == commands.end() ? nullptr : &*it;
}

int report(const cli_streams& io, exit_code code, const std::string& message,
           std::string_view help_hint) {
    io.err << "lettre: " << message << '\n';
    if (code == exit_code::usage) io.err << "Try '" << help_hint << "'.\n";
    return to_int(code);
}

int run_command(const command& cmd, std::span<const std::string_view> args, const cli_streams& io) {
    const std::string hint = "lettre " + std::string(cmd.name) + " --help";
    try {
        return cmd.run(args, io);
    } catch (const cli_error& e) {
        return report(io, e.code(), e.what(), hint);
    } catch (const lettre::error& e) {
        return report(io, exit_code_for(e.info().code), printable(e.info().message), hint);
    } catch (const std::exception& e) {
        return report(io, exit_code::failure, printable(e.what()), hint);
    }
}

int help_command(std::span<const std::string_view> args, const cli_streams& io) {
    if (args.empty()) {
        io.out << global_help();
        return to_int(exit_code::ok);
    }
    const command* cmd = find_command(args.front());
    // `lettre help dkim keygen` and `... sign`: the dkim help covers both.
    const bool dkim_sub = cmd != nullptr && cmd->name == "dkim" && args.size() == 2 &&
                          (args[1] == "keygen" || args[1] == "sign");
    if (cmd == nullptr || (args.size() > 1 && !dkim_sub)) {
        const std::string_view bad = cmd == nullptr ? args.front() : args[1];
        return report(io, exit_code::usage, "help: unexpected argument " + in_quotes(bad),
                      "lettre --help");
    }
    io.out << cmd->help();
    return to_int(exit_code::ok);
}

}  // namespace

int run(std::span<const std::string_view> args, const cli_streams& io) {
    if (args.empty()) {
        io.err << short_usage();
        return to_int(exit_code::usage);
    }
    const std::string_view first = args.front();
    const auto rest = args.subspan(1);
    if (first == "-h" || first == "--help") {
        io.out << global_help();
        return to_int(exit_code::ok);
    }
    if (first == "--version") {
        io.out << version_text();
        return to_int(exit_code::ok);
    }
    if (first == "help") return help_command(rest, io);
    if (const command* cmd = find_command(first)) return run_command(*cmd, rest, io);

    const std::string what = first.starts_with('-') ? "unknown option " : "unknown command ";
    return report(io, exit_code::usage, what + in_quotes(first), "lettre --help");
}

}  // namespace lettre::cli
