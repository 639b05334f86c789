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
/// the layers that are not needed left out, or one explicit multipart().
class LETTRE_EXPORT message_builder {
public:
    message_builder() = default;

    // Address headers: text may hold a comma-separated list and groups.
    message_builder& from(std::string_view mailboxes);
    message_builder& from(mailbox m);
    message_builder& sender(std::string_view mailbox_text);
    message_builder& sender(mailbox m);
    message_builder& to(std::string_view address_list_text);
    message_builder& to(mailbox m);
    message_builder& to(group g);
    message_builder& cc(std::string_view address_list_text);
    message_builder& cc(mailbox m);
    message_builder& cc(group g);
    message_builder& bcc(std::string_view address_list_text);
    message_builder& bcc(mailbox m);
    message_builder& reply_to(std::string_view address_list_text);
    message_builder& reply_to(mailbox m);

    message_builder& subject(std::string_view text);
    message_builder& date(date_time when);
    message_builder& date(std::string_view rfc5322_date);
    /// `<id@host>`; when not set a random id `@` the From domain is made.
    message_builder& message_id(std::string_view msg_id);
    message_builder& in_reply_to(std::string_view msg_ids);
    message_builder& references(std::string_view msg_ids);
    /// List-Unsubscribe with one or more URIs (https:, mailto:); with
    /// `one_click` also `List-Unsubscribe-Post: List-Unsubscribe=One-Click`
    /// (RFC 8058, which needs an https URI).
    message_builder& list_unsubscribe(std::vector<std::string> uris, bool one_click = false);
    /// Any other header; may be repeated. Non-ASCII text is RFC 2047 encoded.
    message_builder& header(std::string_view name, std::string_view value);

    message_builder& text(std::string utf8);
    message_builder& html(std::string utf8);
    message_builder& attachment(part p);
    message_builder& attach_file(const std::filesystem::path& path,
                                 std::optional<content_type> type = std::nullopt);
    message_builder& inline_part(part p);
    /// Sets the whole body; excludes text(), html(), attachment(), inline_part().
    message_builder& multipart(part body);

    /// Overrides the envelope derived from Sender/From and To+Cc+Bcc.
    message_builder& envelope(lettre::envelope e);

    message build() const;
    result<message> try_build() const;

private:
    void fail(error_info e);
    bool failed() const noexcept { return error_.has_value(); }
    void add_addresses(address_list& field, std::string_view text, const char* field_name);

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
    std::optional<std::string> text_, html_;
    std::vector<part> attachments_, inline_;
    std::optional<part> body_;
    std::optional<lettre::envelope> envelope_;
    std::optional<error_info> error_;
};

inline message_builder message::builder() {
    return {};
}

}  // namespace lettre
