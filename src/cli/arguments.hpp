// Generic command-line scanning: `--name value`, `--name=value`, `-o value`,
// `-ovalue` and flags, checked against a table of option specs.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::cli {

struct option_spec {
    std::string_view name;    ///< long name without the dashes: "from"
    char short_name = '\0';   ///< 'o' for -o, or '\0'
    bool takes_value = true;  ///< false for flags such as --demo
    bool repeatable = false;  ///< may be given several times
};

struct parsed_option {
    const option_spec* spec = nullptr;
    std::string value;     ///< empty for flags
    std::string spelling;  ///< as written, for messages: "--from" or "-o"
};

/// Scans `args` in order. Throws a usage cli_error for an unknown option, a
/// missing value (the end of the arguments, or a next argument that is
/// itself one of the options: write `--name=VALUE` for values that look like
/// options), a value given to a flag, a second use of an option that is not
/// repeatable, and any argument that is not an option.
std::vector<parsed_option> parse_arguments(std::span<const std::string_view> args,
                                           std::span<const option_spec> specs);

/// True when `-h` or `--help` is one of the arguments.
bool wants_help(std::span<const std::string_view> args) noexcept;

}  // namespace lettre::cli
