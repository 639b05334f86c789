// RFC 5322 addresses: addr-spec, mailbox (name-addr), group and address list.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lettre {

/// An addr-spec: local-part "@" domain.
///
/// The local part is kept as its semantic value (quotes and escapes removed);
/// a UTF-8 local part is kept as is and makes the message need SMTPUTF8.
/// The domain is stored as A-labels (IDNA, UTS #46) or as a domain literal.
class LETTRE_EXPORT address {
public:
    address() = default;

    /// Builds from parts; validates both (limits: local part 64, domain 255,
    /// label 63 octets).
    [[nodiscard]] static address from_parts(std::string_view local_part, std::string_view domain);
    /// from_parts() returning the error instead of throwing it.
    [[nodiscard]] static result<address> try_from_parts(std::string_view local_part,
                                                        std::string_view domain);

    /// Parses an addr-spec such as `"john q"@example.com` or `zoë@bücher.de`.
    [[nodiscard]] static address parse(std::string_view text);
    /// parse() returning the error instead of throwing it.
    [[nodiscard]] static result<address> try_parse(std::string_view text);

    /// The local part's semantic value (no quotes or escapes).
    const std::string& local_part() const noexcept { return local_; }
    /// The ASCII (A-label) form, or a domain literal like `[192.0.2.1]`.
    const std::string& domain() const noexcept { return domain_; }

    /// The addr-spec as it goes on the wire: local part quoted when needed.
    std::string to_string() const;

    /// True when the local part holds non-ASCII (needs SMTPUTF8, RFC 6531).
    bool requires_smtputf8() const noexcept;

    /// True for a default-constructed address.
    bool empty() const noexcept { return local_.empty() && domain_.empty(); }

    /// Equal when local parts are equal and domains equal ignoring case.
    friend LETTRE_EXPORT bool operator==(const address& a, const address& b) noexcept;

private:
    std::string local_;
    std::string domain_;
};

/// A mailbox: an optional display name (UTF-8) and an address.
class LETTRE_EXPORT mailbox {
public:
    mailbox() = default;
    /// A mailbox without display name.
    explicit mailbox(address addr) : addr_(std::move(addr)) {}
    /// A mailbox with display name `name` (UTF-8, encoded when written).
    mailbox(std::string name, address addr) : name_(std::move(name)), addr_(std::move(addr)) {}

    /// Parses `Zoë <zoe@example.com>`, `"Doe, John" <j@example.com>` or a bare
    /// addr-spec; comments are ignored. Rejects CR, LF and NUL.
    [[nodiscard]] static mailbox parse(std::string_view text);
    /// parse() returning the error instead of throwing it.
    [[nodiscard]] static result<mailbox> try_parse(std::string_view text);

    /// Display name as text (may be empty).
    const std::string& name() const noexcept { return name_; }
    /// The address.
    const lettre::address& email() const noexcept { return addr_; }

    /// Human-readable form (not header-encoded): `Name <local@domain>`.
    std::string to_string() const;

    /// Equal when display names are equal and addresses are equal.
    friend bool operator==(const mailbox& a, const mailbox& b) noexcept {
        return a.name_ == b.name_ && a.addr_ == b.addr_;
    }

private:
    std::string name_;
    lettre::address addr_;
};

/// A named group of mailboxes, possibly empty: `undisclosed-recipients:;`.
struct LETTRE_EXPORT group {
    std::string name;              ///< the display name before the colon
    std::vector<mailbox> members;  ///< may be empty
    /// Member-wise equality.
    friend bool operator==(const group&, const group&) = default;
};

/// An RFC 5322 address-list: mailboxes and groups in order.
class LETTRE_EXPORT address_list {
public:
    using entry = std::variant<mailbox, group>;  ///< one item of the list

    address_list() = default;

    /// Parses a comma-separated list of mailboxes and groups; throws
    /// lettre::error when it does not parse.
    [[nodiscard]] static address_list parse(std::string_view text);
    /// parse() returning the error instead of throwing it.
    [[nodiscard]] static result<address_list> try_parse(std::string_view text);

    void push_back(mailbox m) { entries_.emplace_back(std::move(m)); }  ///< appends a mailbox
    void push_back(group g) { entries_.emplace_back(std::move(g)); }    ///< appends a group
    /// Appends every entry of `other`, in order.
    void append(const address_list& other);

    /// The entries, in order.
    const std::vector<entry>& entries() const noexcept { return entries_; }
    bool empty() const noexcept { return entries_.empty(); }  ///< no entries
    std::size_t size() const noexcept {
        return entries_.size();
    }  ///< number of entries (a group counts once)

    /// Every mailbox, group members included, in order.
    std::vector<mailbox> mailboxes() const;

private:
    std::vector<entry> entries_;
};

}  // namespace lettre
