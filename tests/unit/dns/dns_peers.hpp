// Test peers for the DNS and MX tests: dnsmasq and the scripted DNS server
// (scripted_dns.py), started as child processes on 127.0.0.1 and a free
// high port, stopped by PID (they also die with the test: PR_SET_PDEATHSIG,
// and the Python server exits when its stdin closes).
#pragma once

#include "../../support/child_process.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dns_test {

/// Test peers run as child processes (tests/support/child_process.hpp).
using child = test_support::child_process;

/// A dnsmasq serving only what `records` says (dnsmasq options such as
/// "--mx-host=a.test,mx.a.test,10"), authoritative for *.test: names under
/// .test it does not know are NXDOMAIN; names elsewhere are REFUSED.
struct dnsmasq {
    std::unique_ptr<child> proc;
    std::uint16_t port = 0;
    std::string server() const { return "127.0.0.1:" + std::to_string(port); }
};
std::unique_ptr<dnsmasq> start_dnsmasq(const std::vector<std::string>& records);

/// The scripted server (see scripted_dns.py for its names).
struct scripted_dns {
    std::unique_ptr<child> proc;
    std::uint16_t port = 0;
    std::string server() const { return "127.0.0.1:" + std::to_string(port); }
};
std::unique_ptr<scripted_dns> start_scripted_dns();

/// The DNSSEC test world of dnssec/make_zones.sh, built in a fresh
/// temporary directory at each start (so its signatures are always valid):
/// nsd serving secure.test (signed), insecure.test (unsigned) and
/// bogus.test (signatures broken), and unbound validating them with the
/// signed zones' keys as trust anchors, no network. Both on 127.0.0.1 and
/// free high ports; stopped by PID, the directory removed, on destruction.
struct dnssec_world {
    std::filesystem::path dir;
    std::unique_ptr<child> nsd;
    std::unique_ptr<child> unbound;
    std::uint16_t port = 0;      ///< unbound's
    std::uint16_t nsd_port = 0;  ///< the authoritative server's (no AD bit ever)
    std::string server() const { return "127.0.0.1:" + std::to_string(port); }
    dnssec_world() = default;
    dnssec_world(const dnssec_world&) = delete;
    dnssec_world& operator=(const dnssec_world&) = delete;
    ~dnssec_world();
};
/// Throws, naming the Debian package, when nsd, unbound or ldnsutils is missing.
std::unique_ptr<dnssec_world> start_dnssec_world();

/// The directory of this file (scripts live beside it).
std::string here();

}  // namespace dns_test
