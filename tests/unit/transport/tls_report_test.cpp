// RFC 8460: result types, the collector's aggregation and JSON, the
// `_smtp._tls` record, and the classification of failed attempts.
#include <lettre/transport/tls_report.hpp>

#include "transport/tls_result.hpp"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace {

using lettre::errc;
using lettre::mx::tls_result_type;
using namespace lettre::mx;

tls_report_policy sts_policy() {
    tls_report_policy p;
    p.type = tls_report_policy::kind::sts;
    p.strings = {"version: STSv1", "mode: enforce", "mx: *.mail.example.net", "max_age: 86400"};
    p.domain = "example.net";
    p.mx_hosts = {"*.mail.example.net"};
    return p;
}

tls_session_result failed(tls_report_policy p, tls_result_type t, std::string host) {
    tls_session_result r;
    r.policy = std::move(p);
    r.failure = t;
    r.receiving_mx_hostname = std::move(host);
    r.receiving_ip = "192.0.2.7";
    r.sending_mta_ip = "198.51.100.1";
    r.failure_reason = "certificate has expired";
    return r;
}

TEST(TlsReport, ResultTypesHaveTheirRfcNames) {
    EXPECT_EQ(to_string(tls_result_type::starttls_not_supported), "starttls-not-supported");
    EXPECT_EQ(to_string(tls_result_type::certificate_host_mismatch), "certificate-host-mismatch");
    EXPECT_EQ(to_string(tls_result_type::certificate_expired), "certificate-expired");
    EXPECT_EQ(to_string(tls_result_type::certificate_not_trusted), "certificate-not-trusted");
    EXPECT_EQ(to_string(tls_result_type::validation_failure), "validation-failure");
    EXPECT_EQ(to_string(tls_result_type::tlsa_invalid), "tlsa-invalid");
    EXPECT_EQ(to_string(tls_result_type::dnssec_invalid), "dnssec-invalid");
    EXPECT_EQ(to_string(tls_result_type::dane_required), "dane-required");
    EXPECT_EQ(to_string(tls_result_type::sts_policy_fetch_error), "sts-policy-fetch-error");
    EXPECT_EQ(to_string(tls_result_type::sts_policy_invalid), "sts-policy-invalid");
    EXPECT_EQ(to_string(tls_result_type::sts_webpki_invalid), "sts-webpki-invalid");
}

TEST(TlsReport, CollectorCountsPerPolicyAndGroupsFailures) {
    tls_report_collector c;
    tls_session_result ok;
    ok.policy = sts_policy();
    ok.receiving_mx_hostname = "mx1.mail.example.net";
    for (int i = 0; i < 3; ++i) c.add(ok);
    auto hook = c.hook();
    hook(failed(sts_policy(), tls_result_type::certificate_expired, "mx2.mail.example.net"));
    hook(failed(sts_policy(), tls_result_type::certificate_expired, "mx2.mail.example.net"));
    tls_report_policy other;  // another domain: another report
    other.domain = "example.org";
    tls_session_result plain;
    plain.policy = other;
    c.add(plain);

    EXPECT_EQ(c.domains(), (std::vector<std::string>{"example.net", "example.org"}));
    tls_report_header h{"lettre test", "mailto:tls@example.com", "report-1",
                        std::chrono::sys_days{std::chrono::year{2026} / 12 / 1},
                        std::chrono::sys_days{std::chrono::year{2026} / 12 / 2}};
    const std::string json = c.report_json(h, "example.net");
    EXPECT_EQ(json,
              "{\"organization-name\": \"lettre test\", \"date-range\": {\"start-datetime\": "
              "\"2026-12-01T00:00:00Z\", \"end-datetime\": \"2026-12-02T00:00:00Z\"}, "
              "\"contact-info\": \"mailto:tls@example.com\", \"report-id\": \"report-1\", "
              "\"policies\": [{\"policy\": {\"policy-type\": \"sts\", \"policy-string\": "
              "[\"version: STSv1\", \"mode: enforce\", \"mx: *.mail.example.net\", \"max_age: "
              "86400\"], \"policy-domain\": \"example.net\", \"mx-host\": "
              "[\"*.mail.example.net\"]}, \"summary\": {\"total-successful-session-count\": 3, "
              "\"total-failure-session-count\": 2}, \"failure-details\": [{\"result-type\": "
              "\"certificate-expired\", \"sending-mta-ip\": \"198.51.100.1\", "
              "\"receiving-mx-hostname\": \"mx2.mail.example.net\", \"receiving-ip\": "
              "\"192.0.2.7\", \"failed-session-count\": 2, \"failure-reason-code\": "
              "\"certificate has expired\"}]}]}\n");
    const std::string org = c.report_json(h, "example.org");
    EXPECT_NE(org.find("\"policy-type\": \"no-policy-found\""), std::string::npos) << org;
    EXPECT_EQ(org.find("failure-details"), std::string::npos) << org;
    c.clear();
    EXPECT_TRUE(c.domains().empty());
}

TEST(TlsReport, CollectorEscapesWhatTheServerSaid) {
    tls_report_collector c;
    auto r = failed(sts_policy(), tls_result_type::validation_failure, "mx\"1");
    r.failure_reason = "bad\r\n\"thing\"\\";
    c.add(r);
    const auto json = c.report_json({}, "example.net");
    EXPECT_NE(json.find("\"mx\\\"1\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"bad\\u000d\\u000a\\\"thing\\\"\\\\\""), std::string::npos) << json;
}

TEST(TlsReport, CollectorIsSafeFromSeveralThreads) {
    tls_report_collector c;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 1000; ++i)
                c.add(failed(sts_policy(), tls_result_type::certificate_expired, "mx"));
        });
    for (auto& t : threads) t.join();
    EXPECT_NE(c.report_json({}, "example.net").find("\"failed-session-count\": 4000"),
              std::string::npos);
}

TEST(TlsReport, TlsaPolicyStringIsThePresentationForm) {
    lettre::dns::tlsa_record r;
    r.usage = 3;
    r.selector = 1;
    r.matching_type = 1;
    r.data = {0x0a, 0xbc, 0xff};
    EXPECT_EQ(tlsa_policy_string(r), "3 1 1 0ABCFF");
}

TEST(TlsRptRecord, ReadsTheRuaList) {
    auto r = parse_tlsrpt_record(
        "v=TLSRPTv1; rua=mailto:reports@example.com , https://reporting.example.com/v1/tlsrpt;");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->rua, (std::vector<std::string>{"mailto:reports@example.com",
                                                "https://reporting.example.com/v1/tlsrpt"}));
    auto ext = parse_tlsrpt_record("v=TLSRPTv1;rua=mailto:a@example.com;x-future=1");
    ASSERT_TRUE(ext) << ext.error().message;
    auto other_scheme = parse_tlsrpt_record("v=TLSRPTv1; rua=ftp://x.example, mailto:a@b.example");
    ASSERT_TRUE(other_scheme);
    EXPECT_EQ(other_scheme->rua, std::vector<std::string>{"mailto:a@b.example"});
}

TEST(TlsRptRecord, RefusesWhatTheAbnfDoesNot) {
    for (std::string_view bad :
         {"v=TLSRPTv2; rua=mailto:a@example.com", "rua=mailto:a@example.com", "v=TLSRPTv1",
          "v=TLSRPTv1; rua=", "v=TLSRPTv1; rua=mailto:a@b.example; rua=mailto:c@d",
          "v=TLSRPTv1; rua=ftp://only.example", "v=TLSRPTv1; rua=mailto:a b@example.com",
          "v=TLSRPTv1; rua=mailto:a@example.com; junk", "v=TLSRPTv1x; rua=mailto:a@example.com"}) {
        auto r = parse_tlsrpt_record(bad);
        EXPECT_FALSE(r) << bad;
        if (!r) {
            EXPECT_EQ(r.error().code, lettre::make_error_code(errc::tlsrpt_invalid_record));
            EXPECT_NE(r.error().message.find("TLSRPT record"), std::string::npos);
        }
    }
}

TEST(TlsRptRecord, ExactlyOneRecordOrNone) {
    const std::string good = "v=TLSRPTv1; rua=mailto:a@example.com";
    EXPECT_TRUE(select_tlsrpt_record({"v=spf1 -all", good}));
    EXPECT_FALSE(select_tlsrpt_record({good, "v=TLSRPTv1; rua=mailto:b@example.com"}));
    EXPECT_FALSE(select_tlsrpt_record({"v=spf1 -all"}));
    EXPECT_FALSE(select_tlsrpt_record({"v=TLSRPTv1; rua=nothing-usable:x"}));
    EXPECT_EQ(tlsrpt_name("example.com."), "_smtp._tls.example.com");
}

TEST(TlsResult, FailuresMapToRfcResultTypes) {
    using lettre::mx::detail::classify_tls_failure;
    const auto tls = lettre::make_error_code(errc::tls_failed);
    EXPECT_EQ(classify_tls_failure(lettre::make_error_code(errc::starttls_unavailable), 0, false),
              tls_result_type::starttls_not_supported);
    EXPECT_EQ(classify_tls_failure(tls, X509_V_ERR_HOSTNAME_MISMATCH, false),
              tls_result_type::certificate_host_mismatch);
    EXPECT_EQ(classify_tls_failure(tls, X509_V_ERR_CERT_HAS_EXPIRED, false),
              tls_result_type::certificate_expired);
    EXPECT_EQ(classify_tls_failure(tls, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, false),
              tls_result_type::certificate_not_trusted);
    EXPECT_EQ(classify_tls_failure(tls, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, true),
              tls_result_type::validation_failure);
    EXPECT_EQ(classify_tls_failure(tls, X509_V_ERR_DANE_NO_MATCH, true),
              tls_result_type::validation_failure);
    EXPECT_EQ(classify_tls_failure(tls, X509_V_OK, false), tls_result_type::validation_failure);
    EXPECT_FALSE(classify_tls_failure(lettre::make_error_code(errc::smtp_permanent), 0, false));
    EXPECT_FALSE(classify_tls_failure({}, 0, false));
}

}  // namespace
