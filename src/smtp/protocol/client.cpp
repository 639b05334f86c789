#include "smtp/protocol/client.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace lettre::smtp {

std::string_view phase_name(phase p) noexcept {
    switch (p) {
        case phase::connect: return "connect";
        case phase::tls_handshake: return "TLS handshake";
        case phase::greeting: return "greeting";
        case phase::ehlo: return "EHLO";
        case phase::starttls: return "STARTTLS";
        case phase::auth: return "AUTH";
        case phase::mail: return "MAIL FROM";
        case phase::rcpt: return "RCPT TO";
        case phase::data: return "DATA";
        case phase::data_transfer: return "message transfer";
        case phase::data_final: return "end of data";
        case phase::rset: return "RSET";
        case phase::noop: return "NOOP";
        case phase::quit: return "QUIT";
    }
    return "?";
}

client::client(client_config config, std::string server_host, std::uint16_t server_port) {
    st_.cfg = std::move(config);
    st_.server_host = std::move(server_host);
    st_.server_port = server_port;
}

client::action client::settle(action a) {
    if (a.what == action::type::done) running_ = running::none;
    if (a.what == action::type::write && running_ == running::transaction) return with_followers(a);
    return a;
}

bool client::can_queue() const noexcept {
    const std::size_t in_flight = queue_.size() + (running_ == running::transaction ? 1 : 0);
    return st_.ready && !st_.broken && st_.caps.pipelining && st_.cfg.pipelining &&
           in_flight < window_;
}

std::uint64_t client::queue_send(const envelope& env, std::string_view message, bool smtputf8) {
    queue_.push_back({&env, message, smtputf8, {}, false, ++last_id_});
    return last_id_;
}

bool client::withdraw(std::uint64_t id) noexcept {
    // The sent ones are the first of the queue; an unsent one has no
    // transaction before it that counts on it (set_followed marks only the
    // ones with sent followers), so taking it out changes nothing else.
    const auto it = std::find_if(queue_.begin(), queue_.end(),
                                 [id](const queued_send& q) { return q.id == id; });
    if (it == queue_.end() || it->sent) return false;
    queue_.erase(it);
    return true;
}

void client::connection_lost() noexcept {
    st_.broken = true;
    st_.ready = false;
}

std::size_t client::ahead() const noexcept {
    return static_cast<std::size_t>(
        std::count_if(queue_.begin(), queue_.end(), [](const queued_send& q) { return q.sent; }));
}

client::action client::with_followers(action a) {
    followers_view_ = {};
    std::string more(a.more[1]);
    const std::size_t own_tail = more.size();
    if (!append_followers(more)) return a;
    followers_ = std::move(more);
    followers_view_ = std::string_view(followers_).substr(own_tail);
    if (a.what == action::type::read) return {action::type::write, followers_, st_.phase, {}, {}};
    a.more[1] = followers_;
    return a;
}

std::string_view client::take_ahead() {
    ahead_.clear();
    if (running_ != running::transaction || st_.broken) return {};
    append_followers(ahead_);
    return ahead_;
}

bool client::append_followers(std::string& out) {
    if (queue_.empty() || !transaction_.may_be_followed() || !st_.caps.pipelining ||
        !st_.cfg.pipelining)
        return false;
    // DATA: nothing may follow a DATA command before its message, so one
    // transaction at most goes ahead (see client.hpp).
    const bool chunked = st_.cfg.chunking && st_.caps.chunking;
    const std::size_t max_ahead = chunked ? window_ - 1 : 1;
    std::size_t n = ahead();
    // The sent ones are the first n of the queue; each transaction with one
    // after it must not write again.
    transaction* last = n == 0 ? &transaction_ : &queue_[n - 1].t;
    bool added = false;
    for (auto& q : queue_) {
        if (q.sent) continue;
        if (n >= max_ahead || !q.t.presend(st_, *q.env, q.message, q.smtputf8, out)) break;
        q.sent = true;
        last->set_followed();
        last = &q.t;
        ++n;
        added = true;
    }
    return added;
}

client::action client::pump(action a) {
    while (a.what == action::type::read) {
        auto r = st_.parser.next();
        if (!r) break;
        ++replies_;
        a = settle(handle(*r));
    }
    return a;
}

client::action client::start_next() {
    if (queue_.empty()) return st_.fail(errc::smtp_protocol, "no send is queued");
    queued_send q = std::move(queue_.front());
    queue_.pop_front();
    running_ = running::transaction;
    abandoned_ = st_.broken;
    if (st_.broken) return settle(abandon(q.sent && q.t.data_sent_ahead()));
    if (!q.sent) return settle(transaction_.start(st_, *q.env, q.message, q.smtputf8));
    transaction_ = std::move(q.t);
    action a = pump(transaction_.activate(st_));
    // Chunking: a place freed in the window; the next queued send may go.
    if (a.what == action::type::read && running_ == running::transaction) return with_followers(a);
    return a;
}

/// A queued send whose turn came after the session broke.
client::action client::abandon(bool data_sent) {
    st_.diag.clear();
    st_.report = {};
    if (data_sent) {
        st_.phase = phase::data_final;
        return st_.fail(errc::outcome_unknown,
                        "the connection ended after this message went out (pipelined behind "
                        "another), before its reply; the server may or may not have accepted it");
    }
    st_.phase = phase::mail;
    return st_.fail(errc::connection_closed,
                    "the connection ended before this message went out (it was queued behind "
                    "another on the same connection); nothing of it was delivered");
}

client::action client::start_session(bool tls_active) {
    running_ = running::open_session;
    return settle(open_.start(st_, tls_active));
}

client::action client::start_send(const envelope& env, std::string_view message, bool smtputf8) {
    running_ = running::transaction;
    return settle(transaction_.start(st_, env, message, smtputf8));
}

client::action client::start_rset() {
    running_ = running::command;
    return settle(command_.start(st_, simple_command::kind::rset));
}

client::action client::start_noop() {
    running_ = running::command;
    return settle(command_.start(st_, simple_command::kind::noop));
}

client::action client::start_quit() {
    running_ = running::command;
    return settle(command_.start(st_, simple_command::kind::quit));
}

client::action client::on_written() {
    st_.out.clear();
    followers_view_ = {};
    if (running_ != running::transaction) return st_.read(st_.phase);
    // Replies of a pipelined window may be buffered already.
    return pump(st_.read(transaction_.awaiting_final_reply() ? phase::data_final : st_.phase));
}

client::action client::on_tls_established() {
    running_ = running::open_session;
    return settle(open_.on_tls_established(st_));
}

client::action client::on_read(std::string_view bytes) {
    if (!st_.parser.feed(bytes)) {
        st_.broken = true;
        if (running_ == running::open_session) st_.ready = false;
        return settle(st_.fail(errc::smtp_protocol, st_.parser.error()->message));
    }
    // Several replies may have come at once (pipelining): each goes to the
    // running algorithm until one asks for something other than a read.
    while (auto r = st_.parser.next()) {
        ++replies_;
        action a = settle(handle(*r));
        if (a.what != action::type::read) return a;
    }
    return st_.read(st_.phase);
}

client::action client::handle(const reply& r) {
    switch (running_) {
        case running::none: return unexpected(r);
        case running::open_session: return open_.resume(st_, r);
        case running::transaction: return transaction_.resume(st_, r);
        case running::command: return command_.resume(st_, r);
    }
    return unexpected(r);
}

/// A reply when nothing was asked: the server is out of step with us.
client::action client::unexpected(const reply& r) {
    if (r.code() == 421) return st_.closing(r);
    st_.broken = true;
    return st_.fail(errc::smtp_protocol,
                    fmt::format("unexpected reply from the server: {}", r.to_string()), r);
}

}  // namespace lettre::smtp
