// RFC 5322 §3.4 address syntax (with RFC 6532 UTF-8), parsed from user text.
#pragma once

#include <lettre/message/address.hpp>

#include <string>
#include <string_view>

namespace lettre::detail {

result<address_list> parse_address_list(std::string_view text);
result<mailbox> parse_mailbox(std::string_view text);
result<address> parse_addr_spec(std::string_view text);

/// atext of RFC 5322 plus UTF-8 octets (RFC 6532 §3.2).
bool is_atext(char c) noexcept;
/// `local` as it goes on the wire: a dot-atom as is, otherwise quoted.
std::string format_local_part(std::string_view local);
/// True when `name` may be written as a phrase of atoms (no quoting).
bool is_plain_phrase(std::string_view name) noexcept;

}  // namespace lettre::detail
