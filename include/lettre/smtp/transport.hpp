// The blocking SMTP transport and the builder both SMTP transports are made
// from (named constructors as in the Rust crate). No Asio here: the engine,
// TLS and OpenSSL stay in the implementation. The async transport is in
// lettre/smtp/async_transport.hpp.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>
#include <lettre/smtp/config.hpp>
#include <lettre/smtp/response.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lettre {

namespace smtp {

/// Thrown by the blocking forms; keeps the report and its diagnostics.
class LETTRE_EXPORT send_error : public lettre::error {
public:
    /// what() is the diagnostics' sentence, or the code's message when empty.
    send_error(std::error_code code, send_report report);
    const send_report& report() const noexcept { return report_; }  ///< the failed send's report
    /// The report's diagnostics: phase, server reply, recipients.
    const smtp::diagnostics& diagnostics() const noexcept { return report_.diagnostics; }

private:
    send_report report_;
};

}  // namespace smtp

class async_smtp_transport;
class smtp_transport;

/// Collects the settings: `smtp_transport::relay("smtp.example.com")
/// .credentials("user", "pass").max_connections(8).build()`. build() makes a
/// blocking transport; build(executor) an async one (include
/// lettre/smtp/async_transport.hpp for that).
class LETTRE_EXPORT smtp_transport_builder {
public:
    /// Starts from a whole configuration (the named constructors fill one in).
    explicit smtp_transport_builder(smtp::transport_config config) : cfg_(std::move(config)) {}

    smtp_transport_builder& port(std::uint16_t p);  ///< the server's port
    /// AUTH with a user name and password.
    smtp_transport_builder& credentials(std::string user, std::string password);
    /// AUTH with these credentials (e.g. smtp::credentials::oauth2()).
    smtp_transport_builder& credentials(smtp::credentials c);
    /// Mechanisms to try, in order (default: SCRAM-SHA-256, OAUTHBEARER,
    /// XOAUTH2, PLAIN, LOGIN; CRAM-MD5 only when named here).
    smtp_transport_builder& authentication(std::vector<smtp::mechanism> mechanisms);
    /// The EHLO name (see smtp::check_hello_name): a name that fails the
    /// check fails every send with invalid_smtp_argument before connecting.
    smtp_transport_builder& hello_name(std::string name);
    /// Certificate checks, SNI name and client certificate.
    smtp_transport_builder& tls(smtp::tls_parameters params);
    smtp_transport_builder& timeouts(smtp::timeouts t);  ///< per-phase limits
    /// Allows AUTH without TLS. Anyone on the path can read the password.
    smtp_transport_builder& allow_plaintext_auth_dangerous();
    smtp_transport_builder& pipelining(bool on);  ///< use PIPELINING when offered (default on)
    smtp_transport_builder& chunking(bool on);    ///< use BDAT when offered (default off)
    /// Sends REQUIRETLS; a server that does not offer it fails the send.
    smtp_transport_builder& requiretls(bool on);
    /// DSN parameters, sent when the server offers DSN.
    smtp_transport_builder& dsn(smtp::dsn_request request);
    /// Receives the dialogue line by line, AUTH payloads redacted.
    smtp_transport_builder& trace(smtp::trace_hook hook);
    /// DKIM-signs every message on the way out (call again for a second
    /// signature, e.g. Ed25519 next to RSA).
    smtp_transport_builder& dkim(dkim::signer signer);

    /// The whole pool configuration at once (see smtp::pool_config).
    smtp_transport_builder& pool(smtp::pool_config config);
    /// At most `n` connections at once (0 counts as 1).
    smtp_transport_builder& max_connections(std::size_t n);
    /// At most `messages` sends started per `interval`.
    smtp_transport_builder& rate_limit(std::size_t messages, std::chrono::milliseconds interval);
    /// No pool: one connection per send, QUIT before the send completes,
    /// no retry on a fresh connection. The rate limit still applies.
    smtp_transport_builder& no_pool();

    /// The configuration collected so far.
    [[nodiscard]] const smtp::transport_config& config() const noexcept { return cfg_; }
    /// The blocking transport.
    [[nodiscard]] smtp_transport build() const;
    /// The async transport on `ex` (needs lettre/smtp/async_transport.hpp).
    template <class Executor, class Async = async_smtp_transport>
    [[nodiscard]] Async build(const Executor& ex) const {
        return Async(ex, cfg_);
    }

private:
    smtp::transport_config cfg_;
};

/// The blocking transport: the same engine and pool as the async one, on an
/// io_context run by a thread of its own. Movable; safe to share between
/// threads: sends from several threads use up to max_connections
/// connections at once. Do not call it from inside a completion handler of
/// an async transport running on the same thread.
class LETTRE_EXPORT smtp_transport {
public:
    using report_type = smtp::send_report;  ///< what a send returns

    /// Implicit TLS to port 465.
    static smtp_transport_builder relay(std::string host);
    /// STARTTLS required, port 587 (submission).
    static smtp_transport_builder starttls_relay(std::string host);
    /// Plaintext, port 25: only for a local or otherwise trusted server.
    static smtp_transport_builder builder_dangerous(std::string host);
    /// See smtp::parse_url for the syntax.
    static result<smtp_transport_builder> from_url(std::string_view url);

    /// A transport for `config`; connections are opened when sending.
    explicit smtp_transport(smtp::transport_config config);
    /// QUITs the pooled connections; sends in progress finish first.
    ~smtp_transport();
    smtp_transport(smtp_transport&&) noexcept;             ///< movable, not copyable
    smtp_transport& operator=(smtp_transport&&) noexcept;  ///< movable, not copyable

    /// Throws smtp::send_error (with the server's reply) on failure.
    smtp::send_report send(const message& msg);
    /// Sets `ec` (compare it with lettre::condition); the report's
    /// diagnostics explain it.
    smtp::send_report send(const message& msg, std::error_code& ec);
    /// The error with the diagnostics' sentence (the report is dropped on
    /// failure: use the error_code form to keep it).
    result<smtp::send_report> try_send(const message& msg);

    /// Ready-made bytes (e.g. signed elsewhere) with an envelope. SMTPUTF8
    /// is asked for when an envelope address or a header needs it.
    smtp::send_report send_raw(const envelope& env, std::string_view bytes);
    /// The same, setting `ec` (cleared on success) instead of throwing.
    smtp::send_report send_raw(const envelope& env, std::string_view bytes, std::error_code& ec);
    /// send_raw() returning the error instead of throwing it.
    result<smtp::send_report> try_send_raw(const envelope& env, std::string_view bytes);

    /// The configuration the transport was made with.
    [[nodiscard]] const smtp::transport_config& config() const noexcept;
    /// Counters of the sends and connections.
    [[nodiscard]] smtp::pool_metrics metrics() const noexcept;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace lettre
