// The --each-to address file, read one bounded line at a time. Its own file
// so that the line reader can be fuzzed over a memory stream
// (tests/fuzz/fuzz_each_to.cpp) without the sender.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace lettre::cli {

/// The line without the blanks around it (SP, HTAB, CR, VT).
std::string_view trim_address_line(std::string_view s);

/// The address file, read one line at a time (a million lines never sit
/// in memory at once). `path` "-" reads `in` (standard input).
class address_lines {
public:
    /// Throws a cli_error (66) when the file cannot be opened.
    address_lines(const std::string& path, std::istream& in);

    /// The next line (without its line end); false at the end, or at a line
    /// longer than address_line_limit (then stopped() says so).
    bool next(std::string& line);

    std::size_t number() const noexcept { return number_; }
    const std::string& label() const noexcept { return label_; }
    /// Why reading stopped before the end of the file, if it did.
    const std::optional<std::string>& stopped() const noexcept { return stopped_; }
    /// How much of a regular file has been read, 0 to 1; negative when unknown.
    double fraction() const noexcept;

private:
    std::string label_;
    std::optional<std::string> stopped_;
    std::ifstream file_;
    std::istream* stream_ = nullptr;
    std::size_t number_ = 0;
    std::uintmax_t consumed_ = 0;
    std::uintmax_t size_ = 0;
};

}  // namespace lettre::cli
