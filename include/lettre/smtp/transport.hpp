// SMTP transports: async (any Asio completion token) and blocking, built
// from named constructors as in the Rust crate. TLS and OpenSSL stay in the
// implementation.
#pragma once

#include <lettre/asio_error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/message.hpp>
#include <lettre/smtp/config.hpp>
#include <lettre/smtp/response.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <thread>

namespace lettre {

namespace smtp {

/// Completion signature of every send: the error (empty on success) and the
/// report, whose `diagnostics` say what the server answered on failure.
using send_signature = void(boost::system::error_code, send_report);

/// Thrown by the blocking forms; keeps the report and its diagnostics.
class LETTRE_EXPORT send_error : public lettre::error {
public:
    send_error(std::error_code code, send_report report);
    const send_report& report() const noexcept { return report_; }
    const smtp::diagnostics& diagnostics() const noexcept { return report_.diagnostics; }

private:
    send_report report_;
};

}  // namespace smtp

class async_smtp_transport;
class smtp_transport;

/// Collects the settings; build() makes a blocking transport, build(executor)
/// an async one.
class LETTRE_EXPORT smtp_transport_builder {
public:
    explicit smtp_transport_builder(smtp::transport_config config) : cfg_(std::move(config)) {}

    smtp_transport_builder& port(std::uint16_t p);
    smtp_transport_builder& credentials(std::string user, std::string password);
    smtp_transport_builder& credentials(smtp::credentials c);
    /// Mechanisms to try, in order (default: SCRAM-SHA-256, OAUTHBEARER,
    /// XOAUTH2, PLAIN, LOGIN; CRAM-MD5 only when named here).
    smtp_transport_builder& authentication(std::vector<smtp::mechanism> mechanisms);
    smtp_transport_builder& hello_name(std::string name);
    smtp_transport_builder& tls(smtp::tls_parameters params);
    smtp_transport_builder& timeouts(smtp::timeouts t);
    /// Allows AUTH without TLS. Anyone on the path can read the password.
    smtp_transport_builder& allow_plaintext_auth_dangerous();
    smtp_transport_builder& pipelining(bool on);
    smtp_transport_builder& chunking(bool on);
    smtp_transport_builder& requiretls(bool on);
    smtp_transport_builder& dsn(smtp::dsn_request request);
    /// Receives the dialogue line by line, AUTH payloads redacted.
    smtp_transport_builder& trace(smtp::trace_hook hook);
    /// DKIM-signs every message on the way out (call again for a second
    /// signature, e.g. Ed25519 next to RSA).
    smtp_transport_builder& dkim(dkim::signer signer);

    const smtp::transport_config& config() const noexcept { return cfg_; }
    smtp_transport build() const;
    async_smtp_transport build(boost::asio::any_io_executor ex) const;

private:
    smtp::transport_config cfg_;
};

/// Sends over SMTP from an executor. Each operation takes any completion
/// token (callbacks, use_awaitable, use_future, deferred), supports
/// per-operation cancellation and never completes inline.
class LETTRE_EXPORT async_smtp_transport {
public:
    /// Implicit TLS to port 465.
    static smtp_transport_builder relay(std::string host);
    /// STARTTLS required, port 587 (submission).
    static smtp_transport_builder starttls_relay(std::string host);
    /// Plaintext, port 25: only for a local or otherwise trusted server.
    static smtp_transport_builder builder_dangerous(std::string host);
    /// See smtp::parse_url for the syntax.
    static result<smtp_transport_builder> from_url(std::string_view url);

    async_smtp_transport(boost::asio::any_io_executor ex, smtp::transport_config config);
    ~async_smtp_transport();
    async_smtp_transport(async_smtp_transport&&) noexcept;
    async_smtp_transport& operator=(async_smtp_transport&&) noexcept;

    /// Sends `msg` (its bytes and envelope are copied at initiation).
    template <class CompletionToken>
    auto async_send(const message& msg, CompletionToken&& token) {
        return async_send_raw(msg.envelope(), msg.formatted(), msg.requires_smtputf8(),
                              std::forward<CompletionToken>(token));
    }

    /// Sends ready-made bytes with an envelope.
    template <class CompletionToken>
    auto async_send_raw(const envelope& env, std::string bytes, bool smtputf8,
                        CompletionToken&& token) {
        return async_send_raw(env, std::make_shared<const std::string>(std::move(bytes)), smtputf8,
                              std::forward<CompletionToken>(token));
    }

    /// Sends shared, immutable bytes: one message to many envelopes (a
    /// mailing, `lettre send --each-to`) is neither copied nor formatted
    /// again per send; the transport keeps `bytes` alive until completion.
    template <class CompletionToken>
    auto async_send_raw(const envelope& env, std::shared_ptr<const std::string> bytes,
                        bool smtputf8, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, smtp::send_signature>(
            [this](auto handler, envelope e, std::shared_ptr<const std::string> b, bool u) {
                const std::string_view view = *b;
                start_send(
                    std::move(e), std::move(b), view, u,
                    boost::asio::any_completion_handler<smtp::send_signature>(std::move(handler)));
            },
            token, env, std::move(bytes), smtputf8);
    }

    boost::asio::any_io_executor get_executor() const noexcept;
    const smtp::transport_config& config() const noexcept;
    /// Counters of the connection pool (zeros when pooling is off).
    smtp::pool_metrics metrics() const noexcept;
    /// Stops taking sends: QUITs idle connections, fails sends still waiting
    /// for a connection with operation_aborted; sends on the wire finish.
    void shutdown();

    struct impl;  ///< internal

private:
    friend class smtp_transport;  // sends borrowed bytes: its callers wait for the result
    /// `owner` keeps `bytes` valid until the handler runs (null: borrowed).
    void start_send(envelope env, std::shared_ptr<const void> owner, std::string_view bytes,
                    bool smtputf8,
                    boost::asio::any_completion_handler<smtp::send_signature> handler);
    std::shared_ptr<impl> impl_;
};

/// The blocking transport: the same engine and pool on an io_context run by
/// a thread of its own. Safe to share between threads: sends from several
/// threads use up to pool.max_connections connections at once. Do not call
/// it from inside a completion handler of the same transport.
class LETTRE_EXPORT smtp_transport {
public:
    static smtp_transport_builder relay(std::string host) {
        return async_smtp_transport::relay(std::move(host));
    }
    static smtp_transport_builder starttls_relay(std::string host) {
        return async_smtp_transport::starttls_relay(std::move(host));
    }
    static smtp_transport_builder builder_dangerous(std::string host) {
        return async_smtp_transport::builder_dangerous(std::move(host));
    }
    static result<smtp_transport_builder> from_url(std::string_view url) {
        return async_smtp_transport::from_url(url);
    }

    explicit smtp_transport(smtp::transport_config config);
    ~smtp_transport();

    /// Throws smtp::send_error (with the server's reply) on failure.
    smtp::send_report send(const message& msg);
    /// Sets `ec`; the report's diagnostics explain it.
    smtp::send_report send(const message& msg, boost::system::error_code& ec);
    smtp::send_report send_raw(const envelope& env, std::string_view bytes);
    smtp::send_report send_raw(const envelope& env, std::string_view bytes,
                               boost::system::error_code& ec);

    const smtp::transport_config& config() const noexcept;
    smtp::pool_metrics metrics() const noexcept;

private:
    using work_guard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
    smtp::send_report run(const envelope& env, std::shared_ptr<const void> owner,
                          std::string_view bytes, bool smtputf8, boost::system::error_code& ec);
    std::unique_ptr<boost::asio::io_context> ioc_;
    std::unique_ptr<async_smtp_transport> async_;
    std::unique_ptr<work_guard> work_;
    std::thread thread_;
};

}  // namespace lettre
