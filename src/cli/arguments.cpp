#include "arguments.hpp"

#include "cli_error.hpp"

#include <algorithm>
#include <optional>

namespace lettre::cli {
namespace {

const option_spec* find_long(std::span<const option_spec> specs, std::string_view name) {
    const auto it = std::find_if(specs.begin(), specs.end(),
                                 [&](const option_spec& s) { return s.name == name; });
    return it == specs.end() ? nullptr : &*it;
}

const option_spec* find_short(std::span<const option_spec> specs, char name) {
    const auto it = std::find_if(specs.begin(), specs.end(),
                                 [&](const option_spec& s) { return s.short_name == name; });
    return it == specs.end() ? nullptr : &*it;
}

bool is_long_form(std::string_view arg) {
    return arg.size() > 2 && arg.starts_with("--");
}

bool is_short_form(std::string_view arg) {
    return arg.size() >= 2 && arg[0] == '-' && arg[1] != '-';
}

/// Whether `arg` would be read as one of the options in `specs`.
bool names_option(std::string_view arg, std::span<const option_spec> specs) {
    if (is_long_form(arg)) {
        std::string_view name = arg.substr(2);
        name = name.substr(0, name.find('='));
        return find_long(specs, name) != nullptr;
    }
    if (is_short_form(arg)) return find_short(specs, arg[1]) != nullptr;
    return false;
}

}  // namespace

std::vector<parsed_option> parse_arguments(std::span<const std::string_view> args,
                                           std::span<const option_spec> specs) {
    std::vector<parsed_option> out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        const option_spec* spec = nullptr;
        std::optional<std::string_view> attached;
        std::string spelling;
        if (is_long_form(arg)) {
            const std::size_t eq = arg.find('=');
            const std::string_view name =
                eq == std::string_view::npos ? arg.substr(2) : arg.substr(2, eq - 2);
            spelling = "--" + std::string(name);
            spec = find_long(specs, name);
            if (eq != std::string_view::npos) attached = arg.substr(eq + 1);
        } else if (is_short_form(arg)) {
            spelling = std::string(arg.substr(0, 2));
            spec = find_short(specs, arg[1]);
            if (arg.size() > 2) attached = arg.substr(2);
        } else {
            throw usage_error("unexpected argument " + in_quotes(arg));
        }
        if (spec == nullptr) throw usage_error("unknown option " + in_quotes(spelling));

        parsed_option opt{spec, {}, std::move(spelling)};
        if (spec->takes_value) {
            if (attached) {
                opt.value = std::string(*attached);
            } else if (i + 1 < args.size() && !names_option(args[i + 1], specs)) {
                opt.value = std::string(args[++i]);
            } else {
                throw usage_error("option " + opt.spelling + " needs a value");
            }
            if (!spec->repeatable) {
                const bool again = std::any_of(
                    out.begin(), out.end(), [&](const parsed_option& o) { return o.spec == spec; });
                if (again) throw usage_error("option " + opt.spelling + " given twice");
            }
        } else if (attached) {
            throw usage_error("option " + opt.spelling + " takes no value");
        }
        out.push_back(std::move(opt));
    }
    return out;
}

bool wants_help(std::span<const std::string_view> args) noexcept {
    return std::any_of(args.begin(), args.end(),
                       [](std::string_view a) { return a == "-h" || a == "--help"; });
}

}  // namespace lettre::cli
