// A built message: header fields and MIME body, ready to format, sign, send.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>

#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lettre {

class message_builder;
namespace dkim {
class signer;
}

/// One header field in wire form: `value` is already encoded and folded
/// (CRLF + WSP inside), without the final CRLF.
struct header_field {
    std::string name;   ///< the field name, e.g. `Subject`
    std::string value;  ///< the encoded, folded value
};

/// A built message: its header fields, encoded MIME body and envelope.
/// Made by message_builder; immutable except for DKIM signing.
class LETTRE_EXPORT message {
public:
    /// Starts a builder: `lettre::message::builder().from(...).to(...)...`.
    [[nodiscard]] static message_builder builder();

    /// The RFC 5322 bytes, CRLF line ends, in one pre-sized buffer.
    [[nodiscard]] std::string formatted() const&;
    /// The same bytes from a message that is not used again
    /// (`builder.build().formatted()`, `std::move(msg).formatted()`): the
    /// body's buffer becomes the result, the headers are written in front of
    /// it, and no second buffer of the message's size is allocated. The
    /// message is left with an empty body (its headers stay).
    [[nodiscard]] std::string formatted() &&;
    /// Appends the bytes to `out` (reserving first).
    void format_to(std::string& out) const;
    /// Writes the bytes to a stream.
    void write_to(std::ostream& out) const;
    /// Exact size of formatted().
    [[nodiscard]] std::size_t formatted_size() const noexcept;

    /// The envelope: set on the builder, or derived from Sender/From and To+Cc+Bcc.
    const lettre::envelope& envelope() const noexcept { return envelope_; }
    /// The header fields in the order they are written.
    const std::vector<header_field>& headers() const noexcept { return headers_; }
    /// First header with that name (case-insensitive), in wire form.
    [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const noexcept;
    /// Encoded MIME body (after the blank line).
    const std::string& body() const noexcept { return body_; }
    /// The Message-ID, angle brackets included.
    const std::string& message_id() const noexcept { return message_id_; }
    /// True when an address needs SMTPUTF8 (UTF-8 local part).
    bool requires_smtputf8() const noexcept { return smtputf8_; }

    /// Signs the message with DKIM and prepends the DKIM-Signature field(s).
    /// Several signers (e.g. RSA + Ed25519) sign in one pass.
    message& sign(const dkim::signer& signer);
    /// @overload
    message& sign(std::span<const dkim::signer> signers);

    /// sign() returning the error instead of throwing it.
    [[nodiscard]] result<void> try_sign(std::span<const dkim::signer> signers);

private:
    friend class message_builder;
    message() = default;

    std::vector<header_field> headers_;
    std::string body_;
    lettre::envelope envelope_;
    std::string message_id_;
    bool smtputf8_ = false;
};

}  // namespace lettre
