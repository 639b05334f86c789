// DANE for SMTP (RFC 7672, RFC 7671) on one connection: OpenSSL's own DANE
// verifier (SSL_dane_enable, SSL_dane_tlsa_add) does the matching; this file
// only feeds it the records and names and words its refusals.
#include "smtp/connection.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

namespace lettre::smtp::detail {

namespace ssl = boost::asio::ssl;

bool usable_for_smtp(const dane_tlsa& r) noexcept {
    if (r.usage != 2 && r.usage != 3) return false;  // PKIX-TA/EE: unusable (RFC 7672 §3.1.3)
    if (r.selector > 1) return false;
    switch (r.matching_type) {
        case 0: return !r.data.empty();
        case 1: return r.data.size() == 32;  // SHA2-256
        case 2: return r.data.size() == 64;  // SHA2-512
        default: return false;
    }
}

std::shared_ptr<ssl::context> make_dane_tls_context(std::error_code& ec, std::string& why) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    // The TLSA records are the trust anchors: no system store is loaded, so
    // a certificate matching none of them fails even when a public CA
    // signed it (RFC 7672 §3.1.3: PKIX plays no part).
    ctx->set_verify_mode(ssl::verify_peer);
    if (SSL_CTX_dane_enable(ctx->native_handle()) <= 0) {
        why = "this OpenSSL cannot verify DANE (SSL_CTX_dane_enable failed)";
        ec = make_error_code(errc::tls_failed);
        return nullptr;
    }
    return ctx;
}

bool connection::prepare_dane(const std::string& sni) {
    SSL* ssl = stream_->native_handle();
    const auto& names = dane_->names;
    const std::string& base = names.empty() ? sni : names.front();
    if (SSL_dane_enable(ssl, base.c_str()) <= 0) {
        diag_.message = fmt::format("cannot enable DANE for {}", base);
        return false;
    }
    // RFC 7672 §3.2.1: a DANE-EE(3) match authenticates the key itself; the
    // names and dates in the certificate do not matter.
    SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
    for (std::size_t i = 1; i < names.size(); ++i)
        if (SSL_add1_host(ssl, names[i].c_str()) != 1) {
            diag_.message = fmt::format("cannot add {} as a DANE reference name", names[i]);
            return false;
        }
    int usable = 0;
    for (const auto& r : dane_->records)
        if (usable_for_smtp(r) && SSL_dane_tlsa_add(ssl, r.usage, r.selector, r.matching_type,
                                                    r.data.data(), r.data.size()) > 0)
            ++usable;
    if (usable > 0) return true;
    // The caller passes usable records only; should OpenSSL still take none,
    // refuse rather than handshake with nothing to check against.
    diag_.message = fmt::format("none of the {} TLSA records of {} is usable for SMTP",
                                dane_->records.size(), base);
    return false;
}

std::string connection::dane_failure(long verify, const std::string& when) const {
    const std::string& base = dane_->names.empty() ? cfg_.host : dane_->names.front();
    std::string what = verify == X509_V_ERR_DANE_NO_MATCH
                           ? "it matches none of the host's TLSA records"
                           : X509_verify_cert_error_string(verify);
    // DANE-TA checks dates (DANE-EE does not): say which one.
    if (!when.empty()) what += " (" + when + ")";
    return fmt::format(
        "the TLS certificate of {} was refused by DANE: {} (TLSA base name {}); the receiving "
        "domain publishes these records and asks that no other certificate be accepted",
        cfg_.host, what, base);
}

}  // namespace lettre::smtp::detail
