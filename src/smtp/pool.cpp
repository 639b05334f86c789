#include "smtp/pool.hpp"

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace lettre::smtp::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using clock = std::chrono::steady_clock;

namespace {

/// A failure the pool may retry once on a fresh connection: the server never
/// took responsibility (no final dot sent) and the connection itself died.
bool retryable(error_code ec, phase failed, bool broken) {
    if (failed == phase::data_final) return false;  // outcome unknown: never resend
    if (ec == make_error_code(errc::connection_closed)) return true;
    if (ec == make_error_code(errc::smtp_transient) && broken)
        return true;  // 421: the server is closing this connection
    if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
        ec == asio::error::eof)
        return true;
    return false;
}

/// The outcome of a send whose connection was closed by a terminal
/// cancellation: operation_aborted, unless the final dot had gone out, when
/// the server may have taken the message (outcome_unknown, never "sent").
error_code cancelled_outcome(error_code ec, send_report& report) {
    auto& d = report.diagnostics;
    if (ec == make_error_code(errc::outcome_unknown)) {
        d.message =
            "cancelled after the end of data was sent; the server may or may not have "
            "accepted the message";
        d.error = ec;
        return ec;
    }
    d.message = fmt::format("cancelled during {}; the connection was closed", phase_name(d.phase));
    d.error = error_code(asio::error::operation_aborted);
    return asio::error::operation_aborted;
}

}  // namespace

pool::pool(asio::strand<asio::any_io_executor> strand, transport_config cfg,
           std::shared_ptr<asio::ssl::context> tls)
    : strand_(std::move(strand)),
      cfg_(std::move(cfg)),
      tls_(std::move(tls)),
      sessions_(std::make_shared<tls_session_cache>()),
      rate_timer_(strand_) {}

pool_metrics pool::metrics() const noexcept {
    return {m_open_.load(),   m_idle_.load(),       m_sent_.load(),
            m_failed_.load(), m_reconnects_.load(), m_waiting_.load()};
}

void pool::update_metrics() {
    m_open_ = open_;
    m_idle_ = idle_.size();
    m_waiting_ = waiting_.size();
}

void pool::submit(std::shared_ptr<send_request> req) {
    // The slot is connected here, in the initiating thread, as Asio's own
    // operations do: a cancellation emitted before the strand has taken the
    // send reaches it afterwards (the strand keeps the order).
    watch_cancellation(req);
    asio::dispatch(strand_, [self = shared_from_this(), req] {
        if (self->shut_down_) {
            send_report r;
            r.diagnostics.message = "the transport is shutting down";
            r.diagnostics.error = make_error_code(errc::shut_down);
            return self->finish(req, asio::error::operation_aborted, std::move(r));
        }
        self->start(req, false);
    });
}

void pool::watch_cancellation(const std::shared_ptr<send_request>& req) {
    auto slot = asio::get_associated_cancellation_slot(*req->handler);
    if (!slot.is_connected()) return;
    std::weak_ptr<send_request> weak = req;
    slot.assign([self = shared_from_this(), weak](asio::cancellation_type type) {
        asio::dispatch(self->strand_, [self, weak, type] {
            if (auto r = weak.lock()) self->cancel(r, type);
        });
    });
}

void pool::cancel(const std::shared_ptr<send_request>& r, asio::cancellation_type type) {
    if (r->finished) return;
    if (r->queued) {
        // Nothing happened yet: any kind of cancellation withdraws it.
        auto it = std::find(waiting_.begin(), waiting_.end(), r);
        if (it != waiting_.end()) waiting_.erase(it);
        r->queued = false;
        update_metrics();
        send_report rep;
        rep.diagnostics.message = "cancelled while waiting for a connection";
        rep.diagnostics.error = error_code(asio::error::operation_aborted);
        return finish(r, asio::error::operation_aborted, std::move(rep));
    }
    // Queued in a connection's window and nothing of it written yet: any
    // type withdraws it, as in waiting_, and the sends around it go on.
    if (auto c = r->on.lock(); c && r->window_id != 0 && c->withdraw(r->window_id)) return;
    // On a connection it opens for itself, nothing of the message has gone
    // out: any type withdraws it. On a health check or in a transaction only
    // a terminal cancellation may interrupt it. The connection is closed, as
    // it cannot be reused mid-transaction; the send completes through its
    // usual path (see cancelled_outcome) and the pool opens a new
    // connection for whoever waits.
    if (!r->opening && (type & asio::cancellation_type::terminal) == asio::cancellation_type::none)
        return;
    r->cancelled = true;
    if (auto c = r->on.lock()) {
        for (const auto& b : busy_)
            if (b->p.conn == c) b->cancel_closed = true;
        c->close();
    }
}

bool pool::rate_allows() {
    const auto& rate = cfg_.pool.rate;
    if (rate.messages == 0) return true;
    const auto now = clock::now();
    while (!recent_starts_.empty() && now - recent_starts_.front() >= rate.interval)
        recent_starts_.pop_front();
    if (recent_starts_.size() < rate.messages) {
        recent_starts_.push_back(now);
        return true;
    }
    if (!rate_timer_armed_) {
        rate_timer_armed_ = true;
        rate_timer_.expires_at(recent_starts_.front() + rate.interval);
        rate_timer_.async_wait([self = shared_from_this()](error_code ec) {
            self->rate_timer_armed_ = false;
            if (ec || self->shut_down_) return;
            // Wake the oldest waiters; start() queues them again if still too early.
            std::deque<std::shared_ptr<send_request>> again;
            again.swap(self->waiting_);
            for (auto& r : again) {
                r->queued = false;
                self->start(r, false);
            }
        });
    }
    return false;
}

void pool::start(std::shared_ptr<send_request> req, bool fresh) {
    if (req->finished) return;
    if (req->cancelled) {  // between two connections: nothing more to interrupt
        send_report r;
        const auto ec = cancelled_outcome(asio::error::operation_aborted, r);
        return finish(req, ec, std::move(r));
    }
    if (!fresh && !rate_allows()) {
        req->queued = true;
        waiting_.push_back(std::move(req));
        update_metrics();
        return;
    }
    const auto now = clock::now();
    while (!fresh && !idle_.empty()) {
        pooled p = std::move(idle_.back());  // most recently used: most likely alive
        idle_.pop_back();
        update_metrics();
        const auto idle_for = now - p.idle_since;
        if (idle_for >= cfg_.pool.idle_timeout || !p.conn->usable()) {
            retire(std::move(p));
            continue;
        }
        if (idle_for >= cfg_.pool.check_after_idle) {
            // Health check before reuse; a dead one is replaced transparently.
            auto conn = p.conn;
            req->on = conn;
            conn->async_noop([self = shared_from_this(), req, p](error_code ec) mutable {
                if (req->cancelled) {
                    send_report r;
                    r.diagnostics = p.conn->diagnostics();
                    r.diagnostics.phase = phase::noop;
                    const auto out = cancelled_outcome(asio::error::operation_aborted, r);
                    self->finish(req, out, std::move(r));
                    if (ec) return self->retire_and_refill(std::move(p));
                    return self->release(std::move(p));
                }
                if (ec) {
                    ++self->m_reconnects_;
                    self->retire(std::move(p));
                    return self->start(req, false);
                }
                self->run(req, std::move(p));
            });
            return;
        }
        return run(std::move(req), std::move(p));
    }
    if (open_ < max_open()) return open_for(std::move(req));
    // Every connection is open: join the window of the least busy one (not
    // for a retry, which goes on a fresh connection). The least busy, so
    // that the sends spread over the connections instead of filling the
    // first one's window while others carry one.
    if (!fresh) {
        if (auto b = least_busy_with_room()) return send_on(std::move(req), b);
    }
    if (waiting_.size() >= cfg_.pool.max_waiting &&
        cfg_.pool.on_full == pool_config::when_full::fail) {
        send_report r;
        r.diagnostics.error = make_error_code(errc::pool_full);
        r.diagnostics.message = "too many sends are waiting for a connection";
        return finish(req, make_error_code(errc::pool_full), std::move(r));
    }
    req->queued = true;
    req->on.reset();
    if (fresh)
        waiting_.push_front(std::move(req));  // a retry goes first
    else
        waiting_.push_back(std::move(req));
    update_metrics();
}

void pool::open_for(std::shared_ptr<send_request> req) {
    ++open_;
    update_metrics();
    auto conn = std::make_shared<connection>(asio::any_io_executor(strand_), cfg_, tls_);
    conn->use_session_cache(sessions_);
    req->on = conn;
    req->opening = true;
    conn->async_open([self = shared_from_this(), req, conn](error_code ec) {
        req->opening = false;
        if (ec || req->cancelled) {
            send_report r;
            r.diagnostics = conn->diagnostics();
            --self->open_;
            conn->close();
            if (req->cancelled) {
                ec = cancelled_outcome(asio::error::operation_aborted, r);
            } else if (self->may_retry(*req, ec, conn->diagnostics().phase, conn->fsm().broken())) {
                // Dropped during the greeting or EHLO (or 421 there): once
                // more on a fresh connection, as for a transaction.
                req->retried = true;
                ++self->m_reconnects_;
                self->update_metrics();
                return self->start(req, true);
            }
            self->finish(req, ec, std::move(r));
            // Whoever waits may still get a connection; try one now.
            return self->start_next_waiting();
        }
        self->run(req, pooled{conn, clock::now(), 0});
    });
}

void pool::run(std::shared_ptr<send_request> req, pooled p) {
    if (req->finished) return release(std::move(p));
    if (keeps_connections()) {
        auto b = std::make_shared<busy>();
        b->p = std::move(p);
        busy_.push_back(b);
        send_on(std::move(req), b);
        return fill_window(b);
    }
    // Without pooling: one send, then QUIT.
    auto conn = p.conn;
    req->on = conn;
    conn->async_send(req->env, req->bytes, req->smtputf8,
                     [self = shared_from_this(), req, p](error_code ec) mutable {
                         ++p.sent;
                         send_report report = p.conn->fsm().report();
                         if (ec) {
                             report.diagnostics = p.conn->diagnostics();
                             if (report.diagnostics.recipients.empty())
                                 report.diagnostics.recipients = report.recipients;
                             if (req->cancelled) {
                                 ec = cancelled_outcome(ec, report);
                             } else if (self->may_retry(*req, ec, p.conn->diagnostics().phase,
                                                        p.conn->fsm().broken())) {
                                 req->retried = true;
                                 ++self->m_reconnects_;
                                 self->retire(std::move(p));
                                 return self->start(req, true);
                             }
                         }
                         // (Cancelled, but the transaction ended first: its
                         // outcome stands.)
                         if (!self->keeps_connections())
                             return self->finish_single_use(std::move(req), ec, std::move(report),
                                                            std::move(p));
                         self->finish(req, ec, std::move(report));
                         self->release(std::move(p));
                     });
}

void pool::send_on(std::shared_ptr<send_request> req, const std::shared_ptr<busy>& b) {
    ++b->in_flight;
    req->on = b->p.conn;
    req->window_id = b->p.conn->async_send_windowed(
        req->env, req->bytes, req->smtputf8,
        [self = shared_from_this(), req, b](error_code ec, send_report report, bool abandoned) {
            self->on_sent(req, b, ec, std::move(report), abandoned);
        });
}

void pool::on_sent(const std::shared_ptr<send_request>& req, const std::shared_ptr<busy>& b,
                   error_code ec, send_report report, bool abandoned) {
    --b->in_flight;
    req->window_id = 0;
    // Withdrawn from the window (pool::cancel): nothing of it went out.
    const bool withdrawn = abandoned && ec == asio::error::operation_aborted;
    if (!withdrawn) ++b->p.sent;
    if (ec && !withdrawn) {
        if (req->cancelled) {
            ec = cancelled_outcome(ec, report);
        } else if (innocent(*req, *b, ec, abandoned)) {
            ++req->innocent_retries;
            ++m_reconnects_;
            retire_busy(b);
            start(req, true);
            return after_sent(b);
        } else if (may_retry(*req, ec, report.diagnostics.phase, b->p.conn->fsm().broken())) {
            req->retried = true;
            ++m_reconnects_;
            retire_busy(b);
            start(req, true);
            return after_sent(b);
        }
    }
    // (Cancelled, but the transaction ended first: its outcome stands.)
    finish(req, ec, std::move(report));
    after_sent(b);
}

void pool::after_sent(const std::shared_ptr<busy>& b) {
    if (b->in_flight > 0) return fill_window(b);
    busy_.erase(std::remove(busy_.begin(), busy_.end(), b), busy_.end());
    if (b->retired) return start_next_waiting();
    release(std::move(b->p));
}

bool pool::innocent(const send_request& req, const busy& b, error_code ec, bool abandoned) const {
    constexpr unsigned at_most = 3;
    return keeps_connections() && (abandoned || b.cancel_closed) &&
           req.innocent_retries < at_most && ec == make_error_code(errc::connection_closed);
}

std::shared_ptr<pool::busy> pool::least_busy_with_room() const {
    std::shared_ptr<busy> best;
    for (const auto& b : busy_)
        if ((!best || b->in_flight < best->in_flight) && has_room(*b)) best = b;
    return best;
}

bool pool::has_room(const busy& b) const {
    const std::size_t max_msgs = cfg_.pool.max_messages_per_connection;
    return keeps_connections() && !shut_down_ && !b.retired && b.p.conn &&
           b.p.conn->can_take_send() && (max_msgs == 0 || b.p.sent + b.in_flight < max_msgs);
}

void pool::fill_window(const std::shared_ptr<busy>& b) {
    while (!waiting_.empty() && has_room(*b)) {
        auto next = next_waiting();
        if (!next) break;
        send_on(std::move(next), b);
    }
}

std::shared_ptr<send_request> pool::next_waiting() {
    while (!waiting_.empty()) {
        auto next = std::move(waiting_.front());
        waiting_.pop_front();
        next->queued = false;
        update_metrics();
        if (next->finished) continue;
        if (!rate_allows()) {
            next->queued = true;
            waiting_.push_front(std::move(next));
            return nullptr;
        }
        return next;
    }
    return nullptr;
}

/// Once per connection, however many of its sends fail.
void pool::retire_busy(const std::shared_ptr<busy>& b) {
    if (b->retired) return;
    b->retired = true;
    if (b->in_flight == 0) return retire(b->p);
    --open_;
    update_metrics();
    b->p.conn->close();  // the sends still on it complete as lost
}

std::size_t pool::max_open() const noexcept {
    if (!keeps_connections()) return std::numeric_limits<std::size_t>::max();
    return std::max<std::size_t>(cfg_.pool.max_connections, 1);
}

bool pool::may_retry(const send_request& req, error_code ec, phase failed, bool broken) const {
    return keeps_connections() && !req.retried && retryable(ec, failed, broken);
}

void pool::finish_single_use(std::shared_ptr<send_request> req, error_code ec, send_report report,
                             pooled p) {
    --open_;
    update_metrics();
    auto conn = p.conn;
    if (!conn->usable()) {
        conn->close();
        return finish(req, ec, std::move(report));
    }
    conn->async_quit(
        [self = shared_from_this(), req, ec, conn, r = std::move(report)](error_code) mutable {
            conn->close();
            self->finish(req, ec, std::move(r));
            self->start_next_waiting();  // a send held back by the rate limit
        });
}

void pool::start_next_waiting() {
    while (!shut_down_ && !waiting_.empty() && open_ < max_open()) {
        auto next = std::move(waiting_.front());
        waiting_.pop_front();
        next->queued = false;
        update_metrics();
        if (next->finished) continue;
        return start(next, false);
    }
}

void pool::retire_and_refill(pooled p) {
    retire(std::move(p));
    start_next_waiting();
}

void pool::release(pooled p) {
    const std::size_t max_msgs = cfg_.pool.max_messages_per_connection;
    if (!keeps_connections() || shut_down_ || !p.conn->usable() ||
        (max_msgs > 0 && p.sent >= max_msgs)) {
        return retire_and_refill(std::move(p));
    }
    if (auto next = next_waiting()) return run(std::move(next), std::move(p));
    p.idle_since = clock::now();
    idle_.push_back(std::move(p));
    update_metrics();
    arm_idle_timer();
}

void pool::retire(pooled p) {
    --open_;
    update_metrics();
    auto conn = p.conn;
    if (conn->usable()) {
        conn->async_quit([conn](error_code) { conn->close(); });
    } else {
        conn->close();
    }
}

void pool::arm_idle_timer() {
    // Idle connections are swept whenever the pool is used, not by a timer:
    // a pending timer would keep io_context::run() from returning after the
    // last send, a surprise for programs that send and exit. Whatever is
    // still idle is QUIT at shutdown (or when the transport is destroyed).
    sweep_idle_now();
}

void pool::sweep_idle() {
    sweep_idle_now();
}

void pool::sweep_idle_now() {
    const auto now = clock::now();
    std::deque<pooled> keep;
    for (auto& p : idle_) {
        if (now - p.idle_since >= cfg_.pool.idle_timeout)
            retire(std::move(p));
        else
            keep.push_back(std::move(p));
    }
    idle_.swap(keep);
    update_metrics();
}

void pool::finish(const std::shared_ptr<send_request>& req, error_code ec, send_report report) {
    if (req->finished) return;
    req->finished = true;
    req->queued = false;
    req->on.reset();
    if (ec)
        ++m_failed_;
    else
        ++m_sent_;
    send_handler h(std::move(*req->handler));
    req->handler.reset();
    // Never inline: deferred through the strand, then run on the handler's
    // own executor (Boost 1.81 cannot post to an any_completion_executor).
    asio::post(strand_, [h = std::move(h), ec, r = std::move(report), ex = strand_]() mutable {
        auto hex = asio::get_associated_executor(h, ex);
        asio::dispatch(hex, [h = std::move(h), ec, r = std::move(r)]() mutable {
            // Disconnect our cancellation handler (it holds the pool) where
            // the caller's code runs, as Asio's operations do on completion.
            auto slot = asio::get_associated_cancellation_slot(h);
            if (slot.is_connected()) slot.clear();
            std::move(h)(ec, std::move(r));
        });
    });
}

void pool::shutdown() {
    asio::dispatch(strand_, [self = shared_from_this()] {
        self->shut_down_ = true;
        self->rate_timer_.cancel();
        auto waiting = std::move(self->waiting_);
        self->waiting_.clear();
        for (auto& r : waiting) {
            send_report rep;
            rep.diagnostics.error = make_error_code(errc::shut_down);
            rep.diagnostics.message = "the transport shut down before a connection was free";
            self->finish(r, asio::error::operation_aborted, std::move(rep));
        }
        auto idle = std::move(self->idle_);
        self->idle_.clear();
        for (auto& p : idle) self->retire(std::move(p));
        self->update_metrics();
    });
}

}  // namespace lettre::smtp::detail
