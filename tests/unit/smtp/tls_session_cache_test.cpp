// The TLS session cache on its own: what its key separates, how long a
// session is offered, and its bound. Sessions are made here (SSL_SESSION_new
// with an id), no handshake needed; resumption against a real server is in
// tests/integration/smtp/tls_resume_test.cpp.
#include "smtp/tls_session_cache.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <string>

namespace {

using lettre::smtp::detail::session_key;
using lettre::smtp::detail::session_ref;
using lettre::smtp::detail::tls_session_cache;

session_ref make_session(int version, unsigned char id = 1, long lifetime = 300) {
    session_ref s(SSL_SESSION_new());
    const unsigned char sid[4] = {id, 2, 3, 4};
    SSL_SESSION_set1_id(s.get(), sid, sizeof sid);
    SSL_SESSION_set_protocol_version(s.get(), version);
    SSL_SESSION_set_time(s.get(), static_cast<long>(std::time(nullptr)));
    SSL_SESSION_set_timeout(s.get(), lifetime);
    return s;
}

lettre::smtp::transport_config base() {
    lettre::smtp::transport_config cfg;
    cfg.host = "mail.example";
    cfg.port = 587;
    cfg.client.tls = lettre::smtp::tls_mode::starttls_required;
    return cfg;
}

TEST(TlsSessionCache, KeySeparatesEverySettingThatDecidesTrust) {
    const std::string k = session_key(base());
    EXPECT_EQ(k, session_key(base()));
    auto differs = [&](auto change) {
        auto cfg = base();
        change(cfg);
        return session_key(cfg) != k;
    };
    using cfg_t = lettre::smtp::transport_config;
    EXPECT_TRUE(differs([](cfg_t& c) { c.host = "mail2.example"; }));
    EXPECT_TRUE(differs([](cfg_t& c) { c.port = 25; }));
    EXPECT_TRUE(differs([](cfg_t& c) { c.tls.server_name = "other.example"; }));
    EXPECT_TRUE(differs([](cfg_t& c) { c.client.tls = lettre::smtp::tls_mode::implicit; }));
    EXPECT_TRUE(differs([](cfg_t& c) { c.tls.accept_invalid_certificates_dangerous = true; }));
    EXPECT_TRUE(differs([](cfg_t& c) { c.tls.ca_file = "/etc/ca.pem"; }));
    EXPECT_TRUE(differs([](cfg_t& c) { c.tls.ca_directory = "/etc/ssl/certs"; }));
    EXPECT_TRUE(differs([](cfg_t& c) { c.tls.client_certificate = "/etc/me.pem"; }));
    EXPECT_TRUE(differs([](cfg_t& c) { c.tls.client_key = "/etc/me.key"; }));
    // Fields do not run into each other.
    auto a = base();
    a.tls.ca_file = "x";
    auto b = base();
    b.tls.ca_directory = "x";
    EXPECT_NE(session_key(a), session_key(b));
}

TEST(TlsSessionCache, Tls13TicketIsOfferedOnce) {
    tls_session_cache cache;
    cache.store("k", make_session(TLS1_3_VERSION, 1));
    cache.store("k", make_session(TLS1_3_VERSION, 2));
    EXPECT_TRUE(cache.take("k"));
    EXPECT_TRUE(cache.take("k"));
    EXPECT_FALSE(cache.take("k"));
}

TEST(TlsSessionCache, Tls12SessionIsOfferedAgain) {
    tls_session_cache cache;
    cache.store("k", make_session(TLS1_2_VERSION));
    EXPECT_TRUE(cache.take("k"));
    EXPECT_TRUE(cache.take("k"));
    EXPECT_EQ(cache.count("k"), 1u);
}

TEST(TlsSessionCache, ExpiredAndUnresumableSessionsAreNotOffered) {
    tls_session_cache cache;
    auto old = make_session(TLS1_2_VERSION, 1, 300);
    SSL_SESSION_set_time(old.get(), static_cast<long>(std::time(nullptr)) - 600);
    cache.store("k", std::move(old));
    EXPECT_FALSE(cache.take("k"));
    cache.store("k", session_ref(SSL_SESSION_new()));  // no id, no ticket
    EXPECT_EQ(cache.count("k"), 0u);
}

TEST(TlsSessionCache, DropForgetsEverySessionOfTheKey) {
    tls_session_cache cache;
    cache.store("k", make_session(TLS1_3_VERSION, 1));
    cache.store("k", make_session(TLS1_3_VERSION, 2));
    cache.store("other", make_session(TLS1_3_VERSION, 3));
    cache.drop("k");
    EXPECT_FALSE(cache.take("k"));
    EXPECT_TRUE(cache.take("other"));
}

TEST(TlsSessionCache, BoundedInServersAndSessions) {
    tls_session_cache cache(3);
    for (int i = 0; i < 10; ++i)
        cache.store("k", make_session(TLS1_3_VERSION, static_cast<unsigned char>(i)));
    EXPECT_EQ(cache.count("k"), tls_session_cache::sessions_per_key);
    cache.store("a", make_session(TLS1_2_VERSION));
    cache.store("b", make_session(TLS1_2_VERSION));
    EXPECT_TRUE(cache.take("k"));  // k is now the most recently used
    cache.store("c", make_session(TLS1_2_VERSION));
    EXPECT_EQ(cache.keys(), 3u);
    EXPECT_EQ(cache.count("a"), 0u) << "the least recently used server goes first";
    EXPECT_EQ(cache.count("b"), 1u);
}

}  // namespace
