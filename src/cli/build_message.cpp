#include "build_message.hpp"

#include "cli_error.hpp"
#include "io_files.hpp"

#include <lettre/message/content_type.hpp>
#include <lettre/message/files.hpp>
#include <lettre/message/part.hpp>

#include <optional>
#include <string>
#include <utility>

namespace lettre::cli {
namespace {

std::optional<lettre::content_type> parse_type(std::string_view option,
                                               const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    auto type = lettre::content_type::try_parse(*text);
    if (!type) throw from_library(type.error(), option, *text);
    return std::move(type).value();
}

void check_complete(const message_options& opts, bool envelope_has_recipients) {
    if (opts.from.empty()) throw usage_error("missing --from (the author's mailbox)");
    if (!opts.has_recipient() && !envelope_has_recipients) {
        throw usage_error("missing recipient: give --to, --cc or --bcc");
    }
    if (opts.text_file == "-" && opts.html_file == "-") {
        throw usage_error("--text-file and --html-file cannot both read standard input");
    }
}

void add_body(lettre::message_builder& builder, const message_options& opts, std::istream& in) {
    if (opts.text) builder.text(*opts.text);
    if (opts.text_file) builder.text(read_input("--text-file", *opts.text_file, in));
    if (opts.html) builder.html(*opts.html);
    if (opts.html_file) builder.html(read_input("--html-file", *opts.html_file, in));

    for (const attachment_option& a : opts.attachments) {
        auto type = parse_type("--attach", a.type);
        auto p = lettre::try_attachment_file(a.path, std::move(type));
        if (!p) throw from_library(p.error(), "--attach", a.path);
        builder.attachment(std::move(p).value());
    }
    for (const lettre::part& p : opts.builtin_attachments) builder.attachment(p);
    for (const inline_option& i : opts.inlines) {
        auto type = parse_type("--inline", i.type);
        auto p = lettre::try_inline_file(i.content_id, i.path, std::move(type));
        if (!p) throw from_library(p.error(), "--inline", i.path);
        builder.inline_part(std::move(p).value());
    }
}

}  // namespace

lettre::message_builder make_builder(const message_options& opts, std::istream& in,
                                     bool envelope_has_recipients) {
    check_complete(opts, envelope_has_recipients);

    lettre::message_builder builder;
    for (const std::string& v : opts.from) builder.from(std::string_view(v));
    if (opts.sender) builder.sender(std::string_view(*opts.sender));
    for (const std::string& v : opts.to) builder.to(std::string_view(v));
    for (const std::string& v : opts.cc) builder.cc(std::string_view(v));
    for (const std::string& v : opts.bcc) builder.bcc(std::string_view(v));
    for (const std::string& v : opts.reply_to) builder.reply_to(std::string_view(v));
    if (opts.subject) builder.subject(*opts.subject);
    if (opts.date) builder.date(std::string_view(*opts.date));
    if (opts.message_id) builder.message_id(*opts.message_id);
    for (const header_option& h : opts.headers) builder.header(h.name, h.value);
    add_body(builder, opts, in);
    return builder;
}

lettre::message build(const lettre::message_builder& builder) {
    auto msg = builder.try_build();
    if (!msg) throw from_library(msg.error());
    return std::move(msg).value();
}

lettre::message build(lettre::message_builder&& builder) {
    auto msg = std::move(builder).try_build();
    if (!msg) throw from_library(msg.error());
    return std::move(msg).value();
}

lettre::address derived_reverse_path(const message_options& opts) {
    if (opts.sender) {
        auto m = lettre::mailbox::try_parse(*opts.sender);
        if (!m) throw from_library(m.error(), "--sender", *opts.sender);
        return m->email();
    }
    std::string joined;
    for (const std::string& v : opts.from) {
        if (!joined.empty()) joined += ", ";
        joined += v;
    }
    auto list = lettre::address_list::try_parse(joined);
    if (!list) throw from_library(list.error(), "--from", joined);
    const auto boxes = list->mailboxes();
    if (boxes.empty()) {
        throw cli_error(exit_code::data_error, "--from " + in_quotes(joined) + " holds no mailbox");
    }
    return boxes.front().email();
}

}  // namespace lettre::cli
