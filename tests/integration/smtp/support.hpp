// Test peers for the SMTP integration tests: child processes started from
// the test (aiosmtpd, a scripted fake server, Postfix's smtp-sink) on
// 127.0.0.1, kernel-chosen or free high ports, stopped by PID. A peer also
// dies with the test process (PR_SET_PDEATHSIG, and the Python peers exit
// when their stdin closes), so nothing is left behind.
#pragma once

#include "../../support/child_process.hpp"

#include <lettre/lettre.hpp>
#include <lettre/smtp/transport.hpp>

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace smtp_it {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// A child process with pipes on stdin and stdout; stderr is inherited (so
/// that CTest shows it on failure).
/// Test peers run as child processes (tests/support/child_process.hpp).
using process = test_support::child_process;

/// A fresh directory under the system temp dir, removed on destruction.
class temp_dir {
public:
    temp_dir();
    ~temp_dir();
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    const fs::path& path() const noexcept { return path_; }

private:
    fs::path path_;
};

std::uint16_t free_port();
/// True once something accepts TCP connections on 127.0.0.1:port.
bool wait_port(std::uint16_t port, std::chrono::milliseconds timeout);
/// Polls `pred` every 10 ms until it holds or the time is up.
bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 5s);

std::string read_file(const fs::path& p);
/// CRLF -> LF (smtp-sink stores messages with LF line ends).
std::string lf_only(std::string_view s);

/// A message as the aiosmtpd peer stored it.
struct received {
    std::string content;  ///< bytes after dot-unstuffing
    std::string from;
    std::vector<std::string> options;
    std::vector<std::string> rcpts;
    bool tls = false;
    std::string auth;
    bool reused = false;      ///< the server resumed the TLS session
    std::string tls_version;  ///< "TLSv1.3", ...; empty without TLS
};

/// Messages stored under `dir`, in arrival order.
std::vector<received> mailbox(const fs::path& dir);

// ---------------------------------------------------------------------------
// Shared peers, started on first use and stopped when the test program ends.

struct aiosmtpd_peer {
    fs::path outdir;
    std::map<std::string, std::uint16_t> ports;
    std::uint16_t port(const std::string& listener) const;
    fs::path dir(const std::string& listener) const { return outdir / listener; }
    std::size_t count(const std::string& listener) const { return mailbox(dir(listener)).size(); }
    /// Subjects of the messages a "count" listener accepted, in order.
    std::vector<std::string> subjects(const std::string& listener) const;
};

struct fake_peer {
    fs::path outdir;
    std::map<std::string, std::uint16_t> ports;
    std::uint16_t port(const std::string& scenario) const;
    /// The bytes the server received on its n-th (1-based) connection.
    std::optional<std::string> log(const std::string& scenario, int n) const;
    int connections(const std::string& scenario) const;
};

/// Stops the shared peers and removes their files (main() calls it).
void stop_all_peers();
/// The certificates from peers/make_certs.py.
const fs::path& cert_dir();
const aiosmtpd_peer& aiosmtpd();
const fake_peer& fake_server();

/// A running smtp-sink; stopped by its destructor.
struct smtp_sink {
    process proc;
    std::uint16_t port = 0;
    std::unique_ptr<temp_dir> dumps;
    /// Dump files written so far (one per accepted message).
    std::vector<fs::path> messages() const;
    /// With counters (start_counting_smtp_sink): messages whose final dot
    /// smtp-sink received, from its "-c" counter line.
    std::size_t counted() const;
};
/// Starts smtp-sink with extra options (e.g. {"-q", "."}).
std::unique_ptr<smtp_sink> start_smtp_sink(const std::vector<std::string>& options = {});
/// Starts smtp-sink without dump files, with running counters ("-c") on
/// its stdout (a file), for load tests.
std::unique_ptr<smtp_sink> start_counting_smtp_sink(const std::vector<std::string>& options = {});

/// A running peers/chaos_server.py (a server that fails at random; see
/// there); stopped by its destructor.
struct chaos_server {
    std::unique_ptr<temp_dir> dir;  ///< first: outlives the process
    process proc;
    std::uint16_t port = 0;
    /// The events logged so far: ("ACK" | "DOT" | "R421" | "CUT", token).
    std::vector<std::pair<std::string, std::string>> events() const;
    /// The server's fault counters ("drop_mail", "idle_close", "connections", ...).
    std::map<std::string, int> stats() const;
};
/// Starts the chaos server with options, e.g. {"--fault-rate", "0.01"}.
std::unique_ptr<chaos_server> start_chaos_server(const std::vector<std::string>& options = {});

// ---------------------------------------------------------------------------
// lettre helpers

/// A transport builder for a plaintext test server.
lettre::smtp_transport_builder plain_builder(std::uint16_t port);
/// STARTTLS required, trusting the test CA.
lettre::smtp_transport_builder starttls_builder(std::uint16_t port);
/// Implicit TLS, trusting the test CA.
lettre::smtp_transport_builder implicit_builder(std::uint16_t port);
lettre::smtp::tls_parameters test_ca();

/// A message with dot lines, a Bcc recipient and non-trivial structure.
lettre::message sample_message(const std::string& to = "Rcpt <rcpt@example.org>",
                               const std::string& subject = "integration test");

std::string describe(const std::error_code& ec, const lettre::smtp::send_report& r);

/// `n` sends at once on an async transport for `cfg` with one connection:
/// the pool puts them in the connection's pipelining window. Each must
/// succeed (250) on that one connection, with no reconnect. Returns the
/// formatted messages, in the order sent.
/// `in_flight` > 0: that many sends at a time, each completion handing over
/// the next (a caller with bounded concurrency; the later ones reach the
/// connection while it waits for replies, so their commands go out ahead
/// beside that read).
std::vector<std::string> send_windowed(lettre::smtp::transport_config cfg, int n,
                                       int in_flight = 0);

/// lettre's error code for `e` (std::error_code: the async handlers' Boost
/// codes convert to it).
inline std::error_code code(lettre::errc e) {
    return lettre::make_error_code(e);
}

}  // namespace smtp_it
