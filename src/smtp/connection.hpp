// One SMTP connection: the Asio driver of the sans-io client. The only place
// where SMTP touches sockets and TLS. Internal.
#pragma once

#include <lettre/smtp/config.hpp>
#include "smtp/protocol/client.hpp"
#include "smtp/tls_session_cache.hpp"

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lettre::smtp::detail {

using op_handler = boost::asio::any_completion_handler<void(boost::system::error_code)>;
/// A send in the pipelining window completes with its own report (the
/// client's report is the next transaction's by the time a posted handler
/// would run).
using windowed_send_handler =
    boost::asio::any_completion_handler<void(boost::system::error_code, send_report, bool)>;

/// Builds the TLS context of a transport: verification on, TLS >= 1.2.
/// `used` false (plaintext only): a bare context, no certificates loaded.
/// (LETTRE_EXPORT here and on `connection`: lettre_mx uses them across the
/// library boundary in a shared build. Internal, not installed.)
LETTRE_EXPORT std::shared_ptr<boost::asio::ssl::context> make_tls_context(const tls_parameters& p,
                                                                          std::error_code& ec,
                                                                          std::string& why,
                                                                          bool used = true);

/// One TLSA record (RFC 6698) for DANE: the fields as served.
struct dane_tlsa {
    std::uint8_t usage = 0;          ///< 2 DANE-TA or 3 DANE-EE (the only ones SMTP uses)
    std::uint8_t selector = 0;       ///< 0 full certificate, 1 SubjectPublicKeyInfo
    std::uint8_t matching_type = 0;  ///< 0 exact, 1 SHA-256, 2 SHA-512
    std::vector<std::uint8_t> data;  ///< the certificate association data
};

/// Whether RFC 7672 §3.1 lets SMTP use `r`: DANE-TA(2) or DANE-EE(3), a
/// known selector and matching type, and data of the digest's length.
/// PKIX-TA(0) and PKIX-EE(1) are unusable for SMTP.
LETTRE_EXPORT bool usable_for_smtp(const dane_tlsa& r) noexcept;

/// DANE authentication of one connection (RFC 7672 §3.2): the server's
/// certificate must match one of `records` (all usable_for_smtp). For
/// DANE-TA the certificate must also name one of `names`: the MX host
/// first (the TLSA base domain), then the recipient domain when the MX
/// records were found securely. DANE-EE ignores names and dates.
struct dane_requirement {
    std::vector<dane_tlsa> records;
    std::vector<std::string> names;
};

/// A TLS context for DANE connections: peer verification on, DANE enabled
/// (SSL_CTX_dane_enable), no trust store: the TLSA records are the trust.
LETTRE_EXPORT std::shared_ptr<boost::asio::ssl::context> make_dane_tls_context(std::error_code& ec,
                                                                               std::string& why);

class LETTRE_EXPORT connection : public std::enable_shared_from_this<connection> {
public:
    connection(boost::asio::any_io_executor ex, const transport_config& cfg,
               std::shared_ptr<boost::asio::ssl::context> tls);

    /// Resolve, connect (each address in turn), implicit TLS, greeting,
    /// EHLO, STARTTLS, AUTH.
    void async_open(op_handler h);
    /// One transaction; the outcome is in fsm().report() / diagnostics().
    void async_send(const envelope& env, std::string_view bytes, bool smtputf8, op_handler h);
    /// A send that may join the ones in flight (the pipelining window, see
    /// smtp/protocol/client.hpp): call when idle or when can_take_send().
    /// Each completes, in order, with its own report; after a lost
    /// connection, those that had not gone out complete with
    /// connection_closed, those whose message went out with outcome_unknown;
    /// the handler's bool says the send never had its turn (see
    /// client::abandoned): it failed only because another one did.
    /// Returns the send's identity for withdraw.
    std::uint64_t async_send_windowed(const envelope& env, std::string_view bytes, bool smtputf8,
                                      windowed_send_handler h);
    /// A windowed send whose operation was cancelled: when nothing of it
    /// has gone out (client::withdraw), it leaves the window and completes
    /// with operation_aborted (never had its turn), the others undisturbed.
    /// False when its commands went out already: its replies will come, so
    /// only closing the connection can stop it.
    bool withdraw(std::uint64_t id);
    /// Another windowed send may be handed over now.
    bool can_take_send() const noexcept { return usable() && windowed_ && fsm_.can_queue(); }
    /// Windowed sends handed over and not completed yet.
    std::size_t sends_in_flight() const noexcept { return sends_.size(); }
    void async_rset(op_handler h);
    void async_noop(op_handler h);
    void async_quit(op_handler h);
    /// Closes at once; pending operations complete with operation_aborted.
    void close();

    /// Authenticates the server with DANE instead of PKIX (call before
    /// async_open). `tls` must come from make_dane_tls_context and the mode
    /// must require STARTTLS (or be implicit TLS).
    void use_dane(dane_requirement d) { dane_ = std::move(d); }
    /// Resumes TLS sessions from `cache` and keeps this connection's there
    /// (call before async_open; `tls` must have enable_session_collection).
    /// Ignored with DANE, and when cfg.tls.session_resumption is false.
    void use_session_cache(std::shared_ptr<tls_session_cache> cache);
    /// Whether the last handshake resumed a session.
    bool tls_resumed() const noexcept { return resumed_; }
    /// OpenSSL's verify result of the last handshake (0, X509_V_OK, when it
    /// refused no certificate): what a TLS report classifies.
    long tls_verify_result() const noexcept { return verify_result_; }

    const client& fsm() const noexcept { return fsm_; }
    bool usable() const noexcept { return open_ && fsm_.ready() && !fsm_.broken(); }
    smtp::diagnostics& diagnostics() noexcept { return diag_; }
    const smtp::diagnostics& diagnostics() const noexcept { return diag_; }

private:
    void on_resolved(boost::system::error_code ec,
                     boost::asio::ip::tcp::resolver::results_type results);
    /// Each address in turn, within the connect timeout.
    void connect(std::vector<boost::asio::ip::tcp::endpoint> endpoints);
    void drive(client::action a);
    /// Writes the commands of queued sends that may go ahead (client::
    /// take_ahead) while the running transaction's read is outstanding.
    void write_ahead();
    void ahead_written(boost::system::error_code ec);
    void start_write(client::action a);
    void start_read(client::action a);
    void io_failed(boost::system::error_code ec, phase p);
    void complete(boost::system::error_code ec);
    /// The running windowed send is done: its handler, then the next one.
    void finish_windowed(boost::system::error_code ec);
    /// Completes a windowed send's handler (on its executor, never inline
    /// in a handler of the connection's own).
    void complete_windowed(windowed_send_handler h, boost::system::error_code ec,
                           send_report report, bool abandoned);
    /// Starts the deadline of phase `p` (its whole limit from now).
    void arm(phase p);
    /// Arms for action `a` when it starts a phase or a command's reply; the
    /// bytes of one reply never extend its deadline.
    void arm_for(const client::action& a);
    /// A session refused cleanly while opening: QUIT first (the server then
    /// logs a normal end, not a lost connection), then report `ec`.
    void quit_then_fail(boost::system::error_code ec);
    void finish_quit_after_failure();
    /// The sentence for a failed handshake: the certificate's verify result
    /// and the name checked, or a plaintext server behind smtps://.
    std::string tls_failure(boost::system::error_code ec);
    void trace_sent(const client::action& a, phase p);
    /// The write's own commands or message, without the `followers` octets
    /// of later sends at its end.
    void trace_own(const client::action& a, phase p, std::size_t followers);
    void trace_followers(std::string_view bytes);
    void trace_received(std::string_view bytes);
    void trace_tls();
    /// Sets up the handshake's checks: SNI and PKIX name, or DANE. Returns
    /// false (with diag_.message set) when OpenSSL refuses the settings.
    bool prepare_handshake();
    bool prepare_dane(const std::string& sni);
    /// The sentence for a certificate DANE refused.
    /// `when`: validity_note() of the refused chain (may be empty).
    std::string dane_failure(long verify, const std::string& when) const;

    boost::asio::any_io_executor ex_;
    const transport_config cfg_;  ///< a copy: a pooled connection may outlive its pool
    std::shared_ptr<boost::asio::ssl::context> tls_ctx_;
    /// Before stream_: the SSL refers to it until the stream is gone.
    session_slot resume_;
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::steady_timer resolve_timer_;
    std::optional<boost::asio::ssl::stream<boost::beast::tcp_stream>> stream_;
    client fsm_;
    smtp::diagnostics diag_;
    std::vector<boost::asio::ip::tcp::endpoint> endpoints_;  ///< being tried by async_connect
    std::array<char, 16 * 1024> buf_{};
    std::optional<op_handler> pending_;
    struct windowed_send {
        std::uint64_t id;
        windowed_send_handler handler;
    };
    std::deque<windowed_send> sends_;  ///< windowed sends, oldest (running) first
    bool windowed_ = false;            ///< windowed sends are running
    bool reading_ = false;             ///< a read of the client's is outstanding
    bool writing_ahead_ = false;       ///< write_ahead's write is outstanding
    /// The shortest time seen from a write of the client's to the first
    /// bytes of the reply (the round trip as the application sees it;
    /// max() until measured). write_ahead() waits for it to reach
    /// ahead_min_latency_.
    std::chrono::steady_clock::duration reply_latency_ = std::chrono::steady_clock::duration::max();
    std::chrono::steady_clock::time_point written_at_{};
    /// Below this round trip an ahead write costs more than it saves: the
    /// server reads the two writes apart and answers each on its own, and a
    /// server with Nagle's algorithm on (Postfix's smtpd and smtp-sink) then
    /// holds its second answer until our ACK of the first, which the kernel
    /// delays. Measured on loopback against smtp-sink: 7,600 msg/s over 10
    /// connections with ahead writes, 31,000 without; at 20 ms of RTT they
    /// take one round trip per message instead of 1.5.
    std::chrono::steady_clock::duration ahead_min_latency_ = std::chrono::milliseconds(2);
    bool timing_reply_ = false;  ///< a write is done and its reply not come yet
    /// A write of the client's that came while write_ahead's was
    /// outstanding (two writes at once would interleave): it goes next.
    std::optional<client::action> deferred_write_;
    std::string trace_partial_;  ///< a received line not complete yet
    bool tls_ = false;
    bool open_ = false;
    bool resolve_timed_out_ = false;
    bool implicit_handshake_ = false;  ///< the handshake that opens an smtps session
    bool opening_ = false;             ///< async_open is running
    std::optional<phase> armed_;       ///< the phase whose deadline runs
    std::size_t armed_replies_ = 0;    ///< fsm replies when it was armed
    /// Set while the QUIT after a refused session runs: what to report then.
    struct refused_session {
        boost::system::error_code ec;
        smtp::diagnostics diag;
    };
    std::optional<refused_session> quit_after_;
    std::optional<dane_requirement> dane_;
    long verify_result_ = 0;  ///< X509_V_OK
    bool resumed_ = false;
};

}  // namespace lettre::smtp::detail
