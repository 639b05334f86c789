// When a refused certificate stopped (or starts) being valid, for the
// message of a handshake refused with "certificate has expired": the date
// tells an expired certificate from a wrong clock. Internal.
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace lettre::smtp::detail {

/// For verify results X509_V_ERR_CERT_HAS_EXPIRED and _NOT_YET_VALID: "it
/// expired on 2026-11-29 11:40:00 UTC" (or "it is valid from ..."), naming
/// the certificate when it is an issuer's rather than the server's own;
/// empty for other results or when the peer's chain is not known.
std::string validity_note(const SSL* ssl, long verify);

}  // namespace lettre::smtp::detail
