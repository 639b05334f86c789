// The SMTP client conversation: fed replies, it says what to do next (write
// these bytes, read, do the TLS handshake, done). It never touches a socket;
// the Asio driver and the unit tests run it. Each operation is its own small
// algorithm (open_session, authenticate inside it, transaction,
// simple_command) over one shared session_state; the client only routes
// events to the one running.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/smtp/config.hpp>
#include <lettre/smtp/response.hpp>
#include "smtp/protocol/action.hpp"
#include "smtp/protocol/capabilities.hpp"
#include "smtp/protocol/commands.hpp"
#include "smtp/protocol/open_session.hpp"
#include "smtp/protocol/reply.hpp"
#include "smtp/protocol/sasl.hpp"
#include "smtp/protocol/session_state.hpp"
#include "smtp/protocol/simple_command.hpp"
#include "smtp/protocol/transaction.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::smtp {

class LETTRE_EXPORT client {
public:
    using action = client_action;

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

    const smtp::capabilities& capabilities() const noexcept { return st_.caps; }
    const smtp::diagnostics& diagnostics() const noexcept { return st_.diag; }
    const send_report& report() const noexcept { return st_.report; }
    bool tls_active() const noexcept { return st_.tls_active; }
    bool ready() const noexcept { return st_.ready; }
    /// The current step (the driver uses it to pick a timeout).
    smtp::phase current_phase() const noexcept { return st_.phase; }
    /// The server said it is closing (421) or broke the protocol.
    bool broken() const noexcept { return st_.broken; }
    /// Complete replies handled so far (the driver starts a reply's
    /// deadline when the one before it is in).
    std::size_t replies_handled() const noexcept { return replies_; }

private:
    /// The algorithm that gets the next reply; none between operations.
    enum class running { none, open_session, transaction, command };

    action handle(const reply& r);
    action unexpected(const reply& r);
    /// Every action goes out through here: `done` ends the operation.
    action settle(action a);

    session_state st_;
    running running_ = running::none;
    open_session open_;
    transaction transaction_;
    simple_command command_;
    std::size_t replies_ = 0;
};

}  // namespace lettre::smtp
