// The connection pool behind async_smtp_transport, and its one send path.
// Everything runs on one strand, so the pool needs no locks; metrics are
// atomics for other threads. Internal.
//
// A pooled connection whose server offers PIPELINING carries a window of
// sends (connection::async_send_windowed, smtp/protocol/client.hpp): a send
// goes to an idle connection first, then to a new one while max_connections
// allows, then joins the window of a busy one, then waits. The retry rule is
// unchanged: once, on a fresh connection, only for a send the server cannot
// have taken (nothing of it went out, or it was refused by a closing server
// before its data).
//
// Without pooling (pool_config::enabled false) it is a pool that keeps
// nothing: every send opens its own connection (no bound, as many at once as
// are sent), QUITs it before completing, and is never retried.
#pragma once

#include "smtp/connection.hpp"

#include <lettre/smtp/async_transport.hpp>
#include <lettre/smtp/config.hpp>
#include <lettre/smtp/response.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

namespace lettre::smtp::detail {

using send_handler = boost::asio::any_completion_handler<send_signature>;

/// One message waiting for, or travelling on, a pooled connection.
struct send_request {
    envelope env;
    std::shared_ptr<const void> owner;  ///< keeps `bytes` alive (null: the caller waits)
    std::string_view bytes;
    bool smtputf8 = false;
    // optional + emplace: Boost 1.81's any_completion_handler move-assignment recurses.
    std::optional<send_handler> handler;
    bool retried = false;           ///< the one retry on a fresh connection is spent
    unsigned innocent_retries = 0;  ///< failures caused by another send (pool::innocent)
    bool finished = false;
    bool queued = false;
    bool cancelled = false;  ///< cancellation accepted while on a connection
    /// Its own connection is opening: nothing of the message has gone out,
    /// so any type of cancellation may withdraw it.
    bool opening = false;
    /// The connection it is on (opening, health check or transaction), so
    /// that a terminal cancellation can close it.
    std::weak_ptr<connection> on;
    /// Its identity in the window of `on` (connection::withdraw); 0 when
    /// it is not a windowed send.
    std::uint64_t window_id = 0;
};

class pool : public std::enable_shared_from_this<pool> {
public:
    pool(boost::asio::strand<boost::asio::any_io_executor> strand, transport_config cfg,
         std::shared_ptr<boost::asio::ssl::context> tls);

    /// Takes a send; completes its handler exactly once. Called from the
    /// initiating thread (the cancellation slot is connected there).
    void submit(std::shared_ptr<send_request> req);
    /// QUITs idle connections, fails waiting sends with operation_aborted;
    /// sends in flight finish, then their connections are closed.
    void shutdown();
    pool_metrics metrics() const noexcept;

private:
    struct pooled {
        std::shared_ptr<connection> conn;
        std::chrono::steady_clock::time_point idle_since;
        std::size_t sent = 0;
    };

    /// A connection with windowed sends in flight.
    struct busy {
        pooled p;
        std::size_t in_flight = 0;
        bool retired = false;        ///< closed after a failure; counted out of open_
        bool cancel_closed = false;  ///< closed for another send's terminal cancellation
    };

    void start(std::shared_ptr<send_request> req, bool fresh);
    void send_on(std::shared_ptr<send_request> req, const std::shared_ptr<busy>& b);
    void on_sent(const std::shared_ptr<send_request>& req, const std::shared_ptr<busy>& b,
                 boost::system::error_code ec, send_report report, bool abandoned);
    /// After a windowed send completed: more into the window, or release.
    void after_sent(const std::shared_ptr<busy>& b);
    void fill_window(const std::shared_ptr<busy>& b);
    /// The first waiting send that has not finished, if the rate limit
    /// lets one go now (else it stays first in line); null otherwise.
    std::shared_ptr<send_request> next_waiting();
    /// The busy connection with the fewest sends in flight whose window has
    /// room; null when none has.
    std::shared_ptr<busy> least_busy_with_room() const;
    bool has_room(const busy& b) const;
    void retire_busy(const std::shared_ptr<busy>& b);
    void open_for(std::shared_ptr<send_request> req);
    void run(std::shared_ptr<send_request> req, pooled p);
    void release(pooled p);
    void retire(pooled p);  ///< QUIT (when usable) and close
    /// Without pooling: QUIT, close, then complete the send (so that a
    /// caller who waits sees the whole session over).
    void finish_single_use(std::shared_ptr<send_request> req, boost::system::error_code ec,
                           send_report report, pooled p);
    /// The one retry on a fresh connection: only when pooling, once, and
    /// only for a failure where the server never took the message.
    bool may_retry(const send_request& req, boost::system::error_code ec, phase failed,
                   bool broken) const;
    /// A send that failed only because another on its connection did (it
    /// had no turn, or the connection was closed for another's
    /// cancellation), and nothing of it can have been taken: it goes again
    /// without spending its one retry, a few times at most.
    bool innocent(const send_request& req, const busy& b, boost::system::error_code ec,
                  bool abandoned) const;
    bool keeps_connections() const noexcept { return cfg_.pool.enabled; }
    void finish(const std::shared_ptr<send_request>& req, boost::system::error_code ec,
                send_report report);
    bool rate_allows();
    void arm_idle_timer();
    void sweep_idle();
    void sweep_idle_now();
    void watch_cancellation(const std::shared_ptr<send_request>& req);
    void cancel(const std::shared_ptr<send_request>& req, boost::asio::cancellation_type type);
    /// Starts the first waiting send when a connection slot is free.
    void start_next_waiting();
    void retire_and_refill(pooled p);
    std::size_t max_open()
        const noexcept;  ///< max_connections, at least 1; no bound without pooling
    void update_metrics();

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    const transport_config cfg_;  ///< a copy: connections refer to it while the pool lives
    std::shared_ptr<boost::asio::ssl::context> tls_;
    /// The TLS sessions of this pool's connections, resumed by the next ones
    /// (reconnects, and every send when not pooling). Shared with them: a
    /// connection may outlive the pool.
    std::shared_ptr<tls_session_cache> sessions_;
    std::deque<pooled> idle_;
    std::vector<std::shared_ptr<busy>> busy_;
    std::deque<std::shared_ptr<send_request>> waiting_;
    std::deque<std::chrono::steady_clock::time_point> recent_starts_;  ///< rate limit window
    std::size_t open_ = 0;  ///< connections alive: idle, busy or opening
    bool shut_down_ = false;
    boost::asio::steady_timer rate_timer_;
    bool rate_timer_armed_ = false;

    std::atomic<std::size_t> m_open_{0}, m_idle_{0}, m_sent_{0}, m_failed_{0}, m_reconnects_{0},
        m_waiting_{0};
};

}  // namespace lettre::smtp::detail
