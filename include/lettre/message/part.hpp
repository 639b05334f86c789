// MIME entities: leaf bodies (text, html, attachments, inline parts) and
// multiparts (mixed, alternative, related, any subtype), nested freely.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/content_type.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lettre {

namespace detail {
struct part_access;

/// The bytes of a shared attachment (lettre::shared_attachment), kept alive
/// by a std::shared_ptr held inside the library so that this header does
/// not pull <memory>. Copies share the same bytes.
class LETTRE_EXPORT shared_bytes {
public:
    shared_bytes() noexcept = default;
    shared_bytes(const shared_bytes& other);
    shared_bytes(shared_bytes&& other) noexcept;
    shared_bytes& operator=(const shared_bytes& other);
    shared_bytes& operator=(shared_bytes&& other) noexcept;
    ~shared_bytes();
    /// The shared bytes; null when none are held.
    const std::string* get() const noexcept { return bytes_; }

private:
    friend struct part_access;
    struct owner;
    owner* owner_ = nullptr;
    const std::string* bytes_ = nullptr;
};

}  // namespace detail

/// One MIME body part: a leaf (text, HTML, attachment, inline) or a
/// multipart with children. Errors are recorded, not thrown; they surface
/// when the message is built (see error()).
class LETTRE_EXPORT part {
public:
    /// The Content-Disposition of a part: none, attachment or inline.
    enum class disposition { none, attachment, inline_ };

    /// text/plain; charset=utf-8. Line ends are normalized to CRLF.
    [[nodiscard]] static part text(std::string utf8);
    /// text/html; charset=utf-8. Line ends are normalized to CRLF.
    [[nodiscard]] static part html(std::string utf8);
    /// Any leaf body with an explicit type. text/* bodies are normalized to
    /// CRLF; other bodies are kept byte for byte (sent as base64).
    [[nodiscard]] static part body(std::string bytes, content_type type);

    /// An attachment from memory. The type is guessed from the file name
    /// when not given. Non-ASCII file names are encoded per RFC 2231.
    /// (Attachments read from files: lettre/message/files.hpp.)
    [[nodiscard]] static part attachment(std::string_view filename, std::string bytes,
                                         std::optional<content_type> type = std::nullopt);
    /// (One file shared by many messages without a copy each:
    /// lettre::shared_attachment, lettre/message/shared_attachment.hpp.)

    /// An inline part for multipart/related, referenced from HTML as
    /// `cid:<content_id>` (give the id without angle brackets).
    [[nodiscard]] static part inline_body(std::string_view content_id, std::string bytes,
                                          content_type type);

    /// Multiparts. `add` appends children in order.
    [[nodiscard]] static part mixed();
    [[nodiscard]] static part alternative();  ///< multipart/alternative
    [[nodiscard]] static part related();      ///< multipart/related
    /// multipart/`subtype`; a bad subtype is recorded as this part's error.
    [[nodiscard]] static part multipart(std::string_view subtype);

    /// Appends a child to a multipart (on a leaf: recorded as an error).
    part& add(part child) &;
    /// @overload
    part&& add(part child) && { return std::move(add(std::move(child))); }

    /// An extra header on this part (e.g. Content-Description). Validated
    /// like message headers; errors surface when the message is built.
    part& header(std::string_view name, std::string_view value) &;
    /// @overload
    part&& header(std::string_view name, std::string_view value) && {
        return std::move(header(name, value));
    }

    bool is_multipart() const noexcept {
        return type_.is_multipart();
    }  ///< true for multipart/* (children, no content)
    const lettre::content_type& type() const noexcept { return type_; }  ///< the Content-Type
    /// A leaf's body as given (text/* line ends are written as CRLF); empty
    /// for a multipart. For a shared attachment, the shared bytes themselves.
    const std::string& content() const noexcept {
        return shared_.get() != nullptr ? *shared_.get() : content_;
    }
    disposition content_disposition() const noexcept { return disposition_; }  ///< see disposition
    /// An attachment's file name, when it has one.
    const std::optional<std::string>& filename() const noexcept { return filename_; }
    /// An inline part's Content-ID, without angle brackets.
    const std::optional<std::string>& content_id() const noexcept { return content_id_; }
    const std::vector<part>& children() const noexcept {
        return children_;
    }  ///< a multipart's parts
    /// The headers added with header(), in order.
    const std::vector<std::pair<std::string, std::string>>& extra_headers() const noexcept {
        return headers_;
    }
    /// First error recorded while building this part or its children.
    const std::optional<error_info>& error() const noexcept { return error_; }

private:
    friend struct detail::part_access;
    part() = default;
    void fail(error_info e);

    lettre::content_type type_;
    std::string content_;
    detail::shared_bytes shared_;  ///< instead of content_ when set (shared_attachment)
    disposition disposition_ = disposition::none;
    std::optional<std::string> filename_;
    std::optional<std::string> content_id_;
    std::vector<std::pair<std::string, std::string>> headers_;
    std::vector<part> children_;
    std::optional<error_info> error_;
};

}  // namespace lettre
