#include "transport/mx_conn_cache.hpp"

#include <boost/system/error_code.hpp>

#include <algorithm>
#include <utility>

namespace lettre::mx::detail {

namespace {

bool same_record(const smtp::detail::dane_tlsa& a, const smtp::detail::dane_tlsa& b) {
    return a.usage == b.usage && a.selector == b.selector && a.matching_type == b.matching_type &&
           a.data == b.data;
}

bool same_records(const smtp::detail::dane_requirement& a,
                  const smtp::detail::dane_requirement& b) {
    return std::equal(a.records.begin(), a.records.end(), b.records.begin(), b.records.end(),
                      same_record);
}

/// DANE-EE (3) binds the key itself; names play no part (RFC 7672 §3.1.1).
bool names_matter(const smtp::detail::dane_requirement& r) {
    return std::any_of(r.records.begin(), r.records.end(),
                       [](const smtp::detail::dane_tlsa& t) { return t.usage != 3; });
}

bool dane_satisfies(const smtp::detail::dane_requirement& have,
                    const smtp::detail::dane_requirement& need) {
    if (!same_records(have, need)) return false;
    if (!names_matter(have)) return true;
    // The session's certificate matched one of have.names: each must be
    // one the new domain accepts too (another recipient domain is not).
    return std::all_of(have.names.begin(), have.names.end(), [&](const std::string& n) {
        return std::find(need.names.begin(), need.names.end(), n) != need.names.end();
    });
}

}  // namespace

bool satisfies(const session_security& have, const session_need& need) {
    if (need.plaintext_only) return false;
    if (need.dane) return have.tls && have.dane && dane_satisfies(*have.dane, *need.dane);
    if (need.pkix) return have.tls && have.pkix;
    if (need.tls) return have.tls;
    return true;
}

std::optional<connection_cache::taken> connection_cache::take(const session_key& key,
                                                              const session_need& need,
                                                              clock::time_point now) {
    sweep(now);
    // The most recent first: the likeliest to be still open at the server.
    for (auto it = idle_.rbegin(); it != idle_.rend(); ++it) {
        if (!(it->key == key) || !satisfies(it->sec, need)) continue;
        taken t{std::move(it->conn), std::move(it->sec), it->transactions};
        idle_.erase(std::next(it).base());
        idle_count_ = idle_.size();
        return t;
    }
    return std::nullopt;
}

void connection_cache::put(connection_ptr c, session_key key, session_security sec,
                           std::size_t transactions, clock::time_point now) {
    sweep(now);
    const bool spent = cfg_.max_transactions > 0 && transactions >= cfg_.max_transactions;
    if (shut_down_ || !enabled() || spent || !c->usable()) return quit(std::move(c));
    while (idle_.size() >= cfg_.max_idle) {
        quit(std::move(idle_.front().conn));
        idle_.pop_front();
    }
    idle_.push_back({std::move(c), std::move(key), std::move(sec), transactions, now});
    idle_count_ = idle_.size();
}

void connection_cache::shutdown() {
    shut_down_ = true;
    for (auto& s : idle_) quit(std::move(s.conn));
    idle_.clear();
    idle_count_ = 0;
}

void connection_cache::sweep(clock::time_point now) {
    // No timer: a pending one would keep the caller's io_context::run()
    // from returning after the last send (as the SMTP pool).
    std::erase_if(idle_, [&](idle_session& s) {
        if (now - s.since < cfg_.idle_timeout) return false;
        quit(std::move(s.conn));
        return true;
    });
    idle_count_ = idle_.size();
}

void connection_cache::quit(connection_ptr c) {
    if (!c->usable()) return c->close();
    c->async_quit([c](boost::system::error_code) { c->close(); });
}

}  // namespace lettre::mx::detail
