// Everything an SMTP transport is configured with. No Asio, no OpenSSL.
#pragma once

#include <lettre/dkim/signer.hpp>
#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/smtp/credentials.hpp>
#include <lettre/smtp/response.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::smtp {

/// RFC 3461 delivery status notification requests.
struct dsn_request {
    /// What a bounce carries: the whole message (RET=FULL) or its headers (RET=HDRS).
    enum class return_content { full, headers };
    std::optional<return_content> ret;  ///< RET=
    std::optional<std::string> envid;   ///< ENVID= (xtext-encoded on the wire)
    bool notify_never = false;          ///< NOTIFY=NEVER
    bool notify_success = false;        ///< NOTIFY=SUCCESS
    bool notify_failure = false;        ///< NOTIFY=FAILURE
    bool notify_delay = false;          ///< NOTIFY=DELAY
    /// True when any NOTIFY= keyword is asked for.
    bool any_notify() const noexcept {
        return notify_never || notify_success || notify_failure || notify_delay;
    }
};

/// Whether and how a session uses TLS.
enum class tls_mode {
    none_dangerous,          ///< plaintext only (port 25 to a trusted relay, tests)
    starttls_opportunistic,  ///< STARTTLS when offered, else plaintext
    starttls_required,       ///< STARTTLS or fail (submission, 587)
    implicit,                ///< TLS from the first byte (submissions, 465)
};

/// How a session is conducted: the EHLO name, TLS, AUTH and the extensions
/// to use when the server offers them.
struct client_config {
    std::string hello_name = "localhost";          ///< the EHLO/HELO name (check_hello_name())
    tls_mode tls = tls_mode::starttls_required;    ///< how TLS is used
    std::optional<smtp::credentials> credentials;  ///< AUTH when set
    /// The SASL mechanisms tried, in this order, among those the server offers.
    std::vector<mechanism> mechanisms{default_mechanisms().begin(), default_mechanisms().end()};
    /// AUTH over an unencrypted connection; only for tests and trusted links.
    bool allow_plaintext_auth_dangerous = false;
    bool pipelining = true;          ///< use PIPELINING when offered
    bool chunking = false;           ///< use BDAT when offered
    bool requiretls = false;         ///< send REQUIRETLS (fail when not offered)
    std::optional<dsn_request> dsn;  ///< DSN parameters (ignored when not offered)
};

/// Per-phase limits, each a deadline from its phase's start (bytes that
/// trickle in do not extend it). Defaults: RFC 5321 §4.5.3.2 (greeting and
/// commands 5 min, DATA 2 min, each data block 3 min, final dot 10 min).
struct timeouts {
    std::chrono::milliseconds resolve{std::chrono::seconds(30)};         ///< host name lookup
    std::chrono::milliseconds connect{std::chrono::seconds(30)};         ///< TCP connect
    std::chrono::milliseconds tls_handshake{std::chrono::seconds(30)};   ///< TLS handshake
    std::chrono::milliseconds greeting{std::chrono::minutes(5)};         ///< the server's 220
    std::chrono::milliseconds command{std::chrono::minutes(5)};          ///< each command's reply
    std::chrono::milliseconds data_initiation{std::chrono::minutes(2)};  ///< the reply to DATA
    std::chrono::milliseconds data_block{std::chrono::minutes(3)};  ///< each block of data sent
    std::chrono::milliseconds data_termination{
        std::chrono::minutes(10)};  ///< the reply to the final dot

    /// The limit for one phase.
    LETTRE_EXPORT std::chrono::milliseconds of(phase p) const noexcept;
    /// Sets every limit to `d` (handy in tests and for impatient callers).
    LETTRE_EXPORT static timeouts all(std::chrono::milliseconds d) noexcept;
};

/// How TLS connections are checked and authenticated.
struct tls_parameters {
    /// Name checked against the certificate and sent as SNI; the host when empty.
    std::string server_name;
    /// Trust these instead of the system store. Paths are plain strings
    /// (a std::filesystem::path converts), so that this header stays light.
    std::optional<std::string> ca_file;
    std::optional<std::string> ca_directory;  ///< a hashed directory of CA certificates
    /// A client certificate chain and key (PEM), for servers that ask.
    std::optional<std::string> client_certificate;
    std::optional<std::string> client_key;  ///< the key of client_certificate (PEM)
    /// Skips certificate and host name checks: anyone in the path can read
    /// and change the mail. For tests against self-signed servers only.
    bool accept_invalid_certificates_dangerous = false;
    /// Resume TLS sessions (TLS 1.3 tickets, TLS 1.2 session IDs) on later
    /// connections of the same transport to the same server, which saves
    /// most of a full handshake's CPU (pool reconnects, sends without a
    /// pool, MX deliveries). A session is offered again only to the same
    /// host, port and name under the same verification settings (CA file
    /// and directory, client certificate, verification on or off); DANE
    /// connections always make a full handshake. false: never resume.
    bool session_resumption = true;
};

/// The connection pool of a transport (on by default).
struct pool_config {
    /// false: every send opens its own connection (as many at once as there
    /// are sends) and QUITs it before completing; a failed send is not
    /// retried. `rate` still applies; the other fields do not.
    bool enabled = true;
    /// A real bound on concurrency: never more connections than this.
    std::size_t max_connections = 4;
    /// A connection is closed (QUIT) after this many messages; 0: no limit.
    std::size_t max_messages_per_connection = 100;
    /// Idle connections older than this are closed (QUIT) when the pool is
    /// next used, and all idle ones at shutdown; no timer is kept, so
    /// io_context::run() returns once the sends are done.
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
    /// A connection idle longer than this gets a NOOP before it is reused.
    std::chrono::milliseconds check_after_idle{std::chrono::seconds(5)};
    /// Sends waiting for a connection; when full, `on_full` decides.
    std::size_t max_waiting = 100'000;
    /// What a send does when max_waiting sends already wait: queue anyway,
    /// or fail with errc::pool_full.
    enum class when_full { wait, fail };
    when_full on_full = when_full::fail;  ///< see when_full
    /// At most `messages` sends started per `interval` (off when messages is 0).
    struct rate_limit {
        std::size_t messages = 0;                                     ///< sends per interval
        std::chrono::milliseconds interval{std::chrono::seconds(1)};  ///< the window
    };
    rate_limit rate;  ///< off by default
};

/// What the pool has done so far (read from any thread).
struct pool_metrics {
    std::size_t connections_open = 0;  ///< connections open now (busy or idle)
    std::size_t connections_idle = 0;  ///< open connections not in use now
    std::size_t messages_sent = 0;     ///< sends that succeeded
    std::size_t messages_failed = 0;   ///< sends that failed
    std::size_t reconnects = 0;        ///< retries on a fresh connection
    std::size_t waiting = 0;           ///< sends queued for a connection
};

/// Whether a traced line went to the server or came from it.
enum class trace_direction { sent, received };

/// Every line of the dialogue, without CRLF and unescaped; AUTH payloads as "<redacted>",
/// data as its size (after DATA or a BDAT line); "TLS <version> <cipher>" after a handshake.
using trace_hook = std::function<void(trace_direction, std::string_view line)>;

/// The machine's host name for EHLO (RFC 5321 §4.1.1.1 asks for the FQDN),
/// or "localhost" when it is not a usable domain.
LETTRE_EXPORT std::string default_hello_name();

/// Checks a name for EHLO/HELO: an RFC 5321 Domain (letter-digit-hyphen
/// labels of at most 63 characters, no hyphen at either end of a label, no
/// empty label, at most 255 in all) or an address literal that parses,
/// `[192.0.2.1]` or `[IPv6:2001:db8::1]`. The error (invalid_smtp_argument)
/// names the value and what is wrong. A transport whose hello_name fails
/// this check fails each send before connecting.
LETTRE_EXPORT result<void> check_hello_name(std::string_view name);

/// Everything a transport needs to open sessions.
struct transport_config {
    std::string host;          ///< the server's name or address
    std::uint16_t port = 587;  ///< the server's port
    client_config client;      ///< how sessions are conducted
    tls_parameters tls;        ///< certificate checks and client certificate
    smtp::timeouts timeouts;   ///< per-phase limits
    trace_hook trace;          ///< called with every line of the dialogue, when set
    pool_config pool;          ///< the connection pool

    /// DKIM signers applied to every message this transport sends (raw
    /// bytes included), in one pass (e.g. RSA + Ed25519, RFC 8463). A
    /// message that cannot be signed is not sent.
    std::vector<dkim::signer> dkim;
};

/// Reads `smtp://` and `smtps://` URLs:
///
///     smtps://user:pass@host[:465][?options]   implicit TLS (default port 465)
///     smtp://user:pass@host[:587][?options]    STARTTLS required (default 587)
///
/// User and password are percent-decoded. Options (`&`-separated):
/// `tls=required|opportunistic|none` (smtp:// only; `none` is plaintext),
/// `auth=PLAIN,LOGIN,...` (mechanisms in order of preference),
/// `ehlo=NAME`, `timeout=SECONDS` (each phase's deadline), `pipelining=false`,
/// `chunking=true`, `ca_file=PATH`, `plaintext_auth=dangerous`,
/// `certificates=dangerous-accept-invalid`. Unknown options are errors; smtp:// on 465 too.
LETTRE_EXPORT result<transport_config> parse_url(std::string_view url);

}  // namespace lettre::smtp
