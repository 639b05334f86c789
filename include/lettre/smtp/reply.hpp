// SMTP replies (RFC 5321 §4.2) with RFC 3463 enhanced status codes: what a
// server answered, as reports and diagnostics keep it.
#pragma once

#include <lettre/export.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lettre::smtp {

/// RFC 3463 class.subject.detail, e.g. 5.1.1.
struct enhanced_status {
    int klass = 0;    ///< 2 success, 4 persistent transient failure, 5 permanent failure
    int subject = 0;  ///< the subject (1 addressing, 2 mailbox, ...)
    int detail = 0;   ///< the detail within the subject
    LETTRE_EXPORT std::string to_string() const;  ///< `5.1.1`
    /// Member-wise equality.
    friend bool operator==(const enhanced_status&, const enhanced_status&) = default;
};

/// A server reply: the three-digit code and the text of each line.
class LETTRE_EXPORT reply {
public:
    reply() = default;
    /// The enhanced status is read from the first line when its class
    /// matches the code's first digit.
    reply(int code, std::vector<std::string> lines);

    int code() const noexcept { return code_; }  ///< e.g. 250
    /// Text of each line, after the code and separator (enhanced code kept).
    const std::vector<std::string>& lines() const noexcept { return lines_; }
    /// Enhanced status from the first line, when the server sent one.
    const std::optional<enhanced_status>& enhanced() const noexcept { return enhanced_; }
    /// Lines joined with "\n", enhanced code removed: what to show a human.
    std::string message() const;
    /// `550 5.1.1 No such user` on one line, for logs and errors.
    std::string to_string() const;

    bool positive_completion() const noexcept { return code_ >= 200 && code_ < 300; }    ///< 2yz
    bool positive_intermediate() const noexcept { return code_ >= 300 && code_ < 400; }  ///< 3yz
    bool transient() const noexcept { return code_ >= 400 && code_ < 500; }              ///< 4yz
    bool permanent() const noexcept { return code_ >= 500 && code_ < 600; }              ///< 5yz

private:
    int code_ = 0;
    std::vector<std::string> lines_;
    std::optional<enhanced_status> enhanced_;
};

}  // namespace lettre::smtp
