// The options that describe a message (shared by `compose` and `send`) and
// how their values are split: `PATH[:TYPE]`, `CID=PATH[:TYPE]`, `Name: value`.
#pragma once

#include "arguments.hpp"

#include <lettre/message/part.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::cli {

/// `--attach PATH[:TYPE]`; the type text is parsed when the message is built.
struct attachment_option {
    std::string path;
    std::optional<std::string> type;
};

/// `--inline CID=PATH[:TYPE]`; the id without angle brackets.
struct inline_option {
    std::string content_id;
    std::string path;
    std::optional<std::string> type;
};

struct header_option {
    std::string name;
    std::string value;
};

struct message_options {
    std::vector<std::string> from, to, cc, bcc, reply_to;
    std::optional<std::string> sender, subject, date, message_id;
    std::optional<std::string> text, text_file, html, html_file;
    std::vector<attachment_option> attachments;
    std::vector<inline_option> inlines;
    std::vector<header_option> headers;
    /// Parts that do not come from the command line (the demo attachment).
    std::vector<lettre::part> builtin_attachments;
    bool demo = false;

    bool has_recipient() const noexcept { return !to.empty() || !cc.empty() || !bcc.empty(); }
    bool has_body() const noexcept;
    /// True when any option at all was given (--demo included).
    bool any() const noexcept;
};

/// The specs of every message option, --demo included.
std::span<const option_spec> message_option_specs() noexcept;

/// True when `spec` names one of message_option_specs().
bool is_message_option(const option_spec& spec) noexcept;

/// Stores one parsed message option. Throws a usage cli_error for a value
/// of the wrong shape and for options that exclude each other.
void apply_message_option(message_options& opts, const parsed_option& opt);

/// Splits `report.pdf:application/pdf` at the last ':' when what follows
/// looks like `type/subtype` (parameters allowed); otherwise the whole text
/// is the path.
attachment_option split_attachment(std::string_view text);

}  // namespace lettre::cli
