// The one exception the commands throw: a sentence for stderr plus the exit
// status it stands for. Library errors are turned into it here too.
#pragma once

#include "exit_code.hpp"

#include <lettre/error.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace lettre::cli {

class cli_error : public std::runtime_error {
public:
    cli_error(exit_code code, const std::string& message)
        : std::runtime_error(message), code_(code) {}
    exit_code code() const noexcept { return code_; }

private:
    exit_code code_;
};

inline cli_error usage_error(const std::string& message) {
    return {exit_code::usage, message};
}

/// 66 for lettre's file errors, 1 for io_error and foreign categories, 65
/// for every other lettre error.
exit_code exit_code_for(const std::error_code& ec) noexcept;

/// Wraps a library error. `context` (e.g. "--attach") is put in front;
/// `value` is quoted after it unless the library's message already names it.
cli_error from_library(const lettre::error_info& info, std::string_view context = {},
                       std::string_view value = {});

/// The text as it may reach a terminal: C0 controls and DEL shown as \r,
/// \n, \t, \xNN; bytes that are not UTF-8 as \xNN (a raw 0x9b is CSI);
/// the C1 controls U+0080..U+009F as \u00NN. Everything a server or a
/// file says goes through here before it is printed.
std::string printable(std::string_view text);

/// `"text"`, printable, with `"` and `\` escaped (the library's style).
std::string in_quotes(std::string_view text);

}  // namespace lettre::cli
