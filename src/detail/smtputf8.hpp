// Whether a raw send needs the SMTPUTF8 extension (RFC 6531 §3.2): an
// envelope address with a UTF-8 local part, or a non-ASCII octet in the
// header section (RFC 6532 headers). A non-ASCII body alone needs only
// 8BITMIME. Internal.
#pragma once

#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>

#include <string_view>

namespace lettre::detail {

/// `bytes` is the formatted message; its header section ends at the first
/// empty line (CRLF CRLF, or LF LF for bare-LF input), or at the end.
LETTRE_EXPORT bool needs_smtputf8(const envelope& env, std::string_view bytes) noexcept;

}  // namespace lettre::detail
