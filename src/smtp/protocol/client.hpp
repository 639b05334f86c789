// The SMTP client conversation: fed replies, it says what to do next (write
// these bytes, read, do the TLS handshake, done). It never touches a socket;
// the Asio driver and the unit tests run it. Each operation is its own small
// algorithm (open_session, authenticate inside it, transaction,
// simple_command) over one shared session_state; the client only routes
// events to the one running.
//
// The pipelining window (RFC 2920 §3.1, RFC 3030 §4.2). On a connection that
// offers PIPELINING, sends may be queued behind the running one
// (queue_send); the client writes their commands early, in the same write
// as the running transaction's last one or, when queued after it, in a
// write of their own while the driver awaits that transaction's replies
// (take_ahead), so that a busy connection needs about one round trip per
// message:
//   - DATA: the message and its end of data open a group that also carries
//     the next transaction's MAIL, RCPTs and DATA (also after an RSET).
//     Nothing may follow a DATA before its 354 and message, so at most one
//     transaction is ahead.
//   - CHUNKING: a whole transaction is one group (MAIL, RCPTs, BDAT LAST and
//     the message), so up to window-1 transactions go ahead, each starting
//     with RSET: after a refused BDAT the server's state is indeterminate
//     until RSET (RFC 3030 §2), and the one before may yet be refused.
// Replies come in order. Transactions still run one at a time: the next is
// activated (start_next) only once the one before is done, and its replies,
// buffered meanwhile, are read then; so each outcome (per-recipient
// replies, final reply, refusal) is what it would be alone. A transaction
// with others after it never writes again (its RSET would be answered after
// theirs); with chunking the next one's RSET does that job. When the
// session breaks (421, protocol error, connection_lost), every queued send
// completes at its turn: outcome_unknown when its message went out ahead
// (BDAT), connection_closed (nothing of it went out) otherwise, so that the
// pool's retry rule (only when the server cannot have taken the message)
// holds as before.
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
#include <cstdint>
#include <deque>
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

    /// Whether another send may be queued now: the session is ready, the
    /// server offers PIPELINING, pipelining is on, and the window has room.
    bool can_queue() const noexcept;
    /// Queues a send behind the running one (see above); `env` and
    /// `message` must stay valid until it is done. Its commands go out with
    /// the running transaction's next write when they may. Returns its
    /// identity for withdraw (never 0).
    std::uint64_t queue_send(const envelope& env, std::string_view message, bool smtputf8);
    /// Takes a queued send out of the window (its operation was
    /// cancelled) when nothing of it has gone out: no write action has
    /// carried its commands. False when it has (its replies will come; only
    /// closing the connection can stop it), when it is running, or when it
    /// is not queued. The others are not disturbed.
    bool withdraw(std::uint64_t id) noexcept;
    /// Starts the oldest queued send (after the one before it is done).
    action start_next();
    /// Commands of queued sends that may go ahead now, for the driver to
    /// write beside the read the running transaction waits on: a send
    /// queued after that transaction's last write would otherwise wait for
    /// its replies, one more round trip per message for a caller that
    /// keeps only two sends in flight. Call only while the driver awaits a
    /// read and no earlier ahead write is unfinished. Empty when none may
    /// go; those returned count as gone out (withdraw refuses them). The
    /// bytes stay valid until on_ahead_written().
    std::string_view take_ahead();
    /// The ahead write completed (or failed: the read will fail too).
    void on_ahead_written() noexcept { ahead_.clear(); }
    /// Sends queued and not started yet.
    std::size_t queued() const noexcept { return queue_.size(); }
    /// The driver lost the connection: queued sends complete at their turn.
    void connection_lost() noexcept;
    /// The last send done was completed without its turn on the wire: the
    /// session had broken while it was queued (see abandon).
    bool abandoned() const noexcept { return abandoned_; }
    /// The commands (and BDAT chunks) of later sends at the end of the last
    /// write action, for the driver's trace; empty when none went ahead.
    std::string_view followers() const noexcept { return followers_view_; }
    /// Transactions in flight at most, the running one included (>= 1).
    void set_window(std::size_t n) noexcept { window_ = n < 1 ? 1 : n; }

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
    /// The replies already buffered go to the running transaction first.
    action pump(action a);
    /// Appends the queued sends that may go ahead to the write `a`.
    action with_followers(action a);
    /// Appends to `out` the commands of the queued sends that may go ahead
    /// behind the running transaction's last write; false when none may.
    bool append_followers(std::string& out);
    /// How many queued sends went ahead already.
    std::size_t ahead() const noexcept;
    action abandon(bool data_sent);

    struct queued_send {
        const envelope* env = nullptr;
        std::string_view message;
        bool smtputf8 = false;
        transaction t;
        bool sent = false;  ///< its commands went ahead
        std::uint64_t id = 0;
    };

    session_state st_;
    running running_ = running::none;
    open_session open_;
    transaction transaction_;
    simple_command command_;
    std::size_t replies_ = 0;
    std::deque<queued_send> queue_;
    std::size_t window_ = 4;
    std::uint64_t last_id_ = 0;
    std::string followers_;            ///< the commands going ahead in the current write
    std::string_view followers_view_;  ///< followers_ without the write's own tail
    std::string ahead_;                ///< take_ahead's bytes, until written
    bool abandoned_ = false;
};

}  // namespace lettre::smtp
