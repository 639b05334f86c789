// Whether ready-made bytes need SMTPUTF8 (RFC 6531 §3.4): an envelope
// address with a UTF-8 local part, or a non-ASCII octet in the header
// section (8-bit bodies need only 8BITMIME).
#pragma once

#include <lettre/message/envelope.hpp>

#include <string_view>

namespace lettre::detail {

bool needs_smtputf8(const envelope& env, std::string_view bytes) noexcept;

}  // namespace lettre::detail
