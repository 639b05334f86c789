// RFC 6376 §3.4 canonicalization. Internal; body canonicalizers stream into
// a sink so that the body is never copied whole.
#pragma once

#include <lettre/dkim/signer.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace lettre::dkim::detail {

/// Appends the canonical form of one header field (`text` is the whole
/// field with folds and final CRLF) to `out`, ending CRLF.
void canonicalize_header(canonicalization c, std::string_view text, std::string& out);

/// Feeds the canonical body to `sink` in pieces. Line breaks are CRLF, LF
/// or CR (each becomes CRLF, as SMTP sends it).
void canonicalize_body(canonicalization c, std::string_view body,
                       const std::function<void(std::string_view)>& sink);

/// The canonical body as one string (tests, small bodies).
std::string canonical_body(canonicalization c, std::string_view body);

}  // namespace lettre::dkim::detail
