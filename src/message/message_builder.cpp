#include <lettre/message/message_builder.hpp>

#include "detail/random.hpp"
#include "detail/utf8.hpp"
#include "message/header_values.hpp"
#include "message/header_writer.hpp"
#include "message/mime_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>
#include <variant>

namespace lettre {
namespace {

// Headers the builder writes itself; header() refuses them so that a
// message never carries two From or a stray Bcc.
constexpr std::array<std::string_view, 18> managed_headers{"from",
                                                           "sender",
                                                           "to",
                                                           "cc",
                                                           "bcc",
                                                           "reply-to",
                                                           "subject",
                                                           "date",
                                                           "message-id",
                                                           "in-reply-to",
                                                           "references",
                                                           "mime-version",
                                                           "content-type",
                                                           "content-transfer-encoding",
                                                           "content-disposition",
                                                           "content-id",
                                                           "list-unsubscribe",
                                                           "list-unsubscribe-post"};

constexpr std::size_t subject_long_word = 75;

result<std::vector<std::string>> parse_msg_ids(std::string_view text, const char* field) {
    if (const auto at = detail::find_line_break_or_nul(text); at != std::string_view::npos)
        return make_error(errc::header_injection,
                          fmt::format("{}: CR, LF or NUL in {} at offset {}", field,
                                      detail::quote_for_error(text), at));
    std::vector<std::string> ids;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ' ' || text[i] == '\t' || text[i] == ',') {
            ++i;
            continue;
        }
        const std::size_t end = text.find('>', i);
        const std::string_view id =
            end == std::string_view::npos ? text.substr(i) : text.substr(i, end - i + 1);
        if (!detail::is_msg_id(id))
            return make_error(errc::invalid_message_id,
                              fmt::format("{}: {} is not a message id like <id@host>", field,
                                          detail::quote_for_error(id)));
        ids.emplace_back(id);
        i += id.size();
    }
    if (ids.empty())
        return make_error(errc::invalid_message_id, fmt::format("{}: no message id given", field));
    return ids;
}

header_field field_from_tokens(std::string_view name,
                               const std::vector<detail::header_token>& tokens) {
    detail::header_writer w(name);
    w.add(tokens);
    return {std::string(name), w.take()};
}

header_field address_field(std::string_view name, const address_list& list) {
    return field_from_tokens(name, detail::address_list_tokens(list, name.size() + 2));
}

bool any_smtputf8(const address_list& list) {
    const auto boxes = list.mailboxes();
    return std::any_of(boxes.begin(), boxes.end(),
                       [](const mailbox& m) { return m.email().requires_smtputf8(); });
}

/// Mailboxes and groups made in code (not parsed) are checked here.
std::optional<error_info> check_name(std::string_view name, const char* field, const char* what) {
    if (const auto at = detail::find_line_break_or_nul(name); at != std::string_view::npos)
        return make_error(errc::header_injection,
                          fmt::format("{}: CR, LF or NUL in {} {} at offset {}", field, what,
                                      detail::quote_for_error(name), at));
    if (!detail::is_valid_utf8(name))
        return make_error(errc::invalid_utf8, fmt::format("{}: {} {} is not valid UTF-8", field,
                                                          what, detail::quote_for_error(name)));
    return std::nullopt;
}

std::optional<error_info> check_mailbox(const mailbox& m, const char* field) {
    if (auto e = check_name(m.name(), field, "display name")) return e;
    if (m.email().empty())
        return make_error(errc::invalid_address, fmt::format("{}: empty address", field));
    return std::nullopt;
}

std::optional<error_info> check_group(const group& g, const char* field) {
    if (g.name.empty())
        return make_error(errc::invalid_address, fmt::format("{}: group without a name", field));
    if (auto e = check_name(g.name, field, "group name")) return e;
    for (const auto& m : g.members)
        if (auto e = check_mailbox(m, field)) return e;
    return std::nullopt;
}

/// The MIME tree: the explicit body, or
/// mixed(alternative(text, related(html, inline...)), attachments...) without
/// the layers that are not needed. Takes the builder's body_parts by value:
/// try_build() && moves them in, so no body or attachment is copied.
template <class Parts>
result<part> layout_body(Parts parts) {
    if (parts.whole) {
        if (parts.text || parts.html || !parts.attachments.empty() || !parts.inlines.empty())
            return make_error(errc::invalid_part,
                              "body(part) sets the whole body; it excludes text(), html(), "
                              "attachment() and inline_part()");
        return std::move(*parts.whole);
    }
    if (!parts.html && !parts.inlines.empty())
        return make_error(errc::invalid_part, "inline parts need an html() body");
    std::optional<part> html_part;
    if (parts.html) {
        html_part = part::html(std::move(*parts.html));
        if (!parts.inlines.empty()) {
            part related = part::related();
            related.add(std::move(*html_part));
            for (auto& p : parts.inlines) related.add(std::move(p));
            html_part = std::move(related);
        }
    }
    std::optional<part> main;
    if (parts.text && html_part) {
        main =
            part::alternative().add(part::text(std::move(*parts.text))).add(std::move(*html_part));
    } else if (parts.text) {
        main = part::text(std::move(*parts.text));
    } else if (html_part) {
        main = std::move(html_part);
    }
    if (parts.attachments.empty()) return main ? std::move(*main) : part::text("");
    part root = part::mixed();
    if (main) root.add(std::move(*main));
    for (auto& a : parts.attachments) root.add(std::move(a));
    return root;
}

}  // namespace

void message_builder::fail(error_info e) {
    if (!error_) error_ = std::move(e);
}

void message_builder::add_addresses(address_list& field, std::string_view text,
                                    const char* field_name) {
    if (failed()) return;
    auto list = address_list::try_parse(text);
    if (!list) {
        error_info e = std::move(list).error();
        e.message = fmt::format("{}: {}", field_name, e.message);
        fail(std::move(e));
        return;
    }
    field.append(*list);
}

message_builder& message_builder::from(std::string_view mailboxes) & {
    add_addresses(from_, mailboxes, "From");
    return *this;
}
message_builder& message_builder::from(mailbox m) & {
    if (auto e = check_mailbox(m, "From")) fail(std::move(*e));
    from_.push_back(std::move(m));
    return *this;
}
message_builder& message_builder::sender(std::string_view mailbox_text) & {
    if (failed()) return *this;
    auto m = mailbox::try_parse(mailbox_text);
    if (!m) {
        error_info e = std::move(m).error();
        e.message = "Sender: " + e.message;
        fail(std::move(e));
    } else {
        sender_ = std::move(*m);
    }
    return *this;
}
message_builder& message_builder::sender(mailbox m) & {
    if (auto e = check_mailbox(m, "Sender")) fail(std::move(*e));
    sender_ = std::move(m);
    return *this;
}
void message_builder::add_group(address_list& field, group g, const char* field_name) {
    if (auto e = check_group(g, field_name)) fail(std::move(*e));
    field.push_back(std::move(g));
}

void message_builder::add_list(address_list& field, address_list list, const char* field_name) {
    for (auto& entry : list.entries()) {
        const auto e = std::holds_alternative<mailbox>(entry)
                           ? check_mailbox(std::get<mailbox>(entry), field_name)
                           : check_group(std::get<group>(entry), field_name);
        if (e) fail(*e);
    }
    if (field.empty())
        field = std::move(list);
    else
        field.append(list);
}

message_builder& message_builder::to(std::string_view text) & {
    add_addresses(to_, text, "To");
    return *this;
}
message_builder& message_builder::to(mailbox m) & {
    if (auto e = check_mailbox(m, "To")) fail(std::move(*e));
    to_.push_back(std::move(m));
    return *this;
}
message_builder& message_builder::to(group g) & {
    add_group(to_, std::move(g), "To");
    return *this;
}
message_builder& message_builder::to(address_list list) & {
    add_list(to_, std::move(list), "To");
    return *this;
}
message_builder& message_builder::cc(std::string_view text) & {
    add_addresses(cc_, text, "Cc");
    return *this;
}
message_builder& message_builder::cc(mailbox m) & {
    if (auto e = check_mailbox(m, "Cc")) fail(std::move(*e));
    cc_.push_back(std::move(m));
    return *this;
}
message_builder& message_builder::cc(group g) & {
    add_group(cc_, std::move(g), "Cc");
    return *this;
}
message_builder& message_builder::cc(address_list list) & {
    add_list(cc_, std::move(list), "Cc");
    return *this;
}
message_builder& message_builder::bcc(std::string_view text) & {
    add_addresses(bcc_, text, "Bcc");
    return *this;
}
message_builder& message_builder::bcc(mailbox m) & {
    if (auto e = check_mailbox(m, "Bcc")) fail(std::move(*e));
    bcc_.push_back(std::move(m));
    return *this;
}
message_builder& message_builder::bcc(group g) & {
    add_group(bcc_, std::move(g), "Bcc");
    return *this;
}
message_builder& message_builder::bcc(address_list list) & {
    add_list(bcc_, std::move(list), "Bcc");
    return *this;
}
message_builder& message_builder::reply_to(std::string_view text) & {
    add_addresses(reply_to_, text, "Reply-To");
    return *this;
}
message_builder& message_builder::reply_to(mailbox m) & {
    if (auto e = check_mailbox(m, "Reply-To")) fail(std::move(*e));
    reply_to_.push_back(std::move(m));
    return *this;
}
message_builder& message_builder::reply_to(group g) & {
    add_group(reply_to_, std::move(g), "Reply-To");
    return *this;
}
message_builder& message_builder::reply_to(address_list list) & {
    add_list(reply_to_, std::move(list), "Reply-To");
    return *this;
}

message_builder& message_builder::subject(std::string_view text) & {
    if (auto e = detail::check_header("Subject", text)) {
        fail(std::move(*e));
        return *this;
    }
    subject_ = std::string(text);
    return *this;
}

message_builder& message_builder::date(date_time when) & {
    date_ = when;
    return *this;
}

message_builder& message_builder::date(std::string_view rfc5322_date) & {
    auto d = date_time::try_parse(rfc5322_date);
    if (!d)
        fail(std::move(d).error());
    else
        date_ = *d;
    return *this;
}

message_builder& message_builder::message_id(std::string_view msg_id) & {
    auto ids = parse_msg_ids(msg_id, "Message-ID");
    if (!ids) {
        fail(std::move(ids).error());
    } else if (ids->size() != 1) {
        fail(make_error(
            errc::invalid_message_id,
            fmt::format("Message-ID: {} holds more than one id", detail::quote_for_error(msg_id))));
    } else {
        message_id_ = std::move(ids->front());
    }
    return *this;
}

message_builder& message_builder::in_reply_to(std::string_view msg_ids) & {
    auto ids = parse_msg_ids(msg_ids, "In-Reply-To");
    if (!ids)
        fail(std::move(ids).error());
    else
        in_reply_to_.insert(in_reply_to_.end(), ids->begin(), ids->end());
    return *this;
}

message_builder& message_builder::references(std::string_view msg_ids) & {
    auto ids = parse_msg_ids(msg_ids, "References");
    if (!ids)
        fail(std::move(ids).error());
    else
        references_.insert(references_.end(), ids->begin(), ids->end());
    return *this;
}

message_builder& message_builder::list_unsubscribe(std::vector<std::string> uris,
                                                   bool one_click) & {
    bool https = false;
    if (uris.empty())
        fail(make_error(errc::invalid_header_value, "List-Unsubscribe: no URI given"));
    for (const auto& uri : uris) {
        if (const auto at = detail::find_line_break_or_nul(uri); at != std::string_view::npos) {
            fail(make_error(errc::header_injection,
                            fmt::format("List-Unsubscribe: CR, LF or NUL in {} at offset {}",
                                        detail::quote_for_error(uri), at)));
            return *this;
        }
        const bool bad = uri.empty() || std::any_of(uri.begin(), uri.end(), [](char c) {
                             return c <= ' ' || c > '~' || c == '<' || c == '>' || c == ',';
                         });
        if (bad || uri.find(':') == std::string::npos) {
            fail(make_error(errc::invalid_header_value,
                            fmt::format("List-Unsubscribe: {} is not a URI (percent-encode "
                                        "spaces, commas and angle brackets)",
                                        detail::quote_for_error(uri))));
            return *this;
        }
        if (detail::to_lower_ascii(uri).starts_with("https://")) https = true;
    }
    if (one_click && !https)
        fail(make_error(errc::invalid_header_value,
                        "List-Unsubscribe-Post: one-click unsubscribe needs an https URI "
                        "(RFC 8058)"));
    unsubscribe_.insert(unsubscribe_.end(), uris.begin(), uris.end());
    one_click_ = one_click_ || one_click;
    return *this;
}

message_builder& message_builder::header(std::string_view name, std::string_view value) & {
    if (auto e = detail::check_header(name, value)) {
        fail(std::move(*e));
        return *this;
    }
    const std::string lower = detail::to_lower_ascii(name);
    if (std::find(managed_headers.begin(), managed_headers.end(), lower) != managed_headers.end()) {
        fail(make_error(
            errc::invalid_header_name,
            fmt::format("header {} is written by the builder; use its own setter", name)));
        return *this;
    }
    custom_.emplace_back(std::string(name), std::string(value));
    return *this;
}

message_builder& message_builder::text(std::string utf8) & {
    parts_.text = std::move(utf8);
    return *this;
}
message_builder& message_builder::html(std::string utf8) & {
    parts_.html = std::move(utf8);
    return *this;
}
message_builder& message_builder::attachment(part p) & {
    if (p.error()) fail(*p.error());
    parts_.attachments.push_back(std::move(p));
    return *this;
}
message_builder& message_builder::inline_part(part p) & {
    if (p.error()) fail(*p.error());
    parts_.inlines.push_back(std::move(p));
    return *this;
}
message_builder& message_builder::body(part whole) & {
    if (whole.error()) fail(*whole.error());
    parts_.whole = std::move(whole);
    return *this;
}
message_builder& message_builder::envelope(lettre::envelope e) & {
    envelope_ = std::move(e);
    return *this;
}

message message_builder::build() const& {
    auto r = try_build();
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

message message_builder::build() && {
    auto r = std::move(*this).try_build();
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

result<message> message_builder::try_build() const& {
    if (error_) return *error_;
    return assemble(parts_);
}

result<message> message_builder::try_build() && {
    if (error_) return *error_;
    return assemble(std::move(parts_));
}

result<message> message_builder::assemble(body_parts parts) const {
    // Who and to whom.
    if (from_.empty()) return make_error(errc::missing_from, "the message has no From");
    for (const auto& e : from_.entries())
        if (std::holds_alternative<group>(e))
            return make_error(errc::invalid_address, "From cannot hold a group");
    const auto from_boxes = from_.mailboxes();
    if (from_boxes.size() > 1 && !sender_)
        return make_error(errc::missing_sender,
                          "the message has several From mailboxes and no Sender (RFC 5322 §3.6.2)");

    message msg;
    if (envelope_) {
        msg.envelope_ = *envelope_;
    } else {
        std::vector<address> rcpts;
        for (const auto* list : {&to_, &cc_, &bcc_})
            for (const auto& m : list->mailboxes()) rcpts.push_back(m.email());
        if (rcpts.empty())
            return make_error(errc::missing_recipient,
                              "the message has no To, Cc or Bcc recipient");
        auto env = envelope::try_create(sender_ ? sender_->email() : from_boxes.front().email(),
                                        std::move(rcpts));
        if (!env) return std::move(env).error();
        msg.envelope_ = std::move(*env);
    }
    msg.smtputf8_ = msg.envelope_.requires_smtputf8() || any_smtputf8(from_) || any_smtputf8(to_) ||
                    any_smtputf8(cc_) || any_smtputf8(reply_to_) ||
                    (sender_ && sender_->email().requires_smtputf8());

    auto root = layout_body(std::move(parts));
    if (!root) return std::move(root).error();

    // Header fields, in the customary order.
    auto& h = msg.headers_;
    h.reserve(16 + custom_.size());
    h.push_back({"Date", (date_ ? *date_ : date_time::now()).to_string()});
    h.push_back(address_field("From", from_));
    if (sender_) {
        address_list s;
        s.push_back(*sender_);
        h.push_back(address_field("Sender", s));
    }
    if (!reply_to_.empty()) h.push_back(address_field("Reply-To", reply_to_));
    if (!to_.empty()) h.push_back(address_field("To", to_));
    if (!cc_.empty()) h.push_back(address_field("Cc", cc_));
    if (subject_) {
        auto f = detail::unstructured_field("Subject", *subject_, subject_long_word);
        if (!f) return std::move(f).error();
        h.push_back(std::move(*f));
    }
    msg.message_id_ = message_id_ ? *message_id_
                                  : fmt::format("<{}@{}>", detail::random_token(26),
                                                from_boxes.front().email().domain());
    h.push_back({"Message-ID", msg.message_id_});
    auto id_list = [](const std::vector<std::string>& ids) {
        std::vector<detail::header_token> t;
        for (const auto& id : ids) t.push_back({t.empty() ? "" : " ", id, false});
        return t;
    };
    if (!in_reply_to_.empty()) h.push_back(field_from_tokens("In-Reply-To", id_list(in_reply_to_)));
    if (!references_.empty()) h.push_back(field_from_tokens("References", id_list(references_)));
    if (!unsubscribe_.empty()) {
        std::vector<detail::header_token> t;
        for (std::size_t i = 0; i < unsubscribe_.size(); ++i)
            t.push_back({i == 0 ? "" : " ",
                         '<' + unsubscribe_[i] + (i + 1 < unsubscribe_.size() ? ">," : ">"),
                         false});
        detail::header_writer w("List-Unsubscribe");
        w.add(t);
        if (w.over_limit())
            return make_error(errc::line_too_long, "List-Unsubscribe: a URI is over 998 octets");
        h.push_back({"List-Unsubscribe", w.take()});
        if (one_click_) h.push_back({"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"});
    }
    for (const auto& [name, value] : custom_) {
        auto f = detail::unstructured_field(name, value, detail::max_line - name.size() - 2);
        if (!f) return std::move(f).error();
        h.push_back(std::move(*f));
    }
    for (const auto& f : h)
        for (std::size_t pos = 0, end = 0; pos <= f.value.size(); pos = end + 2) {
            end = f.value.find("\r\n", pos);
            if (end == std::string::npos) end = f.value.size();
            const std::size_t len = end - pos + (pos == 0 ? f.name.size() + 2 : 0);
            if (len > detail::max_line)
                return make_error(errc::line_too_long,
                                  fmt::format("header {} has a line of {} octets; the limit is 998",
                                              f.name, len));
        }
    h.push_back({"MIME-Version", "1.0"});

    // Room for the header section too, so that formatted() && can put the
    // headers in front of the body in this buffer (the MIME bound already
    // allows 512 octets a part, which covers the root's own fields).
    std::size_t header_bytes = 2;
    for (const auto& f : h) header_bytes += detail::field_size(f.name, f.value);
    msg.body_.reserve(detail::mime_size_bound(*root) + header_bytes);
    if (auto e = detail::render_mime(*root, h, msg.body_)) return std::move(*e);
    // A message ends with a line break: SMTP would add one before the final
    // dot anyway, and DKIM's canonical body has it too.
    if (!msg.body_.empty() && !msg.body_.ends_with("\r\n")) msg.body_ += "\r\n";
    return msg;
}

}  // namespace lettre
