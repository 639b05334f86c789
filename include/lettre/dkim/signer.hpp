// DKIM signatures (RFC 6376, RFC 8463) over any RFC 5322 message.
#pragma once

#include <lettre/dkim/key.hpp>
#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/message.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::dkim {

/// Header or body canonicalization (RFC 6376 §3.4), the c= tag.
enum class canonicalization { simple, relaxed };

/// Signs messages for one domain, selector and key. Defaults: relaxed/relaxed,
/// the header list of default_signed_headers() (those present), oversigning
/// of From, Subject, Date, To, Cc and Reply-To, t= now, no x=. Never l=,
/// never rsa-sha1.
class LETTRE_EXPORT signer {
public:
    /// Throws lettre::error on an invalid domain (IDN converted to A-labels)
    /// or selector.
    signer(std::string_view domain, std::string_view selector, private_key key);
    /// The constructor returning the error instead of throwing it.

    [[nodiscard]] static result<signer> try_create(std::string_view domain,
                                                   std::string_view selector, private_key key);

    /// c= header/body canonicalization (default relaxed/relaxed).
    signer& canonicalization(dkim::canonicalization header, dkim::canonicalization body);
    /// Replaces the list of headers to sign (From is always signed).
    signer& headers(std::vector<std::string> names);
    /// Adds names to the oversigned set: listed once more than they occur,
    /// so that no such header can be added after signing.
    signer& oversign(std::vector<std::string> names);
    /// i= identity: `[local]@domain`, the domain equal to d= or below it.
    signer& identity(std::string_view agent_or_user);
    /// t= (now when not set; set it for reproducible output).
    signer& time(std::chrono::sys_seconds t);
    /// x= as t= plus this much.
    signer& expiration(std::chrono::seconds after);

    /// The DKIM-Signature field for `message` (CRLF text with a blank line
    /// between header and body; bare CR/LF are read as the CRLF that SMTP
    /// will send).
    [[nodiscard]] header_field signature(std::string_view message) const;
    /// signature() returning the error instead of throwing it.
    [[nodiscard]] result<header_field> try_signature(std::string_view message) const;
    /// The message with the DKIM-Signature field prepended.
    [[nodiscard]] std::string sign(std::string_view message) const;
    /// sign() returning the error instead of throwing it.
    [[nodiscard]] result<std::string> try_sign(std::string_view message) const;

    const std::string& domain() const noexcept { return domain_; }      ///< d=, in A-labels
    const std::string& selector() const noexcept { return selector_; }  ///< s=
    const private_key& key() const noexcept { return key_; }            ///< the signing key

    /// First configuration error (invalid identity, header name...), if any.
    const std::optional<error_info>& config_error() const noexcept { return error_; }

private:
    friend result<std::vector<header_field>> try_signatures(std::span<const signer>,
                                                            std::string_view);
    signer() = default;

    std::string domain_;
    std::string selector_;
    private_key key_;
    dkim::canonicalization header_c_ = dkim::canonicalization::relaxed;
    dkim::canonicalization body_c_ = dkim::canonicalization::relaxed;
    std::vector<std::string> headers_;
    std::vector<std::string> oversign_;
    std::optional<std::string> identity_;
    std::optional<std::chrono::sys_seconds> time_;
    std::optional<std::chrono::seconds> expiration_;
    std::optional<error_info> error_;
};

/// Headers signed by default, when present (lower case).
LETTRE_EXPORT const std::vector<std::string>& default_signed_headers();

/// Several signatures in one pass (e.g. RSA + Ed25519, as RFC 8463
/// recommends); one body hash per body canonicalization. The fields come in
/// the order of `signers`; prepend them in that order.
[[nodiscard]] LETTRE_EXPORT result<std::vector<header_field>> try_signatures(
    std::span<const signer> signers, std::string_view message);
/// The message with the fields of try_signatures() prepended; throws
/// lettre::error on failure.
[[nodiscard]] LETTRE_EXPORT std::string sign_all(std::span<const signer> signers,
                                                 std::string_view message);
/// sign_all() returning the error instead of throwing it.
[[nodiscard]] LETTRE_EXPORT result<std::string> try_sign_all(std::span<const signer> signers,

                                                             std::string_view message);

}  // namespace lettre::dkim
