#include "secrets.hpp"

#include "cli_error.hpp"

#include <sys/prctl.h>
#include <sys/stat.h>

#include <cstdio>

namespace lettre::cli {

void check_password(std::string_view source, const std::string& password) {
    if (password.find('\0') != std::string::npos) {
        throw cli_error(exit_code::data_error,
                        std::string(source) +
                            ": the password holds a NUL byte, which SASL cannot carry; check "
                            "how the password was written");
    }
    const auto line_end = password.find_first_of("\r\n");
    if (line_end == std::string::npos) return;
    const bool at_end = password.find_first_not_of("\r\n", line_end) == std::string::npos;
    throw cli_error(
        exit_code::data_error,
        std::string(source) + ": the password holds a " +
            (password[line_end] == '\r' ? "carriage return" : "line feed") +
            (at_end ? " at its end (written on Windows, or with echo?)" : " inside it") +
            "; remove it: the server would see a password you never typed");
}

std::optional<std::string> readable_by_others(std::string_view option, const std::string& path) {
    if (path == "-") return std::nullopt;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
    const unsigned mode = st.st_mode & 07777U;
    if ((mode & (S_IRGRP | S_IROTH)) == 0) return std::nullopt;
    char octal[16];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    return std::string(option) + " " + in_quotes(path) + " can be read by " +
           ((mode & S_IROTH) != 0 ? "every user" : "its group") + " (mode " + octal +
           "); chmod 600 it unless that is meant";
}

void protect_process_memory() noexcept {
    // Best effort: without it the tool still works, as any other would.
    static_cast<void>(::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
}

}  // namespace lettre::cli
