#include "smtp/certificate_dates.hpp"

#include <fmt/format.h>
#include <openssl/asn1.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <array>
#include <ctime>

namespace lettre::smtp::detail {

namespace {

/// "2026-11-29 11:40:00 UTC"; empty when OpenSSL cannot read the time.
std::string utc(const ASN1_TIME* t) {
    std::tm tm{};
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
    std::array<char, 32> buf{};
    const auto n = std::strftime(buf.data(), buf.size(), "%Y-%m-%d %H:%M:%S UTC", &tm);
    return std::string(buf.data(), n);
}

/// The certificate's subject, one line ("CN=lettre mx test CA").
std::string subject_of(const X509* c) {
    std::array<char, 256> buf{};
    X509_NAME_oneline(X509_get_subject_name(c), buf.data(), static_cast<int>(buf.size()));
    std::string s(buf.data());
    if (s.starts_with('/')) s.erase(0, 1);
    return s;
}

}  // namespace

std::string validity_note(const SSL* ssl, long verify) {
    const bool expired = verify == X509_V_ERR_CERT_HAS_EXPIRED;
    if (!ssl || (!expired && verify != X509_V_ERR_CERT_NOT_YET_VALID)) return {};
    // The chain as sent (the client's view starts with the server's own
    // certificate); kept in the session even when verification refused it.
    const STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
    const int n = chain ? sk_X509_num(chain) : 0;
    for (int i = 0; i < n; ++i) {
        const X509* c = sk_X509_value(chain, i);
        const ASN1_TIME* t = expired ? X509_get0_notAfter(c) : X509_get0_notBefore(c);
        // The one whose date is the problem: after notAfter, before notBefore.
        const int cmp = X509_cmp_current_time(t);
        if (expired ? cmp >= 0 : cmp <= 0) continue;
        const std::string when = utc(t);
        if (when.empty()) return {};
        const std::string who = i == 0 ? "it" : fmt::format("the issuer {}", subject_of(c));
        return expired ? fmt::format("{} expired on {}", who, when)
                       : fmt::format("{} is valid from {}", who, when);
    }
    return {};
}

}  // namespace lettre::smtp::detail
