// The SMTP reply push parser, with bounded memory. Sans-io; internal.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/smtp/reply.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::smtp {

/// Feeds bytes, yields complete replies. A hostile server cannot make it
/// allocate without bound: a line over `max_line` octets or a reply over
/// `max_lines` lines is an error (errc::smtp_protocol).
class LETTRE_EXPORT reply_parser {
public:
    static constexpr std::size_t default_max_line = 4096;  ///< RFC 5321: 512
    static constexpr std::size_t default_max_lines = 256;

    explicit reply_parser(std::size_t max_line = default_max_line,
                          std::size_t max_lines = default_max_lines)
        : max_line_(max_line), max_lines_(max_lines) {}

    /// Appends bytes. Returns false (and sets error()) on a protocol error.
    bool feed(std::string_view bytes);
    /// The next complete reply, if one is buffered.
    std::optional<reply> next();
    /// Bytes received but not part of a complete reply yet.
    std::size_t buffered() const noexcept { return buf_.size() - pos_; }
    /// Nothing buffered at all: no complete reply waiting, no partial line.
    bool idle() const noexcept { return ready_.empty() && lines_.empty() && buf_.size() == pos_; }
    const std::optional<error_info>& error() const noexcept { return error_; }
    /// Drops everything buffered (after STARTTLS: plaintext must not be kept).
    void reset();

private:
    bool parse_available();

    std::size_t max_line_;
    std::size_t max_lines_;
    std::string buf_;
    std::size_t pos_ = 0;
    int code_ = 0;
    std::vector<std::string> lines_;
    std::vector<reply> ready_;
    std::optional<error_info> error_;
};

}  // namespace lettre::smtp
