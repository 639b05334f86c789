// The blocking sendmail transport and the helpers both runners share. No
// Boost: this file is part of lettre::message (the Asio run is in
// sendmail_process.cpp, lettre::smtp).
#include <lettre/transport/sendmail_transport.hpp>

#include "transport/sendmail_blocking.hpp"
#include "transport/sendmail_child.hpp"
#include "transport/sendmail_program.hpp"

#include <fmt/format.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>
#include <utility>

namespace lettre {

namespace detail {

namespace {

bool is_executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

/// Printable, one line: what a program wrote, for an error message.
std::string one_line(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c == '\r') continue;
        if (c == '\n') {
            if (!out.empty() && out.back() != ' ') out += "; ";
            continue;
        }
        const auto u = static_cast<unsigned char>(c);
        out += u < 0x20 || u == 0x7f ? '?' : c;
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
    return out;
}

}  // namespace

result<std::string> find_sendmail_program(const std::string& command) {
    if (command.empty()) return make_error(errc::sendmail_failed, "no sendmail program configured");
    if (command.find('/') != std::string::npos) {
        if (is_executable_file(command)) return command;
        return make_error(errc::sendmail_failed,
                          fmt::format("{} is not an executable file", command));
    }
    // No PATH: the system's default search path, as execvp uses; never the
    // current directory (an empty entry), where anyone could plant a program.
    std::string dirs;
    if (const char* path = std::getenv("PATH")) {
        dirs = path;
    } else if (const std::size_t n = ::confstr(_CS_PATH, nullptr, 0); n > 0) {
        dirs.resize(n);
        ::confstr(_CS_PATH, dirs.data(), n);
        dirs.resize(n - 1);
    }
    dirs += dirs.empty() ? "/usr/sbin:/usr/lib" : ":/usr/sbin:/usr/lib";
    std::string_view rest = dirs;
    while (true) {
        const auto colon = rest.find(':');
        // POSIX: an empty PATH entry is the current directory. (Formatted,
        // not assigned: GCC 12 at -O3 reports a false -Wrestrict for
        // `dir = "."` on a string built from a string_view.)
        const std::string_view entry = rest.substr(0, colon);
        const std::string candidate =
            fmt::format("{}/{}", entry.empty() ? std::string_view(".") : entry, command);
        if (is_executable_file(candidate)) return candidate;
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return make_error(errc::sendmail_failed,
                      fmt::format("cannot find {} in PATH, /usr/sbin or /usr/lib", command));
}

std::vector<std::string> sendmail_arguments(const sendmail_config& config, const envelope& env) {
    std::vector<std::string> argv;
    argv.reserve(config.arguments.size() + env.to().size() + 5);
    argv.push_back(config.command);
    argv.insert(argv.end(), config.arguments.begin(), config.arguments.end());
    // -i: a line holding only "." is text, not the end of the message.
    argv.emplace_back("-i");
    // The sender as a separate argument: an option's value, never an option.
    argv.emplace_back("-f");
    argv.push_back(env.from() ? env.from()->to_string() : "<>");
    // Recipients after "--": an address starting with '-' stays an address.
    argv.emplace_back("--");
    for (const auto& to : env.to()) argv.push_back(to.to_string());
    return argv;
}

std::string sendmail_line_endings(std::string bytes, bool crlf) {
    if (!crlf) {
        // CRLF -> LF in place: the text only shrinks.
        std::size_t cr = bytes.find('\r');
        if (cr == std::string::npos) return bytes;
        std::size_t out = cr;
        for (std::size_t i = cr; i < bytes.size(); ++i) {
            if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') continue;
            bytes[out++] = bytes[i];
        }
        bytes.resize(out);
        return bytes;
    }
    // LF -> CRLF: formatted messages are CRLF already and pass unchanged.
    std::size_t bare = 0;
    for (std::size_t lf = bytes.find('\n'); lf != std::string::npos; lf = bytes.find('\n', lf + 1))
        if (lf == 0 || bytes[lf - 1] != '\r') ++bare;
    if (bare == 0) return bytes;
    std::string out;
    out.reserve(bytes.size() + bare);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) out += '\r';
        out += bytes[i];
    }
    return out;
}

std::string describe_sendmail_failure(const std::string& command, std::error_code ec,
                                      const sendmail_report& report, bool status_unknown) {
    const std::string output = one_line(report.output);
    const std::string said = output.empty() ? "" : ": " + output;
    if (ec == std::errc::operation_canceled)
        return fmt::format("{}: the send was cancelled{}", command, said);
    if (ec == make_error_code(errc::timeout))
        return fmt::format("{} took too long and was killed{}", command, said);
    if (status_unknown)
        return fmt::format(
            "{} ended, but its exit status was taken by someone else (is SIGCHLD "
            "ignored?); the message may not have been accepted{}",
            command, said);
    if (report.signal != 0)
        return fmt::format("{} was killed by signal {}{}", command, report.signal, said);
    if (report.exit_status == 75)
        return fmt::format("{} exited with status 75 (EX_TEMPFAIL, try again later){}", command,
                           said);
    if (report.exit_status != 0)
        return fmt::format("{} exited with status {}{}", command, report.exit_status, said);
    return fmt::format("{} exited with status 0 before reading the whole message{}", command, said);
}

}  // namespace detail

// ---- blocking ------------------------------------------------------------------

sendmail_transport::sendmail_transport() = default;
sendmail_transport::sendmail_transport(sendmail_config config) : config_(std::move(config)) {}

namespace {

result<sendmail_report> as_result(std::pair<std::error_code, sendmail_report> run) {
    auto& [ec, report] = run;
    if (ec) return error_info{ec, report.message};
    return std::move(report);
}

}  // namespace

result<sendmail_report> sendmail_transport::try_send_raw(const envelope& env,
                                                         std::string_view bytes) const {
    return as_result(detail::run_sendmail_blocking(config_, env, std::string(bytes)));
}

sendmail_report sendmail_transport::send_raw(const envelope& env, std::string_view bytes) const {
    return try_send_raw(env, bytes).value();
}

result<sendmail_report> sendmail_transport::try_send(const message& msg) const {
    return as_result(detail::run_sendmail_blocking(config_, msg.envelope(), msg.formatted()));
}

sendmail_report sendmail_transport::send(const message& msg) const {
    return try_send(msg).value();
}

sendmail_report sendmail_transport::send(const message& msg, std::error_code& ec) const {
    auto [e, report] = detail::run_sendmail_blocking(config_, msg.envelope(), msg.formatted());
    ec = e;
    return std::move(report);
}

sendmail_report sendmail_transport::send_raw(const envelope& env, std::string_view bytes,
                                             std::error_code& ec) const {
    auto [e, report] = detail::run_sendmail_blocking(config_, env, std::string(bytes));
    ec = e;
    return std::move(report);
}

}  // namespace lettre
