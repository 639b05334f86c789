// Reading input files and writing the output, with errors that name the
// path and carry the right exit status. "-" means standard input / output.
#pragma once

#include <cstddef>
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

/// Size limits of the small inputs (docs/security.md): each fits what the
/// file holds, with room to spare, and stops a /dev/zero or a FIFO that
/// never ends before memory does.
inline constexpr std::size_t password_limit = 4 * 1024;        ///< --password-file's line
inline constexpr std::size_t key_file_limit = 64 * 1024;       ///< --key, --dkim-key (PEM)
inline constexpr std::size_t ca_file_limit = 4 * 1024 * 1024;  ///< --ca, ca_file= (PEM bundle)
inline constexpr std::size_t address_line_limit = 4 * 1024;    ///< a line of --each-to

/// Reads the whole file (or `in` for "-"). Throws a cli_error with status
/// 66 naming `option` and the path when it is missing or unreadable.
std::string read_input(std::string_view option, const std::string& path, std::istream& in);

/// The same with a limit: never more than `limit` + 1 bytes are read, and
/// an input larger than `limit` is a cli_error with status 65 naming the
/// option, the path and the limit.
std::string read_input(std::string_view option, const std::string& path, std::istream& in,
                       std::size_t limit);

/// The first line of the file (or `in` for "-") without its LF, at most
/// `limit` bytes; longer is the same error as above. Reads no further than
/// the line's LF, or `limit` + 1 bytes.
std::string read_first_line(std::string_view option, const std::string& path, std::istream& in,
                            std::size_t limit);

enum class line_status { line, end, too_long };

/// Reads the next line of `in` into `line` (without its LF), taking at
/// most `limit` + 1 bytes from `in`: a longer line is `too_long` (the rest
/// of it is left unread). `end` when nothing is left.
line_status read_line(std::istream& in, std::string& line, std::size_t limit);

/// "4 KiB", "4 MiB" or "100 bytes", for messages.
std::string size_text(std::size_t bytes);

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
