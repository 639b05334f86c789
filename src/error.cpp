#include <lettre/error.hpp>

#include <optional>

namespace lettre {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "lettre"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
            case errc::invalid_address: return "invalid address";
            case errc::address_too_long: return "address too long";
            case errc::invalid_domain: return "invalid domain";
            case errc::invalid_header_name: return "invalid header name";
            case errc::header_injection: return "CR, LF or NUL in a header value";
            case errc::line_too_long: return "line too long";
            case errc::invalid_utf8: return "invalid UTF-8";
            case errc::invalid_header_value: return "invalid header value";
            case errc::invalid_content_type: return "invalid content type";
            case errc::invalid_date: return "invalid date";
            case errc::invalid_message_id: return "invalid message id";
            case errc::missing_from: return "message has no From";
            case errc::missing_recipient: return "message has no recipient";
            case errc::missing_sender: return "several From mailboxes need a Sender";
            case errc::invalid_part: return "invalid MIME part";
            case errc::file_not_found: return "file not found";
            case errc::file_unreadable: return "file unreadable";
            case errc::io_error: return "I/O error";
            case errc::invalid_key: return "invalid key";
            case errc::weak_key: return "key too weak";
            case errc::malformed_message: return "malformed message";
            case errc::invalid_dkim_config: return "invalid DKIM configuration";
            case errc::signing_failed: return "signing failed";
            case errc::smtp_protocol: return "SMTP protocol error";
            case errc::smtp_transient: return "SMTP transient failure (4xx)";
            case errc::smtp_permanent: return "SMTP permanent failure (5xx)";
            case errc::invalid_smtp_argument: return "invalid SMTP command argument";
            case errc::no_recipient_accepted: return "no recipient accepted";
            case errc::starttls_unavailable: return "STARTTLS required but not offered";
            case errc::tls_failed: return "TLS failed";
            case errc::auth_unavailable: return "no usable AUTH mechanism";
            case errc::auth_failed: return "authentication failed";
            case errc::plaintext_auth_refused: return "AUTH over plaintext refused";
            case errc::smtputf8_unavailable: return "SMTPUTF8 needed but not offered";
            case errc::message_too_big: return "message exceeds the server's SIZE";
            case errc::timeout: return "timed out";
            case errc::connection_closed: return "connection closed by the server";
            case errc::outcome_unknown: return "delivery outcome unknown";
            case errc::invalid_url: return "invalid SMTP URL";
            case errc::dns_nxdomain: return "domain does not exist (NXDOMAIN)";
            case errc::dns_nodata: return "no DNS record of that type (NODATA)";
            case errc::dns_servfail: return "name server failure (SERVFAIL)";
            case errc::dns_timeout: return "DNS query timed out";
            case errc::dns_refused: return "name server refused the query (REFUSED)";
            case errc::dns_failed: return "DNS resolution failed";
            case errc::null_mx: return "domain accepts no mail (null MX)";
            case errc::no_mx_host: return "no MX host has an address";
            case errc::pool_full: return "too many sends waiting for a connection";
            case errc::shut_down: return "the transport is shutting down";
            case errc::eight_bit_unavailable: return "8BITMIME needed but not offered";
            case errc::sendmail_failed: return "the sendmail program failed";
            case errc::sendmail_transient: return "the sendmail program failed temporarily";
            case errc::recipients_deferred: return "every recipient was deferred (4xx)";
            case errc::delivery_deferred: return "delivery deferred";
            case errc::auth_deferred: return "authentication failed temporarily (4xx)";
            case errc::mta_sts_fetch_failed: return "MTA-STS policy fetch failed";
            case errc::mta_sts_invalid_policy: return "invalid MTA-STS record or policy";
            case errc::mta_sts_certificate_invalid:
                return "MTA-STS policy host certificate invalid";
            case errc::tlsrpt_invalid_record: return "invalid TLSRPT record";
        }
        return "unknown lettre error";
    }
};

/// The class of each lettre code. The SMTP classes follow RFC 5321 §4.2.1
/// (4yz transient, 5yz permanent) and what an MTA's queue does with the
/// failure: a refused certificate or a missing STARTTLS is a configuration
/// matter, permanent until someone changes it.
std::optional<condition> condition_of(errc e) noexcept {
    switch (e) {
        case errc::smtp_transient:
        case errc::timeout:
        case errc::connection_closed:
        case errc::dns_servfail:
        case errc::dns_timeout:
        case errc::dns_refused:
        case errc::dns_failed:
        case errc::pool_full:
        case errc::shut_down:
        case errc::sendmail_transient:
        case errc::recipients_deferred:
        case errc::delivery_deferred:
        case errc::auth_deferred:
        // A policy that cannot be had now may be had later; none of these
        // fails a delivery by itself (RFC 8461 §5.1).
        case errc::mta_sts_fetch_failed:
        case errc::mta_sts_invalid_policy:
        case errc::mta_sts_certificate_invalid: return condition::transient;
        case errc::outcome_unknown: return condition::outcome_unknown;
        default: return condition::permanent;
    }
}

class condition_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "lettre.condition"; }
    std::string message(int ev) const override {
        switch (static_cast<condition>(ev)) {
            case condition::transient: return "transient failure: try again later";
            case condition::permanent: return "permanent failure";
            case condition::outcome_unknown: return "outcome unknown: the message may have gone";
        }
        return "unknown lettre condition";
    }
    bool equivalent(const std::error_code& code, int cond) const noexcept override {
        if (!code) return false;
        const auto want = static_cast<condition>(cond);
        if (code.category() == lettre::error_category())
            return condition_of(static_cast<errc>(code.value())) == want;
        // Socket and system errors (refused, reset, unreachable, cancelled):
        // the network may be back later.
        if (code.category() == std::system_category() || code.category() == std::generic_category())
            return want == condition::transient;
        // Anything else (TLS library errors...) will not cure itself.
        return want == condition::permanent;
    }
};

}  // namespace

const std::error_category& condition_category() noexcept {
    static const condition_category_impl instance;
    return instance;
}

std::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

const std::error_category& error_category() noexcept {
    static const category instance;  // categories are identity objects by design
    return instance;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

error_info make_error(errc code, std::string message) {
    return error_info{make_error_code(code), std::move(message)};
}

error::error(error_info info)
    : std::system_error(info.code, info.message), info_(std::move(info)) {}

}  // namespace lettre
