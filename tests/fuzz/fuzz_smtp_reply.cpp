// libFuzzer target: what an SMTP server can send to lettre.
//
// 1. reply_parser on arbitrary bytes, fed in pieces whose sizes derive from
//    a hash of the input, with small limits (max_line 64, max_lines 8) so
//    that the limits are reached often:
//      - no crash, leak or undefined behaviour;
//      - every reply has a code 200..599, 1..max_lines lines, each line at
//        most max_line octets; an enhanced code has the reply's class;
//        message() and to_string() work;
//      - the outcome does not depend on how the bytes were split: feeding
//        the input at once gives the same replies and the same verdict
//        (error or not) as feeding it in pieces (TCP may split anywhere).
// 2. capabilities::parse_ehlo on every reply: no crash; AUTH mechanisms are
//    non-empty, upper case and unique.
// 3. The client state machine (config derived from the input's hash: TLS
//    mode, credentials, pipelining, chunking, DSN) fed the input as server
//    bytes after start_session, in pieces; writes complete, TLS handshakes
//    "succeed", and when a session becomes ready a message is sent, then
//    QUIT. It must never crash, never loop (the number of actions is bounded
//    by the input), every write must be non-empty and end with CRLF, and a
//    read must only be asked for while input remains or the run ends.
#include "fuzz_common.hpp"

#include "smtp/protocol/capabilities.hpp"
#include "smtp/protocol/client.hpp"
#include "smtp/protocol/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

using lettre::smtp::reply;
using lettre::smtp::reply_parser;

constexpr std::size_t max_line = 64;
constexpr std::size_t max_lines = 8;

struct parse_result {
    std::vector<reply> replies;
    bool failed = false;
};

parse_result parse(std::string_view input, std::size_t piece) {
    reply_parser p(max_line, max_lines);
    parse_result out;
    std::size_t pos = 0;
    while (pos < input.size()) {
        const std::size_t n = piece == 0 ? input.size() : std::min(piece, input.size() - pos);
        const bool ok = p.feed(input.substr(pos, n));
        while (auto r = p.next()) out.replies.push_back(std::move(*r));
        if (!ok) {
            if (!p.error()) fuzz::fail("feed() failed without an error", input);
            out.failed = true;
            return out;
        }
        pos += n;
    }
    return out;
}

void check_reply(const reply& r, std::string_view input) {
    if (r.code() < 200 || r.code() > 599)
        fuzz::fail("reply code out of range", input, r.to_string());
    if (r.lines().empty() || r.lines().size() > max_lines)
        fuzz::fail("reply line count out of range", input, r.to_string());
    for (const auto& l : r.lines())
        if (l.size() > max_line) fuzz::fail("reply line longer than max_line", input, l);
    if (r.enhanced() && r.enhanced()->klass != r.code() / 100)
        fuzz::fail("enhanced code class differs from the reply code", input, r.to_string());
    static_cast<void>(r.message());
    if (r.to_string().substr(0, 3) != std::to_string(r.code()))
        fuzz::fail("to_string() does not start with the code", input, r.to_string());

    const auto caps = lettre::smtp::capabilities::parse_ehlo(r);
    for (std::size_t i = 0; i < caps.auth.size(); ++i) {
        const auto& m = caps.auth[i];
        if (m.empty()) fuzz::fail("empty AUTH mechanism", input);
        for (char c : m)
            if (c >= 'a' && c <= 'z') fuzz::fail("AUTH mechanism not upper case", input, m);
        for (std::size_t j = 0; j < i; ++j)
            if (caps.auth[j] == m) fuzz::fail("duplicate AUTH mechanism", input, m);
    }
    static_cast<void>(caps.has_auth("PLAIN"));
}

void parser_checks(std::string_view input, std::uint32_t h) {
    const auto whole = parse(input, 0);
    for (const auto& r : whole.replies) check_reply(r, input);
    for (const std::size_t piece :
         {std::size_t{1}, std::size_t{1} + h % 7, std::size_t{1} + (h >> 3) % 97}) {
        const auto split = parse(input, piece);
        const std::string ctx = "piece size " + std::to_string(piece);
        if (split.failed != whole.failed)
            fuzz::fail("error verdict depends on how the input was split", input, ctx);
        if (split.replies.size() != whole.replies.size())
            fuzz::fail("reply count depends on how the input was split", input, ctx);
        for (std::size_t i = 0; i < split.replies.size(); ++i)
            if (split.replies[i].code() != whole.replies[i].code() ||
                split.replies[i].lines() != whole.replies[i].lines())
                fuzz::fail("reply depends on how the input was split", input, ctx);
    }
}

void client_checks(std::string_view input, std::uint32_t h) {
    using lettre::smtp::client;
    using type = client::action::type;
    lettre::smtp::client_config cfg;
    cfg.hello_name = "fuzz.example";
    const lettre::smtp::tls_mode modes[] = {
        lettre::smtp::tls_mode::none_dangerous, lettre::smtp::tls_mode::starttls_opportunistic,
        lettre::smtp::tls_mode::starttls_required, lettre::smtp::tls_mode::implicit};
    cfg.tls = modes[h % 4];
    if ((h >> 2) & 1) {
        cfg.credentials = lettre::smtp::credentials::password("user", "pencil");
        cfg.allow_plaintext_auth_dangerous = (h >> 3) & 1;
        cfg.mechanisms = {lettre::smtp::mechanism::scram_sha_256, lettre::smtp::mechanism::plain,
                          lettre::smtp::mechanism::login, lettre::smtp::mechanism::cram_md5};
    } else if ((h >> 4) & 1) {
        cfg.credentials = lettre::smtp::credentials::oauth2("user@example.com", "token");
        cfg.allow_plaintext_auth_dangerous = true;
    }
    cfg.pipelining = (h >> 5) & 1;
    cfg.chunking = (h >> 6) & 1;
    cfg.requiretls = ((h >> 7) & 7) == 0;
    if ((h >> 10) & 1) {
        lettre::smtp::dsn_request d;
        d.ret = lettre::smtp::dsn_request::return_content::headers;
        d.envid = "id+1";
        d.notify_failure = true;
        cfg.dsn = d;
    }
    const std::size_t piece = 1 + (h >> 11) % 64;

    const auto env = lettre::envelope::create(
        lettre::address::parse("from@example.com"),
        {lettre::address::parse("a@example.org"), lettre::address::parse("b@example.net")});
    const std::string message = "Subject: fuzz\r\n\r\nbody\r\n.dot\r\n";

    client c(cfg);
    auto a = c.start_session(cfg.tls == lettre::smtp::tls_mode::implicit);
    std::size_t pos = 0;
    bool sent = false;
    bool quit = false;
    // Every action either consumes input or is one of a bounded number of
    // follow-ups (write completions, handshakes, the send and the QUIT).
    const std::size_t budget = 64 + 8 * input.size();
    for (std::size_t steps = 0;; ++steps) {
        if (steps > budget) fuzz::fail("client state machine does not make progress", input);
        switch (a.what) {
            case type::write: {
                const std::string bytes =
                    std::string(a.bytes) + std::string(a.more[0]) + std::string(a.more[1]);
                if (bytes.empty()) fuzz::fail("empty write", input);
                if (bytes.size() < 2 || !bytes.ends_with("\r\n"))
                    fuzz::fail("write does not end with CRLF", input, fuzz::escape(bytes));
            }
                a = c.on_written();
                break;
            case type::tls_handshake: a = c.on_tls_established(); break;
            case type::read: {
                if (pos >= input.size())
                    return;  // the server went quiet: the driver would time out
                const std::size_t n = std::min(piece, input.size() - pos);
                a = c.on_read(input.substr(pos, n));
                pos += n;
                break;
            }
            case type::done:
                static_cast<void>(c.diagnostics().message);
                if (!sent && c.ready() && !c.broken()) {
                    sent = true;
                    a = c.start_send(env, message, false);
                } else if (!quit && c.ready() && !c.broken()) {
                    quit = true;
                    a = c.start_quit();
                } else {
                    return;
                }
                break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::uint32_t h = fuzz::fnv1a(input);
    parser_checks(input, h);
    client_checks(input, h);
    return 0;
}
