// Reading input files and writing the output, with errors that name the
// path and carry the right exit status. "-" means standard input / output.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

namespace lettre::cli {

/// The standard streams a command talks to (never globals).
struct cli_streams {
    std::istream& in;
    std::ostream& out;
    std::ostream& err;
};

/// Reads the whole file (or `in` for "-"). Throws a cli_error with status
/// 66 naming `option` and the path when it is missing or unreadable.
std::string read_input(std::string_view option, const std::string& path, std::istream& in);

/// Writes `bytes` to `path` (or `out` for "-"), replacing the file. Throws a
/// cli_error with status 1 naming the path on failure.
void write_output(const std::string& path, std::string_view bytes, std::ostream& out);

/// Writes a secret (a private key) to a new file of mode 0600. An existing
/// `path` is refused (cli_error 1 saying to give --force) unless `replace`;
/// then a temporary file beside it is renamed over it, so `path` is never
/// seen half-written. Nothing is left behind on failure (status 1).
void write_private_file(const std::string& path, std::string_view bytes, bool replace);

/// Removes a file this run wrote (undoing write_private_file); errors ignored.
void remove_written_file(const std::string& path) noexcept;

}  // namespace lettre::cli
