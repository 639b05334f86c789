// RFC 5321 §5.1 decisions of MX delivery without sockets: ordering, ties,
// null MX, implicit MX, which DNS errors are final, and what each SMTP
// outcome means for each recipient.
#include "transport/mx_plan.hpp"
#include "mx_test_values.hpp"
#include "transport/mx_recipients.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace {

using namespace lettre::mx::detail;
using lettre::errc;
using lettre::make_error_code;
using lettre::dns::mx_record;
namespace smtp = lettre::smtp;

random_source fixed(std::size_t pick) {
    return [pick](std::size_t n) { return pick % n; };
}

TEST(mx_plan, sorted_by_preference_ties_shuffled_duplicates_dropped) {
    std::vector<mx_record> in = {
        {20, "b", 1}, {10, "a1", 1}, {30, "c", 1}, {10, "a2", 1}, {10, "A1", 1}};
    std::set<std::string> firsts;
    for (std::size_t pick = 0; pick < 4; ++pick) {
        auto out = order_mx(in, fixed(pick));
        ASSERT_EQ(out.size(), 4u);
        EXPECT_EQ(out[0].preference, 10);
        EXPECT_EQ(out[1].preference, 10);
        EXPECT_EQ(out[2].host, "b");
        EXPECT_EQ(out[3].host, "c");
        firsts.insert(out[0].host);
    }
    EXPECT_EQ(firsts.size(), 2u) << "ties are not shuffled";

    auto rnd = default_random();
    std::map<std::string, int> count;
    for (int i = 0; i < 200; ++i) ++count[order_mx(in, rnd)[0].host];
    EXPECT_GT(count["a1"], 40);
    EXPECT_GT(count["a2"], 40);
}

TEST(mx_plan, decisions) {
    auto rnd = fixed(0);
    auto d = decide("x.test", {}, {{0, "", 1}}, 5, rnd);
    EXPECT_EQ(d.what, lettre::mx::detail::mx_decision::kind::fail);
    EXPECT_EQ(d.error, make_error_code(errc::null_mx));
    EXPECT_EQ(d.error, lettre::condition::permanent);

    d = decide("x.test", make_error_code(errc::dns_nodata), {}, 5, rnd);
    EXPECT_EQ(d.what, lettre::mx::detail::mx_decision::kind::implicit);
    ASSERT_EQ(d.hosts.size(), 1u);
    EXPECT_EQ(d.hosts[0].host, "x.test");

    d = decide("x.test", make_error_code(errc::dns_nxdomain), {}, 5, rnd);
    EXPECT_EQ(d.what, lettre::mx::detail::mx_decision::kind::fail);
    EXPECT_EQ(d.error, make_error_code(errc::dns_nxdomain));
    EXPECT_EQ(d.error, lettre::condition::permanent);

    for (auto e : {errc::dns_servfail, errc::dns_timeout, errc::dns_refused, errc::dns_failed}) {
        d = decide("x.test", make_error_code(e), {}, 5, rnd);
        EXPECT_EQ(d.what, lettre::mx::detail::mx_decision::kind::fail)
            << "never the implicit MX on a DNS failure";
        EXPECT_EQ(d.error, make_error_code(e));
        EXPECT_EQ(d.error, lettre::condition::transient);
    }

    std::vector<mx_record> many;
    for (std::uint16_t i = 0; i < 9; ++i) many.push_back({i, "h" + std::to_string(i), 1});
    d = decide("x.test", {}, many, 3, rnd);
    EXPECT_EQ(d.hosts.size(), 3u);
}

TEST(mx_plan, addresses_and_literals) {
    using lettre::dns::address_record;
    using lettre::dns::ip_address;
    std::vector<address_record> v4 = {{*ip_address::parse("192.0.2.1"), 1}};
    std::vector<address_record> v6 = {{*ip_address::parse("2001:db8::1"), 1}};
    EXPECT_EQ(order_addresses(v4, v6, lettre::mx::address_order::ipv4_first).front().to_string(),
              "192.0.2.1");
    EXPECT_EQ(order_addresses(v4, v6, lettre::mx::address_order::ipv6_first).front().to_string(),
              "2001:db8::1");
    EXPECT_EQ(order_addresses(v4, v6, lettre::mx::address_order::ipv4_only).size(), 1u);
    EXPECT_EQ(domain_literal("[192.0.2.7]")->to_string(), "192.0.2.7");
    EXPECT_EQ(domain_literal("[IPv6:2001:db8::2]")->to_string(), "2001:db8::2");
    EXPECT_FALSE(domain_literal("[2001:db8::2]"));
    EXPECT_FALSE(domain_literal("example.com"));
}

using lettre_test::addr;
using lettre_test::reply;

TEST(mx_recipients, grouped_by_domain_case_insensitively) {
    auto g = group_by_domain({addr("a@X.test"), addr("b@y.test"), addr("c@x.test")});
    ASSERT_EQ(g.size(), 2u);
    EXPECT_EQ(g[0].domain, "x.test");
    EXPECT_EQ(g[0].recipients.size(), 2u);
    EXPECT_EQ(g[1].domain, "y.test");
}

TEST(mx_recipients, rcpt_replies_decide_per_recipient) {
    recipient_tracker t({addr("ok@x.test"), addr("gone@x.test"), addr("later@x.test")});
    smtp::send_report r;
    r.final_reply = reply(250, "queued");
    r.recipients = {{addr("ok@x.test"), reply(250, "ok")},
                    {addr("gone@x.test"), reply(550, "5.1.1 no such user")},
                    {addr("later@x.test"), reply(451, "4.3.0 try later")}};
    EXPECT_TRUE(t.apply("mx1", "127.0.0.2", false, {}, r));
    ASSERT_EQ(t.pending().size(), 1u);
    EXPECT_EQ(t.pending()[0], addr("later@x.test"));

    // The next host refuses the connection, the last one accepts.
    smtp::send_report refused;
    refused.diagnostics.phase = smtp::phase::connect;
    EXPECT_TRUE(t.apply("mx2", "127.0.0.3", false, make_error_code(std::errc::connection_refused),
                        refused));
    EXPECT_EQ(t.pending().size(), 1u);
    smtp::send_report ok;
    ok.final_reply = reply(250, "done");
    ok.recipients = {{addr("later@x.test"), reply(250, "ok")}};
    EXPECT_TRUE(t.apply("mx3", "127.0.0.4", true, {}, ok));
    EXPECT_TRUE(t.done());
    auto res = t.results();
    EXPECT_TRUE(res[0].delivered());
    EXPECT_EQ(res[0].host, "mx1");
    EXPECT_EQ(res[0].reply->code(), 250);
    EXPECT_EQ(res[1].error, lettre::condition::permanent);
    EXPECT_EQ(res[1].reply->code(), 550);
    EXPECT_TRUE(res[2].delivered()) << "the earlier 4xx is forgotten";
    EXPECT_EQ(res[2].host, "mx3");
    EXPECT_FALSE(res[0].tls);
    EXPECT_TRUE(res[2].tls);
}

TEST(mx_recipients, transaction_5xx_is_final_4xx_moves_on_exhaust_is_transient) {
    recipient_tracker t({addr("a@x.test"), addr("b@x.test")});
    smtp::send_report r;
    r.diagnostics.phase = smtp::phase::mail;
    r.diagnostics.server_reply = reply(451, "4.7.1 greylisted");
    // Pipelined RCPT replies after a failed MAIL say nothing.
    r.diagnostics.recipients = {{addr("a@x.test"), reply(503, "need MAIL")}};
    EXPECT_TRUE(t.apply("mx1", "127.0.0.2", false, make_error_code(errc::smtp_transient), r));
    EXPECT_EQ(t.pending().size(), 2u);
    t.exhaust();
    for (const auto& x : t.results()) {
        EXPECT_EQ(x.error, lettre::condition::transient);
        EXPECT_EQ(x.error, errc::smtp_transient);
        EXPECT_EQ(x.reply->code(), 451);
        EXPECT_EQ(x.host, "mx1");
    }

    recipient_tracker p({addr("a@x.test")});
    smtp::send_report d;
    d.recipients = {{addr("a@x.test"), reply(250, "ok")}};
    d.diagnostics.phase = smtp::phase::data_final;
    d.diagnostics.server_reply = reply(554, "5.7.1 spam");
    d.diagnostics.recipients = d.recipients;
    EXPECT_TRUE(p.apply("mx1", "127.0.0.2", false, make_error_code(errc::smtp_permanent), d));
    EXPECT_TRUE(p.done());
    EXPECT_EQ(p.results()[0].error, lettre::condition::permanent);
}

TEST(mx_recipients, unknown_outcome_stops_the_walk) {
    recipient_tracker t({addr("a@x.test")});
    smtp::send_report r;
    r.diagnostics.phase = smtp::phase::data_final;
    EXPECT_FALSE(t.apply("mx1", "127.0.0.2", false, make_error_code(errc::outcome_unknown), r));
    EXPECT_TRUE(t.done());
    // Kept as outcome_unknown (a retry may deliver twice), and counted
    // with the transient failures: retry later.
    EXPECT_EQ(t.results()[0].error, make_error_code(errc::outcome_unknown));
    EXPECT_EQ(t.results()[0].error, lettre::condition::outcome_unknown);
    EXPECT_EQ(lettre::mx::outcome(t.results()[0]), "transient failure");
    lettre::mx::report rep{t.results()};
    EXPECT_EQ(rep.transient_failures().size(), 1u);
    EXPECT_TRUE(rep.permanent_failures().empty());
}

}  // namespace
