#include "smtp/tls_session_cache.hpp"

#include <openssl/x509_vfy.h>

#include <ctime>

namespace lettre::smtp::detail {

session_ref session_ref::share(SSL_SESSION* s) noexcept {
    if (s) SSL_SESSION_up_ref(s);
    return session_ref(s);
}

session_ref::~session_ref() {
    if (s_) SSL_SESSION_free(s_);
}

namespace {

/// Appends one field, its length first: no two different sets of fields
/// give the same key, whatever bytes they contain.
void field(std::string& key, std::string_view value) {
    key += std::to_string(value.size());
    key += ':';
    key += value;
}

void optional_field(std::string& key, const std::optional<std::string>& value) {
    if (!value) return field(key, "-");
    field(key, "+" + *value);
}

/// A copy that no connection holds: OpenSSL marks the session of an SSL
/// freed without a close_notify not resumable (ssl_clear_bad_session, a
/// TLS 1.0 rule), and an SMTP session often ends with QUIT and a close.
session_ref copy_of(SSL_SESSION* s) {
    return session_ref(SSL_SESSION_dup(s));
}

bool expired(SSL_SESSION* s) {
    const auto made = static_cast<long long>(SSL_SESSION_get_time(s));
    const auto lifetime = static_cast<long long>(SSL_SESSION_get_timeout(s));
    return static_cast<long long>(std::time(nullptr)) >= made + lifetime;
}

bool is_tls13(SSL_SESSION* s) {
    return SSL_SESSION_get_protocol_version(s) == TLS1_3_VERSION;
}

/// The ex_data index of the session_slot pointer, allocated once.
int slot_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

int on_new_session(SSL* ssl, SSL_SESSION* s) {
    auto* slot = static_cast<session_slot*>(SSL_get_ex_data(ssl, slot_index()));
    return slot && slot->collect(ssl, s) ? 1 : 0;
}

}  // namespace

std::string session_key(const transport_config& cfg) {
    std::string key;
    field(key, cfg.host);
    field(key, std::to_string(cfg.port));
    field(key, cfg.tls.server_name.empty() ? cfg.host : cfg.tls.server_name);
    field(key, std::to_string(static_cast<int>(cfg.client.tls)));
    field(key, cfg.tls.accept_invalid_certificates_dangerous ? "unverified" : "verified");
    optional_field(key, cfg.tls.ca_file);
    optional_field(key, cfg.tls.ca_directory);
    optional_field(key, cfg.tls.client_certificate);
    optional_field(key, cfg.tls.client_key);
    return key;
}

void tls_session_cache::touch(lru_list::iterator it) {
    lru_.splice(lru_.begin(), lru_, it);
}

session_ref tls_session_cache::take(const std::string& key) {
    std::lock_guard lock(m_);
    const auto found = index_.find(key);
    if (found == index_.end()) return {};
    auto& sessions = found->second->sessions;
    while (!sessions.empty() &&
           (expired(sessions.front().get()) || !SSL_SESSION_is_resumable(sessions.front().get())))
        sessions.pop_front();
    if (sessions.empty()) {
        lru_.erase(found->second);
        index_.erase(found);
        return {};
    }
    touch(found->second);
    if (!is_tls13(sessions.front().get())) return copy_of(sessions.front().get());
    session_ref once = std::move(sessions.front());
    sessions.pop_front();
    return once;
}

void tls_session_cache::store(const std::string& key, session_ref s) {
    if (!s || !SSL_SESSION_is_resumable(s.get())) return;
    std::lock_guard lock(m_);
    auto found = index_.find(key);
    if (found == index_.end()) {
        if (max_keys_ == 0) return;
        if (lru_.size() >= max_keys_) {
            index_.erase(lru_.back().key);
            lru_.pop_back();
        }
        lru_.push_front(entry{key, {}});
        found = index_.emplace(key, lru_.begin()).first;
    } else {
        touch(found->second);
    }
    auto& sessions = found->second->sessions;
    // A TLS 1.2 session replaces the older ones: one is enough to resume.
    if (!is_tls13(s.get())) sessions.clear();
    sessions.push_front(std::move(s));
    if (sessions.size() > sessions_per_key) sessions.pop_back();
}

void tls_session_cache::drop(const std::string& key) {
    std::lock_guard lock(m_);
    const auto found = index_.find(key);
    if (found == index_.end()) return;
    lru_.erase(found->second);
    index_.erase(found);
}

std::size_t tls_session_cache::count(const std::string& key) const {
    std::lock_guard lock(m_);
    const auto found = index_.find(key);
    return found == index_.end() ? 0 : found->second->sessions.size();
}

std::size_t tls_session_cache::keys() const {
    std::lock_guard lock(m_);
    return lru_.size();
}

void enable_session_collection(SSL_CTX* ctx) {
    // Client-side caching only calls the callback; OpenSSL's own store
    // would keep the sessions of every server in one table.
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, on_new_session);
}

bool session_slot::attach(SSL* ssl) {
    if (!cache_) return true;
    if (SSL_set_ex_data(ssl, slot_index(), this) != 1) return false;
    const session_ref s = cache_->take(key_);
    offered_ = s && SSL_set_session(ssl, s.get()) == 1;
    return true;
}

void session_slot::handshake_failed() {
    if (cache_ && offered_) cache_->drop(key_);
}

void session_slot::forget() {
    if (cache_) cache_->drop(key_);
}

bool session_slot::collect(SSL* ssl, SSL_SESSION* s) {
    if (!cache_) return false;
    // A verifying connection fails its handshake on a refused certificate;
    // this keeps a session that somehow got past it from being reused.
    if (verified_ && SSL_get_verify_result(ssl) != X509_V_OK) return false;
    if (!SSL_SESSION_is_resumable(s)) return false;
    cache_->store(key_, copy_of(s));
    return false;  // OpenSSL keeps its reference to `s`
}

}  // namespace lettre::smtp::detail
