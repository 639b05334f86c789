// A test peer (aiosmtpd, smtp-sink, dnsmasq, the scripted servers) as a child
// process: stdin and stdout are pipes, it dies with the test
// (PR_SET_PDEATHSIG), and it is stopped by PID: stdin closed (the Python
// peers exit on EOF), SIGTERM, SIGKILL after 3 s, reaped. Shared by the SMTP,
// DNS and MX tests.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace test_support {

class child_process {
public:
    child_process() = default;
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    child_process(child_process&& o) noexcept;
    child_process& operator=(child_process&& o) noexcept;
    ~child_process();

    /// Starts argv[0] (an absolute path) with argv. With `user` (and when
    /// running as root) the child switches to that user before exec. With
    /// `stdout_file` the child's stdout goes to that file instead of a pipe.
    static child_process start(const std::vector<std::string>& argv, const std::string& user = {},
                               const std::filesystem::path& stdout_file = {});
    /// One line of the child's stdout, or nullopt on timeout or EOF.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);
    /// Reads "PORT <name> <port>" lines until "READY" (throws if it does not come).
    std::map<std::string, std::uint16_t> wait_ready(std::chrono::milliseconds timeout);
    /// Still running (not exited)?
    bool alive();
    /// Closes stdin, SIGTERM, then SIGKILL if it has not exited within 3 s; reaps it.
    void stop();
    bool running() const noexcept { return pid_ > 0; }
    pid_t pid() const noexcept { return pid_; }

private:
    pid_t pid_ = -1;
    int in_ = -1;
    int out_ = -1;
    std::string buffered_;
};

}  // namespace test_support
