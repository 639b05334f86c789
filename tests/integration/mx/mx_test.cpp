// Direct MX delivery end to end: dnsmasq serves the test domains, one SMTP
// server per MX host on 127.0.0.x. Preference order, ties, fallback on 4xx
// and on refused connections, 5xx final, null MX, implicit MX, NXDOMAIN,
// SERVFAIL (scripted DNS), every host down, TLS policies, mixed domains.
#include "mx_peers.hpp"

#include <lettre/transport/async_mx_transport.hpp>
#include <lettre/transport/mx_transport.hpp>

#include <gtest/gtest.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cctype>
#include <set>
#include <thread>

namespace {

using namespace mx_it;
using boost::system::error_code;
using lettre::condition;
using lettre::errc;
namespace asio = boost::asio;

std::string describe(const lettre::mx::report& r) {
    std::string s;
    for (const auto& x : r.recipients)
        s += x.recipient.to_string() + ": " + std::string(lettre::mx::outcome(x)) + " (" + x.host +
             " " + x.ip + ") " + x.message + "\n";
    return s;
}

/// test_config() asking only the scripted DNS server (SERVFAIL, and never an
/// answer for silent.test: tests/unit/dns/scripted_dns.py), one try of `timeout`.
lettre::mx::config scripted_dns_config(std::chrono::milliseconds timeout) {
    auto cfg = test_config();
    cfg.dns.servers = {shared_peers().scripted->server()};
    cfg.dns.tries = 1;
    cfg.dns.timeout = timeout;
    return cfg;
}

const lettre::mx::recipient_result& of(const lettre::mx::report& r, const std::string& who) {
    for (const auto& x : r.recipients)
        if (x.recipient.to_string() == who) return x;
    throw std::runtime_error("no result for " + who);
}

TEST(mx_delivery, preference_order) {
    const auto& p = shared_peers();
    const auto before_a = p.messages("127.0.0.2").size();
    const auto before_b = p.messages("127.0.0.3").size();
    lettre::mx_transport mx(test_config());
    auto msg = message_to({"alice@pref.test", "bob@PREF.test"});
    auto report = mx.send(msg);
    ASSERT_TRUE(report.all_delivered()) << describe(report);
    for (const auto& r : report.recipients) {
        EXPECT_EQ(r.host, "mx-a.pref.test");
        EXPECT_EQ(r.ip, "127.0.0.2");
        ASSERT_TRUE(r.reply);
        EXPECT_EQ(r.reply->code(), 250);
    }
    auto box = p.messages("127.0.0.2");
    ASSERT_EQ(box.size(), before_a + 1) << "one transaction for the domain";
    EXPECT_EQ(box.back().rcpts.size(), 2u);
    EXPECT_EQ(box.back().from, "<sender@origin.test>");
    EXPECT_EQ(box.back().helo, "client.test");
    EXPECT_NE(box.back().data.find("Hello MX."), std::string::npos);
    EXPECT_EQ(p.messages("127.0.0.3").size(), before_b);
}

TEST(mx_delivery, ties_are_shuffled) {
    const auto& p = shared_peers();
    const auto a0 = p.messages("127.0.0.4").size();
    const auto b0 = p.messages("127.0.0.5").size();
    lettre::mx_transport mx(test_config());
    for (int i = 0; i < 16; ++i) {
        auto r = mx.send(message_to({"u@ties.test"}));
        ASSERT_TRUE(r.all_delivered()) << describe(r);
    }
    const auto a = p.messages("127.0.0.4").size() - a0;
    const auto b = p.messages("127.0.0.5").size() - b0;
    EXPECT_EQ(a + b, 16u);
    EXPECT_GT(a, 0u) << "the tie never went to t1 in 16 sends";
    EXPECT_GT(b, 0u) << "the tie never went to t2 in 16 sends";
}

TEST(mx_delivery, fallback_on_4xx_and_refused_connection) {
    const auto& p = shared_peers();
    const auto good0 = p.messages("127.0.0.7").size();
    lettre::mx_transport mx(test_config());
    auto r = mx.send(message_to({"x@fallback4xx.test", "y@conn-refused.test", "z@datafail.test"}));
    ASSERT_TRUE(r.all_delivered()) << describe(r);
    for (const auto& x : r.recipients) EXPECT_EQ(x.ip, "127.0.0.7") << describe(r);
    EXPECT_EQ(p.messages("127.0.0.7").size(), good0 + 3);
    EXPECT_TRUE(p.messages("127.0.0.6").empty());
    EXPECT_TRUE(p.messages("127.0.0.13").empty());
    EXPECT_GE(p.connections("127.0.0.6"), 1);
    EXPECT_GE(p.connections("127.0.0.13"), 1);
}

TEST(mx_delivery, every_address_of_a_host_is_tried) {
    const auto& p = shared_peers();
    const auto good0 = p.messages("127.0.0.7").size();
    auto cfg = test_config();
    lettre::mx_transport mx(cfg);
    auto r = mx.send(message_to({"m@multi.test"}));
    ASSERT_TRUE(r.all_delivered()) << describe(r);
    EXPECT_EQ(r.recipients[0].host, "multi-mx.test");
    EXPECT_EQ(r.recipients[0].ip, "127.0.0.7");
    EXPECT_EQ(p.messages("127.0.0.7").size(), good0 + 1);
}

TEST(mx_delivery, rcpt_5xx_is_final) {
    const auto& p = shared_peers();
    const auto backup0 = p.messages("127.0.0.3").size();
    lettre::mx_transport mx(test_config());
    std::error_code ec;
    auto r = mx.send(message_to({"good@final5xx.test", "bad@final5xx.test"}), ec);
    EXPECT_FALSE(ec) << "one recipient got it";
    const auto& good = of(r, "good@final5xx.test");
    const auto& bad = of(r, "bad@final5xx.test");
    EXPECT_TRUE(good.delivered());
    EXPECT_EQ(good.ip, "127.0.0.9");
    EXPECT_EQ(bad.error, condition::permanent) << describe(r);
    ASSERT_TRUE(bad.reply);
    EXPECT_EQ(bad.reply->code(), 550);
    EXPECT_EQ(bad.host, "picky.final5xx.test");
    EXPECT_EQ(bad.error, lettre::make_error_code(errc::smtp_permanent));
    EXPECT_EQ(p.messages("127.0.0.3").size(), backup0) << "5xx must not fall back";
    EXPECT_EQ(r.permanent_failures().size(), 1u);
}

TEST(mx_delivery, null_mx_is_permanent_without_fallback) {
    const auto& p = shared_peers();
    const auto good0 = p.messages("127.0.0.7").size();
    lettre::mx_transport mx(test_config());
    std::error_code ec;
    auto r = mx.send(message_to({"n@nullmx.test"}), ec);
    EXPECT_EQ(ec, errc::null_mx);
    EXPECT_EQ(r.recipients.at(0).error, condition::permanent);
    EXPECT_EQ(r.recipients.at(0).error, lettre::make_error_code(errc::null_mx));
    EXPECT_EQ(p.messages("127.0.0.7").size(), good0) << "the A record must not be used";
    try {
        mx.send(message_to({"n@nullmx.test"}));
        FAIL() << "no exception";
    } catch (const lettre::mx::delivery_error& e) {
        EXPECT_EQ(e.code(), errc::null_mx);
        EXPECT_EQ(e.report().recipients.size(), 1u);
    }
}

TEST(mx_delivery, implicit_mx_on_nodata) {
    const auto& p = shared_peers();
    const auto good0 = p.messages("127.0.0.7").size();
    lettre::mx_transport mx(test_config());
    auto r = mx.send(message_to({"i@implicit.test"}));
    ASSERT_TRUE(r.all_delivered()) << describe(r);
    EXPECT_EQ(r.recipients[0].host, "implicit.test");
    EXPECT_EQ(p.messages("127.0.0.7").size(), good0 + 1);
}

TEST(mx_delivery, nxdomain_and_no_address_are_permanent) {
    lettre::mx_transport mx(test_config());
    std::error_code ec;
    auto r = mx.send(message_to({"a@nowhere.test", "b@noaddr.test"}), ec);
    EXPECT_EQ(ec, errc::dns_nxdomain);
    EXPECT_EQ(of(r, "a@nowhere.test").error, condition::permanent);
    EXPECT_EQ(of(r, "a@nowhere.test").error, lettre::make_error_code(errc::dns_nxdomain));
    EXPECT_EQ(of(r, "b@noaddr.test").error, condition::permanent) << describe(r);
    EXPECT_EQ(of(r, "b@noaddr.test").error, lettre::make_error_code(errc::no_mx_host));
}

TEST(mx_delivery, servfail_is_transient_without_fallback) {
    const auto& p = shared_peers();
    const auto good0 = p.messages("127.0.0.7").size();
    auto cfg = scripted_dns_config(std::chrono::milliseconds(300));
    lettre::mx_transport mx(cfg);
    std::error_code ec;
    auto r = mx.send(message_to({"s@mx-servfail.test", "t@silent.test"}), ec);
    EXPECT_EQ(ec, errc::dns_servfail);
    EXPECT_EQ(of(r, "s@mx-servfail.test").error, condition::transient);
    EXPECT_EQ(of(r, "s@mx-servfail.test").error, lettre::make_error_code(errc::dns_servfail));
    EXPECT_EQ(of(r, "t@silent.test").error, condition::transient);
    EXPECT_EQ(of(r, "t@silent.test").error, lettre::make_error_code(errc::dns_timeout));
    EXPECT_EQ(p.messages("127.0.0.7").size(), good0) << "never the A record on SERVFAIL";
}

TEST(mx_delivery, every_host_down_is_transient) {
    lettre::mx_transport mx(test_config());
    std::error_code ec;
    auto r = mx.send(message_to({"d@down.test"}), ec);
    EXPECT_TRUE(ec);
    const auto& d = r.recipients.at(0);
    EXPECT_EQ(d.error, condition::transient) << describe(r);
    EXPECT_EQ(d.host, "greeting421.test") << "the last host tried";
    ASSERT_TRUE(d.reply);
    EXPECT_EQ(d.reply->code(), 421);
    EXPECT_EQ(r.transient_failures().size(), 1u);
}

TEST(mx_delivery, mixed_domains_in_one_message) {
    const auto& p = shared_peers();
    const auto a0 = p.messages("127.0.0.2").size();
    lettre::mx_transport mx(test_config());
    auto msg =
        message_to({"one@pref.test", "bad@final5xx.test", "two@nowhere.test", "three@nullmx.test",
                    "four@down.test", "five@implicit.test", "six@[127.0.0.7]"});
    std::error_code ec;
    auto r = mx.send(msg, ec);
    EXPECT_FALSE(ec);
    ASSERT_EQ(r.recipients.size(), 7u);
    EXPECT_EQ(r.recipients[0].recipient.to_string(), "one@pref.test") << "envelope order";
    EXPECT_TRUE(of(r, "one@pref.test").delivered());
    EXPECT_EQ(of(r, "bad@final5xx.test").error, condition::permanent);
    EXPECT_EQ(of(r, "two@nowhere.test").error, condition::permanent);
    EXPECT_EQ(of(r, "three@nullmx.test").error, condition::permanent);
    EXPECT_EQ(of(r, "four@down.test").error, condition::transient);
    EXPECT_TRUE(of(r, "five@implicit.test").delivered());
    EXPECT_TRUE(of(r, "six@[127.0.0.7]").delivered()) << describe(r);
    EXPECT_EQ(r.delivered().size(), 3u);
    EXPECT_EQ(p.messages("127.0.0.2").size(), a0 + 1);
    // Bcc-free copy: the message went as formatted, to each domain's hosts.
    EXPECT_EQ(p.messages("127.0.0.2").back().rcpts, std::vector<std::string>{"one@pref.test"});
}

TEST(mx_delivery, default_hello_is_a_fqdn_or_an_address_literal) {
    const auto& p = shared_peers();
    auto cfg = test_config();
    cfg.hello_name.clear();
    lettre::mx_transport mx(cfg);
    auto r = mx.send(message_to({"helo@pref.test"}));
    ASSERT_TRUE(r.all_delivered()) << describe(r);
    const std::string machine = lettre::smtp::default_hello_name();
    const std::string helo = p.messages("127.0.0.2").back().helo;
    if (machine.find('.') != std::string::npos)
        EXPECT_EQ(helo, machine);
    else
        EXPECT_EQ(helo, "[127.0.0.1]") << "a bare host name (" << machine << ") is no EHLO name";
}

TEST(mx_delivery, blocking_send_raw_throws_when_nobody_got_it) {
    lettre::mx_transport mx(test_config());
    auto msg = message_to({"n@nullmx.test"});
    try {
        mx.send_raw(msg.envelope(), msg.formatted());
        FAIL() << "no exception";
    } catch (const lettre::mx::delivery_error& e) {
        EXPECT_EQ(e.code(), errc::null_mx);
        EXPECT_EQ(e.report().recipients.size(), 1u);
    }
    auto ok = mx.send_raw(message_to({"raw@pref.test"}).envelope(),
                          message_to({"raw@pref.test"}).formatted());
    EXPECT_TRUE(ok.all_delivered()) << describe(ok);
}

TEST(mx_delivery, send_raw_asks_for_smtputf8_when_the_header_section_needs_it) {
    // No flag to pass any more: derived from the envelope and the header
    // section (RFC 6531). Seen in the MAIL command on the wire.
    std::vector<std::string> mail;
    auto cfg = test_config();
    cfg.trace = [&](lettre::smtp::trace_direction d, std::string_view line) {
        if (d == lettre::smtp::trace_direction::sent && line.starts_with("MAIL FROM"))
            mail.emplace_back(line);
    };
    lettre::mx_transport mx(cfg);
    const auto env = message_to({"utf8@pref.test"}).envelope();
    auto r = mx.send_raw(env, "From: sender@origin.test\r\nSubject: bj\xc3\xb6rk\r\n\r\nhi\r\n");
    ASSERT_TRUE(r.all_delivered()) << describe(r);
    r = mx.send_raw(env, "From: sender@origin.test\r\nSubject: plain\r\n\r\nbj\xc3\xb6rk\r\n");
    ASSERT_TRUE(r.all_delivered()) << describe(r);
    ASSERT_EQ(mail.size(), 2u);
    EXPECT_NE(mail[0].find("SMTPUTF8"), std::string::npos) << mail[0];
    EXPECT_EQ(mail[1].find("SMTPUTF8"), std::string::npos) << mail[1];
}

TEST(mx_delivery, try_send_and_a_moved_transport) {
    lettre::mx_transport first(test_config());
    lettre::mx_transport mx = std::move(first);
    auto ok = mx.try_send(message_to({"try@pref.test"}));
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_TRUE(ok->all_delivered());
    auto bad = mx.try_send(message_to({"try@nullmx.test"}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, errc::null_mx);
    EXPECT_EQ(bad.error().code, condition::permanent);
    EXPECT_NE(bad.error().message.find("try@nullmx.test"), std::string::npos)
        << bad.error().message;
}

TEST(mx_delivery, one_blocking_transport_shared_by_threads) {
    lettre::mx_transport mx(test_config());
    std::atomic<int> delivered{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 3; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 3; ++i) {
                std::error_code ec;
                auto r = mx.send(message_to({"shared@pref.test", "shared@implicit.test"}), ec);
                if (!ec && r.all_delivered()) ++delivered;
            }
        });
    for (auto& t : threads) t.join();
    EXPECT_EQ(delivered, 9);
}

TEST(mx_delivery, idn_domains_go_out_as_a_labels_grouped_case_insensitively) {
    const auto& p = shared_peers();
    const auto a0 = p.messages("127.0.0.2").size();
    lettre::mx_transport mx(test_config());
    auto r = mx.send(message_to({"u@bücher.test", "v@XN--BCHER-KVA.test", "w@BÜCHER.test"}));
    ASSERT_TRUE(r.all_delivered()) << describe(r);
    auto box = p.messages("127.0.0.2");
    ASSERT_EQ(box.size(), a0 + 1) << "one domain, one transaction";
    EXPECT_EQ(box.back().rcpts.size(), 3u);
    for (auto rcpt : box.back().rcpts) {
        for (auto& c : rcpt) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        EXPECT_NE(rcpt.find("@xn--bcher-kva.test"), std::string::npos) << rcpt;
    }

    auto plan = mx.plan("Bücher.test");
    EXPECT_FALSE(plan.error) << plan.message;
    EXPECT_EQ(plan.domain, "xn--bcher-kva.test");
    ASSERT_EQ(plan.hosts.size(), 1u);
    EXPECT_EQ(plan.hosts[0].name, "mx-a.pref.test");
    auto bad = mx.plan(
        "bad\xff"
        "x.test");  // not UTF-8: no A-label
    EXPECT_TRUE(bad.error);
    EXPECT_EQ(bad.error, condition::permanent);
}

TEST(mx_delivery, plan) {
    lettre::mx_transport mx(test_config());
    auto plan = mx.plan("pref.test");
    EXPECT_FALSE(plan.error);
    ASSERT_EQ(plan.hosts.size(), 2u);
    EXPECT_EQ(plan.hosts[0].name, "mx-a.pref.test");
    EXPECT_EQ(plan.hosts[0].preference, 10);
    ASSERT_EQ(plan.hosts[0].addresses.size(), 1u);
    EXPECT_EQ(plan.hosts[0].addresses[0].to_string(), "127.0.0.2");
    auto imp = mx.plan("implicit.test");
    EXPECT_TRUE(imp.implicit_mx);
    auto null = mx.plan("nullmx.test");
    EXPECT_EQ(null.error, lettre::make_error_code(errc::null_mx));
    EXPECT_EQ(null.error, condition::permanent);
    auto nx = mx.plan("nowhere.test");
    EXPECT_EQ(nx.error, lettre::make_error_code(errc::dns_nxdomain));
    auto none = mx.plan("noaddr.test");
    EXPECT_EQ(none.error, lettre::make_error_code(errc::no_mx_host));
    ASSERT_EQ(none.hosts.size(), 1u);
    EXPECT_EQ(none.hosts[0].error, lettre::make_error_code(errc::dns_nxdomain));
}

// ---- TLS policies ---------------------------------------------------------------

TEST(mx_tls, opportunistic_uses_starttls_without_verification) {
    const auto& p = shared_peers();
    const auto n0 = p.messages("127.0.0.11").size();
    lettre::mx_transport mx(test_config());  // the test CA is not trusted
    auto r = mx.send(message_to({"t@tls.test"}));
    ASSERT_TRUE(r.all_delivered()) << describe(r);
    EXPECT_TRUE(r.recipients.at(0).tls);
    auto box = p.messages("127.0.0.11");
    ASSERT_EQ(box.size(), n0 + 1);
    EXPECT_TRUE(box.back().tls);
    // And plaintext where STARTTLS is not offered.
    auto plain = mx.send(message_to({"t@notls.test"}));
    ASSERT_TRUE(plain.all_delivered()) << describe(plain);
    EXPECT_FALSE(plain.recipients.at(0).tls);
    EXPECT_FALSE(p.messages("127.0.0.12").back().tls);
}

TEST(mx_tls, second_delivery_to_a_host_resumes_its_tls_session) {
    const auto& p = shared_peers();
    const auto n0 = p.messages("127.0.0.11").size();
    lettre::mx_transport mx(test_config());
    for (const char* to : {"a@tls.test", "b@tls.test"}) {
        auto r = mx.send(message_to({to}));
        ASSERT_TRUE(r.all_delivered()) << describe(r);
    }
    auto box = p.messages("127.0.0.11");
    ASSERT_EQ(box.size(), n0 + 2);
    EXPECT_FALSE(box[n0].reused);
    EXPECT_TRUE(box[n0 + 1].reused) << "the server saw a full handshake again";
    // Another transport has its own sessions: a full handshake.
    lettre::mx_transport other(test_config());
    ASSERT_TRUE(other.send(message_to({"c@tls.test"})).all_delivered());
    EXPECT_FALSE(p.messages("127.0.0.11").back().reused);
}

TEST(mx_tls, required_without_starttls_is_transient) {
    auto cfg = test_config();
    cfg.tls = lettre::mx::tls_policy::required;
    lettre::mx_transport mx(cfg);
    std::error_code ec;
    auto r = mx.send(message_to({"t@notls.test"}), ec);
    // Transient for MX (another host, or this one later, may offer it):
    // deferred, the reason in the message.
    EXPECT_EQ(ec, errc::delivery_deferred);
    EXPECT_EQ(ec, condition::transient);
    EXPECT_NE(r.recipients.at(0).message.find("STARTTLS"), std::string::npos) << describe(r);
    EXPECT_EQ(r.recipients.at(0).error, condition::transient) << describe(r);
    auto ok = mx.send(message_to({"t@tls.test"}), ec);
    EXPECT_FALSE(ec) << describe(ok);
}

TEST(mx_tls, verified_needs_a_trusted_certificate_for_the_mx_name) {
    const auto& p = shared_peers();
    auto cfg = test_config();
    cfg.tls = lettre::mx::tls_policy::verified;
    {
        // A CA that did not sign the server's certificate: refused.
        auto other = cfg;
        other.tls_parameters.ca_file = p.outdir / "server.pem";
        lettre::mx_transport mx(other);
        std::error_code ec;
        auto r = mx.send(message_to({"t@tls.test"}), ec);
        EXPECT_EQ(ec, errc::delivery_deferred) << describe(r);
        EXPECT_EQ(ec, condition::transient);
        EXPECT_EQ(r.recipients.at(0).error, condition::transient);
    }
    cfg.tls_parameters.ca_file = p.ca();
    lettre::mx_transport mx(cfg);
    const auto n0 = p.messages("127.0.0.11").size();
    auto r = mx.send(message_to({"v@tls.test"}));
    ASSERT_TRUE(r.all_delivered()) << describe(r);
    EXPECT_EQ(p.messages("127.0.0.11").size(), n0 + 1);
}

TEST(mx_tls, opportunistic_retries_in_plaintext_after_a_failed_handshake) {
    // 127.0.0.15 offers STARTTLS, says 220 and then answers with no TLS at all.
    const auto& p = shared_peers();
    const std::string ip = "127.0.0.15";
    const auto c0 = p.connections(ip);
    const auto n0 = p.messages(ip).size();
    lettre::mx_transport mx(test_config());
    auto r = mx.send(message_to({"t@badtls.test"}));
    ASSERT_TRUE(r.all_delivered()) << describe(r);
    EXPECT_EQ(r.recipients.at(0).ip, ip);
    EXPECT_FALSE(r.recipients.at(0).tls);
    EXPECT_EQ(p.connections(ip), c0 + 2);  // the failed handshake, then plaintext
    auto box = p.messages(ip);
    ASSERT_EQ(box.size(), n0 + 1);
    EXPECT_FALSE(box.back().tls);
}

TEST(mx_tls, no_plaintext_retry_when_turned_off_or_tls_is_required) {
    const auto& p = shared_peers();
    const std::string ip = "127.0.0.15";
    const auto n0 = p.messages(ip).size();
    for (const bool required : {false, true}) {
        auto cfg = test_config();
        if (required)
            cfg.tls = lettre::mx::tls_policy::required;
        else
            cfg.plaintext_after_tls_failure = false;
        const auto c0 = p.connections(ip);
        lettre::mx_transport mx(cfg);
        std::error_code ec;
        auto r = mx.send(message_to({"t@badtls.test"}), ec);
        EXPECT_EQ(ec, errc::delivery_deferred) << describe(r);
        EXPECT_EQ(ec, condition::transient);
        ASSERT_EQ(r.recipients.size(), 1u);
        EXPECT_EQ(r.recipients[0].error, condition::transient) << describe(r);
        EXPECT_EQ(p.connections(ip), c0 + 1) << "required=" << required;
    }
    EXPECT_EQ(p.messages(ip).size(), n0);
}

TEST(mx_tls, policy_hook_decides_per_host) {
    auto cfg = test_config();
    std::vector<std::string> asked;
    cfg.policy = [&](std::string_view domain, std::string_view host, lettre::mx::tls_policy t) {
        asked.push_back(std::string(domain) + "/" + std::string(host));
        lettre::mx::host_policy hp{t, true, {}};
        if (host == "mx-a.pref.test") {
            hp.allowed = false;
            hp.reason = "not in the MTA-STS policy";
        }
        return hp;
    };
    lettre::mx_transport mx(cfg);
    auto r = mx.send(message_to({"h@pref.test"}));
    ASSERT_TRUE(r.all_delivered()) << describe(r);
    EXPECT_EQ(r.recipients[0].host, "mx-b.pref.test");
    EXPECT_EQ(asked,
              (std::vector<std::string>{"pref.test/mx-a.pref.test", "pref.test/mx-b.pref.test"}));
}

// ---- async -------------------------------------------------------------------------

TEST(mx_async, callbacks_never_inline_and_domains_concurrent) {
    asio::io_context ioc;
    auto cfg = test_config();
    cfg.max_concurrent_domains = 2;
    lettre::async_mx_transport mx(ioc.get_executor(), cfg);
    bool called = false;
    lettre::mx::report report;
    error_code got;
    mx.async_send(message_to({"a@pref.test", "b@implicit.test", "c@ties.test", "d@nowhere.test"}),
                  [&](error_code ec, lettre::mx::report r) {
                      called = true;
                      got = ec;
                      report = std::move(r);
                  });
    EXPECT_FALSE(called);
    ioc.run();
    ASSERT_TRUE(called);
    EXPECT_FALSE(got);
    EXPECT_EQ(report.delivered().size(), 3u) << describe(report);
    EXPECT_EQ(report.permanent_failures().size(), 1u);
}

TEST(mx_async, coroutines_send_and_plan) {
    asio::io_context ioc;
    lettre::async_mx_transport mx(ioc.get_executor(), test_config());
    std::string out;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            // Arguments prepared outside co_await: GCC 12 miscompiles string
            // literals in a co_await expression ("array used as initializer").
            const std::string domain = "pref.test";
            const auto good = message_to({"co@pref.test"});
            const auto null = message_to({"co@nullmx.test"});
            const std::string space = " ";
            auto plan = co_await mx.async_plan(domain, asio::use_awaitable);
            out += plan.hosts.at(0).name;
            auto r = co_await mx.async_send(good, asio::use_awaitable);
            out += space + std::string(lettre::mx::outcome(r.recipients.at(0)));
            try {
                co_await mx.async_send(null, asio::use_awaitable);
            } catch (const boost::system::system_error& e) {
                out += space + (e.code() == errc::null_mx ? std::string("null") : std::string("?"));
            }
        },
        asio::detached);
    ioc.run();
    EXPECT_EQ(out, "mx-a.pref.test delivered null");
}

TEST(mx_async, concurrent_domains_stay_within_the_bound) {
    // Sessions open at once, counted from the dialogue: +1 at a greeting,
    // -1 at QUIT. Four domains, a bound of two.
    asio::io_context ioc;
    auto cfg = test_config();
    cfg.max_concurrent_domains = 2;
    int open = 0;
    int most = 0;
    cfg.trace = [&](lettre::smtp::trace_direction d, std::string_view line) {
        if (d == lettre::smtp::trace_direction::received && line.starts_with("220 ") &&
            line.find("ESMTP") != std::string_view::npos)
            most = std::max(most, ++open);
        if (d == lettre::smtp::trace_direction::sent && line == "QUIT") --open;
    };
    lettre::async_mx_transport mx(ioc.get_executor(), cfg);
    lettre::mx::report report;
    mx.async_send(message_to({"a@pref.test", "b@implicit.test", "c@ties.test", "d@notls.test"}),
                  [&](error_code, lettre::mx::report r) { report = std::move(r); });
    ioc.run();
    EXPECT_EQ(report.delivered().size(), 4u) << describe(report);
    EXPECT_GE(most, 1);
    EXPECT_LE(most, 2);
    EXPECT_EQ(open, 0);
}

TEST(mx_async, handler_on_another_context_is_kept_waiting_for) {
    // The handler's executor (another io_context with nothing else to do)
    // must count the send as outstanding work: its run() returns only
    // after the handler has run.
    asio::io_context io;
    asio::io_context user;
    lettre::async_mx_transport mx(io.get_executor(), test_config());
    std::atomic<bool> called{false};
    mx.async_send(message_to({"w@pref.test"}),
                  asio::bind_executor(user, [&](error_code ec, lettre::mx::report) {
                      EXPECT_FALSE(ec);
                      called = true;
                  }));
    std::thread t([&] { io.run(); });
    user.run();
    EXPECT_TRUE(called);
    t.join();
}

// ---- whole-send cancellation ------------------------------------------------------

TEST(mx_cancel, during_a_session_keeps_what_was_delivered) {
    // pref.test is delivered first (one domain at a time); stall.test's host
    // greets and then never answers; the cancellation comes at its greeting.
    // ties.test never starts.
    const auto& p = shared_peers();
    const auto a0 = p.messages("127.0.0.2").size();
    const int stall0 = p.connections("127.0.0.14");
    asio::io_context ioc;
    asio::cancellation_signal sig;
    auto cfg = test_config();
    cfg.max_concurrent_domains = 1;
    cfg.trace = [&](lettre::smtp::trace_direction d, std::string_view line) {
        if (d == lettre::smtp::trace_direction::received && line.starts_with("220 127.0.0.14"))
            asio::post(ioc, [&] { sig.emit(asio::cancellation_type::terminal); });
    };
    lettre::async_mx_transport mx(ioc.get_executor(), cfg);
    bool called = false;
    error_code got;
    lettre::mx::report report;
    mx.async_send(
        message_to({"a@pref.test", "b@stall.test", "c@ties.test"}),
        asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, lettre::mx::report r) {
            called = true;
            got = ec;
            report = std::move(r);
        }));
    ioc.run();
    ASSERT_TRUE(called);
    EXPECT_EQ(got, asio::error::operation_aborted);
    ASSERT_EQ(report.recipients.size(), 3u) << describe(report);
    EXPECT_TRUE(of(report, "a@pref.test").delivered()) << describe(report);
    const auto& b = of(report, "b@stall.test");
    EXPECT_EQ(b.error, condition::transient);
    EXPECT_EQ(b.error, std::errc::operation_canceled) << b.error.message();
    EXPECT_EQ(b.host, "stall-mx.test");
    const auto& c = of(report, "c@ties.test");
    EXPECT_EQ(c.error, condition::transient);
    EXPECT_EQ(c.error, std::errc::operation_canceled);
    EXPECT_EQ(p.messages("127.0.0.2").size(), a0 + 1);
    EXPECT_EQ(p.connections("127.0.0.14"), stall0 + 1);
}

TEST(mx_cancel, during_dns_lookups_and_teardown_with_queries_pending) {
    // silent.test never answers: the MX lookup is in flight when the
    // cancellation comes; [127.0.0.14] (the stalling host) is in its
    // session at the same time. The transport and its io_context are then
    // destroyed while c-ares still waits for that answer (ASan checks).
    bool called = false;
    error_code got;
    lettre::mx::report report;
    {
        asio::io_context ioc;
        auto cfg = scripted_dns_config(std::chrono::seconds(30));
        lettre::async_mx_transport mx(ioc.get_executor(), cfg);
        asio::cancellation_signal sig;
        mx.async_send(
            message_to({"s@silent.test", "t@silent.test", "u@[127.0.0.14]"}),
            asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, lettre::mx::report r) {
                called = true;
                got = ec;
                report = std::move(r);
            }));
        // Once the lookup is surely on the wire (the outcome is the same if
        // the cancellation comes first).
        asio::steady_timer t(ioc, std::chrono::milliseconds(100));
        t.async_wait([&](error_code) { sig.emit(asio::cancellation_type::terminal); });
        while (!called && ioc.run_one()) {
        }
        ASSERT_TRUE(called);
    }
    EXPECT_EQ(got, asio::error::operation_aborted);
    ASSERT_EQ(report.recipients.size(), 3u) << describe(report);
    for (const auto& r : report.recipients) {
        EXPECT_EQ(r.error, condition::transient) << describe(report);
        EXPECT_EQ(r.error, std::errc::operation_canceled) << describe(report);
    }
}

TEST(mx_cancel, a_plan_waiting_for_dns) {
    // silent.test never answers; the plan completes with operation_aborted
    // once cancelled instead of after the 30 s DNS timeout.
    asio::io_context ioc;
    auto cfg = scripted_dns_config(std::chrono::seconds(30));
    lettre::async_mx_transport mx(ioc.get_executor(), cfg);
    asio::cancellation_signal sig;
    bool called = false;
    error_code got;
    lettre::mx::plan plan;
    mx.async_plan("silent.test",
                  asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, lettre::mx::plan r) {
                      called = true;
                      got = ec;
                      plan = std::move(r);
                  }));
    asio::steady_timer t(ioc, std::chrono::milliseconds(100));
    t.async_wait([&](error_code) { sig.emit(asio::cancellation_type::terminal); });
    while (!called && ioc.run_one()) {
    }
    ASSERT_TRUE(called);
    EXPECT_EQ(got, asio::error::operation_aborted);
    EXPECT_EQ(plan.error, std::errc::operation_canceled);
    EXPECT_EQ(plan.error, condition::transient);
    EXPECT_TRUE(plan.hosts.empty());
    // A plan that is not cancelled still works on the same transport (an
    // address literal: the scripted DNS server knows no other domain).
    bool second = false;
    mx.async_plan("[127.0.0.2]", [&](error_code ec, lettre::mx::plan r) {
        second = true;
        EXPECT_FALSE(ec) << r.message;
        EXPECT_EQ(r.hosts.size(), 1u);
    });
    // run_one: the abandoned query keeps c-ares busy until its timeout.
    while (!second && ioc.run_one()) {
    }
    EXPECT_TRUE(second);
}

TEST(mx_cancel, after_completion_and_total_cancellation_are_no_ops) {
    asio::io_context ioc;
    lettre::async_mx_transport mx(ioc.get_executor(), test_config());
    asio::cancellation_signal sig;
    error_code got = asio::error::would_block;
    mx.async_send(message_to({"late@pref.test"}),
                  asio::bind_cancellation_slot(sig.slot(), [&](error_code ec, lettre::mx::report) {
                      got = ec;
                      // The slot is free again: emitting now does nothing.
                      sig.emit(asio::cancellation_type::terminal);
                  }));
    ioc.run();
    EXPECT_FALSE(got) << got.message();
    sig.emit(asio::cancellation_type::terminal);  // long after: no effect

    // Only terminal and partial cancellation are supported: a send has side
    // effects, so `total` is ignored and the send completes normally.
    ioc.restart();
    asio::cancellation_signal total;
    got = asio::error::would_block;
    mx.async_send(message_to({"total@pref.test"}),
                  asio::bind_cancellation_slot(
                      total.slot(), [&](error_code ec, lettre::mx::report) { got = ec; }));
    asio::post(ioc, [&] { total.emit(asio::cancellation_type::total); });
    ioc.run();
    EXPECT_FALSE(got) << got.message();
}

TEST(mx_cancel, destroying_everything_mid_send) {
    // No cancellation: the transport and the io_context are destroyed while
    // an MX lookup (silent.test) and a session ([127.0.0.14]) are in
    // flight. The handler is destroyed uncalled; nothing may leak or be
    // used after free (ASan/LSan).
    bool called = false;
    {
        asio::io_context ioc;
        auto cfg = scripted_dns_config(std::chrono::seconds(30));
        auto mx = std::make_unique<lettre::async_mx_transport>(ioc.get_executor(), cfg);
        mx->async_send(message_to({"s@silent.test", "u@[127.0.0.14]"}),
                       [&](error_code, lettre::mx::report) { called = true; });
        asio::steady_timer t(ioc, std::chrono::milliseconds(200));
        t.async_wait([&](error_code) { ioc.stop(); });
        ioc.run();
        mx.reset();
    }
    EXPECT_FALSE(called);
}

}  // namespace

// Without allow_local_targets, an MX host on loopback is this machine: the
// message would loop back (docs/security.md, "Decisions on careless input").
TEST(mx_delivery, local_targets_are_refused_unless_allowed) {
    const auto& p = shared_peers();
    const auto before = p.messages("127.0.0.2").size();
    auto cfg = test_config();
    cfg.allow_local_targets = false;
    lettre::mx_transport mx(cfg);
    lettre::mx::report report;
    try {
        report = mx.send(message_to({"one@pref.test", "six@[127.0.0.7]"}));
        ADD_FAILURE() << "delivered: " << describe(report);
    } catch (const lettre::mx::delivery_error& e) {
        report = e.report();
    }
    const auto& one = of(report, "one@pref.test");
    EXPECT_EQ(one.error, lettre::errc::no_mx_host) << describe(report);
    EXPECT_EQ(one.error, lettre::condition::permanent) << describe(report);
    EXPECT_NE(one.message.find("loops back to myself"), std::string::npos) << one.message;
    EXPECT_NE(one.message.find("127.0.0.3 (loopback)"), std::string::npos) << one.message;
    const auto& six = of(report, "six@[127.0.0.7]");
    EXPECT_EQ(six.error, lettre::condition::permanent) << describe(report);
    EXPECT_NE(six.message.find("[127.0.0.7] has 127.0.0.7 (loopback)"), std::string::npos)
        << six.message;
    EXPECT_EQ(p.messages("127.0.0.2").size(), before) << "nothing may be sent to this machine";
}
