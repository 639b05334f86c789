#include <lettre/message/address.hpp>

#include "detail/utf8.hpp"
#include "message/address_parser.hpp"
#include "message/idna.hpp"

#include <fmt/format.h>

namespace lettre {
namespace {

constexpr std::size_t max_local_part = 64;

template <class T>
T or_throw(result<T> r) {
    if (!r) throw error(std::move(r).error());
    return std::move(*r);
}

}  // namespace

result<address> address::try_from_parts(std::string_view local_part, std::string_view domain) {
    const std::string context = fmt::format("{}@{}", local_part, domain);
    if (local_part.empty())
        return make_error(errc::invalid_address, fmt::format("invalid address {}: empty local part",
                                                             detail::quote_for_error(context)));
    for (char c : local_part) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '\r' || c == '\n' || c == '\0')
            return make_error(errc::header_injection,
                              fmt::format("invalid address {}: CR, LF or NUL in local part",
                                          detail::quote_for_error(context)));
        if ((u < 0x20 && c != '\t') || u == 0x7F)
            return make_error(errc::invalid_address,
                              fmt::format("invalid address {}: control character in local part",
                                          detail::quote_for_error(context)));
    }
    if (!detail::is_valid_utf8(local_part))
        return make_error(errc::invalid_utf8,
                          fmt::format("invalid address {}: local part is not valid UTF-8",
                                      detail::quote_for_error(context)));
    const std::string wire = detail::format_local_part(local_part);
    if (wire.size() > max_local_part)
        return make_error(
            errc::address_too_long,
            fmt::format("invalid address {}: local part is {} octets, the limit is 64",
                        detail::quote_for_error(context), wire.size()));
    if (detail::find_line_break_or_nul(domain) != std::string_view::npos)
        return make_error(errc::header_injection,
                          fmt::format("invalid address {}: CR, LF or NUL in domain",
                                      detail::quote_for_error(context)));
    auto ascii = detail::domain_to_ascii(domain, context);
    if (!ascii) return std::move(ascii).error();
    address a;
    a.local_ = std::string(local_part);
    a.domain_ = std::move(*ascii);
    return a;
}

address address::from_parts(std::string_view local_part, std::string_view domain) {
    return or_throw(try_from_parts(local_part, domain));
}

result<address> address::try_parse(std::string_view text) {
    return detail::parse_addr_spec(text);
}
address address::parse(std::string_view text) {
    return or_throw(try_parse(text));
}

std::string address::to_string() const {
    if (empty()) return {};
    return detail::format_local_part(local_) + '@' + domain_;
}

bool address::requires_smtputf8() const noexcept {
    return !detail::is_ascii(local_);
}

bool operator==(const address& a, const address& b) noexcept {
    return a.local_ == b.local_ && detail::iequals(a.domain_, b.domain_);
}

result<mailbox> mailbox::try_parse(std::string_view text) {
    return detail::parse_mailbox(text);
}
mailbox mailbox::parse(std::string_view text) {
    return or_throw(try_parse(text));
}

std::string mailbox::to_string() const {
    if (name_.empty()) return addr_.to_string();
    std::string out;
    if (detail::is_plain_phrase(name_)) {
        out = name_;
    } else {
        out += '"';
        for (char c : name_) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
    }
    out += " <";
    out += addr_.to_string();
    out += '>';
    return out;
}

result<address_list> address_list::try_parse(std::string_view text) {
    return detail::parse_address_list(text);
}
address_list address_list::parse(std::string_view text) {
    return or_throw(try_parse(text));
}

void address_list::append(const address_list& other) {
    entries_.insert(entries_.end(), other.entries_.begin(), other.entries_.end());
}

std::vector<mailbox> address_list::mailboxes() const {
    std::vector<mailbox> out;
    for (const auto& e : entries_) {
        if (const auto* m = std::get_if<mailbox>(&e))
            out.push_back(*m);
        else
            for (const auto& member : std::get<group>(e).members) out.push_back(member);
    }
    return out;
}

}  // namespace lettre
