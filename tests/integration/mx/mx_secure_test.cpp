// Authenticated TLS to MX hosts end to end: DANE (RFC 7672) against the
// DNSSEC test world (nsd + unbound, tests/unit/dns/dnssec/make_zones.sh)
// with TLSA records computed from the MX peer's certificate, MTA-STS
// (RFC 8461) against the HTTPS policy server, and the RFC 8460 TLS report
// of the sessions. Peers of their own (SMTP on 127.0.0.41-53, HTTPS on
// 127.0.0.31), stopped by PID at exit.
#include "dns_peers.hpp"

#include <lettre/message/message_builder.hpp>
#include <lettre/transport/mx_transport.hpp>
#include <lettre/transport/tls_report.hpp>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <tuple>

#ifndef LETTRE_PYTHON
#error "LETTRE_PYTHON must be defined"
#endif
#ifndef LETTRE_MX_PEERS_DIR
#error "LETTRE_MX_PEERS_DIR must be defined"
#endif

namespace {

using namespace std::chrono_literals;
using lettre::condition;
using lettre::mx::tls_protection;
using lettre::mx::tls_report_policy;
using lettre::mx::tls_result_type;
using lettre::mx::tls_session_result;
namespace fs = std::filesystem;

/// Standard output of a shell command (openssl pipelines).
std::string run(const std::string& cmd) {
    std::string out;
    FILE* f = ::popen(cmd.c_str(), "r");
    if (!f) throw std::runtime_error("popen failed: " + cmd);
    std::array<char, 512> buf{};
    while (std::fgets(buf.data(), buf.size(), f)) out += buf.data();
    if (::pclose(f) != 0) throw std::runtime_error("failed: " + cmd);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

/// The SHA-256 of a certificate's SubjectPublicKeyInfo: TLSA "x 1 1" data.
std::string spki_sha256(const fs::path& pem) {
    const std::string hex = run("openssl x509 -in '" + pem.string() +
                                "' -noout -pubkey | openssl pkey -pubin -outform DER | "
                                "openssl dgst -sha256 -hex");
    return hex.substr(hex.rfind(' ') + 1);
}

std::string read_all(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct peers {
    fs::path dir;
    dns_test::child smtp;
    std::uint16_t smtp_port = 0;
    std::unique_ptr<dns_test::dnssec_world> world;
    std::unique_ptr<dns_test::dnsmasq> dns;  ///< the MTA-STS domains (no DNSSEC)
    dns_test::child https;
    std::uint16_t https_port = 0;
    fs::path https_dir;
    ~peers() {
        smtp.stop();
        https.stop();
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    /// Messages received by `ip` so far.
    std::size_t messages(const std::string& ip) const {
        std::size_t n = 0;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(dir / "smtp" / ip, ec))
            if (e.path().extension() == ".txt") ++n;
        return n;
    }
    int connections(const std::string& ip) const {
        std::istringstream in(read_all(dir / "smtp" / (ip + ".connections")));
        int n = 0;
        for (std::string line; std::getline(in, line);) ++n;
        return n;
    }
};

const peers& shared() {
    static const std::unique_ptr<peers> p = [] {
        auto s = std::make_unique<peers>();
        s->dir = fs::temp_directory_path() / ("lettre-mx-secure-" + std::to_string(::getpid()));
        fs::create_directories(s->dir / "smtp");
        // One certificate (from a test CA, sent with it) for every host:
        // DANE-TA needs the MX host name in it, MTA-STS the policy's.
        std::vector<std::string> argv = {
            LETTRE_PYTHON, std::string(LETTRE_MX_PEERS_DIR) + "/mx_smtp_server.py",
            "--outdir",    (s->dir / "smtp").string(),
            "--tls-name",  "mx-ta.secure.test,mx1.enforce.test,mx.expired.test"};
        for (const char* host :
             {"127.0.0.41=starttls", "127.0.0.42=starttls", "127.0.0.43=starttls",
              "127.0.0.44=accept", "127.0.0.45=starttls", "127.0.0.46=starttls",
              "127.0.0.47=starttls", "127.0.0.48=starttls,expired", "127.0.0.51=starttls",
              "127.0.0.52=accept", "127.0.0.53=starttls"}) {
            argv.emplace_back("--host");
            argv.emplace_back(host);
        }
        s->smtp = dns_test::child::start(argv);
        s->smtp_port = s->smtp.wait_ready(30s).at("smtp");
        const std::string ee = spki_sha256(s->dir / "smtp" / "server.pem");
        const std::string ta = spki_sha256(s->dir / "smtp" / "ca.pem");
        const std::string wrong(64, 'a');
        const std::string secure =
            "ee MX 10 mx-ee.secure.test.\n"
            "mx-ee A 127.0.0.41\n"
            "_25._tcp.mx-ee TLSA 3 1 1 " +
            ee +
            "\n"
            "ta MX 10 mx-ta.secure.test.\n"
            "mx-ta A 127.0.0.42\n"
            "_25._tcp.mx-ta TLSA 2 1 1 " +
            ta +
            "\n"
            "mismatch MX 10 mx-bad.secure.test.\n"
            "mx-bad A 127.0.0.43\n"
            "_25._tcp.mx-bad TLSA 3 1 1 " +
            wrong +
            "\n"
            "nostarttls MX 10 mx-plain.secure.test.\n"
            "mx-plain A 127.0.0.44\n"
            "_25._tcp.mx-plain TLSA 3 1 1 " +
            ee +
            "\n"
            "bogustlsa MX 10 mx-bt.secure.test.\n"
            "mx-bt A 127.0.0.45\n"
            "_25._tcp.mx-bt CNAME tlsa.bogus.test.\n"
            "pkix MX 10 mx-pkix.secure.test.\n"
            "mx-pkix A 127.0.0.47\n"
            "_25._tcp.mx-pkix TLSA 1 1 1 " +
            ee +
            "\n"
            // Signed, but no TLSA records (secure denial).
            "notlsa MX 10 mx-nt.secure.test.\n"
            "mx-nt A 127.0.0.46\n";
        // make_zones.sh breaks bogus.test's TLSA records of this data.
        const std::string bogus =
            "tlsa TLSA 3 1 1 0000000000000000000000000000000000000000000000000000000000000003\n";
        // Unsigned: the wrong TLSA record must be ignored.
        const std::string insecure =
            "opp MX 10 mx-opp.insecure.test.\n"
            "mx-opp A 127.0.0.46\n"
            "_25._tcp.mx-opp TLSA 3 1 1 " +
            wrong + "\n";
        s->world = dns_test::start_dnssec_world(
            {{"secure.test", secure}, {"bogus.test", bogus}, {"insecure.test", insecure}});

        s->https_dir = s->dir / "https";
        s->dns = dns_test::start_dnsmasq({
            "--mx-host=enforce.test,mx2.enforce.test,10",
            "--mx-host=enforce.test,mx1.enforce.test,20",
            "--host-record=mx1.enforce.test,127.0.0.51",
            "--host-record=mx2.enforce.test,127.0.0.52",
            "--host-record=mta-sts.enforce.test,127.0.0.31",
            "--txt-record=_mta-sts.enforce.test,v=STSv1; id=id1",
            "--mx-host=testing.test,mx2.enforce.test,10",
            "--host-record=mta-sts.testing.test,127.0.0.31",
            "--txt-record=_mta-sts.testing.test,v=STSv1; id=id1",
            "--mx-host=charset.test,mx.charset.test,10",
            "--host-record=mx.charset.test,127.0.0.53",
            "--host-record=mta-sts.charset.test,127.0.0.31",
            "--txt-record=_mta-sts.charset.test,v=STSv1; id=id1",
            "--mx-host=invalid.test,mx2.enforce.test,10",
            "--host-record=mta-sts.invalid.test,127.0.0.31",
            "--txt-record=_mta-sts.invalid.test,v=STSv1; id=id1",
            "--mx-host=wrongname.test,mx2.enforce.test,10",
            "--host-record=mta-sts.wrongname.test,127.0.0.31",
            "--txt-record=_mta-sts.wrongname.test,v=STSv1; id=id1",
            "--mx-host=failing.test,mx2.enforce.test,10",
            "--host-record=mta-sts.failing.test,127.0.0.31",
            "--txt-record=_mta-sts.failing.test,v=STSv1; id=id1",
            "--mx-host=expired.test,mx.expired.test,10",
            "--host-record=mx.expired.test,127.0.0.48",
            "--host-record=mta-sts.expired.test,127.0.0.31",
            "--txt-record=_mta-sts.expired.test,v=STSv1; id=id1",
        });
        s->https = dns_test::child::start({LETTRE_PYTHON,
                                           std::string(LETTRE_MX_PEERS_DIR) + "/mta_sts_server.py",
                                           "--ip", "127.0.0.31", "--dir", s->https_dir.string()});
        s->https_port = s->https.wait_ready(30s).at("https");
        return s;
    }();
    return *p;
}

/// Every TLS result a transport reports.
struct results {
    std::mutex m;
    std::vector<tls_session_result> all;
    lettre::mx::tls_result_hook hook() {
        return [this](const tls_session_result& r) {
            std::lock_guard<std::mutex> lock(m);
            all.push_back(r);
        };
    }
};

/// The DNSSEC world's resolver, the SMTP peers' port.
lettre::mx::config dane_config(results* out = nullptr) {
    const auto& p = shared();
    lettre::mx::config c;
    c.port = p.smtp_port;
    c.dns.servers = {p.world->server()};
    c.dns.timeout = 2s;
    c.dns.tries = 1;
    c.hello_name = "client.test";
    c.allow_local_targets = true;
    c.timeouts = lettre::smtp::timeouts::all(5s);
    c.mta_sts.source.timeout = 3s;
    if (out) c.tls_report = out->hook();
    return c;
}

/// dnsmasq for the MTA-STS domains, the policy server's CA and port.
lettre::mx::config sts_config(results* out = nullptr) {
    const auto& p = shared();
    auto c = dane_config(out);
    c.dns.servers = {p.dns->server()};
    c.mta_sts.source.ca_file = (p.https_dir / "ca.pem").string();
    c.mta_sts.source.port = p.https_port;
    c.tls_parameters.ca_file = (p.dir / "smtp" / "ca.pem").string();
    return c;
}

lettre::mx::report send_to(lettre::mx::config cfg, const std::string& to) {
    lettre::mx_transport t(std::move(cfg));
    auto msg = lettre::message::builder()
                   .from("Sender <sender@origin.test>")
                   .to(to)
                   .subject("secure mx test")
                   .text("Hello.\n")
                   .build();
    std::error_code ec;
    return t.send(msg, ec);
}

const lettre::mx::recipient_result& only(const lettre::mx::report& r) {
    if (r.recipients.size() != 1) throw std::runtime_error("expected one recipient");
    return r.recipients.front();
}

/// Mandatory DANE for every host (RFC 7672 §6).
lettre::mx::config dane_only_config(results* out = nullptr) {
    auto c = dane_config(out);
    c.tls = lettre::mx::tls_policy::dane_only;
    return c;
}

const lettre::mx::recipient_result& result_for(const lettre::mx::report& r, const std::string& to) {
    for (const auto& x : r.recipients)
        if (x.recipient.to_string() == to) return x;
    throw std::runtime_error("no result for " + to);
}

TEST(mx_dane, dane_ee_record_authenticates_the_host) {
    results tls;
    const auto before = shared().messages("127.0.0.41");
    const auto r = send_to(dane_config(&tls), "a@ee.secure.test");
    const auto& x = only(r);
    ASSERT_TRUE(x.delivered()) << x.message;
    EXPECT_EQ(x.host, "mx-ee.secure.test");
    EXPECT_EQ(x.protection, tls_protection::dane);
    EXPECT_EQ(lettre::mx::to_string(x.protection), "TLS DANE");
    EXPECT_EQ(shared().messages("127.0.0.41"), before + 1);
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_FALSE(tls.all[0].failure);
    EXPECT_EQ(tls.all[0].policy.type, tls_report_policy::kind::tlsa);
    EXPECT_EQ(tls.all[0].policy.domain, "ee.secure.test");
    ASSERT_EQ(tls.all[0].policy.strings.size(), 1u);
    EXPECT_TRUE(tls.all[0].policy.strings[0].starts_with("3 1 1 ")) << tls.all[0].policy.strings[0];
    EXPECT_EQ(tls.all[0].receiving_ip, "127.0.0.41");
}

TEST(mx_dane, dane_ta_record_authenticates_the_chain_and_name) {
    results tls;
    const auto r = send_to(dane_config(&tls), "a@ta.secure.test");
    const auto& x = only(r);
    ASSERT_TRUE(x.delivered()) << x.message;
    EXPECT_EQ(x.protection, tls_protection::dane);
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_FALSE(tls.all[0].failure);
    EXPECT_TRUE(tls.all[0].policy.strings.at(0).starts_with("2 1 1 "));
}

TEST(mx_dane, certificate_matching_no_record_fails_transiently_without_fallback) {
    results tls;
    const auto& p = shared();
    const auto conns = p.connections("127.0.0.43");
    const auto r = send_to(dane_config(&tls), "a@mismatch.secure.test");
    const auto& x = only(r);
    ASSERT_FALSE(x.delivered());
    EXPECT_EQ(x.error, condition::transient) << x.message;
    EXPECT_NE(x.message.find("DANE: "), std::string::npos) << x.message;
    EXPECT_NE(x.message.find("matches none of the host's TLSA records"), std::string::npos)
        << x.message;
    // One connection: no plaintext retry after the refused certificate.
    EXPECT_EQ(p.connections("127.0.0.43"), conns + 1);
    EXPECT_EQ(p.messages("127.0.0.43"), 0u);
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_EQ(tls.all[0].failure, tls_result_type::validation_failure);
    EXPECT_EQ(tls.all[0].policy.type, tls_report_policy::kind::tlsa);
    EXPECT_EQ(tls.all[0].receiving_ip, "127.0.0.43");
    EXPECT_EQ(tls.all[0].sending_mta_ip, "127.0.0.1");  // the route to 127.0.0.43
    EXPECT_NE(tls.all[0].failure_reason.find("TLSA"), std::string::npos)
        << tls.all[0].failure_reason;
}

TEST(mx_dane, host_without_starttls_is_not_used) {
    results tls;
    const auto r = send_to(dane_config(&tls), "a@nostarttls.secure.test");
    const auto& x = only(r);
    ASSERT_FALSE(x.delivered());
    EXPECT_EQ(x.error, condition::transient) << x.message;
    EXPECT_EQ(shared().messages("127.0.0.44"), 0u);
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_EQ(tls.all[0].failure, tls_result_type::starttls_not_supported);
    EXPECT_EQ(tls.all[0].policy.type, tls_report_policy::kind::tlsa);
}

TEST(mx_dane, bogus_tlsa_answer_is_dnssec_invalid_and_no_delivery) {
    results tls;
    const auto r = send_to(dane_config(&tls), "a@bogustlsa.secure.test");
    const auto& x = only(r);
    ASSERT_FALSE(x.delivered());
    EXPECT_EQ(x.error, condition::transient) << x.message;
    EXPECT_NE(x.message.find("TLSA lookup of _25._tcp.mx-bt.secure.test failed"), std::string::npos)
        << x.message;
    EXPECT_EQ(shared().connections("127.0.0.45"), 0);
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_EQ(tls.all[0].failure, tls_result_type::dnssec_invalid);
    EXPECT_EQ(tls.all[0].receiving_mx_hostname, "mx-bt.secure.test");
}

TEST(mx_dane, bogus_mx_answer_is_a_transient_dns_failure) {
    const auto r = send_to(dane_config(), "a@bogus.test");
    const auto& x = only(r);
    ASSERT_FALSE(x.delivered());
    EXPECT_EQ(x.error, condition::transient) << x.message;
}

TEST(mx_dane, insecure_zone_delivers_opportunistically) {
    results tls;
    const auto r = send_to(dane_config(&tls), "a@opp.insecure.test");
    const auto& x = only(r);
    ASSERT_TRUE(x.delivered()) << x.message;
    EXPECT_EQ(x.protection, tls_protection::opportunistic);
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_FALSE(tls.all[0].failure);
    EXPECT_EQ(tls.all[0].policy.type, tls_report_policy::kind::no_policy_found);
}

TEST(mx_dane, records_none_usable_make_tls_mandatory_and_report_tlsa_invalid) {
    results tls;
    const auto r = send_to(dane_config(&tls), "a@pkix.secure.test");
    const auto& x = only(r);
    ASSERT_TRUE(x.delivered()) << x.message;
    EXPECT_EQ(x.protection, tls_protection::opportunistic);  // encrypted, not authenticated
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_EQ(tls.all[0].failure, tls_result_type::tlsa_invalid);
    EXPECT_EQ(tls.all[0].policy.type, tls_report_policy::kind::tlsa);
    EXPECT_TRUE(tls.all[0].policy.strings.at(0).starts_with("1 1 1 "));
}

TEST(mx_dane, dane_off_ignores_the_records) {
    auto cfg = dane_config();
    cfg.dane = false;
    const auto r = send_to(cfg, "a@mismatch.secure.test");
    const auto& x = only(r);
    ASSERT_TRUE(x.delivered()) << x.message;
    EXPECT_EQ(x.protection, tls_protection::opportunistic);
}

TEST(mx_dane_only, hosts_authenticated_by_dane_are_used) {
    for (const auto& [to, ip, usage] : {std::tuple{"a@ee.secure.test", "127.0.0.41", "3 1 1 "},
                                        std::tuple{"a@ta.secure.test", "127.0.0.42", "2 1 1 "}}) {
        results tls;
        const auto before = shared().messages(ip);
        const auto r = send_to(dane_only_config(&tls), to);
        const auto& x = only(r);
        ASSERT_TRUE(x.delivered()) << to << ": " << x.message;
        EXPECT_EQ(lettre::mx::to_string(x.protection), "TLS DANE") << to;
        EXPECT_EQ(shared().messages(ip), before + 1) << to;
        ASSERT_EQ(tls.all.size(), 1u) << to;
        EXPECT_FALSE(tls.all[0].failure) << to;
        EXPECT_TRUE(tls.all[0].policy.strings.at(0).starts_with(usage)) << to;
    }
}

TEST(mx_dane_only, host_without_usable_secure_tlsa_is_a_transient_dane_required_failure) {
    for (const auto& [to, host, ip, why] : {
             std::tuple{"a@opp.insecure.test", "mx-opp.insecure.test", "127.0.0.46",
                        "the MX answer for opp.insecure.test is not DNSSEC-validated"},
             std::tuple{"a@notlsa.secure.test", "mx-nt.secure.test", "127.0.0.46",
                        "_25._tcp.mx-nt.secure.test has no TLSA records"},
             std::tuple{"a@pkix.secure.test", "mx-pkix.secure.test", "127.0.0.47",
                        "none of the TLSA records of _25._tcp.mx-pkix.secure.test is usable"},
         }) {
        results tls;
        const auto& p = shared();
        const auto conns = p.connections(ip);
        const auto r = send_to(dane_only_config(&tls), to);
        const auto& x = only(r);
        ASSERT_FALSE(x.delivered()) << to;
        EXPECT_EQ(x.error, condition::transient) << x.message;
        EXPECT_NE(x.message.find(std::string("DANE: dane-only policy, but ") + why),
                  std::string::npos)
            << x.message;
        // Never plaintext, never unauthenticated TLS: not even a connection.
        EXPECT_EQ(p.connections(ip), conns) << to;
        ASSERT_EQ(tls.all.size(), 1u) << to;
        EXPECT_EQ(tls.all[0].failure, tls_result_type::dane_required) << to;
        EXPECT_EQ(lettre::mx::to_string(*tls.all[0].failure), "dane-required");
        EXPECT_EQ(tls.all[0].receiving_mx_hostname, host);
        EXPECT_EQ(tls.all[0].receiving_ip, ip);
        EXPECT_NE(tls.all[0].failure_reason.find(why), std::string::npos)
            << tls.all[0].failure_reason;
    }
}

TEST(mx_dane_only, policy_hook_asks_for_it_for_one_domain_only) {
    results tls;
    auto cfg = dane_config(&tls);
    cfg.policy = [](std::string_view domain, std::string_view, lettre::mx::tls_policy given) {
        return lettre::mx::host_policy{
            domain == "pkix.secure.test" ? lettre::mx::tls_policy::dane_only : given, true, {}};
    };
    lettre::mx_transport t(std::move(cfg));
    auto msg = lettre::message::builder()
                   .from("Sender <sender@origin.test>")
                   .to("a@pkix.secure.test")
                   .to("b@opp.insecure.test")
                   .subject("secure mx test")
                   .text("Hello.\n")
                   .build();
    std::error_code ec;
    const auto r = t.send(msg, ec);
    const auto& refused = result_for(r, "a@pkix.secure.test");
    ASSERT_FALSE(refused.delivered());
    EXPECT_EQ(refused.error, condition::transient) << refused.message;
    EXPECT_NE(refused.message.find("DANE: dane-only policy"), std::string::npos) << refused.message;
    const auto& other = result_for(r, "b@opp.insecure.test");
    ASSERT_TRUE(other.delivered()) << other.message;
    EXPECT_EQ(other.protection, tls_protection::opportunistic);
    ASSERT_EQ(tls.all.size(), 2u);
    EXPECT_EQ(std::count_if(tls.all.begin(), tls.all.end(),
                            [](const tls_session_result& x) {
                                return x.failure == tls_result_type::dane_required;
                            }),
              1);
}

TEST(mx_dane_only, policy_hook_cannot_loosen_it) {
    auto cfg = dane_only_config();
    std::vector<std::string> asked;
    cfg.policy = [&](std::string_view, std::string_view host, lettre::mx::tls_policy given) {
        asked.push_back(std::string(host) + " " + std::string(lettre::mx::to_string(given)));
        return lettre::mx::host_policy{lettre::mx::tls_policy::opportunistic, true, {}};
    };
    const auto r = send_to(cfg, "a@opp.insecure.test");
    const auto& x = only(r);
    ASSERT_FALSE(x.delivered());
    EXPECT_EQ(x.error, condition::transient) << x.message;
    EXPECT_NE(x.message.find("DANE: dane-only policy"), std::string::npos) << x.message;
    EXPECT_EQ(asked, std::vector<std::string>{"mx-opp.insecure.test dane-only"});
}

TEST(mx_dane_only, parses_and_prints) {
    EXPECT_EQ(lettre::mx::parse_tls_policy("dane-only"), lettre::mx::tls_policy::dane_only);
    EXPECT_EQ(lettre::mx::to_string(lettre::mx::tls_policy::dane_only), "dane-only");
    EXPECT_FALSE(lettre::mx::parse_tls_policy("dane_only"));
}

TEST(mx_sts, enforce_drops_unlisted_hosts_and_verifies_the_listed_one) {
    results tls;
    const auto& p = shared();
    const auto conns = p.connections("127.0.0.52");
    const auto r = send_to(sts_config(&tls), "a@enforce.test");
    const auto& x = only(r);
    ASSERT_TRUE(x.delivered()) << x.message;
    EXPECT_EQ(x.host, "mx1.enforce.test");
    EXPECT_EQ(x.protection, tls_protection::mta_sts);
    EXPECT_EQ(lettre::mx::to_string(x.protection), "TLS MTA-STS");
    EXPECT_EQ(p.connections("127.0.0.52"), conns);  // the better MX, not in the policy
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_FALSE(tls.all[0].failure);
    EXPECT_EQ(tls.all[0].policy.type, tls_report_policy::kind::sts);
    EXPECT_EQ(tls.all[0].policy.mx_hosts, std::vector<std::string>{"mx1.enforce.test"});
}

TEST(mx_sts, enforce_needs_a_certificate_the_client_trusts) {
    results tls;
    auto cfg = sts_config(&tls);
    cfg.tls_parameters.ca_file.reset();  // the system store does not know the test CA
    const auto& p = shared();
    const auto conns = p.connections("127.0.0.52");
    const auto r = send_to(cfg, "a@enforce.test");
    const auto& x = only(r);
    ASSERT_FALSE(x.delivered());
    EXPECT_EQ(x.error, condition::transient) << x.message;
    EXPECT_NE(x.message.find("MTA-STS enforce: "), std::string::npos) << x.message;
    EXPECT_EQ(p.connections("127.0.0.52"), conns);
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_EQ(tls.all[0].failure, tls_result_type::certificate_not_trusted);
    EXPECT_EQ(tls.all[0].policy.type, tls_report_policy::kind::sts);
}

TEST(mx_sts, enforce_needs_the_host_name_in_the_certificate) {
    results tls;
    const auto r = send_to(sts_config(&tls), "a@charset.test");
    const auto& x = only(r);
    ASSERT_FALSE(x.delivered());
    EXPECT_EQ(x.error, condition::transient) << x.message;
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_EQ(tls.all[0].failure, tls_result_type::certificate_host_mismatch);
}

TEST(mx_sts, policy_hook_cannot_loosen_what_the_policy_requires) {
    auto cfg = sts_config();
    std::vector<std::string> asked;
    cfg.policy = [&](std::string_view, std::string_view host, lettre::mx::tls_policy configured) {
        asked.push_back(std::string(host) + " " + std::string(lettre::mx::to_string(configured)));
        return lettre::mx::host_policy{lettre::mx::tls_policy::opportunistic, true, {}};
    };
    const auto r = send_to(cfg, "a@enforce.test");
    const auto& x = only(r);
    ASSERT_TRUE(x.delivered()) << x.message;
    EXPECT_EQ(x.protection, tls_protection::mta_sts);
    // mx2 (refused by the policy) is not even offered to the hook.
    EXPECT_EQ(asked, std::vector<std::string>{"mx1.enforce.test verified"});
}

TEST(mx_sts, invalid_policy_and_untrusted_policy_host_are_reported) {
    for (const auto& [domain, type] :
         {std::pair{"invalid.test", tls_result_type::sts_policy_invalid},
          std::pair{"wrongname.test", tls_result_type::sts_webpki_invalid}}) {
        results tls;
        const auto r = send_to(sts_config(&tls), std::string("a@") + domain);
        const auto& x = only(r);
        EXPECT_TRUE(x.delivered()) << x.message;  // no policy: delivered as before
        ASSERT_FALSE(tls.all.empty()) << domain;
        EXPECT_EQ(tls.all[0].failure, type) << domain << ": " << tls.all[0].failure_reason;
        EXPECT_EQ(tls.all[0].policy.type, tls_report_policy::kind::sts);
    }
}

TEST(mx_sts, disabled_uses_the_best_mx) {
    auto cfg = sts_config();
    cfg.mta_sts.enabled = false;
    const auto r = send_to(cfg, "a@enforce.test");
    const auto& x = only(r);
    ASSERT_TRUE(x.delivered()) << x.message;
    EXPECT_EQ(x.host, "mx2.enforce.test");
    EXPECT_EQ(x.protection, tls_protection::none);
}

TEST(mx_sts, expired_certificate_is_a_transient_failure_reported_certificate_expired) {
    results tls;
    const auto& p = shared();
    const auto conns = p.connections("127.0.0.48");
    const auto r = send_to(sts_config(&tls), "a@expired.test");
    const auto& x = only(r);
    ASSERT_FALSE(x.delivered());
    EXPECT_EQ(x.error, condition::transient) << x.message;
    EXPECT_NE(x.message.find("MTA-STS enforce: "), std::string::npos) << x.message;
    // What expired, and when: an old certificate, or this machine's clock.
    EXPECT_NE(x.message.find("certificate has expired (it expired on 20"), std::string::npos)
        << x.message;
    EXPECT_NE(x.message.find(" UTC; checked for the name mx.expired.test)"), std::string::npos)
        << x.message;
    EXPECT_NE(x.message.find("must be renewed"), std::string::npos) << x.message;
    // One connection: no plaintext retry under enforce.
    EXPECT_EQ(p.connections("127.0.0.48"), conns + 1);
    EXPECT_EQ(p.messages("127.0.0.48"), 0u);
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_EQ(tls.all[0].failure, tls_result_type::certificate_expired);
    EXPECT_EQ(lettre::mx::to_string(*tls.all[0].failure), "certificate-expired");
    EXPECT_EQ(tls.all[0].policy.type, tls_report_policy::kind::sts);
    EXPECT_EQ(tls.all[0].receiving_mx_hostname, "mx.expired.test");
    EXPECT_NE(tls.all[0].failure_reason.find("expired on"), std::string::npos)
        << tls.all[0].failure_reason;
}

TEST(mx_sts, testing_mode_only_reports) {
    results tls;
    const auto r = send_to(sts_config(&tls), "a@testing.test");
    const auto& x = only(r);
    ASSERT_TRUE(x.delivered()) << x.message;
    EXPECT_EQ(x.host, "mx2.enforce.test");  // not in *.testing.test: delivered anyway
    ASSERT_EQ(tls.all.size(), 1u);
    EXPECT_EQ(tls.all[0].policy.type, tls_report_policy::kind::sts);
    EXPECT_EQ(tls.all[0].failure, tls_result_type::starttls_not_supported);
}

TEST(mx_sts, policy_fetch_error_is_reported_and_delivery_goes_on) {
    results tls;
    const auto r = send_to(sts_config(&tls), "a@failing.test");
    const auto& x = only(r);
    ASSERT_TRUE(x.delivered()) << x.message;
    ASSERT_EQ(tls.all.size(), 2u);
    EXPECT_EQ(tls.all[0].failure, tls_result_type::sts_policy_fetch_error);
    EXPECT_EQ(tls.all[0].policy.domain, "failing.test");
    EXPECT_EQ(tls.all[1].policy.type, tls_report_policy::kind::no_policy_found);
}

/// Runs tlsrpt_check.py on a report; its output ("ok" or what is wrong).
std::string check_report(const std::string& json, const std::string& expect) {
    const fs::path file = shared().dir / "report.json";
    std::ofstream(file) << json;
    return run(std::string(LETTRE_PYTHON) + " '" + LETTRE_MX_PEERS_DIR + "/tlsrpt_check.py' '" +
               file.string() + "' '" + expect + "' 2>&1 || true");
}

TEST(mx_tlsrpt, report_json_has_the_rfc8460_fields) {
    lettre::mx::tls_report_collector collector;
    auto dane = dane_config();
    dane.tls_report = collector.hook();
    send_to(dane, "a@ee.secure.test");
    send_to(dane, "b@ee.secure.test");
    send_to(dane, "a@mismatch.secure.test");
    send_to(dane, "a@opp.insecure.test");
    auto sts = sts_config();
    sts.tls_report = collector.hook();
    send_to(sts, "a@enforce.test");

    lettre::mx::tls_report_header h;
    h.organization_name = "lettre test";
    h.contact_info = "mailto:tlsrpt@origin.test";
    h.report_id = "test-1";
    h.start = std::chrono::system_clock::now() - 1h;
    h.end = std::chrono::system_clock::now();
    EXPECT_EQ(check_report(collector.report_json(h, "ee.secure.test"), "tlsa:2:0"), "ok");
    EXPECT_EQ(check_report(collector.report_json(h, "mismatch.secure.test"),
                           "tlsa:0:1:validation-failure"),
              "ok");
    EXPECT_EQ(check_report(collector.report_json(h, "opp.insecure.test"), "no-policy-found:1:0"),
              "ok");
    EXPECT_EQ(check_report(collector.report_json(h, "enforce.test"), "sts:1:0"), "ok");
    // The checker catches what it should.
    EXPECT_NE(check_report(collector.report_json(h, "ee.secure.test"), "sts:2:0"), "ok");
}

TEST(mx_tlsrpt, report_json_of_dane_required_and_certificate_expired) {
    lettre::mx::tls_report_collector collector;
    auto dane = dane_only_config();
    dane.tls_report = collector.hook();
    send_to(dane, "a@notlsa.secure.test");
    auto sts = sts_config();
    sts.tls_report = collector.hook();
    send_to(sts, "a@expired.test");
    lettre::mx::tls_report_header h;
    h.organization_name = "lettre test";
    h.contact_info = "mailto:tlsrpt@origin.test";
    h.report_id = "test-2";
    h.start = std::chrono::system_clock::now() - 1h;
    h.end = std::chrono::system_clock::now();
    EXPECT_EQ(check_report(collector.report_json(h, "notlsa.secure.test"),
                           "no-policy-found:0:1:dane-required"),
              "ok");
    EXPECT_EQ(check_report(collector.report_json(h, "expired.test"), "sts:0:1:certificate-expired"),
              "ok");
}

#ifdef LETTRE_CLI
/// `lettre ARGS` with stdout and stderr; the exit status.
std::pair<int, std::string> lettre_cli(const std::string& args) {
    const std::string cmd = std::string(LETTRE_CLI) + " " + args + " 2>&1";
    std::string out;
    FILE* f = ::popen(cmd.c_str(), "r");
    if (!f) throw std::runtime_error("popen failed");
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) out.append(buf.data(), n);
    const int st = ::pclose(f);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

std::string send_args(const std::string& dns, const std::string& to) {
    return "send --mx --dns " + dns + " --mx-port " + std::to_string(shared().smtp_port) +
           " --mx-allow-local --from a@origin.test --subject hi --text hello --to " + to;
}

TEST(mx_secure_cli, send_says_how_each_recipient_was_protected) {
    const auto& p = shared();
    const fs::path report = p.dir / "cli-report.json";
    auto [status, out] = lettre_cli(send_args(p.world->server(), "x@ee.secure.test") +
                                    " --tls-report " + report.string());
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(
        out.find("delivered  x@ee.secure.test  mx-ee.secure.test [127.0.0.41]  TLS DANE  250"),
        std::string::npos)
        << out;
    EXPECT_EQ(check_report(read_all(report), "tlsa:1:0"), "ok");

    std::tie(status, out) = lettre_cli(send_args(p.world->server(), "x@mismatch.secure.test"));
    EXPECT_EQ(status, 75) << out;
    EXPECT_NE(out.find("transient failure  x@mismatch.secure.test"), std::string::npos) << out;
    EXPECT_NE(out.find("DANE: "), std::string::npos) << out;

    std::tie(status, out) =
        lettre_cli(send_args(p.world->server(), "x@ta.secure.test") + " --tls dane-only");
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("mx-ta.secure.test [127.0.0.42]  TLS DANE  250"), std::string::npos) << out;
    std::tie(status, out) =
        lettre_cli(send_args(p.world->server(), "x@notlsa.secure.test") + " --tls dane-only");
    EXPECT_EQ(status, 75) << out;
    EXPECT_NE(out.find("DANE: dane-only policy, but _25._tcp.mx-nt.secure.test has no TLSA"),
              std::string::npos)
        << out;

    std::tie(status, out) =
        lettre_cli(send_args(p.world->server(), "x@mismatch.secure.test") + " --no-dane");
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("[127.0.0.43]  TLS  250"), std::string::npos) << out;

    // One --ca for the policy host and the MX host: both test CAs.
    const fs::path both = p.dir / "both-ca.pem";
    std::ofstream(both) << read_all(p.https_dir / "ca.pem") << read_all(p.dir / "smtp" / "ca.pem");
    const fs::path cache = p.dir / "sts-cache";
    std::tie(status, out) = lettre_cli(
        send_args(p.dns->server(), "x@enforce.test") + " --ca " + both.string() +
        " --mta-sts-port " + std::to_string(p.https_port) + " --mta-sts-cache " + cache.string());
    EXPECT_EQ(status, 0) << out;
    EXPECT_TRUE(fs::exists(cache / "enforce.test.policy"));
    EXPECT_NE(out.find("mx1.enforce.test [127.0.0.51]  TLS MTA-STS  250"), std::string::npos)
        << out;
    std::tie(status, out) = lettre_cli(send_args(p.dns->server(), "x@enforce.test") + " --ca " +
                                       both.string() + " --no-mta-sts");
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("mx2.enforce.test [127.0.0.52]  plaintext  250"), std::string::npos) << out;
    std::tie(status, out) = lettre_cli(send_args(p.dns->server(), "x@enforce.test") +
                                       " --no-mta-sts --mta-sts-port 4443");
    EXPECT_EQ(status, 64) << out;
}

TEST(mx_secure_cli, mx_prints_dnssec_tlsa_and_mta_sts) {
    const auto& p = shared();
    auto [status, out] = lettre_cli("mx ee.secure.test --dns " + p.world->server());
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("dnssec: MX answer secure"), std::string::npos) << out;
    EXPECT_NE(out.find("tlsa: 3 1 1 "), std::string::npos) << out;
    EXPECT_NE(out.find("dane: authenticated"), std::string::npos) << out;
    EXPECT_NE(out.find("mta-sts: none"), std::string::npos) << out;

    std::tie(status, out) = lettre_cli("mx opp.insecure.test --dns " + p.world->server());
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("dnssec: MX answer insecure"), std::string::npos) << out;
    EXPECT_NE(out.find("dane: not applicable"), std::string::npos) << out;

    std::tie(status, out) = lettre_cli("mx enforce.test --dns " + p.dns->server() + " --ca " +
                                       (p.https_dir / "ca.pem").string() + " --mta-sts-port " +
                                       std::to_string(p.https_port));
    EXPECT_EQ(status, 0) << out;
    EXPECT_NE(out.find("mta-sts: enforce id=id1 max_age=86400 mx=mx1.enforce.test"),
              std::string::npos)
        << out;
}
#endif

}  // namespace
