// Exit statuses of the `lettre` tool, after BSD sysexits(3).
#pragma once

namespace lettre::cli {

enum class exit_code : int {
    ok = 0,
    failure = 1,      ///< anything else (writing output, outbox delivery, ...)
    usage = 64,       ///< EX_USAGE: bad command line
    data_error = 65,  ///< EX_DATAERR: an address, header, date... is invalid
    no_input = 66,    ///< EX_NOINPUT: an input file is missing or unreadable
    /// EX_UNAVAILABLE: SMTP delivery failed for good (a 5xx reply, a refused
    /// recipient, TLS or AUTH failure) or its outcome is unknown.
    unavailable = 69,
    /// EX_TEMPFAIL: SMTP delivery failed and every failure was transient (4xx
    /// replies, a timeout, a refused or dropped connection): retry later.
    temporary_failure = 75,
};

constexpr int to_int(exit_code code) noexcept {
    return static_cast<int>(code);
}

}  // namespace lettre::cli
