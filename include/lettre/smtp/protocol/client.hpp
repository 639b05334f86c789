// The SMTP client conversation as a state machine: fed replies, it says what
// to do next (write these bytes, read, do the TLS handshake, done). It never
// touches a socket; the Asio driver and the unit tests run it.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/smtp/protocol/capabilities.hpp>
#include <lettre/smtp/protocol/commands.hpp>
#include <lettre/smtp/protocol/reply.hpp>
#include <lettre/smtp/protocol/sasl.hpp>
#include <lettre/smtp/response.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::smtp {

enum class tls_mode {
    none_dangerous,          ///< plaintext only (port 25 to a trusted relay, tests)
    starttls_opportunistic,  ///< STARTTLS when offered, else plaintext
    starttls_required,       ///< STARTTLS or fail (submission, 587)
    implicit,                ///< TLS from the first byte (submissions, 465)
};

struct client_config {
    std::string hello_name = "localhost";
    tls_mode tls = tls_mode::starttls_required;
    std::optional<smtp::credentials> credentials;
    std::vector<mechanism> mechanisms{default_mechanisms().begin(), default_mechanisms().end()};
    /// AUTH over an unencrypted connection; only for tests and trusted links.
    bool allow_plaintext_auth_dangerous = false;
    std::string server_host;         ///< for OAUTHBEARER's host=
    std::uint16_t server_port = 0;   ///< for OAUTHBEARER's port=
    bool pipelining = true;          ///< use PIPELINING when offered
    bool chunking = false;           ///< use BDAT when offered
    bool requiretls = false;         ///< send REQUIRETLS (fail when not offered)
    std::optional<dsn_request> dsn;  ///< DSN parameters (ignored when not offered)
};

class LETTRE_EXPORT client {
public:
    struct action {
        enum class type { write, read, tls_handshake, done };
        type what = type::done;
        std::string_view bytes;  ///< for write: valid until the next call
        smtp::phase phase = smtp::phase::greeting;
        std::error_code error;  ///< for done
        /// For write: more pieces to write after `bytes`, in order (a large
        /// message goes out from the caller's buffer, without a copy).
        std::array<std::string_view, 2> more{};
    };

    explicit client(client_config config);

    /// After TCP connect (and, for implicit TLS, after the handshake).
    action start_session(bool tls_active);
    /// One message. `smtputf8` when the message itself needs it.
    action start_send(const envelope& env, std::string_view message, bool smtputf8);
    action start_rset();
    action start_noop();
    action start_quit();

    /// Bytes read from the server.
    action on_read(std::string_view bytes);
    /// The last write completed.
    action on_written();
    /// The TLS handshake completed.
    action on_tls_established();

    const smtp::capabilities& capabilities() const noexcept { return caps_; }
    const smtp::diagnostics& diagnostics() const noexcept { return diag_; }
    const send_report& report() const noexcept { return report_; }
    bool tls_active() const noexcept { return tls_active_; }
    bool ready() const noexcept { return ready_; }
    /// The current step (the driver uses it to pick a timeout).
    smtp::phase current_phase() const noexcept { return phase_; }
    /// The server said it is closing (421) or broke the protocol.
    bool broken() const noexcept { return broken_; }

private:
    enum class state {
        idle,
        greeting,
        ehlo,
        helo,
        starttls,
        auth,
        mail,
        rcpt,
        data_cmd,
        pipelined,
        data_final,
        bdat_final,
        dot_after_failure,
        rset_then_fail,
        rset,
        noop,
        quit
    };

    action write(smtp::phase p, std::array<std::string_view, 2> more = {});
    action read(smtp::phase p);
    action done(std::error_code ec = {});
    action fail(errc code, std::string message, std::optional<reply> r = std::nullopt);
    action fail_reply(std::string_view what, const reply& r);
    action process();
    action handle(const reply& r);
    action after_ehlo();
    action begin_auth();
    action send_next_rcpt();
    action after_rcpts();
    action send_body();
    action reset_then_fail(errc code, std::string message, std::optional<reply> r);

    client_config cfg_;
    reply_parser parser_;
    smtp::capabilities caps_;
    smtp::diagnostics diag_;
    send_report report_;
    std::string out_;
    state state_ = state::idle;
    smtp::phase phase_ = smtp::phase::greeting;
    bool tls_active_ = false;
    bool ready_ = false;
    bool broken_ = false;
    std::optional<sasl_client> sasl_;

    // The transaction in progress.
    const envelope* env_ = nullptr;
    std::string_view message_;
    message_scan scan_;
    std::size_t next_rcpt_ = 0;
    std::size_t pipelined_left_ = 0;
    bool mail_ok_ = false;
    std::optional<reply> mail_reply_;
    std::optional<reply> data_reply_;
    bool chunked_ = false;
    std::optional<error_info> pending_;
};

}  // namespace lettre::smtp
