// The peers of the MX integration tests, started once per test program:
// dnsmasq serving the test domains, the scripted DNS server, and the SMTP
// servers on 127.0.0.2... (see peers/mx_smtp_server.py for behaviours).
#pragma once

#include "dns_peers.hpp"

#include <lettre/transport/mx_transport.hpp>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace mx_it {

namespace fs = std::filesystem;

struct delivered_message {
    std::string from;
    std::vector<std::string> rcpts;
    bool tls = false;
    bool reused = false;  ///< the server resumed the TLS session
    std::string helo;
    std::string data;
};

struct peers {
    std::unique_ptr<dns_test::dnsmasq> dns;
    std::unique_ptr<dns_test::scripted_dns> scripted;
    std::unique_ptr<dns_test::child> smtp;
    std::uint16_t smtp_port = 0;
    fs::path outdir;

    /// Messages an address has accepted so far, in order.
    std::vector<delivered_message> messages(const std::string& ip) const;
    int connections(const std::string& ip) const;
    fs::path ca() const { return outdir / "ca.pem"; }
};

/// Started on first use, stopped at exit.
const peers& shared_peers();

/// A config for the peers: their DNS, their port, short timeouts.
lettre::mx::config test_config();

lettre::message message_to(const std::vector<std::string>& to,
                           const std::string& subject = "mx test");

/// The lettre tool's exit status (-1: not run or killed), what it printed
/// on stdout and stderr, and how long it took.
struct run_result {
    int status = -1;
    std::string out;  ///< stdout and stderr
    std::chrono::steady_clock::duration took{};
};

/// Runs the lettre tool (LETTRE_CLI) with `args` through the shell.
run_result run_lettre(const std::string& args);

}  // namespace mx_it
