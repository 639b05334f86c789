// Folds header values at 78 columns (76 on lines holding encoded-words,
// RFC 2047 §2) and keeps track of the 998-octet hard limit.
#pragma once

#include "message/encoded_word.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::detail {

inline constexpr std::size_t fold_column = 78;
inline constexpr std::size_t max_line = 998;

/// "Name: value" and CRLF; no space after the colon when the value starts
/// on the next line (a first token too long for the first line).
inline void append_field(std::string& out, std::string_view name, std::string_view value) {
    out += name;
    out += value.starts_with("\r\n") ? ":" : ": ";
    out += value;
    out += "\r\n";
}

inline std::size_t field_size(std::string_view name, std::string_view value) noexcept {
    return name.size() + (value.starts_with("\r\n") ? 1 : 2) + value.size() + 2;
}

class header_writer {
public:
    explicit header_writer(std::string_view name) : line_(name.size() + 2) {}

    /// Appends `text` after `ws`; folds (CRLF before `ws`) when the line
    /// would grow past the limit. Empty `ws` glues `text` to the line.
    void add(std::string_view ws, std::string_view text, bool encoded = false, bool soft = false);
    void add(const header_token& t) { add(t.ws, t.text, t.encoded, t.soft); }
    void add(const std::vector<header_token>& ts) {
        for (const auto& t : ts) add(t);
    }

    /// Length of the current line so far (for sizing the next word).
    std::size_t column() const noexcept { return line_; }
    bool over_limit() const noexcept { return longest_ > max_line; }
    std::string take() { return std::move(value_); }

private:
    std::string value_;
    std::size_t line_;
    std::size_t longest_ = 0;
    bool line_has_word_ = false;
};

}  // namespace lettre::detail
