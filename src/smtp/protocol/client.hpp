// The SMTP client conversation as a state machine: fed replies, it says what
// to do next (write these bytes, read, do the TLS handshake, done). It never
// touches a socket; the Asio driver and the unit tests run it.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include "smtp/protocol/capabilities.hpp"
#include "smtp/protocol/commands.hpp"
#include "smtp/protocol/reply.hpp"
#include "smtp/protocol/sasl.hpp"
#include <lettre/smtp/config.hpp>
#include <lettre/smtp/response.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::smtp {

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

    /// `server_host`/`server_port` name the server in OAUTHBEARER's
    /// host= and port=.
    explicit client(client_config config, std::string server_host = {},
                    std::uint16_t server_port = 0);

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
    std::string server_host_;
    std::uint16_t server_port_ = 0;
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
