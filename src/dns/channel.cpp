#include "dns/channel.hpp"

#include "dns/ad_trust.hpp"
#include "dns/ares_status.hpp"
#include "dns/query_builder.hpp"

#include <fmt/format.h>
#include <boost/asio/error.hpp>

#include <ares.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

namespace lettre::dns::detail {

namespace asio = boost::asio;
using boost::system::error_code;

struct channel::watcher {
    watcher(const strand_type& s, int f) : sd(s), fd(f) {}
    asio::posix::stream_descriptor sd;
    int fd;
    bool want_read = false;
    bool want_write = false;
    bool reading = false;  ///< a read wait is in flight
    bool writing = false;
    bool closed = false;  ///< c-ares is done with the socket
};

struct channel::pending_query {
    channel* self;
    std::uint64_t id;
    std::optional<std::uint16_t> dns_id;  ///< send()'s queries: their DNS ID
};

/// Rides in every wait of ours. Asio destroys a handler without calling it
/// only when its io_context shuts down: then the channel abandons its
/// pending handlers. Move-only: only the last instance counts.
struct channel::abandon_guard {
    std::shared_ptr<channel> self;
    explicit abandon_guard(std::shared_ptr<channel> s) : self(std::move(s)) {}
    abandon_guard(abandon_guard&& o) noexcept : self(std::move(o.self)) {}
    abandon_guard& operator=(abandon_guard&&) = delete;
    abandon_guard(const abandon_guard&) = delete;
    ~abandon_guard() {
        if (self) self->abandon();
    }
    /// Called: the wait completed normally (or was cancelled).
    std::shared_ptr<channel> release() noexcept { return std::move(self); }
};

namespace {

/// c-ares needs ares_library_init once per process before the first channel
/// (a no-op on POSIX today, but required by its contract). It is reference
/// counted by c-ares; we take one reference for the process's lifetime.
void ensure_library() {
    static const int status = ares_library_init(ARES_LIB_INIT_ALL);
    static_cast<void>(status);
}

}  // namespace

channel::channel(asio::any_io_executor ex, const resolver_config& cfg, bool dnssec)
    : strand_(asio::make_strand(std::move(ex))), timer_(strand_) {
    ensure_library();
    ares_options opts{};
    int mask = ARES_OPT_SOCK_STATE_CB;
    opts.sock_state_cb = [](void* data, ares_socket_t fd, int r, int w) {
        on_sock_state(data, fd, r, w);
    };
    opts.sock_state_cb_data = this;
    if (cfg.timeout.count() > 0) {
        mask |= ARES_OPT_TIMEOUTMS;
        opts.timeout = static_cast<int>(cfg.timeout.count());
    }
    if (cfg.tries > 0) {
        mask |= ARES_OPT_TRIES;
        opts.tries = cfg.tries;
    }
    // NOCHECKRESP: c-ares 1.18 otherwise hides a SERVFAIL or REFUSED answer
    // behind ECONNREFUSED ("could not contact DNS servers"), and MX delivery
    // must tell them apart. The cost: such an answer from the first server
    // is final, the next server is not asked.
    mask |= ARES_OPT_FLAGS;
    opts.flags = ARES_FLAG_NOCHECKRESP | (cfg.tcp_only ? ARES_FLAG_USEVC : 0);
    if (dnssec) {
        // c-ares 1.18 takes a UDP answer over 512 octets for a truncated one
        // (and asks again over TCP) unless it knows the size we advertised.
        // A TC bit still makes it retry over TCP.
        opts.flags |= ARES_FLAG_EDNS;
        mask |= ARES_OPT_EDNSPSZ;
        opts.ednspsz = dnssec_udp_size;
    }
    ares_channel ch = nullptr;
    if (const int st = ares_init_options(&ch, &opts, mask); st != ARES_SUCCESS) {
        init_error_ = make_error(errc::dns_failed,
                                 fmt::format("cannot set up the resolver: {}", ares_strerror(st)));
        return;
    }
    ch_ = ch;
    if (!cfg.servers.empty()) {
        std::string csv;
        for (const auto& s : cfg.servers) csv += (csv.empty() ? "" : ",") + s;
        if (const int st = ares_set_servers_ports_csv(ch_, csv.c_str()); st != ARES_SUCCESS) {
            init_error_ = make_error(
                errc::dns_failed,
                fmt::format("invalid name server list \"{}\": {}", csv, ares_strerror(st)));
            ares_destroy(ch_);
            ch_ = nullptr;
            return;
        }
    }
    ad_trusted_ = detail::ad_trusted(server_addresses(), cfg.trust_ad);
}

std::vector<ip_address> channel::server_addresses() const {
    std::vector<ip_address> out;
    ares_addr_port_node* list = nullptr;
    if (ares_get_servers_ports(ch_, &list) != ARES_SUCCESS) return out;
    for (const ares_addr_port_node* n = list; n; n = n->next) {
        if (n->family == AF_INET) {
            ip_address::v4_bytes b{};
            std::memcpy(b.data(), &n->addr.addr4, 4);
            out.emplace_back(b);
        } else if (n->family == AF_INET6) {
            ip_address::v6_bytes b{};
            std::memcpy(b.data(), &n->addr.addr6, 16);
            out.emplace_back(b);
        }
    }
    ares_free_data(list);
    return out;
}

channel::~channel() {
    if (ch_) ares_destroy(ch_);  // reports every socket closed: releases the watchers
    for (auto& [fd, w] : watchers_) {
        // c-ares owns the descriptors: never let Asio close them.
        w->sd.release();
    }
}

void channel::on_sock_state(void* data, int fd, int readable, int writable) {
    static_cast<channel*>(data)->sock_state(fd, readable != 0, writable != 0);
}

void channel::sock_state(int fd, bool readable, bool writable) {
    auto it = watchers_.find(fd);
    if (!readable && !writable) {
        // c-ares is about to close the socket: forget it before the number is reused.
        if (it != watchers_.end()) {
            it->second->closed = true;
            it->second->sd.release();  // cancels the waits (operation_aborted)
            watchers_.erase(it);
        }
        return;
    }
    if (it == watchers_.end()) {
        auto w = std::make_shared<watcher>(strand_, fd);
        error_code ec;
        w->sd.assign(fd, ec);
        if (ec) return;  // c-ares will time the query out
        it = watchers_.emplace(fd, std::move(w)).first;
    }
    it->second->want_read = readable;
    it->second->want_write = writable;
}

void channel::wait(const std::shared_ptr<watcher>& w, bool for_write) {
    (for_write ? w->writing : w->reading) = true;
    w->sd.async_wait(
        for_write ? asio::posix::stream_descriptor::wait_write
                  : asio::posix::stream_descriptor::wait_read,
        [guard = abandon_guard(shared_from_this()), w, for_write](error_code ec) mutable {
            const auto self = guard.release();
            (for_write ? w->writing : w->reading) = false;
            if (w->closed || ec == asio::error::operation_aborted || !self->ch_) return;
            if (ec) return;  // c-ares will time the query out
            const ares_socket_t fd = w->fd;
            ares_process_fd(self->ch_, for_write ? ARES_SOCKET_BAD : fd,
                            for_write ? fd : ARES_SOCKET_BAD);
            self->arm();
        });
}

void channel::arm() {
    // Nothing here calls into c-ares, so the map cannot change meanwhile.
    for (auto& [fd, w] : watchers_) {
        if (w->want_read && !w->reading) wait(w, false);
        if (w->want_write && !w->writing) wait(w, true);
    }
    if (pending_ == 0 || !ch_) {
        timer_.cancel();
        return;
    }
    timeval tv{};
    if (!ares_timeout(ch_, nullptr, &tv)) return;
    timer_.expires_after(std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec));
    timer_.async_wait([guard = abandon_guard(shared_from_this())](error_code ec) mutable {
        const auto self = guard.release();
        if (ec || !self->ch_) return;
        ares_process_fd(self->ch_, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  // timeouts, retries
        self->arm();
    });
}

void channel::on_answer(void* arg, int status, int, unsigned char* abuf, int alen) {
    std::unique_ptr<pending_query> q(static_cast<pending_query*>(arg));
    channel& self = *q->self;
    --self.pending_;
    if (q->dns_id) self.ids_.erase(*q->dns_id);
    const auto it = self.handlers_.find(q->id);
    if (it == self.handlers_.end()) return;  // abandoned
    answer_handler handler = std::move(it->second);
    self.handlers_.erase(it);
    std::vector<std::uint8_t> answer;
    if (status == ARES_SUCCESS && abuf && alen > 0) answer.assign(abuf, abuf + alen);
    handler(from_ares_status(status), std::move(answer));
}

void channel::abandon() noexcept {
    // Destroyed outside the map: a handler's destructor may reach back.
    auto dropped = std::move(handlers_);
    handlers_.clear();
}

channel::pending_query* channel::track(answer_handler h) {
    const std::uint64_t id = next_id_++;
    handlers_.emplace(id, std::move(h));
    ++pending_;
    return new pending_query{this, id, std::nullopt};
}

std::uint16_t channel::fresh_id() {
    // At most 65536 IDs; a channel with that many queries in flight has
    // bigger problems, and the loop still ends (c-ares tells same-ID
    // queries apart by their question).
    std::uint16_t id = 0;
    for (int attempt = 0; attempt < 16; ++attempt) {
        id = static_cast<std::uint16_t>(random_() & 0xFFFF);
        if (!ids_.contains(id)) break;
    }
    return id;
}

void channel::send(std::vector<std::uint8_t> query, answer_handler h) {
    const std::uint16_t dns_id = fresh_id();
    query.at(0) = static_cast<std::uint8_t>(dns_id >> 8);
    query.at(1) = static_cast<std::uint8_t>(dns_id & 0xFF);
    ids_.insert(dns_id);  // before ares_send, which may call back at once
    auto* q = track(std::move(h));
    q->dns_id = dns_id;
    ares_send(
        ch_, query.data(), static_cast<int>(query.size()),
        [](void* arg, int status, int timeouts, unsigned char* abuf, int alen) {
            on_answer(arg, status, timeouts, abuf, alen);
        },
        q);
    arm();
}

void channel::query(const std::string& name, rr_type type, answer_handler h) {
    auto* q = track(std::move(h));
    ares_query(
        ch_, name.c_str(), 1 /* class IN */, static_cast<int>(type),
        [](void* arg, int status, int timeouts, unsigned char* abuf, int alen) {
            on_answer(arg, status, timeouts, abuf, alen);
        },
        q);
    arm();
}

void channel::cancel_all() {
    if (!ch_) return;
    ares_cancel(ch_);
    arm();
}

}  // namespace lettre::dns::detail
