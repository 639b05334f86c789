#include "each_to_lines.hpp"

#include "cli_error.hpp"
#include "io_files.hpp"

#include <algorithm>
#include <filesystem>
#include <istream>
#include <system_error>

namespace lettre::cli {

std::string_view trim_address_line(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

address_lines::address_lines(const std::string& path, std::istream& in) : label_(path) {
    if (path == "-") {
        stream_ = &in;
        label_ = "standard input";
        return;
    }
    file_.open(path, std::ios::binary);
    if (!file_) {
        throw cli_error(exit_code::no_input,
                        "--each-to " + in_quotes(path) + ": cannot open the file");
    }
    stream_ = &file_;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec && size > 0) size_ = size;
}

bool address_lines::next(std::string& line) {
    const line_status status = read_line(*stream_, line, address_line_limit);
    if (stream_->bad()) {
        throw cli_error(exit_code::no_input, "--each-to " + in_quotes(label_) + ": read error");
    }
    if (status == line_status::end) return false;
    ++number_;
    if (status == line_status::too_long) {
        // The end of the file for the sender (the sends under way
        // finish); skipping the line could mean reading without end.
        stopped_ = "--each-to " + in_quotes(label_) + ": line " + std::to_string(number_) +
                   " is longer than " + size_text(address_line_limit) +
                   ", the limit for an address line; nothing after it was read";
        return false;
    }
    consumed_ += line.size() + 1;
    return true;
}

double address_lines::fraction() const noexcept {
    if (size_ == 0) return -1;
    return std::min(1.0, static_cast<double>(consumed_) / static_cast<double>(size_));
}

}  // namespace lettre::cli
