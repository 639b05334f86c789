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
    int klass = 0;
    int subject = 0;
    int detail = 0;
    LETTRE_EXPORT std::string to_string() const;
    friend bool operator==(const enhanced_status&, const enhanced_status&) = default;
};

class LETTRE_EXPORT reply {
public:
    reply() = default;
    reply(int code, std::vector<std::string> lines);

    int code() const noexcept { return code_; }
    /// Text of each line, after the code and separator (enhanced code kept).
    const std::vector<std::string>& lines() const noexcept { return lines_; }
    /// Enhanced status from the first line, when the server sent one.
    const std::optional<enhanced_status>& enhanced() const noexcept { return enhanced_; }
    /// Lines joined with "\n", enhanced code removed: what to show a human.
    std::string message() const;
    /// `550 5.1.1 No such user` on one line, for logs and errors.
    std::string to_string() const;

    bool positive_completion() const noexcept { return code_ >= 200 && code_ < 300; }
    bool positive_intermediate() const noexcept { return code_ >= 300 && code_ < 400; }
    bool transient() const noexcept { return code_ >= 400 && code_ < 500; }
    bool permanent() const noexcept { return code_ >= 500 && code_ < 600; }

private:
    int code_ = 0;
    std::vector<std::string> lines_;
    std::optional<enhanced_status> enhanced_;
};

}  // namespace lettre::smtp
