// MTA-STS TXT record and policy parsers (RFC 8461 §3.1, §3.2), host
// matching (§4.1) and what a policy means for MX hosts.
#include <lettre/transport/mta_sts.hpp>

#include <gtest/gtest.h>

namespace {

using namespace lettre::mta_sts;
using lettre::errc;

// The example of RFC 8461 §3.2, CRLF line ends.
constexpr std::string_view rfc_policy =
    "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
    "mx: backupmx.example.com\r\nmax_age: 604800\r\n";

lettre::dns::txt_record txt(std::string text) {
    return {{std::move(text)}, 300};
}

TEST(mta_sts_txt, rfc_example_and_extensions) {
    auto r = parse_sts_record("v=STSv1; id=20160831085700Z;");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->id, "20160831085700Z");
    EXPECT_EQ(parse_sts_record("v=STSv1;id=abc")->id, "abc");
    EXPECT_EQ(parse_sts_record("v=STSv1 ;\tid=abc ; ext-1=x:y")->id, "abc");
}

TEST(mta_sts_txt, refuses_bad_records) {
    for (std::string_view bad :
         {"v=STSv1", "v=STSv1;", "v=STSv1; id=", "v=STSv1; id=abc-def", "v=STSv1; id=a; id=b",
          "v=STSv1 id=abc", "v=STSv2; id=abc", "v=stsv1; id=abc", "v=STSv1; id=abc ",
          "v=STSv1; id=123456789012345678901234567890123", "v=STSv1; id=a; _x=1",
          "v=STSv1; id=a; x=", "v=STSv1; id=a; x", "id=abc; v=STSv1"}) {
        auto r = parse_sts_record(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().code, errc::mta_sts_invalid_policy) << bad;
        EXPECT_NE(r.error().message.find("MTA-STS TXT record"), std::string::npos);
    }
    EXPECT_TRUE(parse_sts_record("v=STSv1; id=12345678901234567890123456789012"));
}

TEST(mta_sts_txt, selects_exactly_one_sts_record) {
    auto one = select_sts_record({txt("v=spf1 -all"), txt("v=STSv1; id=x1")});
    ASSERT_TRUE(one);
    ASSERT_TRUE(one->has_value());
    EXPECT_EQ((*one)->id, "x1");
    // Split into character-strings: read concatenated.
    lettre::dns::txt_record split{{"v=STSv1; ", "id=x2"}, 60};
    EXPECT_EQ((*select_sts_record({split}))->id, "x2");
    auto none = select_sts_record({txt("v=spf1 -all"), txt("v=STSv10; id=1")});
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->has_value());
    auto two = select_sts_record({txt("v=STSv1; id=a"), txt("v=STSv1; id=b")});
    ASSERT_FALSE(two);
    EXPECT_NE(two.error().message.find("two v=STSv1"), std::string::npos);
    EXPECT_FALSE(select_sts_record({txt("v=STSv1; id=a-b")}));
    EXPECT_EQ(sts_record_name("example.com"), "_mta-sts.example.com");
}

TEST(mta_sts_policy, rfc_example) {
    auto p = parse_policy(rfc_policy);
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->mode, policy_mode::enforce);
    EXPECT_EQ(p->max_age, 604800u);
    EXPECT_EQ(p->mx, (std::vector<std::string>{"mail.example.com", "*.example.net",
                                               "backupmx.example.com"}));
    EXPECT_EQ(p->text, rfc_policy);
    EXPECT_TRUE(p->matches("MAIL.example.com."));
    EXPECT_TRUE(p->matches("a.example.net"));
    EXPECT_FALSE(p->matches("a.b.example.net"));
    EXPECT_FALSE(p->matches("example.net"));
    EXPECT_FALSE(p->matches("mail.example.org"));
}

TEST(mta_sts_policy, lf_any_order_extensions_and_no_final_line_end) {
    auto p = parse_policy(
        "max_age: 86400\nmx: MX.Example.COM\nx-ext.1: some value  here\nmode: testing\n"
        "version:STSv1   ");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->mode, policy_mode::testing);
    EXPECT_EQ(p->mx, std::vector<std::string>{"mx.example.com"});
    auto none = parse_policy("version: STSv1\nmode: none\nmax_age: 0\n");
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_EQ(none->mode, policy_mode::none);
    EXPECT_TRUE(parse_policy("version: STSv1\nmode: enforce\nmx: a.test\nmax_age: 31557600\n"));
}

TEST(mta_sts_policy, ip_literals_are_ignored) {
    auto p = parse_policy(
        "version: STSv1\nmode: enforce\nmx: 192.0.2.1\nmx: [192.0.2.2]\nmx: [IPv6:2001:db8::1]\n"
        "mx: mx.a.test\nmax_age: 60\n");
    ASSERT_TRUE(p) << p.error().message;
    EXPECT_EQ(p->mx, std::vector<std::string>{"mx.a.test"});
    EXPECT_EQ(p->ignored_mx.size(), 3u);
    EXPECT_FALSE(p->matches("192.0.2.1"));
}

struct bad_policy {
    std::string body;
    std::string expected;  ///< part of the message
};

TEST(mta_sts_policy, errors_name_the_line) {
    const std::string head = "version: STSv1\nmode: enforce\n";
    const std::vector<bad_policy> cases = {
        {"", "empty"},
        {"version: STSv2\nmode: enforce\nmx: a.test\nmax_age: 1\n", "line 1"},
        {head + "mx: a.test\nmax_age: 31557601\n", "line 4"},
        {head + "mx: a.test\nmax_age: -1\n", "max_age must be"},
        {head + "mx: a.test\nmax_age: 12345678901\n", "max_age must be"},
        {head + "mx: a.test\nmax_age: 1e3\n", "max_age must be"},
        {"version: STSv1\nmode: Enforce\nmx: a.test\nmax_age: 1\n", "line 2"},
        {head + "mx: a.test\n\nmax_age: 1\n", "line 4"},
        {head + "mx: a.test\nmax_age: 1\n\n", "line 5"},
        {head + "mx: *.*.a.test\nmax_age: 1\n", "line 3"},
        {head + "mx: a*.test\nmax_age: 1\n", "line 3"},
        {head + "mx: a.test.\nmax_age: 1\n", "line 3"},
        {head + "mx: -a.test\nmax_age: 1\n", "line 3"},
        {head + "mx: a.test\nmax_age: 1\nmode: testing\n", "a second mode"},
        {head + "mx: a.test\nmax_age: 1\nversion: STSv1\n", "a second version"},
        {head + "mx: a.test\nmax_age: 1\nmax_age: 2\n", "a second max_age"},
        {head + "mx: a.test\nmax_age:\n", "line 4"},
        {head + "mx a.test\nmax_age: 1\n", "key: value"},
        {head + "bad key: x\nmx: a.test\nmax_age: 1\n", "field name"},
        {head + "x: a\rb\nmx: a.test\nmax_age: 1\n", "control"},
        {head + "mx: a.test\r\r\nmax_age: 1\n", "line 3"},
        {head + "max_age: 1\n", "no mx"},
        {"mode: enforce\nmx: a.test\nmax_age: 1\n", "no version"},
        {"version: STSv1\nmx: a.test\nmax_age: 1\n", "no mode"},
        {head + "mx: a.test\n", "no max_age"},
        {head + "mx: a.test\nmax_age: 1\n" + std::string(max_policy_size, 'x'), "at most"},
    };
    for (const auto& c : cases) {
        auto p = parse_policy(c.body);
        ASSERT_FALSE(p) << c.body;
        EXPECT_EQ(p.error().code, errc::mta_sts_invalid_policy);
        EXPECT_NE(p.error().message.find(c.expected), std::string::npos)
            << c.body << " -> " << p.error().message;
    }
}

TEST(mta_sts_match, wildcard_is_one_label) {
    EXPECT_TRUE(matches_pattern("*.example.com", "mx1.example.com"));
    EXPECT_TRUE(matches_pattern("*.example.com", "MX1.EXAMPLE.COM."));
    EXPECT_FALSE(matches_pattern("*.example.com", "example.com"));
    EXPECT_FALSE(matches_pattern("*.example.com", ".example.com"));
    EXPECT_FALSE(matches_pattern("*.example.com", "a.b.example.com"));
    EXPECT_FALSE(matches_pattern("*.example.com", "mx1.example.comx"));
    EXPECT_TRUE(matches_pattern("mx.example.com", "Mx.Example.Com"));
    EXPECT_FALSE(matches_pattern("mx.example.com", "mx.example.co"));
    EXPECT_FALSE(matches_pattern("", ""));
}

TEST(mta_sts_apply, enforce_drops_hosts_not_matching) {
    auto p = parse_policy("version: STSv1\nmode: enforce\nmx: *.a.test\nmax_age: 60\n");
    ASSERT_TRUE(p);
    auto d = apply_policy(*p, "a.test", {"mx1.a.test", "mx2.other.test", "MX3.A.TEST."});
    EXPECT_EQ(d.mode, policy_mode::enforce);
    EXPECT_EQ(d.allowed_hosts(), (std::vector<std::string>{"mx1.a.test", "MX3.A.TEST."}));
    ASSERT_EQ(d.hosts.size(), 3u);
    EXPECT_TRUE(d.hosts[0].requires_verified_tls);
    EXPECT_FALSE(d.hosts[1].allowed);
    EXPECT_EQ(d.hosts[1].reason, "MTA-STS enforce: mx2.other.test is not in the policy of a.test");
    using lettre::mx::tls_policy;
    EXPECT_EQ(host_policy_for(d, "mx1.a.test", tls_policy::opportunistic).tls,
              tls_policy::verified);
    // Stricter than verified: kept (mandatory DANE is not loosened to PKIX).
    EXPECT_EQ(host_policy_for(d, "mx1.a.test", tls_policy::dane_only).tls, tls_policy::dane_only);
    EXPECT_FALSE(host_policy_for(d, "mx2.other.test", tls_policy::opportunistic).allowed);
    EXPECT_FALSE(host_policy_for(d, "unknown.a.test", tls_policy::opportunistic).allowed);
}

TEST(mta_sts_apply, testing_reports_only_and_none_changes_nothing) {
    auto t = parse_policy("version: STSv1\nmode: testing\nmx: mx1.a.test\nmax_age: 60\n");
    auto d = apply_policy(*t, "a.test", {"mx1.a.test", "mx2.a.test"});
    EXPECT_EQ(d.allowed_hosts().size(), 2u);
    EXPECT_TRUE(d.hosts[0].report_only);
    EXPECT_FALSE(d.hosts[0].requires_verified_tls);
    EXPECT_FALSE(d.hosts[1].matched);
    EXPECT_NE(d.hosts[1].reason.find("reported only"), std::string::npos);
    using lettre::mx::tls_policy;
    EXPECT_EQ(host_policy_for(d, "mx2.a.test", tls_policy::required).tls, tls_policy::required);
    auto n = apply_policy(std::nullopt, "a.test", {"mx1.a.test"});
    EXPECT_EQ(n.mode, policy_mode::none);
    EXPECT_FALSE(n.hosts[0].report_only);
    EXPECT_TRUE(host_policy_for(n, "other", tls_policy::opportunistic).allowed);
}

TEST(mta_sts_failure, rfc_8460_names) {
    EXPECT_EQ(to_string(failure_type::policy_fetch_error), "sts-policy-fetch-error");
    EXPECT_EQ(to_string(failure_type::policy_invalid), "sts-policy-invalid");
    EXPECT_EQ(to_string(failure_type::webpki_invalid), "sts-webpki-invalid");
    EXPECT_EQ(failure_type_of(lettre::make_error_code(errc::mta_sts_invalid_policy)),
              failure_type::policy_invalid);
    EXPECT_EQ(failure_type_of(lettre::make_error_code(errc::mta_sts_certificate_invalid)),
              failure_type::webpki_invalid);
    EXPECT_EQ(failure_type_of(lettre::make_error_code(errc::timeout)),
              failure_type::policy_fetch_error);
    EXPECT_EQ(lettre::make_error_code(errc::mta_sts_fetch_failed), lettre::condition::transient);
}

}  // namespace
