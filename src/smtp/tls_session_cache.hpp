// TLS session resumption for SMTP client connections: the sessions of a
// transport's earlier connections, offered again to the same server under
// the same verification settings. Internal (LETTRE_EXPORT: lettre_mx keeps
// a cache for its connections, across the library boundary in a shared
// build).
#pragma once

#include <lettre/smtp/config.hpp>

#include <openssl/ssl.h>

#include <cstddef>
#include <deque>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

namespace lettre::smtp::detail {

/// One counted reference to an SSL_SESSION.
class LETTRE_EXPORT session_ref {
public:
    session_ref() = default;
    /// Takes over a reference the caller owns.
    explicit session_ref(SSL_SESSION* adopted) noexcept : s_(adopted) {}
    /// A new reference to `s` (null stays null).
    static session_ref share(SSL_SESSION* s) noexcept;
    session_ref(const session_ref& o) noexcept : session_ref(share(o.s_).release()) {}
    session_ref(session_ref&& o) noexcept : s_(o.release()) {}
    session_ref& operator=(session_ref o) noexcept {
        std::swap(s_, o.s_);
        return *this;
    }
    ~session_ref();

    SSL_SESSION* get() const noexcept { return s_; }
    explicit operator bool() const noexcept { return s_ != nullptr; }
    SSL_SESSION* release() noexcept { return std::exchange(s_, nullptr); }

private:
    SSL_SESSION* s_ = nullptr;
};

/// What a session may be resumed under: the address connected to, the port,
/// the name sent as SNI and checked, the TLS mode and everything that
/// decides whether a certificate is accepted (verification on or off, CA
/// file and directory) or who we are (client certificate). Two
/// configurations with the same key would have accepted the same server.
LETTRE_EXPORT std::string session_key(const transport_config& cfg);

/// Sessions by key, shared by the connections of one transport (the pool's,
/// or an MX transport's) and safe to use from several threads. Bounded: at
/// most `max_keys` servers (the least recently used goes first), a few
/// sessions each. TLS 1.3 tickets are used once (RFC 8446 §C.4: a reused
/// ticket links the connections); a TLS 1.2 session is offered again until
/// it expires.
class LETTRE_EXPORT tls_session_cache {
public:
    static constexpr std::size_t default_max_keys = 100;
    static constexpr std::size_t sessions_per_key = 4;

    explicit tls_session_cache(std::size_t max_keys = default_max_keys) : max_keys_(max_keys) {}

    /// The session to offer for `key`, or null (none, or all expired).
    session_ref take(const std::string& key);
    /// Keeps `s` for `key` if it can be resumed; the newest first.
    void store(const std::string& key, session_ref s);
    /// Forgets every session of `key`: a handshake offering one failed.
    void drop(const std::string& key);
    /// Sessions kept for `key` (for tests).
    std::size_t count(const std::string& key) const;
    std::size_t keys() const;

private:
    struct entry {
        std::string key;
        std::deque<session_ref> sessions;  ///< newest first
    };
    using lru_list = std::list<entry>;
    /// Moves `it` to the front (most recently used).
    void touch(lru_list::iterator it);

    mutable std::mutex m_;
    std::size_t max_keys_;
    lru_list lru_;  ///< most recently used first
    std::unordered_map<std::string, lru_list::iterator> index_;
};

/// Makes the client contexts hand each new session (a TLS 1.2 session at the
/// end of the handshake, a TLS 1.3 ticket whenever it arrives after it) to
/// the session_slot of the connection whose SSL received it. Sessions of an
/// SSL without a slot (DANE, MTA-STS fetches) are not kept.
LETTRE_EXPORT void enable_session_collection(SSL_CTX* ctx);

/// One connection's link to its transport's cache.
class LETTRE_EXPORT session_slot {
public:
    session_slot() = default;
    session_slot(const session_slot&) = delete;
    session_slot& operator=(const session_slot&) = delete;

    /// Links the slot to `cache`, for sessions made under `key`; `verified`:
    /// the connection checks the certificate.
    void assign(std::shared_ptr<tls_session_cache> cache, std::string key, bool verified) {
        cache_ = std::move(cache);
        key_ = std::move(key);
        verified_ = verified;
    }

    explicit operator bool() const noexcept { return cache_ != nullptr; }
    /// Before the handshake: links `ssl` to this slot (it must outlive
    /// `ssl`) and offers a cached session if there is one. False when
    /// OpenSSL refused the link.
    bool attach(SSL* ssl);
    /// A handshake failed: a session offered to it is not offered again.
    void handshake_failed();
    /// A TLS error after the handshake (a fatal alert, a bad record): the
    /// server's sessions are not offered again (RFC 5246 §7.2.2).
    void forget();
    /// Called by OpenSSL (through enable_session_collection): keeps a copy
    /// of `s`. True when the reference to `s` itself was taken (never).
    bool collect(SSL* ssl, SSL_SESSION* s);

private:
    std::shared_ptr<tls_session_cache> cache_;
    std::string key_;
    bool verified_ = true;  ///< the certificate was checked: keep only accepted sessions
    bool offered_ = false;
};

}  // namespace lettre::smtp::detail
