#include "message_options.hpp"

#include "cli_error.hpp"

#include <algorithm>
#include <array>

namespace lettre::cli {
namespace {

constexpr std::array<option_spec, 17> specs{{
    {"from", '\0', true, true},
    {"sender", '\0', true, false},
    {"to", '\0', true, true},
    {"cc", '\0', true, true},
    {"bcc", '\0', true, true},
    {"reply-to", '\0', true, true},
    {"subject", '\0', true, false},
    {"text", '\0', true, false},
    {"text-file", '\0', true, false},
    {"html", '\0', true, false},
    {"html-file", '\0', true, false},
    {"attach", '\0', true, true},
    {"inline", '\0', true, true},
    {"header", '\0', true, true},
    {"date", '\0', true, false},
    {"message-id", '\0', true, false},
    {"demo", '\0', false, false},  // keep in step with usage.cpp
}};

/// RFC 2045 token character.
bool is_token_char(char c) noexcept {
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) return false;
    constexpr std::string_view tspecials = "()<>@,;:\\\"/[]?=";
    return tspecials.find(c) == std::string_view::npos;
}

std::size_t token_length(std::string_view text) noexcept {
    std::size_t n = 0;
    while (n < text.size() && is_token_char(text[n])) ++n;
    return n;
}

/// `type/subtype` optionally followed by parameters (`; name=value ...`).
bool looks_like_media_type(std::string_view text) noexcept {
    const std::size_t type_len = token_length(text);
    if (type_len == 0 || type_len >= text.size() || text[type_len] != '/') return false;
    const std::string_view rest = text.substr(type_len + 1);
    const std::size_t subtype_len = token_length(rest);
    if (subtype_len == 0) return false;
    std::string_view tail = rest.substr(subtype_len);
    while (!tail.empty() && (tail.front() == ' ' || tail.front() == '\t')) tail.remove_prefix(1);
    return tail.empty() || tail.front() == ';';
}

std::string_view trim_blanks(std::string_view text) noexcept {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

inline_option split_inline(const parsed_option& opt) {
    const std::string_view text = opt.value;
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos) {
        throw usage_error(opt.spelling + " needs CID=PATH, got " + in_quotes(text));
    }
    std::string_view cid = trim_blanks(text.substr(0, eq));
    if (cid.size() >= 2 && cid.front() == '<' && cid.back() == '>') {
        cid = cid.substr(1, cid.size() - 2);
    }
    attachment_option file = split_attachment(text.substr(eq + 1));
    if (cid.empty() || file.path.empty()) {
        throw usage_error(opt.spelling + " needs CID=PATH, got " + in_quotes(text));
    }
    return {std::string(cid), std::move(file.path), std::move(file.type)};
}

header_option split_header(const parsed_option& opt) {
    const std::string_view text = opt.value;
    const std::size_t colon = text.find(':');
    if (colon == std::string_view::npos || trim_blanks(text.substr(0, colon)).empty()) {
        throw usage_error(opt.spelling + " needs 'Name: value', got " + in_quotes(text));
    }
    std::string_view value = text.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    return {std::string(trim_blanks(text.substr(0, colon))), std::string(value)};
}

void set_exclusive(std::optional<std::string>& field, const std::optional<std::string>& other,
                   const parsed_option& opt, std::string_view other_name) {
    if (other) {
        throw usage_error("options " + opt.spelling + " and " + std::string(other_name) +
                          " exclude each other");
    }
    field = opt.value;
}

}  // namespace

bool message_options::has_body() const noexcept {
    return text || text_file || html || html_file || !attachments.empty() || !inlines.empty() ||
           !builtin_attachments.empty();
}

bool message_options::any() const noexcept {
    return demo || !from.empty() || sender || has_recipient() || !reply_to.empty() || subject ||
           date || message_id || has_body() || !headers.empty();
}

std::span<const option_spec> message_option_specs() noexcept {
    return specs;
}

bool is_message_option(const option_spec& spec) noexcept {
    return std::any_of(specs.begin(), specs.end(),
                       [&](const option_spec& s) { return s.name == spec.name; });
}

attachment_option split_attachment(std::string_view text) {
    const std::size_t colon = text.rfind(':');
    if (colon != std::string_view::npos && looks_like_media_type(text.substr(colon + 1))) {
        return {std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
    }
    return {std::string(text), std::nullopt};
}

void apply_message_option(message_options& opts, const parsed_option& opt) {
    const std::string_view name = opt.spec->name;
    if (name == "from") {
        opts.from.push_back(opt.value);
    } else if (name == "sender") {
        opts.sender = opt.value;
    } else if (name == "to") {
        opts.to.push_back(opt.value);
    } else if (name == "cc") {
        opts.cc.push_back(opt.value);
    } else if (name == "bcc") {
        opts.bcc.push_back(opt.value);
    } else if (name == "reply-to") {
        opts.reply_to.push_back(opt.value);
    } else if (name == "subject") {
        opts.subject = opt.value;
    } else if (name == "text") {
        set_exclusive(opts.text, opts.text_file, opt, "--text-file");
    } else if (name == "text-file") {
        set_exclusive(opts.text_file, opts.text, opt, "--text");
    } else if (name == "html") {
        set_exclusive(opts.html, opts.html_file, opt, "--html-file");
    } else if (name == "html-file") {
        set_exclusive(opts.html_file, opts.html, opt, "--html");
    } else if (name == "attach") {
        attachment_option a = split_attachment(opt.value);
        if (a.path.empty()) throw usage_error(opt.spelling + " needs a PATH");
        opts.attachments.push_back(std::move(a));
    } else if (name == "inline") {
        opts.inlines.push_back(split_inline(opt));
    } else if (name == "header") {
        opts.headers.push_back(split_header(opt));
    } else if (name == "date") {
        opts.date = opt.value;
    } else if (name == "message-id") {
        opts.message_id = opt.value;
    } else if (name == "demo") {
        opts.demo = true;
    }
}

}  // namespace lettre::cli
