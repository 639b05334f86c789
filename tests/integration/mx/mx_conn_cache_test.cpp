// The MX connection cache against real peers: domains sh1..sh4.test share
// mx.shared.test (127.0.0.16, plaintext; 421 to RCPT "drop", 550 to "bad")
// and st1..st3.test share mx-tls.shared.test (127.0.0.17, STARTTLS with a
// certificate from the peers' CA). Connections are counted server-side.
#include "mx_peers.hpp"

#include <lettre/transport/async_mx_transport.hpp>
#include <lettre/transport/mx_transport.hpp>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <set>
#include <thread>

namespace {

using namespace mx_it;
using namespace std::chrono_literals;
namespace asio = boost::asio;

constexpr const char* shared_ip = "127.0.0.16";
constexpr const char* tls_ip = "127.0.0.17";

/// One domain at a time, so that each can find the previous one's session.
lettre::mx::config serial_config() {
    auto cfg = test_config();
    cfg.max_concurrent_domains = 1;
    return cfg;
}

TEST(mx_conn_cache, one_connection_for_four_domains) {
    const auto& p = shared_peers();
    const int conns = p.connections(shared_ip);
    const auto before = p.messages(shared_ip).size();
    lettre::mx_transport mx(serial_config());
    const auto r = mx.send(message_to({"a@sh1.test", "b@sh2.test", "c@sh3.test", "d@sh4.test"}));
    ASSERT_TRUE(r.all_delivered());
    EXPECT_EQ(p.connections(shared_ip), conns + 1);
    EXPECT_EQ(p.messages(shared_ip).size(), before + 4);  // one transaction per domain
    const auto s = mx.connections();
    EXPECT_EQ(s.opened, 1U);
    EXPECT_EQ(s.reused, 3U);
    EXPECT_EQ(s.idle, 1U);
}

TEST(mx_conn_cache, off_opens_one_connection_per_domain) {
    const auto& p = shared_peers();
    const int conns = p.connections(shared_ip);
    auto cfg = serial_config();
    cfg.connection_cache.max_idle = 0;
    lettre::mx_transport mx(cfg);
    ASSERT_TRUE(mx.send(message_to({"a@sh1.test", "b@sh2.test", "c@sh3.test"})).all_delivered());
    EXPECT_EQ(p.connections(shared_ip), conns + 3);
    EXPECT_EQ(mx.connections().reused, 0U);
}

TEST(mx_conn_cache, reused_by_a_later_send_then_quit_at_destruction) {
    const auto& p = shared_peers();
    const int conns = p.connections(shared_ip);
    const int quits = p.quits(shared_ip);
    {
        lettre::mx_transport mx(test_config());
        ASSERT_TRUE(mx.send(message_to({"a@sh1.test"})).all_delivered());
        ASSERT_TRUE(mx.send(message_to({"b@sh2.test"})).all_delivered());
        EXPECT_EQ(p.connections(shared_ip), conns + 1);
        EXPECT_EQ(mx.connections().reused, 1U);
        EXPECT_EQ(p.quits(shared_ip), quits);  // still idle in the cache
    }
    EXPECT_EQ(p.quits(shared_ip), quits + 1);
}

TEST(mx_conn_cache, async_transport_reuses_and_quits_when_destroyed) {
    const auto& p = shared_peers();
    const int conns = p.connections(shared_ip);
    const int quits = p.quits(shared_ip);
    asio::io_context ioc;
    auto mx = std::make_unique<lettre::async_mx_transport>(ioc.get_executor(), test_config());
    int delivered = 0;
    mx->async_send(message_to({"a@sh1.test"}),
                   [&](boost::system::error_code ec, lettre::mx::report) {
                       if (!ec) ++delivered;
                       mx->async_send(message_to({"b@sh3.test"}),
                                      [&](boost::system::error_code e, lettre::mx::report) {
                                          if (!e) ++delivered;
                                      });
                   });
    ioc.run();
    EXPECT_EQ(delivered, 2);
    EXPECT_EQ(p.connections(shared_ip), conns + 1);
    EXPECT_EQ(mx->connections().reused, 1U);
    EXPECT_EQ(p.quits(shared_ip), quits);
    mx.reset();
    ioc.restart();
    ioc.run();  // the QUIT of the cached session
    EXPECT_EQ(p.quits(shared_ip), quits + 1);
}

TEST(mx_conn_cache, idle_limit_and_transaction_limit) {
    const auto& p = shared_peers();
    {
        const int conns = p.connections(shared_ip);
        auto cfg = test_config();
        cfg.connection_cache.idle_timeout = 100ms;
        lettre::mx_transport mx(cfg);
        ASSERT_TRUE(mx.send(message_to({"a@sh1.test"})).all_delivered());
        std::this_thread::sleep_for(300ms);
        ASSERT_TRUE(mx.send(message_to({"b@sh2.test"})).all_delivered());
        EXPECT_EQ(p.connections(shared_ip), conns + 2);
        EXPECT_EQ(mx.connections().reused, 0U);
    }
    {
        const int conns = p.connections(shared_ip);
        auto cfg = test_config();
        cfg.connection_cache.max_transactions = 2;
        lettre::mx_transport mx(cfg);
        for (const char* to : {"a@sh1.test", "b@sh2.test", "c@sh3.test"})
            ASSERT_TRUE(mx.send(message_to({to})).all_delivered());
        EXPECT_EQ(p.connections(shared_ip), conns + 2);  // 2 on the first, 1 on the second
        EXPECT_EQ(mx.connections().reused, 1U);
    }
}

TEST(mx_conn_cache, no_reuse_after_a_421_or_a_failed_transaction) {
    const auto& p = shared_peers();
    for (const char* failing : {"drop@sh1.test", "bad@sh1.test"}) {
        SCOPED_TRACE(failing);
        const int conns = p.connections(shared_ip);
        lettre::mx_transport mx(test_config());
        std::error_code ec;
        const auto r = mx.send(message_to({failing}), ec);
        ASSERT_FALSE(r.recipients.at(0).delivered());
        ASSERT_TRUE(mx.send(message_to({"ok@sh2.test"})).all_delivered());
        EXPECT_EQ(p.connections(shared_ip), conns + 2);
        EXPECT_EQ(mx.connections().reused, 0U);
        EXPECT_EQ(mx.connections().opened, 2U);
    }
}

/// st2.test and st3.test require a verified certificate (as an MTA-STS
/// enforce policy or the hook would); st1.test is opportunistic.
lettre::mx::config tls_config() {
    auto cfg = serial_config();
    cfg.tls_parameters.ca_file = shared_peers().ca().string();
    cfg.policy = [](std::string_view domain, std::string_view, lettre::mx::tls_policy t) {
        lettre::mx::host_policy hp{t, true, {}};
        if (domain != "st1.test") hp.tls = lettre::mx::tls_policy::verified;
        return hp;
    };
    return cfg;
}

TEST(mx_conn_cache, opportunistic_session_never_serves_a_verified_domain) {
    const auto& p = shared_peers();
    const int conns = p.connections(tls_ip);
    lettre::mx_transport mx(tls_config());
    auto r = mx.send(message_to({"a@st1.test"}));
    ASSERT_TRUE(r.all_delivered());
    EXPECT_EQ(r.recipients[0].protection, lettre::mx::tls_protection::opportunistic);
    // The cached session's certificate was not checked: a new one.
    r = mx.send(message_to({"b@st2.test"}));
    ASSERT_TRUE(r.all_delivered());
    EXPECT_EQ(r.recipients[0].protection, lettre::mx::tls_protection::verified);
    EXPECT_EQ(p.connections(tls_ip), conns + 2);
    EXPECT_EQ(mx.connections().reused, 0U);
    // A verified session serves the other verified domain.
    r = mx.send(message_to({"c@st3.test"}));
    ASSERT_TRUE(r.all_delivered());
    EXPECT_EQ(r.recipients[0].protection, lettre::mx::tls_protection::verified);
    EXPECT_EQ(p.connections(tls_ip), conns + 2);
    EXPECT_EQ(mx.connections().reused, 1U);
    const auto m = p.messages(tls_ip);
    ASSERT_FALSE(m.empty());
    EXPECT_TRUE(m.back().tls);
}

TEST(mx_conn_cache, verified_session_serves_an_opportunistic_domain_and_reports_per_domain) {
    const auto& p = shared_peers();
    const int conns = p.connections(tls_ip);
    auto cfg = tls_config();
    std::vector<lettre::mx::tls_session_result> reports;
    cfg.tls_report = [&](const lettre::mx::tls_session_result& r) { reports.push_back(r); };
    lettre::mx_transport mx(cfg);
    const auto r = mx.send(message_to({"a@st2.test", "b@st1.test", "c@st3.test"}));
    ASSERT_TRUE(r.all_delivered());
    EXPECT_EQ(p.connections(tls_ip), conns + 1);
    EXPECT_EQ(mx.connections().reused, 2U);
    // One successful session per policy domain, each under its own policy.
    ASSERT_EQ(reports.size(), 3U);
    std::set<std::string> domains;
    for (const auto& x : reports) {
        EXPECT_FALSE(x.failure.has_value());
        EXPECT_EQ(x.receiving_mx_hostname, "mx-tls.shared.test");
        domains.insert(x.policy.domain);
    }
    EXPECT_EQ(domains, (std::set<std::string>{"st1.test", "st2.test", "st3.test"}));
}

}  // namespace
