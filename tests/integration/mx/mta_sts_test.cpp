// MTA-STS policy discovery against real peers: dnsmasq serving the
// _mta-sts TXT records and the mta-sts.<domain> addresses, and an HTTPS
// policy server (peers/mta_sts_server.py) with a test CA made at start,
// on 127.0.0.30 and a free port; both stopped by PID at exit.
#include "dns_peers.hpp"

#include <lettre/transport/async_mta_sts.hpp>
#include <lettre/transport/mta_sts.hpp>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>

#include <unistd.h>

#include <filesystem>

#ifndef LETTRE_PYTHON
#error "LETTRE_PYTHON must be defined"
#endif
#ifndef LETTRE_MX_PEERS_DIR
#error "LETTRE_MX_PEERS_DIR must be defined"
#endif

namespace {

using namespace lettre::mta_sts;
using namespace std::chrono_literals;
using lettre::errc;
using lettre::result;
namespace fs = std::filesystem;

constexpr const char* https_ip = "127.0.0.30";

const std::vector<std::string> domains = {
    "enforce.test",  "testing.test", "none.test",     "charset.test",  "rotate.test",
    "redirect.test", "big.test",     "ctype.test",    "notfound.test", "failing.test",
    "invalid.test",  "slow.test",    "wrongname.test"};

std::vector<std::string> records() {
    std::vector<std::string> r;
    for (const auto& d : domains) {
        r.push_back("--host-record=mta-sts." + d + "," + https_ip);
        r.push_back("--txt-record=_mta-sts." + d +
                    ",v=STSv1; id=" + (d == "rotate.test" || d == "failing.test" ? "new" : "id1"));
    }
    r.push_back("--txt-record=_mta-sts.twotxt.test,v=STSv1; id=a");
    r.push_back("--txt-record=_mta-sts.twotxt.test,v=STSv1; id=b");
    r.push_back("--host-record=mta-sts.notxt.test," + std::string(https_ip));
    return r;
}

struct peers {
    std::unique_ptr<dns_test::dnsmasq> dns;
    dns_test::child https;
    std::uint16_t port = 0;
    fs::path dir;
    ~peers() {
        https.stop();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

const peers& shared_peers() {
    static const std::unique_ptr<peers> p = [] {
        auto s = std::make_unique<peers>();
        auto& started = *s;
        started.dir =
            fs::temp_directory_path() / ("lettre-mta-sts-it-" + std::to_string(::getpid()));
        started.dns = dns_test::start_dnsmasq(records());
        started.https = dns_test::child::start(
            {LETTRE_PYTHON, std::string(LETTRE_MX_PEERS_DIR) + "/mta_sts_server.py", "--ip",
             https_ip, "--dir", started.dir.string()});
        started.port = started.https.wait_ready(30s).at("https");
        return s;
    }();
    return *p;
}

config test_config() {
    const auto& p = shared_peers();
    config c;
    c.ca_file = (p.dir / "ca.pem").string();
    c.port = p.port;
    c.timeout = 3s;
    c.dns.servers = {p.dns->server()};
    return c;
}

result<policy> fetch(std::string_view domain, config c = test_config()) {
    return policy_source(std::move(c)).fetch(domain);
}

void expect_failure(const result<policy>& r, errc code, std::string_view text) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, code) << r.error().message;
    EXPECT_NE(r.error().message.find(text), std::string::npos) << r.error().message;
}

TEST(mta_sts_fetch, enforce_testing_none_and_charset) {
    auto e = fetch("enforce.test");
    ASSERT_TRUE(e) << e.error().message;
    EXPECT_EQ(e->mode, policy_mode::enforce);
    EXPECT_EQ(e->mx, std::vector<std::string>{"mx1.enforce.test"});
    EXPECT_EQ(e->max_age, 86400u);
    auto t = fetch("testing.test");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->mode, policy_mode::testing);
    auto n = fetch("none.test");
    ASSERT_TRUE(n) << n.error().message;
    EXPECT_EQ(n->mode, policy_mode::none);
    auto c = fetch("Charset.Test");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->max_age, 600u);
}

TEST(mta_sts_fetch, refuses_redirects_sizes_types_and_statuses) {
    expect_failure(fetch("redirect.test"), errc::mta_sts_fetch_failed, "HTTP 301 redirect");
    expect_failure(fetch("big.test"), errc::mta_sts_fetch_failed, "larger than 65536");
    expect_failure(fetch("ctype.test"), errc::mta_sts_fetch_failed,
                   "\"text/html\", not text/plain");
    expect_failure(fetch("notfound.test"), errc::mta_sts_fetch_failed, "HTTP status 404");
    expect_failure(fetch("invalid.test"), errc::mta_sts_invalid_policy, "line 2");
    expect_failure(fetch("no-such-host.test"), errc::mta_sts_fetch_failed, "address");
    expect_failure(fetch("bad/domain"), errc::invalid_domain, "not a domain");
}

TEST(mta_sts_fetch, certificate_for_another_name_is_webpki_invalid) {
    auto r = fetch("wrongname.test");
    expect_failure(r, errc::mta_sts_certificate_invalid, "mta-sts.wrongname.test");
    EXPECT_EQ(failure_type_of(r.error().code), failure_type::webpki_invalid);
    // The right name but a CA this client does not trust.
    auto c = test_config();
    c.ca_file.reset();  // the system store does not know the test CA
    expect_failure(fetch("enforce.test", c), errc::mta_sts_certificate_invalid, "certificate");
}

TEST(mta_sts_fetch, whole_fetch_timeout) {
    auto c = test_config();
    c.timeout = 1s;
    expect_failure(fetch("slow.test", c), errc::mta_sts_fetch_failed, "timed out after 1000 ms");
}

TEST(mta_sts_fetch, unreadable_ca_file_is_refused) {
    auto c = test_config();
    c.ca_file = "/nonexistent/ca.pem";
    try {
        policy_source s(c);
        FAIL() << "constructed with a missing CA file";
    } catch (const lettre::error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/ca.pem"), std::string::npos);
    }
}

struct fixed_clock {
    std::shared_ptr<std::chrono::system_clock::time_point> now =
        std::make_shared<std::chrono::system_clock::time_point>(
            std::chrono::seconds(1'700'000'000));
    clock_function fn() const {
        return [n = now] { return *n; };
    }
};

TEST(mta_sts_discover, fetches_once_then_uses_the_cache) {
    auto cache = memory_cache();
    auto c = test_config();
    c.cache = cache;
    fixed_clock clock;
    c.clock = clock.fn();
    policy_source source(c);
    auto first = source.discover("enforce.test");
    ASSERT_TRUE(first.active) << (first.problem ? first.problem->message : "");
    EXPECT_EQ(first.origin, policy_origin::fetched);
    EXPECT_EQ(first.id, "id1");
    auto second = source.discover("enforce.test");
    EXPECT_EQ(second.origin, policy_origin::cache);
    // max_age (86400 s) later the policy has expired: fetched again.
    *clock.now += std::chrono::seconds(86400);
    EXPECT_EQ(source.discover("enforce.test").origin, policy_origin::fetched);
    // The decision the MX transport applies.
    auto d = apply_policy(second.active, "enforce.test", {"mx1.enforce.test", "mx2.enforce.test"});
    EXPECT_EQ(d.allowed_hosts(), std::vector<std::string>{"mx1.enforce.test"});
    EXPECT_TRUE(d.hosts[0].requires_verified_tls);
}

TEST(mta_sts_discover, id_change_refetches) {
    auto cache = memory_cache();
    fixed_clock clock;
    auto old = parse_policy("version: STSv1\nmode: enforce\nmx: old.rotate.test\nmax_age: 86400\n");
    ASSERT_FALSE(cache->store("rotate.test", {*old, "old", *clock.now}));
    auto c = test_config();
    c.cache = cache;
    c.clock = clock.fn();
    auto d = policy_source(c).discover("rotate.test");
    ASSERT_TRUE(d.active);
    EXPECT_EQ(d.origin, policy_origin::fetched);
    EXPECT_EQ(d.id, "new");
    EXPECT_EQ(d.active->mx, std::vector<std::string>{"new.rotate.test"});
    EXPECT_EQ(cache->load("rotate.test")->id, "new");
}

TEST(mta_sts_discover, failed_refetch_keeps_the_cached_policy) {
    auto cache = memory_cache();
    fixed_clock clock;
    auto old = parse_policy("version: STSv1\nmode: enforce\nmx: mx.failing.test\nmax_age: 600\n");
    ASSERT_FALSE(cache->store("failing.test", {*old, "old", *clock.now}));
    auto c = test_config();
    c.cache = cache;
    c.clock = clock.fn();
    policy_source source(c);
    auto kept = source.discover("failing.test");
    ASSERT_TRUE(kept.active);
    EXPECT_EQ(kept.origin, policy_origin::cache);
    EXPECT_EQ(kept.id, "old");
    ASSERT_TRUE(kept.problem);
    EXPECT_EQ(kept.problem->type, failure_type::policy_fetch_error);
    EXPECT_NE(kept.problem->message.find("HTTP status 500"), std::string::npos);
    // Once it has expired, no policy is left.
    *clock.now += std::chrono::seconds(600);
    auto gone = source.discover("failing.test");
    EXPECT_FALSE(gone.active);
    EXPECT_TRUE(gone.problem);
}

TEST(mta_sts_discover, no_or_two_txt_records_mean_no_policy) {
    auto c = test_config();
    policy_source source(c);
    auto none = source.discover("notxt.test");
    EXPECT_FALSE(none.active);
    EXPECT_FALSE(none.problem);
    auto two = source.discover("twotxt.test");
    EXPECT_FALSE(two.active);
    ASSERT_TRUE(two.problem);
    EXPECT_EQ(two.problem->type, failure_type::policy_invalid);
}

TEST(mta_sts_discover, directory_cache_survives_the_source) {
    const auto dir = shared_peers().dir / "cache";
    auto c = test_config();
    c.cache = *directory_cache(dir);
    EXPECT_EQ(policy_source(c).discover("testing.test").origin, policy_origin::fetched);
    c.cache = *directory_cache(dir);  // a new process, in effect
    auto again = policy_source(c).discover("testing.test");
    EXPECT_EQ(again.origin, policy_origin::cache);
    EXPECT_EQ(again.active->mode, policy_mode::testing);
}

TEST(mta_sts_async, discover_on_a_user_executor) {
    boost::asio::io_context ioc;
    async_policy_source source(ioc.get_executor(), test_config());
    std::optional<discovery> got;
    bool inline_completion = true;
    source.async_discover("none.test", [&](boost::system::error_code ec, discovery d) {
        EXPECT_FALSE(ec);
        got = std::move(d);
    });
    inline_completion = got.has_value();
    ioc.run();
    EXPECT_FALSE(inline_completion);
    ASSERT_TRUE(got);
    ASSERT_TRUE(got->active);
    EXPECT_EQ(got->active->mode, policy_mode::none);
    EXPECT_EQ(apply_policy(got->active, "none.test", {"a", "b"}).allowed_hosts().size(), 2u);
}

}  // namespace
