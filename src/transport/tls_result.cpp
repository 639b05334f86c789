#include "transport/tls_result.hpp"

#include <openssl/x509_vfy.h>

namespace lettre::mx::detail {

std::optional<tls_result_type> classify_tls_failure(std::error_code ec, long verify, bool dane) {
    if (ec == make_error_code(errc::starttls_unavailable))
        return tls_result_type::starttls_not_supported;
    if (ec != make_error_code(errc::tls_failed)) return std::nullopt;
    switch (verify) {
        case X509_V_OK:
            // The handshake failed before any certificate was judged
            // (protocol versions, ciphers, a dropped connection).
            return tls_result_type::validation_failure;
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH: return tls_result_type::certificate_host_mismatch;
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID: return tls_result_type::certificate_expired;
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_CERT_UNTRUSTED:
            // Under DANE there is no trust store: an issuer chain that does
            // not reach a TLSA trust anchor is a certificate that matches no
            // record, not an untrusted CA.
            return dane ? tls_result_type::validation_failure
                        : tls_result_type::certificate_not_trusted;
        default:
            // X509_V_ERR_DANE_NO_MATCH among them: the records were usable
            // but the certificate matches none (tlsa-invalid is kept for
            // records that cannot be used at all).
            return tls_result_type::validation_failure;
    }
}

}  // namespace lettre::mx::detail
