// Exit statuses of the `lettre` tool, after BSD sysexits(3).
#pragma once

namespace lettre::cli {

enum class exit_code : int {
    ok = 0,
    failure = 1,      ///< anything else (writing output, delivery, ...)
    usage = 64,       ///< EX_USAGE: bad command line
    data_error = 65,  ///< EX_DATAERR: an address, header, date... is invalid
    no_input = 66,    ///< EX_NOINPUT: an input file is missing or unreadable
};

constexpr int to_int(exit_code code) noexcept {
    return static_cast<int>(code);
}

}  // namespace lettre::cli
