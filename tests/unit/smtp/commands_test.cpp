// SMTP command writer (RFC 5321 §4.1, RFC 1870, 3030, 3461, 4954, 6152,
// 6531, 8689) and DATA framing (§4.5.2 transparency).
#include "smtp/protocol/commands.hpp"

#include "smtp/protocol/message_scan.hpp"
#include "smtp_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace {

using lettre::address;
using lettre::errc;
using lettre::smtp::dsn_request;
using lettre::smtp::mail_parameters;
using lettre::smtp::rcpt_parameters;
namespace commands = lettre::smtp::commands;
using smtp_test::show;

std::error_code code_of(const lettre::result<void>& r) {
    return r ? std::error_code{} : r.error().code;
}
const std::error_code bad_arg = lettre::make_error_code(errc::invalid_smtp_argument);

const std::string controls[] = {std::string("\r"),    std::string("\n"), std::string("\r\n"),
                                std::string(1, '\0'), std::string("\t"), std::string("\x7f")};

TEST(SmtpCommands, SimpleVerbs) {
    std::string out;
    commands::data(out);
    commands::rset(out);
    commands::noop(out);
    commands::quit(out);
    commands::starttls(out);
    commands::bdat(out, 1234, true);
    commands::bdat(out, 0, false);
    EXPECT_EQ(out, "DATA\r\nRSET\r\nNOOP\r\nQUIT\r\nSTARTTLS\r\nBDAT 1234 LAST\r\nBDAT 0\r\n");
}

TEST(SmtpCommands, EhloHelo) {
    std::string out;
    ASSERT_TRUE(commands::ehlo(out, "client.example.com"));
    ASSERT_TRUE(commands::helo(out, "[192.0.2.1]"));
    ASSERT_TRUE(commands::ehlo(out, "[IPv6:2001:db8::1]"));
    EXPECT_EQ(out, "EHLO client.example.com\r\nHELO [192.0.2.1]\r\nEHLO [IPv6:2001:db8::1]\r\n");
}

TEST(SmtpCommands, EhloRefusesBadNames) {
    std::vector<std::string> bad = {"", "two words",
                                    "b\xc3\xbc"
                                    "cher.de"};
    for (const auto& c : controls) {
        bad.push_back("host" + c);
        bad.push_back(c + "host");
        bad.push_back("ho" + c + "st");
    }
    bad.push_back("host\r\nMAIL FROM:<evil@example.com>");
    for (const auto& name : bad) {
        std::string out = "before";
        EXPECT_EQ(code_of(commands::ehlo(out, name)), bad_arg) << show(name);
        EXPECT_EQ(code_of(commands::helo(out, name)), bad_arg) << show(name);
        EXPECT_EQ(out, "before") << "output touched for " << show(name);
    }
    std::string out;
    EXPECT_EQ(code_of(commands::ehlo(out, std::string(600, 'a'))), bad_arg);  // > 512 line
    EXPECT_EQ(out, "");
}

TEST(SmtpCommands, MailFrom) {
    std::string out;
    ASSERT_TRUE(commands::mail_from(out, address::parse("a@example.com"), {}));
    EXPECT_EQ(out, "MAIL FROM:<a@example.com>\r\n");
    out.clear();
    ASSERT_TRUE(commands::mail_from(out, std::nullopt, {}));
    EXPECT_EQ(out, "MAIL FROM:<>\r\n");
    out.clear();
    ASSERT_TRUE(commands::mail_from(out, address::parse("\"john q\"@example.com"), {}));
    EXPECT_EQ(out, "MAIL FROM:<\"john q\"@example.com>\r\n");
}

TEST(SmtpCommands, MailFromParameters) {
    mail_parameters p;
    p.size = 12345;
    p.eightbitmime = true;
    p.smtputf8 = true;
    p.requiretls = true;
    p.ret = dsn_request::return_content::headers;
    p.envid = "QQ314159";
    std::string out;
    ASSERT_TRUE(commands::mail_from(out, address::parse("a@example.com"), p));
    EXPECT_EQ(out,
              "MAIL FROM:<a@example.com> SIZE=12345 BODY=8BITMIME SMTPUTF8 REQUIRETLS "
              "RET=HDRS ENVID=QQ314159\r\n");
    out.clear();
    mail_parameters q;
    q.ret = dsn_request::return_content::full;
    ASSERT_TRUE(commands::mail_from(out, std::nullopt, q));
    EXPECT_EQ(out, "MAIL FROM:<> RET=FULL\r\n");
}

TEST(SmtpCommands, EnvidIsXtextAndBounded) {
    mail_parameters p;
    p.envid = "a b+c=d\r\nRCPT TO:<x@y>\x01\xc3\xa9";
    std::string out;
    ASSERT_TRUE(commands::mail_from(out, std::nullopt, p));
    EXPECT_EQ(out, "MAIL FROM:<> ENVID=a+20b+2Bc+3Dd+0D+0ARCPT+20TO:<x@y>+01+C3+A9\r\n");
    EXPECT_EQ(out.find('\r'), out.size() - 2);

    p.envid = std::string(101, 'e');  // RFC 3461 §4.4: at most 100 characters
    out.clear();
    EXPECT_EQ(code_of(commands::mail_from(out, std::nullopt, p)), bad_arg);
    EXPECT_EQ(out, "");
    p.envid = std::string(100, 'e');
    EXPECT_TRUE(commands::mail_from(out, std::nullopt, p));
}

TEST(SmtpCommands, RcptToAndDsn) {
    std::string out;
    ASSERT_TRUE(commands::rcpt_to(out, address::parse("b@example.org"), {}));
    EXPECT_EQ(out, "RCPT TO:<b@example.org>\r\n");

    rcpt_parameters p;
    dsn_request d;
    d.notify_success = true;
    d.notify_failure = true;
    d.notify_delay = true;
    p.notify = d;
    p.orcpt = "b@example.org";
    out.clear();
    ASSERT_TRUE(commands::rcpt_to(out, address::parse("b@example.org"), p));
    EXPECT_EQ(
        out, "RCPT TO:<b@example.org> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;b@example.org\r\n");

    dsn_request never;
    never.notify_never = true;
    never.notify_success = true;  // NEVER excludes the others (RFC 3461 §4.1)
    p.notify = never;
    p.orcpt = "odd+addr=x@example.org";
    out.clear();
    ASSERT_TRUE(commands::rcpt_to(out, address::parse("b@example.org"), p));
    EXPECT_EQ(out,
              "RCPT TO:<b@example.org> NOTIFY=NEVER ORCPT=rfc822;odd+2Baddr+3Dx@example.org\r\n");

    rcpt_parameters none;
    none.notify = dsn_request{};  // no flag set: no NOTIFY at all
    out.clear();
    ASSERT_TRUE(commands::rcpt_to(out, address::parse("b@example.org"), none));
    EXPECT_EQ(out, "RCPT TO:<b@example.org>\r\n");
}

TEST(SmtpCommands, OrcptWithControlsIsEncoded) {
    rcpt_parameters p;
    p.orcpt = "x@y\r\nDATA";
    std::string out;
    ASSERT_TRUE(commands::rcpt_to(out, address::parse("b@example.org"), p));
    EXPECT_EQ(out, "RCPT TO:<b@example.org> ORCPT=rfc822;x@y+0D+0ADATA\r\n");
}

TEST(SmtpCommands, AddressesWithControlsNeverReachACommand) {
    // Either the address type refuses them or the command writer does.
    for (const auto& c : controls) {
        for (const std::string& text : {"a" + c + "b@example.com", "\"a" + c + "b\"@example.com",
                                        "ab@exa" + c + "mple.com"}) {
            auto a = address::try_parse(text);
            if (!a) continue;
            std::string out;
            const auto m = commands::mail_from(out, *a, {});
            const auto r = commands::rcpt_to(out, *a, {});
            EXPECT_EQ(code_of(m), bad_arg) << show(text) << " -> " << show(a->to_string());
            EXPECT_EQ(code_of(r), bad_arg) << show(text);
            EXPECT_EQ(out, "");
        }
    }
}

/// An address whose addr-spec is exactly `n` octets.
address address_of_length(std::size_t n) {
    const std::string local(64, 'l');
    std::size_t domain_len = n - local.size() - 1;
    std::string domain;
    while (domain_len > 0) {
        const std::size_t label = std::min<std::size_t>(domain_len, 63);
        domain += std::string(label, 'd');
        domain_len -= label;
        if (domain_len > 0) {
            // keep room for the dot
            if (domain_len == 1) {  // avoid a trailing dot: lengthen the last label
                domain.pop_back();
                domain_len += 1;
                continue;
            }
            domain += '.';
            --domain_len;
        }
    }
    auto a = address::from_parts(local, domain);
    EXPECT_EQ(a.to_string().size(), n);
    return a;
}

TEST(SmtpCommands, PathLimitIs256OctetsWithBrackets) {
    // RFC 5321 §4.5.3.1.3: the path, "<" and ">" included, is at most 256.
    const address fits = address_of_length(254);
    const address over = address_of_length(255);
    std::string out;
    EXPECT_TRUE(commands::mail_from(out, fits, {}));
    EXPECT_TRUE(commands::rcpt_to(out, fits, {}));
    out.clear();
    EXPECT_EQ(code_of(commands::mail_from(out, over, {})), bad_arg);
    EXPECT_EQ(code_of(commands::rcpt_to(out, over, {})), bad_arg);
    EXPECT_EQ(out, "");
}

TEST(SmtpCommands, Xtext) {
    EXPECT_EQ(commands::xtext(""), "");
    EXPECT_EQ(commands::xtext("plain!~"), "plain!~");
    EXPECT_EQ(commands::xtext("a+b=c d"), "a+2Bb+3Dc+20d");
    EXPECT_EQ(commands::xtext(std::string("\0\x1f\x7f\x80\xff", 5)), "+00+1F+7F+80+FF");
    // Every byte round-trips through a reference decoder.
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    const std::string x = commands::xtext(all);
    std::string back;
    for (std::size_t i = 0; i < x.size(); ++i) {
        ASSERT_TRUE(x[i] >= '!' && x[i] <= '~' && x[i] != '=') << i;
        if (x[i] == '+') {
            back += static_cast<char>(std::stoi(x.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            back += x[i];
        }
    }
    EXPECT_EQ(back, all);
}

TEST(SmtpCommands, Auth) {
    std::string out;
    ASSERT_TRUE(commands::auth(out, "PLAIN", std::string_view("AHRpbQB0YW5zdGFhZnRhbnN0YWFm")));
    ASSERT_TRUE(commands::auth(out, "LOGIN", std::nullopt));
    ASSERT_TRUE(commands::auth(out, "EXTERNAL", std::string_view("")));  // RFC 4954 §4: "="
    ASSERT_TRUE(commands::auth(out, "SCRAM-SHA-256", std::string_view("biws")));
    EXPECT_EQ(out,
              "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\nAUTH LOGIN\r\nAUTH EXTERNAL =\r\n"
              "AUTH SCRAM-SHA-256 biws\r\n");
}

TEST(SmtpCommands, AuthRefusesControlsAndBadMechanisms) {
    for (const auto& c : controls) {
        std::string out;
        EXPECT_EQ(code_of(commands::auth(out, "PLAIN", std::string_view("abc" + c + "def"))),
                  bad_arg)
            << show(c);
        EXPECT_EQ(code_of(commands::auth(out, "PL" + c + "AIN", std::nullopt)), bad_arg);
        EXPECT_EQ(code_of(commands::auth_continue(out, "abc" + c)), bad_arg);
        EXPECT_EQ(out, "");
    }
    std::string out;
    EXPECT_EQ(code_of(commands::auth(out, "", std::nullopt)), bad_arg);
    EXPECT_EQ(code_of(commands::auth(out, "PLAIN LOGIN", std::nullopt)), bad_arg);
    EXPECT_EQ(out, "");
}

TEST(SmtpCommands, AuthContinue) {
    std::string out;
    ASSERT_TRUE(commands::auth_continue(out, "dGlt"));
    ASSERT_TRUE(commands::auth_continue(out, ""));
    ASSERT_TRUE(commands::auth_continue(out, "*"));
    EXPECT_EQ(out, "dGlt\r\n\r\n*\r\n");
}

// ---------------------------------------------------------------------------
// DATA framing

std::string framed(std::string_view m) {
    std::string out;
    lettre::smtp::frame_data(out, m);
    EXPECT_EQ(out.size(), lettre::smtp::framed_size(m)) << show(m);
    return out;
}

TEST(SmtpFrameData, Basics) {
    EXPECT_EQ(framed("Subject: x\r\n\r\nbody\r\n"), "Subject: x\r\n\r\nbody\r\n.\r\n");
    EXPECT_EQ(framed("no final newline"), "no final newline\r\n.\r\n");
    EXPECT_EQ(framed(""), ".\r\n");  // the CRLF of "DATA" ends the (empty) last line
    EXPECT_EQ(framed("\r\n"), "\r\n.\r\n");
}

TEST(SmtpFrameData, DotStuffing) {
    EXPECT_EQ(framed(".\r\n"), "..\r\n.\r\n");
    EXPECT_EQ(framed(".hidden\r\n"), "..hidden\r\n.\r\n");
    EXPECT_EQ(framed("a\r\n.\r\nb\r\n"), "a\r\n..\r\nb\r\n.\r\n");
    EXPECT_EQ(framed("a\r\n..\r\n"), "a\r\n...\r\n.\r\n");
    EXPECT_EQ(framed("a.b\r\n. x\r\n"), "a.b\r\n.. x\r\n.\r\n");
    EXPECT_EQ(framed("end\r\n."), "end\r\n..\r\n.\r\n");
}

TEST(SmtpFrameData, BareCrAndLfAreNormalized) {
    EXPECT_EQ(framed("a\nb\n"), "a\r\nb\r\n.\r\n");
    EXPECT_EQ(framed("a\rb\r"), "a\r\nb\r\n.\r\n");
    EXPECT_EQ(framed("a\n\rb"), "a\r\n\r\nb\r\n.\r\n");
    EXPECT_EQ(framed("a\r\r\nb"), "a\r\n\r\nb\r\n.\r\n");
}

// Reference model, written from RFC 5321 §2.3.8 and §4.5.2.
std::string normalize_ref(std::string_view m) {
    std::string out;
    for (std::size_t i = 0; i < m.size(); ++i) {
        if (m[i] == '\r' && i + 1 < m.size() && m[i + 1] == '\n') {
            out += "\r\n";
            ++i;
        } else if (m[i] == '\r' || m[i] == '\n') {
            out += "\r\n";
        } else {
            out += m[i];
        }
    }
    return out;
}

/// Reads DATA as a server does: lines up to the first "." line, dots
/// unstuffed. Returns nullopt when the stream is not well formed.
std::optional<std::string> unframe(std::string_view f, std::string& error) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
        const std::size_t end = f.find("\r\n", pos);
        if (end == std::string_view::npos) {
            error = "no terminating line";
            return std::nullopt;
        }
        std::string_view line = f.substr(pos, end - pos);
        if (line.find('\r') != std::string_view::npos ||
            line.find('\n') != std::string_view::npos) {
            error = "bare CR or LF";
            return std::nullopt;
        }
        pos = end + 2;
        if (line == ".") {
            if (pos != f.size()) {
                error = "data ends before the end of the buffer";
                return std::nullopt;
            }
            return out;
        }
        if (!line.empty() && line.front() == '.') line.remove_prefix(1);
        out += line;
        out += "\r\n";
    }
}

TEST(SmtpFrameData, SmugglingAttemptsDoNotEndDataEarly) {
    // CVE-2023-51764 (Postfix), CVE-2023-51766 (Exim), CVE-2023-51765 (sendmail):
    // "<LF>.<LF>", "<CR>.<CR>", "<LF>.<CR><LF>" etc. must not end DATA.
    const std::string tail =
        "MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.org>\r\n"
        "DATA\r\nFrom: ceo@example.com\r\n\r\nwire money\r\n";
    for (const std::string_view sep : {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\n", "\n.\r",
                                       "\r\n.\r", "\r\n.\r\n", "\n..\n", "\r\r.\r\r"}) {
        const std::string m = "From: a@example.com\r\n\r\nhello" + std::string(sep) + tail;
        const std::string f = framed(m);
        EXPECT_EQ(f.find("\r\n.\r\n"), f.size() - 5) << show(sep) << " -> " << show(f);
        // A server reading the stream gets the whole message back, tail included.
        std::string error;
        const auto back = unframe(f, error);
        ASSERT_TRUE(back) << show(sep) << ": " << error;
        EXPECT_EQ(*back, normalize_ref(m)) << show(sep);
    }
}

TEST(SmtpFrameData, ExhaustiveSmallInputsRoundTrip) {
    // Every string up to 8 symbols over {CR, LF, '.', 'a'}: 87,381 inputs.
    const char alphabet[] = {'\r', '\n', '.', 'a'};
    std::size_t checked = 0;
    for (std::size_t len = 0; len <= 8; ++len) {
        std::size_t combos = 1;
        for (std::size_t k = 0; k < len; ++k) combos *= 4;
        for (std::size_t n = 0; n < combos; ++n) {
            std::string m;
            std::size_t v = n;
            for (std::size_t k = 0; k < len; ++k) {
                m += alphabet[v % 4];
                v /= 4;
            }
            std::string f;
            lettre::smtp::frame_data(f, m);
            ASSERT_EQ(f.size(), lettre::smtp::framed_size(m)) << show(m);
            std::string error;
            const auto back = unframe(f, error);
            ASSERT_TRUE(back) << show(m) << " -> " << show(f) << ": " << error;
            std::string want = normalize_ref(m);
            if (!want.empty() && !want.ends_with("\r\n")) want += "\r\n";
            ASSERT_EQ(*back, want) << show(m) << " -> " << show(f);

            std::string crlf;
            lettre::smtp::normalize_crlf(crlf, m);
            ASSERT_EQ(crlf, normalize_ref(m)) << show(m);
            ++checked;
        }
    }
    EXPECT_EQ(checked, 87381u);
}

TEST(SmtpFrameData, AppendsToExistingOutput) {
    std::string out = "DATA\r\n";
    lettre::smtp::frame_data(out, "x");
    EXPECT_EQ(out, "DATA\r\nx\r\n.\r\n");
    std::string n = "BDAT 3 LAST\r\n";
    lettre::smtp::normalize_crlf(n, "a\nb");
    EXPECT_EQ(n, "BDAT 3 LAST\r\na\r\nb");
}

TEST(SmtpFrameData, LargeMessage) {
    std::string m;
    for (int i = 0; i < 20000; ++i)
        m += (i % 7 == 0 ? ".line " : "line ") + std::to_string(i) + "\n";
    const std::string f = framed(m);
    std::string error;
    const auto back = unframe(f, error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(*back, normalize_ref(m));
}

// scan_message reads 16 or 32 octets per step where it can; these inputs
// put every short pattern at every offset around the step boundaries, and
// every kernel this machine can run is checked against a plain model.
lettre::smtp::message_scan scan_ref(std::string_view m) {
    lettre::smtp::message_scan r;
    for (std::size_t i = 0; i < m.size(); ++i) {
        const char c = m[i];
        const bool next_lf = i + 1 < m.size() && m[i + 1] == '\n';
        const bool prev_cr = i > 0 && m[i - 1] == '\r';
        r.bare_line_end = r.bare_line_end || (c == '\r' && !next_lf) || (c == '\n' && !prev_cr);
        r.dot_lines += c == '\n' && i + 1 < m.size() && m[i + 1] == '.';
        r.eight_bit = r.eight_bit || static_cast<unsigned char>(c) >= 0x80;
    }
    r.first_dot = !m.empty() && m.front() == '.';
    return r;
}

using scan_kernel = lettre::smtp::message_scan (*)(std::string_view) noexcept;

std::vector<std::pair<std::string, scan_kernel>> scan_kernels() {
    namespace d = lettre::smtp::detail;
    std::vector<std::pair<std::string, scan_kernel>> k{{"dispatch", &lettre::smtp::scan_message},
                                                       {"portable", &d::scan_message_portable}};
#if LETTRE_SCAN_X86
    k.emplace_back("sse2", &d::scan_message_sse2);
    if (d::cpu_has_avx2()) k.emplace_back("avx2", &d::scan_message_avx2);
#endif
    return k;
}

::testing::AssertionResult scans_alike(std::string_view m) {
    const auto want = scan_ref(m);
    for (const auto& [name, kernel] : scan_kernels()) {
        const auto got = kernel(m);
        if (got.bare_line_end != want.bare_line_end || got.dot_lines != want.dot_lines ||
            got.first_dot != want.first_dot || got.eight_bit != want.eight_bit)
            return ::testing::AssertionFailure()
                   << name << " " << show(m) << ": bare " << got.bare_line_end << "/"
                   << want.bare_line_end << " dots " << got.dot_lines << "/" << want.dot_lines
                   << " first dot " << got.first_dot << "/" << want.first_dot << " 8bit "
                   << got.eight_bit << "/" << want.eight_bit;
    }
    return ::testing::AssertionSuccess();
}

TEST(SmtpMessageScan, PatternsAtEveryOffset) {
    const std::string_view patterns[] = {"\r\n",   "\n.",   "\r\n.", "\r",       "\n",
                                         "\r\r\n", "\n\n.", ".",     "\xC3\xA9", "\x80"};
    for (std::size_t size : {1u, 15u, 16u, 17u, 31u, 32u, 33u, 34u, 48u, 64u, 65u, 100u}) {
        for (std::string_view pat : patterns) {
            for (std::size_t at = 0; at + pat.size() <= size; ++at) {
                std::string m(size, 'a');
                m.replace(at, pat.size(), pat);
                ASSERT_TRUE(scans_alike(m));
                std::string f;
                lettre::smtp::frame_data(f, m);
                ASSERT_EQ(f.size(), lettre::smtp::framed_size(m)) << show(m);
                std::string error;
                const auto back = unframe(f, error);
                ASSERT_TRUE(back) << show(m) << ": " << error;
                std::string want = normalize_ref(m);
                if (!want.ends_with("\r\n")) want += "\r\n";
                ASSERT_EQ(*back, want) << show(m);
            }
        }
    }
}

TEST(SmtpMessageScan, CountersDoNotWrapOnLongInputs) {
    // More than 255 hits per counter lane between folds.
    std::string crlf_lines;
    for (int i = 0; i < 5000; ++i) crlf_lines += ".\r\n";
    EXPECT_TRUE(scans_alike(crlf_lines));
    EXPECT_TRUE(scans_alike(std::string(70000, '\n')));
    EXPECT_TRUE(scans_alike(std::string(70001, '\r')));
    std::string mixed;
    for (int i = 0; i < 30000; ++i) mixed += (i % 3 == 0) ? "\n." : (i % 3 == 1 ? "\r" : "\xFF");
    EXPECT_TRUE(scans_alike(mixed));
    const auto s = lettre::smtp::scan_message(crlf_lines);
    EXPECT_TRUE(s.crlf_only());
    EXPECT_FALSE(lettre::smtp::scan_message(crlf_lines + "\n").crlf_only());
    EXPECT_FALSE(lettre::smtp::scan_message("\r" + crlf_lines).crlf_only());
    EXPECT_EQ(s.dot_lines, 4999u);
    EXPECT_TRUE(s.first_dot);
}

TEST(SmtpMessageScan, EightBitAnywhere) {
    for (std::size_t at : {0u, 5u, 15u, 16u, 17u, 40u, 99u}) {
        std::string m(100, 'x');
        m[at] = '\xE9';
        EXPECT_TRUE(scans_alike(m)) << at;
        EXPECT_TRUE(lettre::smtp::scan_message(m).eight_bit) << at;
    }
    EXPECT_FALSE(lettre::smtp::scan_message(std::string(1000, '~')).eight_bit);
}

TEST(SmtpFrameData, FastAndGeneralPathsAgreeOnRandomInput) {
    // The CRLF-only fast path against the reference model on random text
    // made of lines, some starting with '.', some with bare line ends.
    std::uint32_t seed = 12345;
    auto next = [&seed] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    const std::string_view ends[] = {"\r\n", "\r\n", "\r\n", "\n", "\r"};
    for (int round = 0; round < 2000; ++round) {
        std::string m;
        const bool clean = round % 2 == 0;
        const unsigned lines = next() % 40;
        for (unsigned l = 0; l < lines; ++l) {
            if (next() % 5 == 0) m += '.';
            m.append(next() % 90, static_cast<char>('a' + next() % 26));
            m += clean ? std::string_view("\r\n") : ends[next() % 5];
        }
        if (next() % 3 == 0) m += ".tail";
        std::string f;
        lettre::smtp::frame_data(f, m);
        ASSERT_EQ(f.size(), lettre::smtp::framed_size(m)) << show(m);
        std::string error;
        const auto back = unframe(f, error);
        ASSERT_TRUE(back) << show(m) << ": " << error;
        std::string want = normalize_ref(m);
        if (!want.empty() && !want.ends_with("\r\n")) want += "\r\n";
        ASSERT_EQ(*back, want);
        std::size_t size = want.size();
        ASSERT_EQ(lettre::smtp::message_size(m), size) << show(m);
    }
}

}  // namespace
