// `lettre mx DOMAIN` and `lettre send --mx` against the MX test peers: the
// plan printed, one line per recipient, and the exit statuses of send.
#include "mx_peers.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#ifndef LETTRE_CLI
#error "LETTRE_CLI must be defined"
#endif

namespace {

using namespace mx_it;

std::string dns() {
    return "--dns " + shared_peers().dns->server();
}
std::string port() {
    return "--mx-port " + std::to_string(shared_peers().smtp_port);
}

TEST(mx_cli, plan) {
    auto r = run_lettre("mx pref.test " + dns());
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("10  mx-a.pref.test  127.0.0.2"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("20  mx-b.pref.test  127.0.0.3"), std::string::npos) << r.out;
    r = run_lettre("mx implicit.test " + dns());
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.out.find("implicit MX"), std::string::npos) << r.out;
    r = run_lettre("mx nullmx.test " + dns());
    EXPECT_EQ(r.status, 69);
    EXPECT_NE(r.out.find("null MX"), std::string::npos) << r.out;
    r = run_lettre("mx nowhere.test " + dns());
    EXPECT_EQ(r.status, 69);
    EXPECT_NE(r.out.find("NXDOMAIN"), std::string::npos) << r.out;
    r = run_lettre("mx " + dns());
    EXPECT_EQ(r.status, 64) << r.out;
}

TEST(mx_cli, send) {
    // The peers are on 127.0.0.x: this machine, which needs the opt-in.
    const std::string base = "send --mx " + dns() + " " + port() +
                             " --mx-allow-local --from a@origin.test --subject hi --text hello";
    auto r = run_lettre(base + " --to one@pref.test --to two@implicit.test");
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("delivered  one@pref.test  mx-a.pref.test [127.0.0.2]  plaintext  250"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("delivered  two@implicit.test"), std::string::npos) << r.out;

    r = run_lettre(base + " --to one@pref.test --to d@down.test");
    EXPECT_EQ(r.status, 75) << r.out;
    EXPECT_NE(r.out.find("transient failure  d@down.test"), std::string::npos) << r.out;

    r = run_lettre(base + " --to one@pref.test --to bad@final5xx.test --to d@down.test");
    EXPECT_EQ(r.status, 69) << r.out;
    EXPECT_NE(r.out.find("permanent failure  bad@final5xx.test"), std::string::npos) << r.out;

    r = run_lettre(base + " --to x@notls.test --tls required");
    EXPECT_EQ(r.status, 75) << r.out;

    r = run_lettre("send --dns 127.0.0.1:53 --from a@origin.test --to b@pref.test --text x");
    EXPECT_EQ(r.status, 64) << r.out;
    r = run_lettre(base + " --to one@pref.test --outbox /tmp/x");
    EXPECT_EQ(r.status, 64) << r.out;
}

TEST(mx_cli, send_to_this_machine_needs_the_opt_in) {
    const std::string base =
        "send --mx " + dns() + " " + port() + " --from a@origin.test --subject hi --text hello";
    auto r = run_lettre(base + " --to one@pref.test");
    EXPECT_EQ(r.status, 69) << r.out;
    EXPECT_NE(r.out.find("permanent failure  one@pref.test"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("mail for pref.test loops back to myself"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("(loopback)"), std::string::npos) << r.out;
    r = run_lettre("send --mx-allow-local --from a@origin.test --to b@pref.test --text x");
    EXPECT_EQ(r.status, 64) << r.out;
    EXPECT_NE(r.out.find("--mx-allow-local needs --mx"), std::string::npos) << r.out;
}

}  // namespace
