// The fluent message builder.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/address.hpp>
#include <lettre/message/date_time.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>
#include <lettre/message/part.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lettre {

/// Collects the fields of a message. Setters taking text parse it; the
/// first error is kept and reported by build() (throws lettre::error) or
/// try_build() (returns it), so chains stay fluent.
///
/// Body: either text()/html() plus attachment()/inline parts, assembled as
/// mixed(alternative(text, related(html, inline...)), attachments...) with
/// the layers that are not needed left out, or one explicit body(part).
///
/// Address lists (To, Cc, Bcc, Reply-To) take text, mailboxes, groups or a
/// whole address_list; From and Sender take mailboxes only (RFC 5322 §3.6.2).
///
/// build() on an rvalue (`std::move(b).build()`, or at the end of a chain on
/// a temporary) moves the bodies and attachments into the message; on an
/// lvalue it copies them and leaves the builder as it was, ready to build
/// again.
class LETTRE_EXPORT message_builder {
public:
    /// An empty builder; message::builder() returns one.
    message_builder() = default;

    // Address headers: text may hold a comma-separated list and groups.
    /// Adds From mailboxes (several make a Sender required, RFC 5322 §3.6.2).
    message_builder& from(std::string_view mailboxes) &;
    /// @overload
    message_builder& from(mailbox m) &;
    /// Sets the Sender mailbox; the envelope sender comes from it when set.
    message_builder& sender(std::string_view mailbox_text) &;
    /// @overload
    message_builder& sender(mailbox m) &;
    /// Adds To recipients.
    message_builder& to(std::string_view address_list_text) &;
    /// @overload
    message_builder& to(mailbox m) &;
    /// @overload
    message_builder& to(group g) &;
    /// @overload
    message_builder& to(address_list list) &;
    /// Adds Cc recipients.
    message_builder& cc(std::string_view address_list_text) &;
    /// @overload
    message_builder& cc(mailbox m) &;
    /// @overload
    message_builder& cc(group g) &;
    /// @overload
    message_builder& cc(address_list list) &;
    /// Bcc recipients (groups too) go in the envelope only; no Bcc header
    /// is written.
    message_builder& bcc(std::string_view address_list_text) &;
    /// @overload
    message_builder& bcc(mailbox m) &;
    /// @overload
    message_builder& bcc(group g) &;
    /// @overload
    message_builder& bcc(address_list list) &;
    /// Adds Reply-To addresses.
    message_builder& reply_to(std::string_view address_list_text) &;
    /// @overload
    message_builder& reply_to(mailbox m) &;
    /// @overload
    message_builder& reply_to(group g) &;
    /// @overload
    message_builder& reply_to(address_list list) &;

    /// The Subject; non-ASCII text is RFC 2047 encoded.
    message_builder& subject(std::string_view text) &;
    /// The Date header, as a date_time or RFC 5322 text.
    message_builder& date(date_time when) &;
    /// @overload
    message_builder& date(std::string_view rfc5322_date) &;
    /// `<id@host>`; when not set a random id `@` the From domain is made.
    message_builder& message_id(std::string_view msg_id) &;
    /// In-Reply-To: one or more `<id@host>` message ids.
    message_builder& in_reply_to(std::string_view msg_ids) &;
    /// References: one or more `<id@host>` message ids.
    message_builder& references(std::string_view msg_ids) &;
    /// List-Unsubscribe with one or more URIs (https:, mailto:); with
    /// `one_click` also `List-Unsubscribe-Post: List-Unsubscribe=One-Click`
    /// (RFC 8058, which needs an https URI).
    message_builder& list_unsubscribe(std::vector<std::string> uris, bool one_click = false) &;
    /// Any other header; may be repeated. Non-ASCII text is RFC 2047 encoded.
    message_builder& header(std::string_view name, std::string_view value) &;

    /// The text/plain body (UTF-8).
    message_builder& text(std::string utf8) &;
    /// The text/html body (UTF-8).
    message_builder& html(std::string utf8) &;
    /// An attachment: part::attachment(...) from memory, or
    /// lettre::attachment_file(...) (lettre/message/files.hpp) from a file.
    message_builder& attachment(part p) &;
    /// A part of the multipart/related around html(), e.g.
    /// part::inline_body(...) or lettre::inline_file(...).
    message_builder& inline_part(part p) &;
    /// Sets the whole body, typically a part::mixed() / part::alternative()
    /// / part::related() / part::multipart(subtype) tree; excludes text(),
    /// html(), attachment() and inline_part().
    message_builder& body(part whole) &;

    /// Overrides the envelope derived from Sender/From and To+Cc+Bcc.
    message_builder& envelope(lettre::envelope e) &;

    /// Throws lettre::error with the first error.
    [[nodiscard]] message build() const&;
    /// @overload
    [[nodiscard]] message build() &&;
    /// Returns the first error instead of throwing it.
    [[nodiscard]] result<message> try_build() const&;
    /// @overload
    [[nodiscard]] result<message> try_build() &&;

    // The same setters on a temporary (`message::builder().from(...)...`),
    // so that a chain ending in build() moves the parts instead of copying.
    /// The same as the setter of that name above, on a temporary builder.
    message_builder&& from(std::string_view mailboxes) && { return std::move(from(mailboxes)); }
    /// @overload
    message_builder&& from(mailbox m) && { return std::move(from(std::move(m))); }
    /// @overload
    message_builder&& sender(std::string_view mailbox_text) && {
        return std::move(sender(mailbox_text));
    }
    /// @overload
    message_builder&& sender(mailbox m) && { return std::move(sender(std::move(m))); }
    /// @overload
    message_builder&& to(std::string_view address_list_text) && {
        return std::move(to(address_list_text));
    }
    /// @overload
    message_builder&& to(mailbox m) && { return std::move(to(std::move(m))); }
    /// @overload
    message_builder&& to(group g) && { return std::move(to(std::move(g))); }
    /// @overload
    message_builder&& to(address_list list) && { return std::move(to(std::move(list))); }
    /// @overload
    message_builder&& cc(std::string_view address_list_text) && {
        return std::move(cc(address_list_text));
    }
    /// @overload
    message_builder&& cc(mailbox m) && { return std::move(cc(std::move(m))); }
    /// @overload
    message_builder&& cc(group g) && { return std::move(cc(std::move(g))); }
    /// @overload
    message_builder&& cc(address_list list) && { return std::move(cc(std::move(list))); }
    /// @overload
    message_builder&& bcc(std::string_view address_list_text) && {
        return std::move(bcc(address_list_text));
    }
    /// @overload
    message_builder&& bcc(mailbox m) && { return std::move(bcc(std::move(m))); }
    /// @overload
    message_builder&& bcc(group g) && { return std::move(bcc(std::move(g))); }
    /// @overload
    message_builder&& bcc(address_list list) && { return std::move(bcc(std::move(list))); }
    /// @overload
    message_builder&& reply_to(std::string_view address_list_text) && {
        return std::move(reply_to(address_list_text));
    }
    /// @overload
    message_builder&& reply_to(mailbox m) && { return std::move(reply_to(std::move(m))); }
    /// @overload
    message_builder&& reply_to(group g) && { return std::move(reply_to(std::move(g))); }
    /// @overload
    message_builder&& reply_to(address_list list) && {
        return std::move(reply_to(std::move(list)));
    }
    /// @overload
    message_builder&& subject(std::string_view text) && { return std::move(subject(text)); }
    /// @overload
    message_builder&& date(date_time when) && { return std::move(date(when)); }
    /// @overload
    message_builder&& date(std::string_view rfc5322_date) && {
        return std::move(date(rfc5322_date));
    }
    /// @overload
    message_builder&& message_id(std::string_view msg_id) && {
        return std::move(message_id(msg_id));
    }
    /// @overload
    message_builder&& in_reply_to(std::string_view msg_ids) && {
        return std::move(in_reply_to(msg_ids));
    }
    /// @overload
    message_builder&& references(std::string_view msg_ids) && {
        return std::move(references(msg_ids));
    }
    /// @overload
    message_builder&& list_unsubscribe(std::vector<std::string> uris, bool one_click = false) && {
        return std::move(list_unsubscribe(std::move(uris), one_click));
    }
    /// @overload
    message_builder&& header(std::string_view name, std::string_view value) && {
        return std::move(header(name, value));
    }
    /// @overload
    message_builder&& text(std::string utf8) && { return std::move(text(std::move(utf8))); }
    /// @overload
    message_builder&& html(std::string utf8) && { return std::move(html(std::move(utf8))); }
    /// @overload
    message_builder&& attachment(part p) && { return std::move(attachment(std::move(p))); }
    /// @overload
    message_builder&& inline_part(part p) && { return std::move(inline_part(std::move(p))); }
    /// @overload
    message_builder&& body(part whole) && { return std::move(body(std::move(whole))); }
    /// @overload
    message_builder&& envelope(lettre::envelope e) && { return std::move(envelope(std::move(e))); }

private:
    /// What becomes the MIME tree; moved out by the && forms.
    struct body_parts {
        std::optional<std::string> text, html;
        std::vector<part> attachments, inlines;
        std::optional<part> whole;
    };

    void fail(error_info e);
    bool failed() const noexcept { return error_.has_value(); }
    void add_addresses(address_list& field, std::string_view text, const char* field_name);
    void add_group(address_list& field, group g, const char* field_name);
    void add_list(address_list& field, address_list list, const char* field_name);
    result<message> assemble(body_parts parts) const;

    address_list from_;
    std::optional<mailbox> sender_;
    address_list to_, cc_, bcc_, reply_to_;
    std::optional<std::string> subject_;
    std::optional<date_time> date_;
    std::optional<std::string> message_id_;
    std::vector<std::string> in_reply_to_, references_;
    std::vector<std::string> unsubscribe_;
    bool one_click_ = false;
    std::vector<std::pair<std::string, std::string>> custom_;
    body_parts parts_;
    std::optional<lettre::envelope> envelope_;
    std::optional<error_info> error_;
};

/// A new, empty message_builder.
inline message_builder message::builder() {
    return {};
}

}  // namespace lettre
