// The c-ares resolver on Asio against real name servers started by the test:
// dnsmasq for ordinary data (MX, A, AAAA, TXT, TLSA, null MX, NXDOMAIN,
// NODATA, REFUSED) and a scripted server for SERVFAIL, silence and
// truncation with TCP retry.
#include "dns_peers.hpp"

#include <lettre/dns/async_resolver.hpp>
#include <lettre/dns/resolver.hpp>

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <thread>

namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using lettre::errc;
using namespace std::chrono_literals;

const std::vector<std::string>& records() {
    static const std::vector<std::string> r = {
        "--mx-host=pref.test,mx-b.pref.test,20",
        "--mx-host=pref.test,mx-a.pref.test,10",
        "--host-record=mx-a.pref.test,127.0.0.2,::1",
        "--host-record=mx-b.pref.test,127.0.0.3",
        "--host-record=implicit.test,127.0.0.7",
        "--dns-rr=nullmx.test,15,000000",
        "--txt-record=txt.test,v=spf1 -all,second",
        "--dns-rr=_25._tcp.mx-a.pref.test,52,030101abcdef",
    };
    return r;
}

class dns_resolver : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        server_ = dns_test::start_dnsmasq(records()).release();
        scripted_ = dns_test::start_scripted_dns().release();
    }
    static void TearDownTestSuite() {
        delete server_;
        delete scripted_;
        server_ = nullptr;
        scripted_ = nullptr;
    }
    static lettre::dns::resolver_config local() {
        lettre::dns::resolver_config c;
        c.servers = {server_->server()};
        c.timeout = 500ms;
        c.tries = 2;
        return c;
    }
    static lettre::dns::resolver_config scripted(std::chrono::milliseconds timeout = 300ms) {
        lettre::dns::resolver_config c;
        c.servers = {scripted_->server()};
        c.timeout = timeout;
        c.tries = 1;
        return c;
    }
    static dns_test::dnsmasq* server_;
    static dns_test::scripted_dns* scripted_;
};
dns_test::dnsmasq* dns_resolver::server_ = nullptr;
dns_test::scripted_dns* dns_resolver::scripted_ = nullptr;

TEST_F(dns_resolver, mx_blocking) {
    lettre::dns::resolver r(local());
    auto mx = r.resolve_mx("pref.test");
    ASSERT_EQ(mx.size(), 2u);
    std::sort(mx.begin(), mx.end(), [](auto& a, auto& b) { return a.preference < b.preference; });
    EXPECT_EQ(mx[0].host, "mx-a.pref.test");
    EXPECT_EQ(mx[0].preference, 10);
    EXPECT_EQ(mx[1].host, "mx-b.pref.test");
    EXPECT_EQ(mx[1].preference, 20);
}

TEST_F(dns_resolver, a_aaaa_with_ttl) {
    lettre::dns::resolver r(local());
    auto a = r.resolve_a("mx-a.pref.test");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].address.to_string(), "127.0.0.2");
    EXPECT_EQ(a[0].ttl, 300u);  // --local-ttl
    auto aaaa = r.resolve_aaaa("mx-a.pref.test");
    ASSERT_EQ(aaaa.size(), 1u);
    EXPECT_EQ(aaaa[0].address.to_string(), "::1");
}

TEST_F(dns_resolver, txt_and_tlsa) {
    lettre::dns::resolver r(local());
    auto txt = r.resolve_txt("txt.test");
    ASSERT_EQ(txt.size(), 1u);
    ASSERT_EQ(txt[0].strings.size(), 2u);
    EXPECT_EQ(txt[0].strings[0], "v=spf1 -all");
    EXPECT_EQ(txt[0].strings[1], "second");
    auto tlsa = r.resolve_tlsa(lettre::dns::tlsa_name("mx-a.pref.test", 25));
    ASSERT_EQ(tlsa.size(), 1u);
    EXPECT_EQ(tlsa[0].usage, 3);
    EXPECT_EQ(tlsa[0].selector, 1);
    EXPECT_EQ(tlsa[0].matching_type, 1);
    EXPECT_EQ(tlsa[0].data, (std::vector<std::uint8_t>{0xab, 0xcd, 0xef}));
}

TEST_F(dns_resolver, null_mx) {
    lettre::dns::resolver r(local());
    auto mx = r.resolve_mx("nullmx.test");
    ASSERT_EQ(mx.size(), 1u);
    EXPECT_TRUE(mx[0].is_null());
    EXPECT_EQ(mx[0].preference, 0);
}

TEST_F(dns_resolver, nxdomain_nodata_refused_are_distinct) {
    lettre::dns::resolver r(local());
    std::error_code ec;
    EXPECT_TRUE(r.resolve_mx("nowhere.test", ec).empty());
    EXPECT_EQ(ec, errc::dns_nxdomain);
    r.resolve_mx("implicit.test", ec);
    EXPECT_EQ(ec, errc::dns_nodata);
    r.resolve_a("elsewhere.example", ec);  // dnsmasq has no upstream
    EXPECT_EQ(ec, errc::dns_refused);
    // Answers are permanent, a refusing server transient.
    r.resolve_mx("nowhere.test", ec);
    EXPECT_EQ(ec, lettre::condition::permanent);
    EXPECT_NE(ec, lettre::condition::transient);
    r.resolve_mx("implicit.test", ec);
    EXPECT_EQ(ec, lettre::condition::permanent);
    r.resolve_a("elsewhere.example", ec);
    EXPECT_EQ(ec, lettre::condition::transient);
    try {
        r.resolve_mx("nowhere.test");
        FAIL() << "no exception";
    } catch (const lettre::error& e) {
        EXPECT_EQ(e.code(), errc::dns_nxdomain);
        EXPECT_NE(std::string(e.what()).find("nowhere.test"), std::string::npos);
    }
}

TEST_F(dns_resolver, servfail_and_timeout) {
    lettre::dns::resolver r(scripted());
    std::error_code ec;
    r.resolve_mx("servfail.test", ec);
    EXPECT_EQ(ec, errc::dns_servfail);
    EXPECT_EQ(ec, lettre::condition::transient);
    r.resolve_mx("silent.test", ec);
    EXPECT_EQ(ec, errc::dns_timeout);
    EXPECT_EQ(ec, lettre::condition::transient);
    r.resolve_mx("nx.test", ec);
    EXPECT_EQ(ec, errc::dns_nxdomain);
    r.resolve_mx("nodata.test", ec);
    EXPECT_EQ(ec, errc::dns_nodata);
    EXPECT_EQ(ec, lettre::condition::permanent);
    r.resolve_a("refused.test", ec);
    EXPECT_EQ(ec, errc::dns_refused);
    EXPECT_EQ(ec, lettre::condition::transient);
}

TEST_F(dns_resolver, truncated_answer_retried_over_tcp) {
    lettre::dns::resolver r(scripted(2s));
    auto before = r.resolve_txt("stats.test");
    auto big = r.resolve_txt("big.test");
    ASSERT_EQ(big.size(), 40u);
    EXPECT_EQ(big[0].ttl, 60u);
    auto after = r.resolve_txt("stats.test");
    ASSERT_EQ(before.size(), 1u);
    ASSERT_EQ(after.size(), 1u);
    EXPECT_NE(before[0].text(), after[0].text());
    EXPECT_NE(after[0].text().find("tcp="), std::string::npos);
    EXPECT_EQ(before[0].text().find("tcp=0") != std::string::npos, true);
    EXPECT_EQ(after[0].text().find("tcp=0"), std::string::npos) << after[0].text();
}

TEST_F(dns_resolver, tcp_only_and_ttls_and_cname) {
    auto cfg = scripted(2s);
    cfg.tcp_only = true;
    lettre::dns::resolver r(cfg);
    auto mx = r.resolve_mx("ttl.test");
    ASSERT_EQ(mx.size(), 1u);
    EXPECT_EQ(mx[0].ttl, 3600u);
    EXPECT_EQ(mx[0].host, "mx.ttl.test");
    auto a = r.resolve_a("cname.test");
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(a[0].address.to_string(), "127.0.0.9");
    EXPECT_EQ(a[0].ttl, 30u);
}

TEST_F(dns_resolver, async_callback_never_inline_and_concurrent) {
    asio::io_context ioc;
    lettre::dns::async_resolver r(ioc.get_executor(), local());
    int done = 0;
    bool inline_call = true;
    std::vector<lettre::dns::mx_record> mx;
    error_code nx;
    r.async_resolve_mx("pref.test", [&](error_code ec, std::vector<lettre::dns::mx_record> v) {
        EXPECT_FALSE(ec) << ec.message();
        mx = std::move(v);
        ++done;
    });
    r.async_resolve_mx("nowhere.test", [&](error_code ec, auto) {
        nx = ec;
        ++done;
    });
    r.async_resolve_aaaa("mx-a.pref.test", [&](error_code ec, auto v) {
        EXPECT_FALSE(ec);
        EXPECT_EQ(v.size(), 1u);
        ++done;
    });
    inline_call = done != 0;
    EXPECT_FALSE(inline_call);
    ioc.run();
    EXPECT_EQ(done, 3);
    EXPECT_EQ(mx.size(), 2u);
    EXPECT_EQ(nx, errc::dns_nxdomain);
    // Asio's error code compares with lettre::condition too.
    EXPECT_TRUE(nx == lettre::condition::permanent);
    EXPECT_FALSE(nx == lettre::condition::transient);
}

TEST_F(dns_resolver, blocking_resolver_is_movable_and_shared_between_threads) {
    lettre::dns::resolver first(local());
    std::optional<lettre::dns::resolver> r;
    r.emplace(scripted());
    r = std::move(first);  // the scripted one shuts down here
    EXPECT_EQ(r->config().servers, local().servers);
    std::atomic<int> answers{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 5; ++i) {
                std::error_code ec;
                if (r->resolve_mx("pref.test", ec).size() == 2 && !ec) ++answers;
                r->resolve_mx("nowhere.test", ec);
                if (ec == errc::dns_nxdomain) ++answers;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(answers, 40);
}

TEST_F(dns_resolver, coroutine_and_future) {
    asio::io_context ioc;
    lettre::dns::async_resolver r(ioc.get_executor(), local());
    std::string got;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            // Names prepared outside co_await: GCC 12 miscompiles string
            // literals in a co_await expression.
            const std::string implicit = "implicit.test";
            const std::string nowhere = "nowhere.test";
            const std::string space = " ";
            auto a = co_await r.async_resolve_a(implicit, asio::use_awaitable);
            got = a.at(0).address.to_string();
            try {
                co_await r.async_resolve_a(nowhere, asio::use_awaitable);
            } catch (const boost::system::system_error& e) {
                got += space + std::to_string(e.code() == errc::dns_nxdomain);
            }
        },
        asio::detached);
    ioc.run();
    EXPECT_EQ(got, "127.0.0.7 1");

    ioc.restart();
    std::thread runner([&] {
        auto guard = asio::make_work_guard(ioc);
        ioc.run_for(3s);
    });
    auto f = r.async_resolve_txt("txt.test", asio::use_future);
    EXPECT_EQ(f.get().at(0).text(), "v=spf1 -allsecond");
    ioc.stop();
    runner.join();
}

TEST_F(dns_resolver, per_operation_cancellation) {
    asio::io_context ioc;
    lettre::dns::async_resolver r(ioc.get_executor(), scripted(2s));
    asio::cancellation_signal sig;
    error_code got;
    bool called = false;
    r.async_resolve_mx("silent.test",
                       asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, auto) {
                           called = true;
                           got = ec;
                       }));
    asio::steady_timer t(ioc, 50ms);
    t.async_wait([&](error_code) { sig.emit(asio::cancellation_type::terminal); });
    ioc.run_for(5s);
    EXPECT_TRUE(called);
    // Not dns_timeout: the handler ran at the cancellation. c-ares 1.18
    // cannot drop one query, so the query itself lives on until its
    // timeout, its answer ignored.
    EXPECT_EQ(got, asio::error::operation_aborted);
}

TEST_F(dns_resolver, handler_on_another_context_is_kept_waiting_for) {
    // The handler's executor (an io_context with nothing else to do) counts
    // the lookup as outstanding work: its run() returns only after the
    // handler has run.
    asio::io_context io;
    asio::io_context user;
    lettre::dns::async_resolver r(io.get_executor(), local());
    std::atomic<int> called{0};
    r.async_resolve_mx("pref.test", asio::bind_executor(user, [&](error_code ec, auto v) {
                           EXPECT_FALSE(ec);
                           EXPECT_EQ(v.size(), 2u);
                           ++called;
                       }));
    r.async_resolve_mx("nowhere.test", asio::bind_executor(user, [&](error_code ec, auto) {
                           EXPECT_EQ(ec, errc::dns_nxdomain);
                           ++called;
                       }));
    std::thread t([&] { io.run(); });
    user.run();
    EXPECT_EQ(called, 2);
    t.join();
}

TEST_F(dns_resolver, cancellation_from_the_handlers_strand_on_a_thread_pool) {
    // Lookups on four threads, each cancelled from the strand its handler
    // runs on, while answers arrive: no race on the slot (TSan/ASan), every
    // handler called once, with the answer or with operation_aborted.
    asio::thread_pool pool(4);
    lettre::dns::async_resolver r(pool.get_executor(), local());
    constexpr int n = 64;
    std::atomic<int> called{0};
    std::vector<std::unique_ptr<asio::cancellation_signal>> sigs;
    std::vector<asio::strand<asio::thread_pool::executor_type>> strands;
    for (int i = 0; i < n; ++i) {
        sigs.push_back(std::make_unique<asio::cancellation_signal>());
        strands.push_back(asio::make_strand(pool.get_executor()));
    }
    for (int i = 0; i < n; ++i) {
        asio::post(strands[static_cast<std::size_t>(i)], [&, i] {
            auto& sig = *sigs[static_cast<std::size_t>(i)];
            auto& strand = strands[static_cast<std::size_t>(i)];
            r.async_resolve_mx(
                i % 2 ? "pref.test" : "nowhere.test",
                asio::bind_cancellation_slot(sig.slot(),
                                             asio::bind_executor(strand, [&](error_code ec, auto) {
                                                 EXPECT_TRUE(!ec || ec == errc::dns_nxdomain ||
                                                             ec == asio::error::operation_aborted)
                                                     << ec.message();
                                                 ++called;
                                             })));
            asio::post(strand, [&sig] { sig.emit(asio::cancellation_type::terminal); });
        });
    }
    pool.join();
    EXPECT_EQ(called, n);
}

TEST_F(dns_resolver, destroying_the_resolver_aborts_lookups) {
    asio::io_context ioc;
    error_code got;
    {
        lettre::dns::async_resolver r(ioc.get_executor(), scripted(2s));
        r.async_resolve_mx("silent.test", [&](error_code ec, auto) { got = ec; });
        ioc.run_for(50ms);
    }
    ioc.run_for(3s);
    EXPECT_EQ(got, asio::error::operation_aborted);
}

TEST_F(dns_resolver, a_handler_owning_the_resolver_is_freed_with_the_io_context) {
    // The handler holds the resolver (as a composed operation holding its
    // owner would) while c-ares waits for silent.test: the io_context's
    // destruction must break that cycle (LSan checks).
    bool called = false;
    {
        asio::io_context ioc;
        auto r = std::make_shared<lettre::dns::async_resolver>(ioc.get_executor(), scripted(30s));
        r->async_resolve_mx("silent.test", [r, &called](error_code, auto) { called = true; });
        ioc.run_for(50ms);
    }
    EXPECT_FALSE(called);
}

TEST_F(dns_resolver, bad_configuration_and_names) {
    EXPECT_FALSE(lettre::dns::parse_servers("not-an-ip"));
    EXPECT_FALSE(lettre::dns::parse_servers("127.0.0.1:99999"));
    auto ok = lettre::dns::parse_servers("127.0.0.1:5353, [::1]:53,192.0.2.1");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->size(), 3u);
    EXPECT_EQ((*ok)[1], "[::1]:53");

    lettre::dns::resolver_config c;
    c.servers = {"garbage:xx"};
    lettre::dns::resolver bad(c);
    std::error_code ec;
    bad.resolve_mx("pref.test", ec);
    EXPECT_EQ(ec, errc::dns_failed);

    lettre::dns::resolver r(local());
    r.resolve_mx("", ec);
    EXPECT_EQ(ec, errc::invalid_domain);
    auto mx = r.resolve_mx("pref.test.", ec);  // a final dot is fine
    EXPECT_FALSE(ec);
    EXPECT_EQ(mx.size(), 2u);
}

}  // namespace
