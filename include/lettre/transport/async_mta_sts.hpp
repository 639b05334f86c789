// The asynchronous MTA-STS policy source (RFC 8461): TXT lookup, cache and
// HTTPS policy fetch on an Asio executor of yours. Operations take any
// completion token and never complete inline. Value types, parsers and the
// blocking form are in lettre/transport/mta_sts.hpp.
#pragma once

#include <lettre/asio_error.hpp>
#include <lettre/export.hpp>
#include <lettre/transport/mta_sts.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace lettre::mta_sts {

namespace detail {
struct async_source_state;
}  // namespace detail

/// Completion of async_fetch(): the error (also in the result) and the policy.
using fetch_signature = void(boost::system::error_code, result<policy>);
/// Completion of async_discover(): an error only when the lookup was
/// aborted; fetch and parse failures are in discovery::problem.
using discover_signature = void(boost::system::error_code, discovery);

/// Finds, fetches and caches MTA-STS policies on the executor given at
/// construction.
class LETTRE_EXPORT async_policy_source {
public:
    /// A source on `ex`. Throws lettre::error (errc::tls_failed) when
    /// `cfg.ca_file` cannot be loaded.
    explicit async_policy_source(boost::asio::any_io_executor ex, config cfg = {});
    /// Pending operations keep what they need alive and complete normally.
    ~async_policy_source();
    async_policy_source(async_policy_source&&) noexcept;             ///< movable
    async_policy_source& operator=(async_policy_source&&) noexcept;  ///< movable

    /// The policy to apply to `domain` (A-label), per RFC 8461 §5.1 (see
    /// policy_source::discover()).
    template <class CompletionToken>
    auto async_discover(std::string_view domain, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, discover_signature>(
            [this](auto handler, std::string d) {
                start_discover(
                    std::move(d),
                    boost::asio::any_completion_handler<discover_signature>(std::move(handler)));
            },
            token, std::string(domain));
    }

    /// Fetches `https://mta-sts.DOMAIN/.well-known/mta-sts.txt` now and
    /// parses it (no TXT lookup, no cache).
    template <class CompletionToken>
    auto async_fetch(std::string_view domain, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, fetch_signature>(
            [this](auto handler, std::string d) {
                start_fetch(std::move(d), boost::asio::any_completion_handler<fetch_signature>(
                                              std::move(handler)));
            },
            token, std::string(domain));
    }

    /// The source's executor.
    boost::asio::any_io_executor get_executor() const noexcept;

private:
    void start_discover(std::string domain,
                        boost::asio::any_completion_handler<discover_signature> handler);
    void start_fetch(std::string domain,
                     boost::asio::any_completion_handler<fetch_signature> handler);

    std::shared_ptr<detail::async_source_state> impl_;
};

}  // namespace lettre::mta_sts
