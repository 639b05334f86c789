// The SMTP envelope: reverse-path and forward-paths.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/address.hpp>

#include <optional>
#include <vector>

namespace lettre {

/// The SMTP envelope: the reverse-path (MAIL FROM) and the recipients
/// (RCPT TO), which may differ from the header's addresses (Bcc, bounces).
class LETTRE_EXPORT envelope {
public:
    envelope() = default;

    /// `from` std::nullopt means the null reverse-path `<>` (bounces); an
    /// empty address there is refused (errc::invalid_address), never taken
    /// for it. `to` must not be empty; duplicates are removed, order kept.
    [[nodiscard]] static envelope create(std::optional<address> from, std::vector<address> to);
    /// create() returning the error instead of throwing it.
    [[nodiscard]] static result<envelope> try_create(std::optional<address> from,
                                                     std::vector<address> to);

    /// The reverse-path; std::nullopt for the null reverse-path `<>`.
    const std::optional<address>& from() const noexcept { return from_; }
    /// The recipients, without duplicates, in order.
    const std::vector<address>& to() const noexcept { return to_; }

    /// True when any address has a UTF-8 local part.
    bool requires_smtputf8() const noexcept;

private:
    std::optional<address> from_;
    std::vector<address> to_;
};

}  // namespace lettre
