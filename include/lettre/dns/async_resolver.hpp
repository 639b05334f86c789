// A DNS resolver built on c-ares whose sockets and timers run on an Asio
// executor: no extra thread, no polling loop. Operations take any
// completion token and never complete inline. c-ares stays in the
// implementation. The blocking form is lettre/dns/resolver.hpp.
#pragma once

#include <lettre/asio_error.hpp>
#include <lettre/dns/answer.hpp>
#include <lettre/dns/records.hpp>
#include <lettre/dns/resolver.hpp>
#include <lettre/export.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lettre::dns {

namespace detail {
struct async_resolver_state;
}  // namespace detail

/// Completion signature of a lookup: the error (empty on success) and the records.
template <class Record>
using signature = void(boost::system::error_code, std::vector<Record>);

/// Completion signature of a DNSSEC-aware lookup: the error (empty on
/// success, NXDOMAIN and NODATA included) and the answer.
template <class Record>
using answer_signature = void(boost::system::error_code, answer<Record>);

/// DNS lookups for Boost.Asio (c-ares underneath), on the executor given
/// at construction.
class LETTRE_EXPORT async_resolver {
public:
    /// A resolver on `ex`.

    explicit async_resolver(boost::asio::any_io_executor ex, resolver_config config = {});
    /// Pending lookups complete with operation_aborted.
    ~async_resolver();
    async_resolver(async_resolver&&) noexcept;             ///< movable, not copyable
    async_resolver& operator=(async_resolver&&) noexcept;  ///< movable, not copyable

    /// MX records, as served (sort them yourself, or let the MX transport).
    /// Errors: errc::dns_nxdomain, dns_nodata, dns_servfail, dns_timeout,
    /// dns_refused, dns_failed, invalid_domain; operation_aborted. Compare
    /// with lettre::condition: SERVFAIL, timeout, refused and other
    /// failures are transient, NXDOMAIN, NODATA and invalid names permanent.
    template <class CompletionToken>
    auto async_resolve_mx(std::string_view name, CompletionToken&& token) {
        return initiate<mx_record>(kind::mx, name, std::forward<CompletionToken>(token));
    }
    /// A records (IPv4); errors as for async_resolve_mx().
    template <class CompletionToken>
    auto async_resolve_a(std::string_view name, CompletionToken&& token) {
        return initiate<address_record>(kind::a, name, std::forward<CompletionToken>(token));
    }
    /// AAAA records (IPv6); errors as for async_resolve_mx().
    template <class CompletionToken>
    auto async_resolve_aaaa(std::string_view name, CompletionToken&& token) {
        return initiate<address_record>(kind::aaaa, name, std::forward<CompletionToken>(token));
    }
    /// TXT records; errors as for async_resolve_mx().
    template <class CompletionToken>
    auto async_resolve_txt(std::string_view name, CompletionToken&& token) {
        return initiate<txt_record>(kind::txt, name, std::forward<CompletionToken>(token));
    }
    /// `name` is the owner name, e.g. tlsa_name("mx.example.com", 25).
    template <class CompletionToken>
    auto async_resolve_tlsa(std::string_view name, CompletionToken&& token) {
        return initiate<tlsa_record>(kind::tlsa, name, std::forward<CompletionToken>(token));
    }

    /// MX records with their DNSSEC status: the query carries the DO and AD
    /// bits, and the answer's security says whether DNSSEC vouches for it
    /// (see resolver_config::trust_ad). NXDOMAIN and NODATA complete
    /// without error and with no records. Errors: errc::dns_servfail (how a
    /// validating resolver reports a bogus answer, too: then answer::bogus
    /// may say so), dns_timeout, dns_refused, dns_failed, invalid_domain;
    /// operation_aborted. All but invalid_domain are transient.
    template <class CompletionToken>
    auto async_resolve_mx_dnssec(std::string_view name, CompletionToken&& token) {
        return initiate_dnssec<mx_record>(kind::mx, name, std::forward<CompletionToken>(token));
    }
    /// A records with their DNSSEC status; as async_resolve_mx_dnssec().
    template <class CompletionToken>
    auto async_resolve_a_dnssec(std::string_view name, CompletionToken&& token) {
        return initiate_dnssec<address_record>(kind::a, name, std::forward<CompletionToken>(token));
    }
    /// AAAA records with their DNSSEC status; as async_resolve_mx_dnssec().
    template <class CompletionToken>
    auto async_resolve_aaaa_dnssec(std::string_view name, CompletionToken&& token) {
        return initiate_dnssec<address_record>(kind::aaaa, name,
                                               std::forward<CompletionToken>(token));
    }
    /// TXT records with their DNSSEC status; as async_resolve_mx_dnssec().
    template <class CompletionToken>
    auto async_resolve_txt_dnssec(std::string_view name, CompletionToken&& token) {
        return initiate_dnssec<txt_record>(kind::txt, name, std::forward<CompletionToken>(token));
    }
    /// TLSA records with their DNSSEC status; `name` is the owner name, e.g.
    /// tlsa_name("mx.example.com", 25). As async_resolve_mx_dnssec().
    template <class CompletionToken>
    auto async_resolve_tlsa_dnssec(std::string_view name, CompletionToken&& token) {
        return initiate_dnssec<tlsa_record>(kind::tlsa, name, std::forward<CompletionToken>(token));
    }

    /// Aborts every pending lookup (operation_aborted).
    void cancel();

    /// The resolver's executor.
    boost::asio::any_io_executor get_executor() const noexcept;
    /// The configuration the resolver was made with.
    const resolver_config& config() const noexcept;

private:
    enum class kind { mx, a, aaaa, txt, tlsa };

    template <class Record, class CompletionToken>
    auto initiate(kind k, std::string_view name, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, signature<Record>>(
            [this, k](auto handler, std::string n) {
                start(k, std::move(n),
                      boost::asio::any_completion_handler<signature<Record>>(std::move(handler)));
            },
            token, std::string(name));
    }

    template <class Record, class CompletionToken>
    auto initiate_dnssec(kind k, std::string_view name, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, answer_signature<Record>>(
            [this, k](auto handler, std::string n) {
                start(k, std::move(n),
                      boost::asio::any_completion_handler<answer_signature<Record>>(
                          std::move(handler)));
            },
            token, std::string(name));
    }

    void start(kind k, std::string name,
               boost::asio::any_completion_handler<signature<mx_record>> h);
    void start(kind k, std::string name,
               boost::asio::any_completion_handler<signature<address_record>> h);
    void start(kind k, std::string name,
               boost::asio::any_completion_handler<signature<txt_record>> h);
    void start(kind k, std::string name,
               boost::asio::any_completion_handler<signature<tlsa_record>> h);
    void start(kind k, std::string name,
               boost::asio::any_completion_handler<answer_signature<mx_record>> h);
    void start(kind k, std::string name,
               boost::asio::any_completion_handler<answer_signature<address_record>> h);
    void start(kind k, std::string name,
               boost::asio::any_completion_handler<answer_signature<txt_record>> h);
    void start(kind k, std::string name,
               boost::asio::any_completion_handler<answer_signature<tlsa_record>> h);

    std::shared_ptr<detail::async_resolver_state> impl_;
};

}  // namespace lettre::dns
