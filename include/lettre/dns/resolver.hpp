// A DNS resolver built on c-ares whose sockets and timers run on an Asio
// executor: no extra thread, no polling loop. Async forms take any
// completion token and never complete inline; blocking forms run the same
// engine on an io_context of their own. c-ares stays in the implementation.
#pragma once

#include <lettre/asio_error.hpp>
#include <lettre/dns/records.hpp>
#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace lettre::dns {

/// Where and how to ask. Every field has a usable default: the servers,
/// timeout and tries of the system (/etc/resolv.conf) when left alone.
struct resolver_config {
    /// "127.0.0.1:5353", "192.0.2.53", "[::1]:53". Empty: the system's.
    std::vector<std::string> servers;
    /// Per try; zero keeps the system default (c-ares: 2 s, or resolv.conf's).
    std::chrono::milliseconds timeout{0};
    /// Attempts per server; zero keeps the system default.
    int tries = 0;
    /// Ask over TCP only (UDP otherwise, with TCP retry on truncation).
    bool tcp_only = false;
};

/// Splits "a:53,b" into servers (the CLI's --dns value). Checks the syntax.
LETTRE_EXPORT result<std::vector<std::string>> parse_servers(std::string_view csv);

/// Whether a resolver failure may go away by itself (SERVFAIL, timeout,
/// refused, unreachable server) rather than being an answer (NXDOMAIN, NODATA,
/// an invalid name). MX delivery depends on the difference.
LETTRE_EXPORT bool is_transient(const std::error_code& ec) noexcept;

template <class Record>
using signature = void(boost::system::error_code, std::vector<Record>);

/// The TLSA owner name of a TCP service: `_25._tcp.mx.example.com`.
LETTRE_EXPORT std::string tlsa_name(std::string_view host, std::uint16_t port);

class LETTRE_EXPORT async_resolver {
public:
    explicit async_resolver(boost::asio::any_io_executor ex, resolver_config config = {});
    /// Pending lookups complete with operation_aborted.
    ~async_resolver();
    async_resolver(async_resolver&&) noexcept;
    async_resolver& operator=(async_resolver&&) noexcept;

    /// MX records, as served (sort them yourself, or let the MX transport).
    /// Errors: errc::dns_nxdomain, dns_nodata, dns_servfail, dns_timeout,
    /// dns_refused, dns_failed, invalid_domain; operation_aborted.
    template <class CompletionToken>
    auto async_resolve_mx(std::string_view name, CompletionToken&& token) {
        return initiate<mx_record>(kind::mx, name, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_resolve_a(std::string_view name, CompletionToken&& token) {
        return initiate<address_record>(kind::a, name, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_resolve_aaaa(std::string_view name, CompletionToken&& token) {
        return initiate<address_record>(kind::aaaa, name, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_resolve_txt(std::string_view name, CompletionToken&& token) {
        return initiate<txt_record>(kind::txt, name, std::forward<CompletionToken>(token));
    }
    /// `name` is the owner name, e.g. tlsa_name("mx.example.com", 25).
    template <class CompletionToken>
    auto async_resolve_tlsa(std::string_view name, CompletionToken&& token) {
        return initiate<tlsa_record>(kind::tlsa, name, std::forward<CompletionToken>(token));
    }

    /// Aborts every pending lookup (operation_aborted).
    void cancel();

    boost::asio::any_io_executor get_executor() const noexcept;
    const resolver_config& config() const noexcept;

    struct impl;  ///< internal

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

    void start(kind k, std::string name,
               boost::asio::any_completion_handler<signature<mx_record>> h);
    void start(kind k, std::string name,
               boost::asio::any_completion_handler<signature<address_record>> h);
    void start(kind k, std::string name,
               boost::asio::any_completion_handler<signature<txt_record>> h);
    void start(kind k, std::string name,
               boost::asio::any_completion_handler<signature<tlsa_record>> h);

    std::shared_ptr<impl> impl_;
};

/// The blocking resolver: the same engine on an io_context of its own.
/// Safe to share between threads (lookups are serialized).
class LETTRE_EXPORT resolver {
public:
    explicit resolver(resolver_config config = {});
    ~resolver();

    /// Throw lettre::error on failure (code as in async_resolver).
    std::vector<mx_record> resolve_mx(std::string_view name);
    std::vector<address_record> resolve_a(std::string_view name);
    std::vector<address_record> resolve_aaaa(std::string_view name);
    std::vector<txt_record> resolve_txt(std::string_view name);
    std::vector<tlsa_record> resolve_tlsa(std::string_view name);

    /// Set `ec` instead of throwing.
    std::vector<mx_record> resolve_mx(std::string_view name, boost::system::error_code& ec);
    std::vector<address_record> resolve_a(std::string_view name, boost::system::error_code& ec);
    std::vector<address_record> resolve_aaaa(std::string_view name, boost::system::error_code& ec);
    std::vector<txt_record> resolve_txt(std::string_view name, boost::system::error_code& ec);
    std::vector<tlsa_record> resolve_tlsa(std::string_view name, boost::system::error_code& ec);

private:
    template <class Record, class Start>
    std::vector<Record> run(Start&& start, boost::system::error_code& ec);

    std::unique_ptr<boost::asio::io_context> ioc_;
    std::unique_ptr<async_resolver> async_;
    std::mutex mutex_;
};

}  // namespace lettre::dns
