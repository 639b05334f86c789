// The MX connection cache: idle SMTP sessions kept after a successful
// transaction, taken by a later domain whose plan reaches the same host at
// the same address, when the session meets that domain's TLS requirements.
// Runs on the transport's strand (no locks); the counters are atomics for
// other threads. Internal.
#pragma once

#include <lettre/transport/mx_transport.hpp>

#include "smtp/connection.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

namespace lettre::mx::detail {

/// What makes two sessions interchangeable, TLS aside: the same address
/// and port, the same name checked in the certificate (and sent as SNI),
/// the same EHLO name.
struct session_key {
    std::string ip;
    std::uint16_t port = 0;
    std::string server_name;
    std::string hello_name;
    bool operator==(const session_key&) const = default;
};

/// What a session proved when it was opened.
struct session_security {
    bool tls = false;   ///< STARTTLS done
    bool pkix = false;  ///< the certificate verified (CA and name server_name)
    /// The TLSA records (and DANE-TA names) that authenticated it.
    std::optional<smtp::detail::dane_requirement> dane;
};

/// What a domain's attempt on a host asks of a session.
struct session_need {
    bool plaintext_only = false;  ///< the plaintext retry after a failed handshake
    bool tls = false;             ///< STARTTLS mandatory (required, DANE records)
    bool pkix = false;            ///< a verified certificate (verified, MTA-STS enforce)
    /// DANE-authenticated against these records and names.
    const smtp::detail::dane_requirement* dane = nullptr;
};

/// Whether a session with `have` may carry a transaction that needs `need`:
/// - DANE: authenticated by the same records; for DANE-TA records also
///   against names the new domain accepts (every name the session's check
///   accepted is one of the new domain's: DANE-TA names include the
///   recipient domain); DANE-EE records ignore names (RFC 7672 §3.1.1);
/// - PKIX: verified for the same name (the key), with the same CA store
///   (one per transport); DANE authentication does not stand in for it;
/// - TLS: any TLS session;
/// - nothing: any session (an opportunistic domain's own attempt would
///   get the same), except the plaintext retry, which is never served.
bool satisfies(const session_security& have, const session_need& need);

class connection_cache {
public:
    using clock = std::chrono::steady_clock;
    using connection_ptr = std::shared_ptr<smtp::detail::connection>;

    explicit connection_cache(config::connection_cache_settings s) : cfg_(s) {}

    bool enabled() const noexcept { return cfg_.max_idle > 0; }
    /// A session taken from the cache: its transactions so far.
    struct taken {
        connection_ptr conn;
        session_security sec;  ///< what it proved when it was opened
        std::size_t transactions = 0;
    };
    /// An idle session for `key` that satisfies `need` (the most recent),
    /// if any. Expired ones are QUIT on the way.
    std::optional<taken> take(const session_key& key, const session_need& need,
                              clock::time_point now);
    /// Keeps `c`, which has just ended its `transactions`th transaction
    /// successfully, or QUITs it (cache off or shut down, transaction
    /// limit, not usable). The oldest idle session makes room.
    void put(connection_ptr c, session_key key, session_security sec, std::size_t transactions,
             clock::time_point now);
    /// QUITs every idle session; later put()s QUIT at once.
    void shutdown();

    void count_opened() noexcept { ++opened_; }
    void count_reused() noexcept { ++reused_; }
    connection_stats stats() const noexcept {
        return {opened_.load(), reused_.load(), idle_count_.load()};
    }

private:
    struct idle_session {
        connection_ptr conn;
        session_key key;
        session_security sec;
        std::size_t transactions = 0;
        clock::time_point since;
    };
    void sweep(clock::time_point now);
    static void quit(connection_ptr c);

    config::connection_cache_settings cfg_;
    std::deque<idle_session> idle_;  ///< oldest first
    bool shut_down_ = false;
    std::atomic<std::size_t> opened_{0}, reused_{0}, idle_count_{0};
};

}  // namespace lettre::mx::detail
