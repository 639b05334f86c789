// lettre::sendmail_transport and lettre::async_sendmail_transport against
// fake sendmail programs: small /bin/sh scripts written into a fresh
// directory that record their PID, argument vector (one per line) and
// standard input into files, print, and exit the way a test asks. They check
// the exact argv, the bytes on stdin (LF or CRLF), how exit statuses,
// signals, timeouts and cancellation map to errors, and that no child is
// left running or unreaped.
#include <lettre/transport/async_sendmail_transport.hpp>
#include <lettre/transport/sendmail_transport.hpp>

#include "../test_util.hpp"
#include "transport/sendmail_process.hpp"  // internal (-I src): detail::sendmail_line_endings
#include "transport/sendmail_program.hpp"  // internal: sendmail_arguments, find_sendmail_program

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <future>
#include <initializer_list>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
using lettre::errc;
using lettre::sendmail_config;
using lettre::sendmail_report;
using lettre::sendmail_transport;
using namespace lettre_test;
using namespace std::chrono_literals;
using ::testing::HasSubstr;

// ---------------------------------------------------------------------------
// Reference line-end conversions, written independently of the library.

/// Every CRLF pair becomes LF; everything else stays.
std::string lf_reference(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        out += s[i];
    }
    return out;
}

/// Every LF not preceded by CR becomes CRLF; everything else stays.
std::string crlf_reference(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) out += '\r';
        out += s[i];
    }
    return out;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

// ---------------------------------------------------------------------------
// Fake sendmail programs

/// A /bin/sh script in a fresh directory. Before `tail` runs it writes its
/// PID to "pid" (one write by a shell builtin), its arguments (without argv[0]) to
/// "argv", one per line, and, when `read_stdin`, its standard input to
/// "stdin". With `per_run` the files are "argv.PID" and "stdin.PID", for
/// several runs at once.
class fake_sendmail {
public:
    explicit fake_sendmail(std::string_view tail, bool read_stdin = true, bool per_run = false) {
        const std::string suffix = per_run ? ".$$" : "";
        std::string script = "#!/bin/sh\n";
        script += "d='" + dir_.path().string() + "'\n";
        script += "echo $$ > \"$d/pid\"\n";
        script += "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$d/argv" + suffix + "\"\n";
        if (read_stdin) script += "cat > \"$d/stdin" + suffix + "\"\n";
        script += tail;
        script += "\n";
        write_file(program(), script);
        fs::permissions(program(), fs::perms::owner_all);
    }

    fake_sendmail(const fake_sendmail&) = delete;
    fake_sendmail& operator=(const fake_sendmail&) = delete;
    /// Kills what the program left running (the PIDs in "children").
    ~fake_sendmail() {
        std::istringstream in(read_file(file("children")));
        long pid = 0;
        while (in >> pid)
            if (pid > 1) ::kill(static_cast<pid_t>(pid), SIGKILL);
    }

    fs::path program() const { return dir_ / "sendmail"; }
    const fs::path& dir() const noexcept { return dir_.path(); }
    fs::path file(std::string_view name) const { return dir_ / name; }
    /// The PID line is complete (polled while the program runs).
    bool ran() const {
        const std::string text = read_file(file("pid"));
        return !text.empty() && text.back() == '\n';
    }
    /// The program got as far as writing the file "started" (see sleeps_itself).
    bool started() const { return fs::exists(file("started")); }

    /// The arguments of the (last) run, argv[0] excluded.
    std::vector<std::string> argv() const { return lines_of(read_file(file("argv"))); }
    std::string stdin_bytes() const { return read_file(file("stdin")); }
    pid_t pid() const {
        const std::string text = read_file(file("pid"));
        if (text.empty()) {
            ADD_FAILURE() << "the fake sendmail wrote no PID";
            return -1;
        }
        return static_cast<pid_t>(std::stol(text));
    }

    sendmail_config config() const {
        sendmail_config c;
        c.command = program().string();
        c.timeout = 60s;  // generous: only the timeout tests rely on it firing
        return c;
    }

private:
    temp_dir dir_;
};

/// Writes "started", then sleeps 30 s itself (exec: the sleeping process is
/// the one lettre started).
constexpr std::string_view sleeps_itself = "echo started > \"$d/started\"; exec sleep 30";
/// A child of the program (a shell) that inherits its descriptors, writes
/// its PID and its sleep's to "children" (for the fake's destructor),
/// "started", sleeps 30 s and then writes "late": the file exists only if
/// someone waited for the whole sleep. Redirections may follow.
#define LETTRE_TEST_GRANDCHILD                                                   \
    "sh -c 'echo $$ >> \"$1/children\"; sleep 30 & echo $! >> \"$1/children\"; " \
    "echo started > \"$1/started\"; wait $!; echo late > \"$1/late\"' sh \"$d\""
/// Waits for a child of its own that keeps stdin, stdout and stderr open
/// while it sleeps: a program that forks, as real MTAs do.
constexpr std::string_view sleeps_in_a_child = LETTRE_TEST_GRANDCHILD;
/// Exits 0 at once without reading, leaving a child in the background that
/// holds its standard input (and output) and does not read either.
constexpr std::string_view exits_leaving_a_child_on_stdin =
    "exec 3<&0\n" LETTRE_TEST_GRANDCHILD " <&3 3<&- &\nexit 0";
/// Reads its input, then exits 0 leaving a child in the background that
/// keeps stdout and stderr open (a daemonized helper).
constexpr std::string_view exits_leaving_a_child_on_stdout =
    "echo accepted\n" LETTRE_TEST_GRANDCHILD
    " < /dev/null &\n"
    "while [ ! -e \"$d/started\" ]; do sleep 0.05; done\nexit 0";

/// True when no process (not even a zombie) has that PID.
bool process_gone(pid_t pid) {
    if (pid <= 0) return false;
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

/// Gone, or a zombie waiting for its (new) parent to reap it.
bool dead_or_zombie(pid_t pid) {
    if (process_gone(pid)) return true;
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

/// Runs `ioc` in short slices until `pred` holds (false after 30 s).
bool run_until(asio::io_context& ioc, const std::function<bool()>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        if (ioc.stopped()) {
            std::this_thread::sleep_for(10ms);
        } else {
            ioc.run_for(10ms);
        }
    }
    return true;
}

/// Open descriptors of this process.
std::set<int> open_fds() {
    std::vector<int> listed;
    for (const auto& e : fs::directory_iterator("/proc/self/fd"))
        listed.push_back(std::stoi(e.path().filename().string()));
    std::set<int> out;
    for (const int fd : listed)
        if (::fcntl(fd, F_GETFD) != -1) out.insert(fd);  // not the iterator's own
    return out;
}

/// Sends `m` with a timeout of 300 ms; when the machine is so loaded that
/// the program had not even reached its sleep (no "started" file), again
/// with a longer one, so that the test cannot pass without testing.
std::error_code send_until_started(const fake_sendmail& fake, const lettre::message& m,
                                   sendmail_report& report) {
    std::error_code ec;
    for (const auto t : {300ms, 1000ms, 3000ms, 10000ms}) {
        auto c = fake.config();
        c.timeout = t;
        report = sendmail_transport(c).send(m, ec);
        if (fake.started()) break;
    }
    EXPECT_TRUE(fake.started()) << "the fake never reached its sleep";
    return ec;
}

// ---------------------------------------------------------------------------
// Messages

/// From Alice, to Bob and Carol; the body has lines that are just "." and "..".
lettre::message dotted_message() {
    auto b = lettre::message::builder();
    b.from("Alice <alice@example.com>")
        .to("Bob <bob@example.org>")
        .cc("carol@example.net")
        .subject("sendmail test")
        .text("first line\n.\n..\n.x\nlast line\n");
    return must_build(b);
}

lettre::message message_to(const std::string& to, const std::string& subject = "hi") {
    auto b = lettre::message::builder();
    b.from("alice@example.com").to(to).subject(subject).text("body of " + subject + "\n");
    return must_build(b);
}

lettre::envelope envelope_to(std::optional<std::string> from, std::vector<std::string> to) {
    std::optional<lettre::address> f;
    if (from) f = lettre::address::parse(*from);
    std::vector<lettre::address> t;
    for (const auto& a : to) t.push_back(lettre::address::parse(a));
    return lettre::envelope::create(std::move(f), std::move(t));
}

/// Header/body bytes with every kind of line end: CRLF, LF, a lone "." line,
/// a line of "..", no final line end.
const std::string mixed_line_ends =
    "From: alice@example.com\r\nTo: bob@example.org\nSubject: mixed\r\n\n"
    "crlf line\r\nlf line\n.\n..\r\n\r\n\n.\r\nlast line without end";

// ---------------------------------------------------------------------------
// The argument vector

TEST(SendmailArguments, ConfigArgumentsThenDashIThenSenderThenRecipientsAfterDoubleDash) {
    sendmail_config c;
    c.command = "/usr/sbin/sendmail";
    c.arguments = {"-C", "/etc/mail/test cf", "--opt='x y'"};
    const auto env = envelope_to("alice@example.com", {"bob@example.org", "-oQ/tmp/x@example.org"});
    const std::vector<std::string> expected = {
        "/usr/sbin/sendmail", "-C", "/etc/mail/test cf", "--opt='x y'",          "-i", "-f",
        "alice@example.com",  "--", "bob@example.org",   "-oQ/tmp/x@example.org"};
    EXPECT_EQ(lettre::detail::sendmail_arguments(c, env), expected);
}

TEST(SendmailArguments, NullSenderIsAngleBrackets) {
    sendmail_config c;
    c.command = "sendmail";
    const auto env = envelope_to(std::nullopt, {"bob@example.org"});
    const std::vector<std::string> expected = {"sendmail", "-i", "-f",
                                               "<>",       "--", "bob@example.org"};
    EXPECT_EQ(lettre::detail::sendmail_arguments(c, env), expected);
}

TEST(SendmailArguments, QuotedLocalPartIsOneArgument) {
    sendmail_config c;
    c.command = "sendmail";
    const auto env = envelope_to("\"john q\"@example.com", {"\"a b;c\"@example.org"});
    const auto argv = lettre::detail::sendmail_arguments(c, env);
    ASSERT_EQ(argv.size(), 6u);
    EXPECT_EQ(argv[3], "\"john q\"@example.com");
    EXPECT_EQ(argv[5], "\"a b;c\"@example.org");
}

TEST(SendmailTransport, ProgramGetsConfigArgumentsThenDashIThenSenderThenRecipients) {
    const fake_sendmail fake("exit 0");
    auto c = fake.config();
    c.arguments = {"-C", "/etc/mail/test cf", "$HOME", "*"};
    ASSERT_LETTRE_OK(sendmail_transport(c).try_send(dotted_message()));
    const std::vector<std::string> expected = {"-C",
                                               "/etc/mail/test cf",
                                               "$HOME",
                                               "*",
                                               "-i",
                                               "-f",
                                               "alice@example.com",
                                               "--",
                                               "bob@example.org",
                                               "carol@example.net"};
    EXPECT_EQ(fake.argv(), expected);
}

TEST(SendmailTransport, NullSenderAndDashRecipientsReachTheProgramAfterDoubleDash) {
    const fake_sendmail fake("exit 0");
    const auto env = envelope_to(std::nullopt, {"-oQ/tmp/x@example.org", "-t@example.org"});
    ASSERT_LETTRE_OK(sendmail_transport(fake.config()).try_send_raw(env, mixed_line_ends));
    const std::vector<std::string> expected = {
        "-i", "-f", "<>", "--", "-oQ/tmp/x@example.org", "-t@example.org"};
    EXPECT_EQ(fake.argv(), expected);
}

TEST(SendmailTransport, DashRecipientFromTheBuilderStaysAfterDoubleDash) {
    const fake_sendmail fake("exit 0");
    ASSERT_LETTRE_OK(
        sendmail_transport(fake.config()).try_send(message_to("-bs@example.org", "dash")));
    const std::vector<std::string> expected = {"-i", "-f", "alice@example.com", "--",
                                               "-bs@example.org"};
    EXPECT_EQ(fake.argv(), expected);
}

// ---------------------------------------------------------------------------
// Line ends

TEST(SendmailLineEndings, MatchesTheReferenceConversions) {
    const std::vector<std::string> cases = {
        "",
        "a",
        "\n",
        "\r\n",
        "a\r\nb\r\n",
        "a\nb\n",
        "a\r\nb\nc",
        ".\n..\r\n.\r\n",
        "\n\n\r\n\r\n",
        "x\r\r\ny",
        mixed_line_ends,
    };
    for (const auto& c : cases) {
        EXPECT_EQ(lettre::detail::sendmail_line_endings(c, false), lf_reference(c))
            << "LF, input: " << ::testing::PrintToString(c);
        EXPECT_EQ(lettre::detail::sendmail_line_endings(c, true), crlf_reference(c))
            << "CRLF, input: " << ::testing::PrintToString(c);
    }
    // Random strings of the interesting bytes.
    std::mt19937 rng(20240601);
    const std::string alphabet = "a.\r\n";
    for (int i = 0; i < 2000; ++i) {
        std::string s(rng() % 24, 'a');
        for (char& ch : s) ch = alphabet[rng() % alphabet.size()];
        ASSERT_EQ(lettre::detail::sendmail_line_endings(s, false), lf_reference(s))
            << ::testing::PrintToString(s);
        ASSERT_EQ(lettre::detail::sendmail_line_endings(s, true), crlf_reference(s))
            << ::testing::PrintToString(s);
    }
}

TEST(SendmailLineEndings, CrlfTextConvertsToLfAndBack) {
    const std::string formatted = dotted_message().formatted();
    const std::string lf = lettre::detail::sendmail_line_endings(formatted, false);
    EXPECT_EQ(lf.find('\r'), std::string::npos);
    EXPECT_EQ(lettre::detail::sendmail_line_endings(lf, true), formatted);
    EXPECT_EQ(lettre::detail::sendmail_line_endings(formatted, true), formatted);
}

TEST(SendmailTransport, StdinIsTheFormattedMessageWithLfLineEndsByDefault) {
    const fake_sendmail fake("exit 0");
    const lettre::message m = dotted_message();
    ASSERT_LETTRE_OK(sendmail_transport(fake.config()).try_send(m));
    const std::string got = fake.stdin_bytes();
    EXPECT_EQ(got, lf_reference(m.formatted()));
    EXPECT_EQ(got.find('\r'), std::string::npos);
    EXPECT_THAT(got, HasSubstr("\nfirst line\n.\n..\n.x\nlast line\n"));
}

TEST(SendmailTransport, StdinIsExactlyTheFormattedBytesWithCrlf) {
    const fake_sendmail fake("exit 0");
    auto c = fake.config();
    c.crlf_line_endings = true;
    const lettre::message m = dotted_message();
    ASSERT_LETTRE_OK(sendmail_transport(c).try_send(m));
    const std::string got = fake.stdin_bytes();
    EXPECT_EQ(got, m.formatted());
    EXPECT_THAT(got, HasSubstr("\r\nfirst line\r\n.\r\n..\r\n.x\r\nlast line\r\n"));
}

TEST(SendmailTransport, RawBytesWithMixedLineEndsAreConverted) {
    const auto env = envelope_to("alice@example.com", {"bob@example.org"});
    {
        const fake_sendmail fake("exit 0");
        ASSERT_LETTRE_OK(sendmail_transport(fake.config()).try_send_raw(env, mixed_line_ends));
        EXPECT_EQ(fake.stdin_bytes(),
                  "From: alice@example.com\nTo: bob@example.org\nSubject: mixed\n\n"
                  "crlf line\nlf line\n.\n..\n\n\n.\nlast line without end");
    }
    {
        const fake_sendmail fake("exit 0");
        auto c = fake.config();
        c.crlf_line_endings = true;
        ASSERT_LETTRE_OK(sendmail_transport(c).try_send_raw(env, mixed_line_ends));
        EXPECT_EQ(fake.stdin_bytes(),
                  "From: alice@example.com\r\nTo: bob@example.org\r\nSubject: mixed\r\n\r\n"
                  "crlf line\r\nlf line\r\n.\r\n..\r\n\r\n\r\n.\r\nlast line without end");
    }
}

// ---------------------------------------------------------------------------
// Exit statuses, signals, output

TEST(SendmailTransport, ExitZeroIsSuccessWithTheReport) {
    const fake_sendmail fake("echo queued as 4711; exit 0");
    const sendmail_report r = sendmail_transport(fake.config()).send(dotted_message());
    EXPECT_EQ(r.exit_status, 0);
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(r.output, "queued as 4711\n");
    EXPECT_TRUE(process_gone(fake.pid()));
}

TEST(SendmailTransport, ExitSeventyFiveIsTransientWithTheProgramsStderr) {
    const fake_sendmail fake("echo 'queue file write error, try again later' >&2; exit 75");
    const sendmail_transport t(fake.config());
    const std::string text = thrown_message([&] { t.send(dotted_message()); });
    EXPECT_LETTRE_THROW(t.send(dotted_message()), errc::sendmail_transient);
    EXPECT_THAT(text, HasSubstr("queue file write error, try again later"));
    EXPECT_THAT(text, HasSubstr(fake.program().string()));
    EXPECT_THAT(text, HasSubstr("75"));
    std::error_code ec;
    const sendmail_report r = t.send(dotted_message(), ec);
    EXPECT_EQ(ec, errc::sendmail_transient);
    EXPECT_EQ(r.exit_status, 75);
    EXPECT_EQ(r.signal, 0);
    EXPECT_EQ(r.output, "queue file write error, try again later\n");
}

TEST(SendmailTransport, ExitOneIsFailureWithTheProgramsOutput) {
    const fake_sendmail fake("echo 'bob@example.org... User unknown'; exit 1");
    const sendmail_transport t(fake.config());
    const auto r = t.try_send(dotted_message());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, errc::sendmail_failed);
    EXPECT_THAT(r.error().message, HasSubstr("bob@example.org... User unknown"));
    EXPECT_THAT(r.error().message, HasSubstr(fake.program().string()));
    EXPECT_THAT(r.error().message, HasSubstr("status 1"));
    std::error_code ec;
    const sendmail_report report = t.send(dotted_message(), ec);
    EXPECT_EQ(ec, errc::sendmail_failed);
    EXPECT_EQ(report.exit_status, 1);
}

TEST(SendmailTransport, KilledBySignalIsFailureWithTheSignal) {
    const fake_sendmail fake("echo about to die; kill -9 $$; exit 0");
    const sendmail_transport t(fake.config());
    std::error_code ec;
    const sendmail_report r = t.send(dotted_message(), ec);
    EXPECT_EQ(ec, errc::sendmail_failed);
    EXPECT_EQ(r.signal, 9);
    EXPECT_EQ(r.exit_status, -1);
    EXPECT_EQ(r.output, "about to die\n");
    const auto res = t.try_send(dotted_message());
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().code, errc::sendmail_failed);
    EXPECT_THAT(res.error().message, HasSubstr("signal 9"));
    EXPECT_THAT(res.error().message, HasSubstr("about to die"));
}

TEST(SendmailTransport, ExitZeroWithoutReadingALargeMessageIsNeverSuccess) {
    const fake_sendmail fake("exit 0", /*read_stdin=*/false);
    const auto env = envelope_to("alice@example.com", {"bob@example.org"});
    const std::string big = "Subject: big\r\n\r\n" + repeat(std::string(78, 'x') + "\r\n", 53000);
    ASSERT_GT(big.size(), 4u * 1024 * 1024);
    const auto r = sendmail_transport(fake.config()).try_send_raw(env, big);
    ASSERT_FALSE(r.has_value()) << "a program that read nothing was taken as a delivery";
    EXPECT_EQ(r.error().code, errc::sendmail_failed);
    EXPECT_THAT(r.error().message, HasSubstr(fake.program().string()));
}

TEST(SendmailTransport, LargeMessageReadInFullIsSuccess) {
    const fake_sendmail fake("exit 0");
    const auto env = envelope_to("alice@example.com", {"bob@example.org"});
    const std::string big = "Subject: big\r\n\r\n" + repeat(std::string(78, 'y') + "\r\n", 53000);
    ASSERT_LETTRE_OK(sendmail_transport(fake.config()).try_send_raw(env, big));
    EXPECT_EQ(fake.stdin_bytes(), lf_reference(big));
}

TEST(SendmailTransport, OutputIsCutAt4096Bytes) {
    // 10,000 bytes, each 10-byte block different: the first 4096 are kept.
    const fake_sendmail fake(
        "i=0; while [ $i -lt 1000 ]; do printf '%04d567890' $i; i=$((i+1)); done; exit 0");
    std::string expected;
    for (int i = 0; i < 1000; ++i) {
        char block[16];
        std::snprintf(block, sizeof block, "%04d567890", i);
        expected += block;
    }
    const sendmail_report r = sendmail_transport(fake.config()).send(dotted_message());
    EXPECT_EQ(r.output.size(), 4096u);
    EXPECT_EQ(r.output, expected.substr(0, 4096));
}

TEST(SendmailTransport, ProgramPrintingMegabytesIsNotBlocked) {
    const fake_sendmail fake("head -c 1048576 /dev/zero | tr '\\0' y; exit 0");
    const auto r = sendmail_transport(fake.config()).try_send(dotted_message());
    ASSERT_LETTRE_OK(r);
    EXPECT_EQ(r->output, std::string(4096, 'y'));
}

TEST(SendmailTransport, StdoutAndStderrAreBothCaptured) {
    const fake_sendmail fake("echo on-stdout; echo on-stderr >&2; exit 1");
    const sendmail_transport t(fake.config());
    std::error_code ec;
    const sendmail_report r = t.send(dotted_message(), ec);
    EXPECT_EQ(ec, errc::sendmail_failed);
    EXPECT_EQ(r.output, "on-stdout\non-stderr\n");
    const std::string text = thrown_message([&] { t.send(dotted_message()); });
    EXPECT_THAT(text, HasSubstr("on-stdout"));
    EXPECT_THAT(text, HasSubstr("on-stderr"));
}

// ---------------------------------------------------------------------------
// Timeout

TEST(SendmailTransport, TimeoutKillsTheProgram) {
    const fake_sendmail fake(sleeps_itself);
    sendmail_report r;
    const std::error_code ec = send_until_started(fake, dotted_message(), r);
    EXPECT_EQ(ec, errc::timeout);
    EXPECT_EQ(r.signal, SIGKILL);
    EXPECT_EQ(r.exit_status, -1);
    const pid_t pid = fake.pid();
    EXPECT_TRUE(process_gone(pid)) << "pid " << pid << " still exists (running or a zombie)";
    auto c = fake.config();
    c.timeout = 300ms;
    const auto res = sendmail_transport(c).try_send(dotted_message());
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().code, errc::timeout);
    EXPECT_THAT(res.error().message, HasSubstr(fake.program().string()));
}

TEST(SendmailTransport, LongestTimeoutDoesNotExpireAtOnce) {
    // milliseconds::max(), "no timeout" to a user, must not overflow into a
    // deadline in the past.
    const fake_sendmail fake("sleep 0.5; exit 0");
    auto c = fake.config();
    c.timeout = std::chrono::milliseconds::max();
    EXPECT_LETTRE_OK(sendmail_transport(c).try_send(dotted_message()));
    c.timeout = std::chrono::hours(24 * 365 * 1000);  // a thousand years
    EXPECT_LETTRE_OK(sendmail_transport(c).try_send(dotted_message()));
}

// A program whose own child keeps stdout/stderr open (the shell running
// `sleep`, an MTA's helper): the timeout must still end the send, not wait
// until that child is done.
TEST(SendmailTransport, TimeoutDoesNotWaitForTheProgramsChildren) {
    const fake_sendmail fake(sleeps_in_a_child);
    sendmail_report r;
    const std::error_code ec = send_until_started(fake, dotted_message(), r);
    EXPECT_EQ(ec, errc::timeout);
    const pid_t pid = fake.pid();
    EXPECT_TRUE(process_gone(pid)) << "pid " << pid << " still exists (running or a zombie)";
    EXPECT_FALSE(fs::exists(fake.file("late")))
        << "the send returned only after the program's child finished its 30 s sleep: "
           "the timeout was not enforced";
    // The program's process group went with it: its children are killed
    // too (then reaped by init, which may take a moment).
    std::istringstream children(read_file(fake.file("children")));
    long child = 0;
    int checked = 0;
    while (children >> child) {
        ++checked;
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!dead_or_zombie(static_cast<pid_t>(child)) &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(20ms);
        EXPECT_TRUE(dead_or_zombie(static_cast<pid_t>(child)))
            << "child " << child << " of the program outlived the timeout";
    }
    EXPECT_EQ(checked, 2) << "the fake wrote no children";
}

TEST(SendmailTransport, ExitZeroWhileAChildHoldsStdinUnreadIsNeverSuccess) {
    const fake_sendmail fake(exits_leaving_a_child_on_stdin, /*read_stdin=*/false);
    const auto env = envelope_to("alice@example.com", {"bob@example.org"});
    const std::string big = "Subject: big\r\n\r\n" + repeat(std::string(78, 'x') + "\r\n", 53000);
    const auto r = sendmail_transport(fake.config()).try_send_raw(env, big);
    ASSERT_FALSE(r.has_value()) << "a program that read nothing was taken as a delivery";
    EXPECT_EQ(r.error().code, errc::sendmail_failed);
    EXPECT_FALSE(fs::exists(fake.file("late")))
        << "the send waited until the program's child finished its 30 s sleep";
}

TEST(SendmailTransport, ExitZeroWhileAChildHoldsOutputIsSuccess) {
    const fake_sendmail fake(exits_leaving_a_child_on_stdout);
    const lettre::message m = dotted_message();
    const auto r = sendmail_transport(fake.config()).try_send(m);
    ASSERT_LETTRE_OK(r);
    EXPECT_EQ(r->exit_status, 0);
    EXPECT_EQ(r->output, "accepted\n");
    EXPECT_EQ(fake.stdin_bytes(), lf_reference(m.formatted()));
    EXPECT_FALSE(fs::exists(fake.file("late")))
        << "the send waited until the program's child finished its 30 s sleep";
}

// ---------------------------------------------------------------------------
// Signals: an application that ignores SIGCHLD (common in servers, to avoid
// zombies) or blocks signals must not hand that to the program, whose own
// waitpid() would fail.

/// Sets signals to SIG_IGN and blocks others in this thread, for a scope.
class signal_state {
public:
    signal_state(std::initializer_list<int> ignore, std::initializer_list<int> block) {
        struct sigaction ign {};
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        for (const int sig : ignore) {
            struct sigaction old {};
            ::sigaction(sig, &ign, &old);
            saved_.emplace_back(sig, old);
        }
        sigset_t set;
        sigemptyset(&set);
        for (const int sig : block) sigaddset(&set, sig);
        ::pthread_sigmask(SIG_BLOCK, &set, &old_mask_);
    }
    signal_state(const signal_state&) = delete;
    signal_state& operator=(const signal_state&) = delete;
    ~signal_state() {
        ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
        for (const auto& [sig, old] : saved_) ::sigaction(sig, &old, nullptr);
    }

private:
    std::vector<std::pair<int, struct sigaction>> saved_;
    sigset_t old_mask_{};
};

/// A fake written in Python, not sh: dash and perl reset SIGCHLD
/// themselves, Python keeps what it inherited (and ignores SIGPIPE on its
/// own). It writes the SigIgn and SigBlk lines of its /proc status to
/// "signals", reads its input and exits 0.
std::string python_signal_recorder(const fs::path& dir) {
    return "#!/usr/bin/python3\n"
           "import sys\n"
           "with open('/proc/self/status') as s, open('" +
           (dir / "signals").string() +
           "', 'w') as o:\n"
           "    o.writelines(l for l in s if l.startswith(('SigIgn:', 'SigBlk:')))\n"
           "sys.stdin.buffer.read()\n";
}

/// The mask of one "SigXxx:" line (hex).
unsigned long long signal_mask(const std::string& lines, const std::string& name) {
    for (const auto& line : lines_of(lines))
        if (line.starts_with(name + ":"))
            return std::stoull(line.substr(name.size() + 1), nullptr, 16);
    ADD_FAILURE() << "no " << name << " line in " << lines;
    return ~0ull;
}

unsigned long long bit(int sig) {
    return 1ull << (sig - 1);
}

TEST(SendmailTransport, ProgramDoesNotInheritIgnoredSigchldOrBlockedSignals) {
    ASSERT_EQ(::access("/usr/bin/python3", X_OK), 0) << "/usr/bin/python3 is missing";
    const temp_dir dir;
    write_file(dir / "sendmail", python_signal_recorder(dir.path()));
    fs::permissions(dir / "sendmail", fs::perms::owner_all);
    sendmail_config c;
    c.command = (dir / "sendmail").string();
    c.timeout = 60s;
    {
        const signal_state state({SIGCHLD}, {SIGUSR1, SIGTERM, SIGCHLD});
        static_cast<void>(sendmail_transport(c).try_send(dotted_message()));
    }
    const std::string lines = read_file(dir / "signals");
    ASSERT_FALSE(lines.empty()) << "the program did not run";
    const auto ignored = signal_mask(lines, "SigIgn");
    EXPECT_EQ(ignored & bit(SIGCHLD), 0u) << "the program starts with SIGCHLD ignored: its "
                                             "children are reaped by the kernel and its "
                                             "waitpid() fails with ECHILD";
    EXPECT_EQ(signal_mask(lines, "SigBlk"), 0u) << "the program starts with signals blocked";
}

TEST(SendmailTransport, WithSigchldIgnoredTheSendIsNeverSuccessAndNamesTheProgram) {
    // SIGCHLD ignored: the kernel reaps the program and its exit status is
    // lost, so the send cannot count as delivered; the message still says
    // which program and what happened.
    const fake_sendmail fake("echo queued; exit 0");
    const signal_state state({SIGCHLD}, {});
    const auto r = sendmail_transport(fake.config()).try_send(dotted_message());
    ASSERT_FALSE(r.has_value()) << "a send without an exit status counted as delivered";
    EXPECT_EQ(r.error().code, errc::sendmail_failed);
    EXPECT_THAT(r.error().message, HasSubstr(fake.program().string()));
}

// ---------------------------------------------------------------------------
// Programs that cannot run, envelopes that cannot be sent

TEST(SendmailTransport, ProgramNotFoundByNameIsNamed) {
    sendmail_config c;
    c.command = "lettre-test-no-such-sendmail";
    const auto r = sendmail_transport(c).try_send(dotted_message());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, errc::sendmail_failed);
    EXPECT_THAT(r.error().message, HasSubstr("lettre-test-no-such-sendmail"));
    EXPECT_FALSE(lettre::detail::find_sendmail_program(c.command).has_value());
}

TEST(SendmailTransport, ProgramNotFoundByPathIsNamed) {
    sendmail_config c;
    c.command = "/nonexistent-lettre-dir/sendmail";
    std::error_code ec;
    sendmail_transport(c).send(dotted_message(), ec);
    EXPECT_EQ(ec, errc::sendmail_failed);
    const std::string text = thrown_message([&] { sendmail_transport(c).send(dotted_message()); });
    EXPECT_THAT(text, HasSubstr("/nonexistent-lettre-dir/sendmail"));
}

TEST(SendmailTransport, FileWithoutExecutePermissionIsRefused) {
    const temp_dir dir;
    write_file(dir / "sendmail", "#!/bin/sh\nexit 0\n");
    fs::permissions(dir / "sendmail", fs::perms::owner_read | fs::perms::owner_write);
    sendmail_config c;
    c.command = (dir / "sendmail").string();
    const auto r = sendmail_transport(c).try_send(dotted_message());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, errc::sendmail_failed);
    EXPECT_THAT(r.error().message, HasSubstr(c.command));
}

TEST(SendmailTransport, ProgramThatCannotBeExecutedIsNamed) {
    const temp_dir dir;
    write_file(dir / "sendmail", "#!/nonexistent-lettre-interpreter\nexit 0\n");
    fs::permissions(dir / "sendmail", fs::perms::owner_all);
    sendmail_config c;
    c.command = (dir / "sendmail").string();
    const auto r = sendmail_transport(c).try_send(dotted_message());
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, errc::sendmail_failed);
    EXPECT_THAT(r.error().message, HasSubstr(c.command));
}

TEST(SendmailTransport, EnvelopeWithoutRecipientsIsMissingRecipientAndRunsNothing) {
    const fake_sendmail fake("exit 0");
    const lettre::envelope none;
    ASSERT_TRUE(none.to().empty());
    const sendmail_transport t(fake.config());
    EXPECT_LETTRE_THROW(t.send_raw(none, mixed_line_ends), errc::missing_recipient);
    EXPECT_LETTRE_ERROR(t.try_send_raw(none, mixed_line_ends), errc::missing_recipient);
    EXPECT_FALSE(fake.ran());
}

TEST(FindSendmailProgram, AbsolutePathNameAndPathLookup) {
    const fake_sendmail fake("exit 0");
    EXPECT_EQ(*lettre::detail::find_sendmail_program(fake.program().string()),
              fake.program().string());
    const auto dir_result = lettre::detail::find_sendmail_program(fake.dir().string());
    ASSERT_FALSE(dir_result.has_value()) << "a directory is not a program";
    EXPECT_EQ(dir_result.error().code, errc::sendmail_failed);
    const auto empty = lettre::detail::find_sendmail_program("");
    ASSERT_FALSE(empty.has_value());
    EXPECT_EQ(empty.error().code, errc::sendmail_failed);

    // By name, through PATH (restored afterwards).
    const char* old = std::getenv("PATH");
    const std::string saved = old ? old : "";
    ::setenv("PATH", ("/nonexistent-lettre-dir:" + fake.dir().string() + ":" + saved).c_str(), 1);
    const auto found = lettre::detail::find_sendmail_program("sendmail");
    sendmail_config c;
    c.command = "sendmail";
    const auto sent = sendmail_transport(c).try_send(dotted_message());
    if (old) {
        ::setenv("PATH", saved.c_str(), 1);
    } else {
        ::unsetenv("PATH");
    }
    ASSERT_TRUE(found.has_value()) << found.error().message;
    EXPECT_EQ(fs::path(*found), fake.program());
    EXPECT_LETTRE_OK(sent);
    EXPECT_TRUE(fake.ran());
}

TEST(FindSendmailProgram, UnsetPathNeverMeansTheCurrentDirectory) {
    // With PATH unset (a daemon's or cron's cleared environment), a
    // "sendmail" in whatever directory the process happens to be in must not
    // be the one that runs.
    const fake_sendmail planted("exit 0");
    const fs::path saved_cwd = fs::current_path();
    const char* old = std::getenv("PATH");
    const std::string saved = old ? old : "";
    fs::current_path(planted.dir());
    ::unsetenv("PATH");
    const auto found = lettre::detail::find_sendmail_program("sendmail");
    std::optional<fs::path> resolved;
    if (found) resolved = fs::weakly_canonical(fs::absolute(*found));
    fs::current_path(saved_cwd);
    if (old) ::setenv("PATH", saved.c_str(), 1);
    if (resolved) {
        EXPECT_NE(*resolved, fs::weakly_canonical(planted.program()))
            << "PATH unset: found " << *found << " in the current directory";
    }
}

// ---------------------------------------------------------------------------
// The three blocking forms

TEST(SendmailTransport, ThreeBlockingFormsReportTheSameFailure) {
    const fake_sendmail fake("echo 'no such user' >&2; exit 67");
    const sendmail_transport t(fake.config());
    const lettre::message m = dotted_message();

    std::optional<lettre::error_info> thrown;
    try {
        t.send(m);
        ADD_FAILURE() << "send did not throw";
    } catch (const lettre::error& e) {
        thrown = e.info();
        EXPECT_EQ(e.code(), e.info().code);
    }
    ASSERT_TRUE(thrown);
    EXPECT_EQ(thrown->code, errc::sendmail_failed);
    EXPECT_THAT(thrown->message, HasSubstr("no such user"));

    std::error_code ec = make_error_code(errc::io_error);
    const sendmail_report r = t.send(m, ec);
    EXPECT_EQ(ec, errc::sendmail_failed);
    EXPECT_EQ(r.exit_status, 67);
    EXPECT_EQ(r.output, "no such user\n");

    const auto res = t.try_send(m);
    ASSERT_FALSE(res.has_value());
    EXPECT_EQ(res.error().code, errc::sendmail_failed);
    EXPECT_EQ(res.error().message, thrown->message);
}

TEST(SendmailTransport, ThreeBlockingFormsReportTheSameSuccess) {
    const fake_sendmail fake("echo ok; exit 0");
    const sendmail_transport t(fake.config());
    const lettre::message m = dotted_message();
    EXPECT_EQ(t.send(m).output, "ok\n");
    std::error_code ec = make_error_code(errc::io_error);
    EXPECT_EQ(t.send(m, ec).exit_status, 0);
    EXPECT_FALSE(ec) << ec.message();
    const auto res = t.try_send(m);
    ASSERT_LETTRE_OK(res);
    EXPECT_EQ(res->output, "ok\n");
    EXPECT_EQ(t.config().command, fake.program().string());
}

TEST(SendmailTransport, OneTransportSharedBetweenThreads) {
    const fake_sendmail fake("exit 0", /*read_stdin=*/true, /*per_run=*/true);
    const sendmail_transport t(fake.config());
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 4; ++i) {
        threads.emplace_back([&, i] {
            for (int k = 0; k < 3; ++k) {
                const std::string to = "r" + std::to_string(i) + "-" + std::to_string(k);
                if (t.try_send(message_to(to + "@example.org", to)).has_value()) ++ok;
            }
        });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(ok.load(), 12);
    int stdin_files = 0;
    for (const auto& e : fs::directory_iterator(fake.dir()))
        if (e.path().filename().string().starts_with("stdin.")) ++stdin_files;
    EXPECT_EQ(stdin_files, 12);
}

// ---------------------------------------------------------------------------
// Descriptors

TEST(SendmailTransport, NoDescriptorLeaksWhateverTheOutcome) {
    const fake_sendmail ok("exit 0");
    const fake_sendmail fails("echo bad; exit 1");
    const fake_sendmail sleeps(sleeps_itself);
    const fake_sendmail unread("exit 0", /*read_stdin=*/false);
    const std::string big(512 * 1024, 'z');
    const auto env = envelope_to("alice@example.com", {"bob@example.org"});
    // Warm up (lazily opened descriptors of the library or the C library).
    static_cast<void>(sendmail_transport(ok.config()).try_send(dotted_message()));

    const std::set<int> before = open_fds();
    for (int i = 0; i < 3; ++i) {
        EXPECT_LETTRE_OK(sendmail_transport(ok.config()).try_send(dotted_message()));
        EXPECT_LETTRE_ERROR(sendmail_transport(fails.config()).try_send(dotted_message()),
                            errc::sendmail_failed);
        auto c = sleeps.config();
        c.timeout = 100ms;
        EXPECT_LETTRE_ERROR(sendmail_transport(c).try_send(dotted_message()), errc::timeout);
        EXPECT_LETTRE_ERROR(sendmail_transport(unread.config()).try_send_raw(env, big),
                            errc::sendmail_failed);
        sendmail_config missing;
        missing.command = "/nonexistent-lettre-dir/sendmail";
        EXPECT_LETTRE_ERROR(sendmail_transport(missing).try_send(dotted_message()),
                            errc::sendmail_failed);
        EXPECT_LETTRE_ERROR(sendmail_transport(ok.config()).try_send_raw(lettre::envelope{}, big),
                            errc::missing_recipient);
    }
    EXPECT_EQ(open_fds(), before);
}

TEST(SendmailTransport, ProgramInheritsNoDescriptorOfTheTransport) {
    // Descriptors this process has open without close-on-exec are inherited
    // legitimately; any other socket, pipe or pidfd the program sees beyond
    // 0..2 leaked from the transport.
    std::set<int> inheritable;
    for (const int fd : open_fds()) {
        const int flags = ::fcntl(fd, F_GETFD);
        if (flags != -1 && (flags & FD_CLOEXEC) == 0) inheritable.insert(fd);
    }
    const fake_sendmail fake("ls -l /proc/self/fd/ > \"$d/fds\"; exit 0");
    // Two at once on one io_context, so that the other run's descriptors exist.
    asio::io_context ioc;
    const lettre::async_sendmail_transport t(ioc.get_executor(), fake.config());
    int done = 0;
    for (int i = 0; i < 2; ++i)
        t.async_send(dotted_message(), [&](boost::system::error_code ec, sendmail_report) {
            EXPECT_FALSE(ec) << ec.message();
            ++done;
        });
    ioc.run();
    EXPECT_EQ(done, 2);
    const std::string listing = read_file(fake.file("fds"));
    ASSERT_FALSE(listing.empty());
    for (const auto& line : lines_of(listing)) {
        const auto arrow = line.find(" -> ");
        if (arrow == std::string::npos) continue;
        const auto space = line.rfind(' ', arrow - 1);
        const int fd = std::stoi(line.substr(space + 1, arrow - space - 1));
        const std::string target = line.substr(arrow + 4);
        if (fd <= 2 || inheritable.count(fd) != 0) continue;
        EXPECT_FALSE(target.starts_with("socket:") || target.starts_with("pipe:") ||
                     target.find("pidfd") != std::string::npos)
            << "the program inherited descriptor " << fd << " -> " << target;
    }
}

// ---------------------------------------------------------------------------
// Async

TEST(AsyncSendmailTransport, CallbackNeverRunsInsideAsyncSend) {
    const fake_sendmail fake("echo done; exit 0");
    asio::io_context ioc;
    const lettre::async_sendmail_transport t(ioc.get_executor(), fake.config());
    sendmail_config missing = fake.config();
    missing.command = "/nonexistent-lettre-dir/sendmail";
    const lettre::async_sendmail_transport no_program(ioc.get_executor(), missing);

    bool ok_called = false;
    bool missing_called = false;
    bool no_rcpt_called = false;
    bool nested_checked = false;
    boost::system::error_code ok_ec = asio::error::would_block;
    boost::system::error_code missing_ec;
    boost::system::error_code no_rcpt_ec;
    sendmail_report ok_report;
    const lettre::message m = dotted_message();
    t.async_send(m, [&](boost::system::error_code ec, sendmail_report r) {
        ok_called = true;
        ok_ec = ec;
        ok_report = std::move(r);
    });
    EXPECT_FALSE(ok_called) << "completed inside async_send";
    no_program.async_send(dotted_message(), [&](boost::system::error_code ec, sendmail_report) {
        missing_called = true;
        missing_ec = ec;
    });
    EXPECT_FALSE(missing_called) << "a program that cannot be found completed inline";
    t.async_send_raw(lettre::envelope{}, mixed_line_ends,
                     [&](boost::system::error_code ec, sendmail_report) {
                         no_rcpt_called = true;
                         no_rcpt_ec = ec;
                     });
    EXPECT_FALSE(no_rcpt_called) << "a missing recipient completed inline";
    // Started from a handler running on the same io_context.
    bool inner = false;
    asio::post(ioc, [&] {
        t.async_send(m, [&](boost::system::error_code, sendmail_report) { inner = true; });
        EXPECT_FALSE(inner) << "completed inside async_send called from a handler";
        nested_checked = true;
    });
    ioc.run();
    EXPECT_TRUE(nested_checked);
    EXPECT_TRUE(inner);
    ASSERT_TRUE(ok_called);
    EXPECT_FALSE(ok_ec) << ok_ec.message();
    EXPECT_EQ(ok_report.exit_status, 0);
    EXPECT_EQ(ok_report.output, "done\n");
    EXPECT_EQ(fake.stdin_bytes(), lf_reference(m.formatted()));
    ASSERT_TRUE(missing_called);
    EXPECT_EQ(missing_ec, errc::sendmail_failed);
    ASSERT_TRUE(no_rcpt_called);
    EXPECT_EQ(no_rcpt_ec, errc::missing_recipient);
}

TEST(AsyncSendmailTransport, UseFutureGivesTheReportOrThrows) {
    const fake_sendmail good("echo fine; exit 0");
    const fake_sendmail bad("echo 'try later' >&2; exit 75");
    asio::io_context ioc;
    const lettre::async_sendmail_transport t(ioc.get_executor(), good.config());
    const lettre::async_sendmail_transport t_bad(ioc.get_executor(), bad.config());
    std::future<sendmail_report> f = t.async_send(dotted_message(), asio::use_future);
    std::future<sendmail_report> f_bad = t_bad.async_send(dotted_message(), asio::use_future);
    ioc.run();
    ASSERT_EQ(f.wait_for(0s), std::future_status::ready);
    const sendmail_report r = f.get();
    EXPECT_EQ(r.exit_status, 0);
    EXPECT_EQ(r.output, "fine\n");
    try {
        f_bad.get();
        ADD_FAILURE() << "the future of a failed send held a value";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), errc::sendmail_transient) << e.code().message();
    }
}

TEST(AsyncSendmailTransport, EightConcurrentSendsOnOneIoContextAllSucceed) {
    const fake_sendmail fake("sleep 0.2; echo queued; exit 0", /*read_stdin=*/true,
                             /*per_run=*/true);
    asio::io_context ioc;
    const lettre::async_sendmail_transport t(ioc.get_executor(), fake.config());
    std::atomic<int> ok{0};
    std::vector<std::string> expected_stdin;
    for (int i = 0; i < 8; ++i) {
        const auto m = message_to("rcpt" + std::to_string(i) + "@example.org",
                                  "concurrent " + std::to_string(i));
        expected_stdin.push_back(lf_reference(m.formatted()));
        t.async_send(m, [&](boost::system::error_code ec, sendmail_report r) {
            EXPECT_FALSE(ec) << ec.message() << ": " << r.output;
            EXPECT_EQ(r.output, "queued\n");
            if (!ec) ++ok;
        });
    }
    std::thread other([&] { ioc.run(); });
    ioc.run();
    other.join();
    EXPECT_EQ(ok.load(), 8);
    // Each run got its own recipient and its own message.
    std::set<std::string> recipients;
    std::set<std::string> stdins;
    for (const auto& e : fs::directory_iterator(fake.dir())) {
        const std::string name = e.path().filename().string();
        if (name.starts_with("argv.")) recipients.insert(lines_of(read_file(e.path())).back());
        if (name.starts_with("stdin.")) stdins.insert(read_file(e.path()));
    }
    EXPECT_EQ(recipients.size(), 8u);
    for (int i = 0; i < 8; ++i)
        EXPECT_EQ(recipients.count("rcpt" + std::to_string(i) + "@example.org"), 1u);
    EXPECT_EQ(stdins, std::set<std::string>(expected_stdin.begin(), expected_stdin.end()));
}

TEST(AsyncSendmailTransport, ErrorsComeBackAsCodesWithTheReport) {
    const fake_sendmail transient("echo 'queue full' >&2; exit 75");
    const fake_sendmail sleeps(sleeps_itself);
    asio::io_context ioc;
    auto c = sleeps.config();
    c.timeout = 300ms;
    const lettre::async_sendmail_transport t1(ioc.get_executor(), transient.config());
    const lettre::async_sendmail_transport t2(ioc.get_executor(), c);
    boost::system::error_code ec1;
    boost::system::error_code ec2;
    sendmail_report r1;
    t1.async_send(dotted_message(), [&](boost::system::error_code ec, sendmail_report r) {
        ec1 = ec;
        r1 = std::move(r);
    });
    t2.async_send(dotted_message(),
                  [&](boost::system::error_code ec, sendmail_report) { ec2 = ec; });
    ioc.run();
    EXPECT_EQ(ec1, errc::sendmail_transient) << ec1.message();
    EXPECT_EQ(r1.exit_status, 75);
    EXPECT_EQ(r1.output, "queue full\n");
    EXPECT_EQ(ec2, errc::timeout) << ec2.message();
}

/// Starts a send of a program that sleeps, cancels it once the program runs,
/// and returns the completion's error code (nullopt if it never completed).
std::optional<boost::system::error_code> cancel_sleeping(const fake_sendmail& fake,
                                                         asio::cancellation_type type) {
    asio::io_context ioc;
    const lettre::async_sendmail_transport t(ioc.get_executor(), fake.config());
    asio::cancellation_signal sig;
    std::optional<boost::system::error_code> got;
    t.async_send(dotted_message(),
                 asio::bind_cancellation_slot(
                     sig.slot(), [&](boost::system::error_code ec, sendmail_report) { got = ec; }));
    EXPECT_TRUE(run_until(ioc, [&] { return fake.started(); })) << "the program never started";
    EXPECT_FALSE(got) << "completed before the cancellation";
    sig.emit(type);
    ioc.run();
    sig.emit(type);  // after completion: nothing happens
    ioc.restart();
    ioc.run();
    return got;
}

TEST(AsyncSendmailTransport, CancellationKillsTheProgramAndReapsIt) {
    for (const auto type : {asio::cancellation_type::terminal, asio::cancellation_type::partial,
                            asio::cancellation_type::total}) {
        const fake_sendmail fake(sleeps_itself);
        const auto got = cancel_sleeping(fake, type);
        ASSERT_TRUE(got);
        EXPECT_EQ(*got, asio::error::operation_aborted) << got->message();
        const pid_t pid = fake.pid();
        EXPECT_TRUE(process_gone(pid)) << "pid " << pid << " still exists (running or a zombie)";
    }
}

TEST(AsyncSendmailTransport, CancellationDoesNotWaitForTheProgramsChildren) {
    const fake_sendmail fake(sleeps_in_a_child);
    const auto got = cancel_sleeping(fake, asio::cancellation_type::terminal);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, asio::error::operation_aborted) << got->message();
    const pid_t pid = fake.pid();
    EXPECT_TRUE(process_gone(pid)) << "pid " << pid << " still exists (running or a zombie)";
    EXPECT_FALSE(fs::exists(fake.file("late")))
        << "the cancelled send completed only after the program's child finished its 30 s "
           "sleep";
}

TEST(AsyncSendmailTransport, DestroyingTheIoContextMidRunLeavesNoZombie) {
    const fake_sendmail fake(sleeps_itself);
    bool called = false;
    {
        auto ioc = std::make_unique<asio::io_context>();
        {
            const lettre::async_sendmail_transport t(ioc->get_executor(), fake.config());
            t.async_send(dotted_message(),
                         [&](boost::system::error_code, sendmail_report) { called = true; });
        }
        ASSERT_TRUE(run_until(*ioc, [&] { return fake.started(); })) << "the program never started";
        ioc.reset();
    }
    EXPECT_FALSE(called);
    const pid_t pid = fake.pid();
    ASSERT_GT(pid, 0);
    EXPECT_TRUE(process_gone(pid)) << "pid " << pid << " still exists (running or a zombie)";
    int status = 0;
    EXPECT_EQ(::waitpid(pid, &status, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
}

}  // namespace
