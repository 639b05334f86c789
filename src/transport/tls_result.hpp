// The RFC 8460 result type of a failed MX session attempt. Internal.
#pragma once

#include <lettre/transport/tls_report.hpp>

#include <optional>
#include <system_error>

namespace lettre::mx::detail {

/// What went wrong with TLS in an attempt that failed with `ec`: `verify`
/// is OpenSSL's verify result of its handshake (0 when none was refused),
/// `dane` whether the peer was checked against TLSA records. Empty when
/// the failure was not about TLS (a refused connection, a 5xx reply).
std::optional<tls_result_type> classify_tls_failure(std::error_code ec, long verify, bool dane);

}  // namespace lettre::mx::detail
