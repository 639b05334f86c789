// libFuzzer target, structure-aware: the sans-io SMTP client
// (src/smtp/protocol/client) through a whole session, with the fuzz input as
// the server. The driver does what the Asio connection does: start_session;
// when the session is ready, one start_send; then QUIT unless the client says
// the connection is broken (also QUIT after a refused session, as
// connection::quit_then_fail does).
//
// Input: byte 0 = client configuration (TLS mode, credentials, pipelining,
// chunking, REQUIRETLS, DSN), byte 1 = what the server's EHLO offers
// (PIPELINING, CHUNKING, SMTPUTF8, DSN, SIZE, STARTTLS, 8BITMIME), byte 2 =
// recipients (1-4), message kind (plain, 8-bit, UTF-8 address) and how the
// bytes are split into reads. The rest, split at LF, are the server's
// chunks, sent in order as the client asks to read:
//   "E..."  the EHLO reply byte 1 describes;
//   "~..."  the bytes after '~' as they are (no CRLF added: partial lines),
//           except that 0x7f X stands for 1000 X (lines past the limit);
//   other   the chunk with each '|' made a CRLF, then CRLF (so "250-a|250 b"
//           is a two-line reply; "250 ok|354 go" two pipelined replies).
//
// A model in the driver parses what the client writes into commands and
// pairs them, in order, with the replies a second reply_parser reads from the
// same bytes (SMTP answers in order, RFC 2920). Invariants (abort on
// violation):
//   - a recipient is reported accepted only when its RCPT got a 2xx, and
//     refused only when it did not;
//   - a send is reported successful only when the end of data (the dot, or
//     BDAT LAST) got a 2xx, the data written was exactly the message
//     (dot-stuffed for DATA, as is for BDAT) and some RCPT got a 2xx;
//   - every line written outside the message data is an SMTP command, or a
//     SASL response right after a 334; message data goes out only after a
//     354 to DATA or inside BDAT's announced size;
//   - after a 421 (to anything but QUIT) or a reply the parser refuses, the
//     client writes nothing more: its next action is done with an error, and
//     broken() is true; a TLS handshake only after a 220 to STARTTLS;
//   - bounded buffering: the client never asks for more input while holding
//     a partial line longer than the reply parser's limit (4096 + CRLF);
//   - progress: the number of actions is bounded by the input.
//
// Windowed mode (message kind 3 in byte 2): four sends, each with its own
// sender (fromK@) and message, go through the client's pipelining window
// (window of 3) as the pool hands them over: queued whenever can_queue()
// says so while a send runs, started in turn with start_next, and, when
// bit 7 of byte 2 is set, one queued send withdrawn (client::withdraw) as
// soon as the client lets it go (the read size then uses bits 4-6 only).
// On inputs of odd length, each time the client waits for a reply the
// driver also writes what client::take_ahead gives (the commands of sends
// queued after the running transaction's last write, as the connection's
// write_ahead does beside its read); the model checks those bytes as any.
// The model keeps the invariants above for each transaction, paired by the
// MAIL that opened it, plus:
//   - each send handed over completes exactly once, in order, and the
//     client's queue agrees with the sends not completed yet;
//   - a send's MAIL goes out once at most; a withdrawn send's never;
//   - after the connection breaks (or goes quiet: a timeout, then
//     connection_lost) every queued send completes at once with
//     connection_closed or outcome_unknown and nothing more is written.
// SCRAM is left out of the offered mechanisms (fuzz_sasl covers it): a
// fuzzed iteration count makes PBKDF2 take seconds.
#include "fuzz_common.hpp"

#include "smtp/protocol/client.hpp"
#include "smtp/protocol/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

namespace smtp = lettre::smtp;
using type = smtp::client::action::type;

enum class cmd {
    greeting,
    ehlo,
    helo,
    starttls,
    auth,
    sasl,
    mail,
    rcpt,
    data,
    dot,
    bdat,
    quit,
    rset,
    noop
};

struct sent_command {
    cmd what;
    std::size_t rcpt = 0;  ///< for rcpt: its index in the envelope
    bool last = false;     ///< for bdat: BDAT ... LAST
    std::size_t tx = 0;    ///< for mail, rcpt, data, dot, bdat: the send
};

/// What the server said to one send's transaction.
struct tx_record {
    std::vector<int> rcpt_codes;
    int final_code = 0;
    bool body_ok = false;
    int mails = 0;
    bool withdrawn = false;
};

std::string upper_verb(std::string_view line) {
    std::string v(line.substr(0, line.find(' ')));
    for (char& c : v)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    return v;
}

std::string dot_unstuff(std::string_view data) {
    std::string out;
    bool line_start = true;
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (line_start && data[i] == '.' && i + 1 < data.size() && data[i + 1] == '.') {
            line_start = false;
            continue;
        }
        out += data[i];
        line_start = data[i] == '\n';
    }
    return out;
}

/// What the server has seen and answered, as the model understands it.
class model {
public:
    model(std::string_view input, const std::vector<std::string>& messages, std::size_t rcpts)
        : input_(input), messages_(messages), txs_(messages.size()) {
        for (auto& t : txs_) t.rcpt_codes.assign(rcpts, 0);
        pending_.push_back({cmd::greeting});
    }

    /// Everything the client writes goes through here.
    void written(std::string_view w) {
        if (closed_)
            fuzz::fail("the client wrote after a 421 or a protocol error", input_, fuzz::escape(w));
        if (quit_sent_) fuzz::fail("the client wrote after QUIT", input_, fuzz::escape(w));
        while (!w.empty()) {
            if (bdat_left_ > 0) {
                const std::size_t n = std::min(bdat_left_, w.size());
                bdat_body_.append(w.substr(0, n));
                bdat_left_ -= n;
                w.remove_prefix(n);
                if (bdat_left_ == 0 && bdat_last_) check_body(bdat_tx_, bdat_body_, "BDAT");
                continue;
            }
            if (in_data_) {
                data_ += w.front();
                w.remove_prefix(1);
                if (data_.ends_with(".\r\n") &&
                    (data_.size() == 3 || data_.substr(data_.size() - 5, 2) == "\r\n"))
                    end_data();
                continue;
            }
            const auto crlf = w.find("\r\n");
            if (crlf == std::string_view::npos)
                fuzz::fail("a command without CRLF", input_, fuzz::escape(w));
            command(w.substr(0, crlf));
            w.remove_prefix(crlf + 2);
        }
    }

    /// A reply the (mirror) parser read.
    void replied(smtp::reply r) {
        unmatched_.push_back({std::move(r), ++replies_});
        match();
    }
    void match() {
        while (!pending_.empty() && !unmatched_.empty()) {
            answer(pending_.front(), unmatched_.front().first, unmatched_.front().second);
            pending_.pop_front();
            unmatched_.pop_front();
        }
    }
    /// STARTTLS: nothing said before the handshake counts.
    void tls_started() {
        if (!starttls_go_) fuzz::fail("TLS handshake without a 220 to STARTTLS", input_);
        starttls_go_ = false;
        replies_ -= unmatched_.size();
        unmatched_.clear();
    }
    void parser_failed() {
        closed_ = true;
        fatal_at_ = 0;
    }
    /// The driver closed the connection (the client is broken).
    void connection_closed() {
        closed_ = true;
        fatal_at_ = 0;
    }
    void withdrawn(std::size_t tx) { txs_[tx].withdrawn = true; }
    bool closed() const noexcept { return closed_; }
    /// In windowed mode, replies to later sends may be read with an earlier
    /// send's: a 421 closes the session once the client has handled it
    /// (`handled` replies), not when it arrives.
    bool closed_for(std::size_t handled) const noexcept {
        return closed_ && (fatal_at_ == 0 || handled >= fatal_at_);
    }

    /// After a send finished: its report against what the server said.
    void check_send(const smtp::client& c, std::error_code ec, std::size_t tx = 0) const {
        const auto& rcpt_codes = txs_[tx].rcpt_codes;
        const int final_code = txs_[tx].final_code;
        const auto& recipients = ec ? c.diagnostics().recipients : c.report().recipients;
        for (std::size_t i = 0; i < recipients.size(); ++i) {
            const int code = i < rcpt_codes.size() ? rcpt_codes[i] : 0;
            if (recipients[i].accepted() != (code / 100 == 2))
                fuzz::fail(recipients[i].accepted() ? "recipient accepted without a 2xx to RCPT"
                                                    : "recipient refused after a 2xx to RCPT",
                           input_, std::to_string(code));
        }
        if (ec) return;
        if (final_code / 100 != 2) fuzz::fail("sent without a 2xx after the data", input_);
        if (!txs_[tx].body_ok) fuzz::fail("sent, but the data written was not the message", input_);
        bool any = false;
        for (const int code : rcpt_codes) any = any || code / 100 == 2;
        if (!any) fuzz::fail("sent without any RCPT accepted", input_);
        if (c.report().final_reply.code() != final_code)
            fuzz::fail("final_reply is not the reply to the data", input_);
    }

private:
    void command(std::string_view line) {
        const std::string verb = upper_verb(line);
        if (sasl_turn_) {
            sasl_turn_ = false;
            pending_.push_back({cmd::sasl});
        } else if (verb == "EHLO") {
            pending_.push_back({cmd::ehlo});
        } else if (verb == "HELO") {
            pending_.push_back({cmd::helo});
        } else if (verb == "STARTTLS") {
            pending_.push_back({cmd::starttls});
        } else if (verb == "AUTH") {
            pending_.push_back({cmd::auth});
        } else if (verb == "MAIL") {
            next_rcpt_ = 0;
            writing_tx_ = sender_index(line);
            auto& t = txs_[writing_tx_];
            if (++t.mails > 1)
                fuzz::fail("a send's MAIL went out twice", input_, fuzz::escape(line));
            if (t.withdrawn) fuzz::fail("a withdrawn send went out", input_, fuzz::escape(line));
            pending_.push_back({cmd::mail, 0, false, writing_tx_});
        } else if (verb == "RCPT") {
            pending_.push_back({cmd::rcpt, next_rcpt_++, false, writing_tx_});
        } else if (verb == "DATA") {
            pending_.push_back({cmd::data, 0, false, writing_tx_});
        } else if (verb == "BDAT") {
            const std::string_view args = line.substr(5);
            bdat_left_ = std::stoul(std::string(args.substr(0, args.find(' '))));
            bdat_last_ = args.ends_with(" LAST");
            bdat_body_.clear();
            bdat_tx_ = writing_tx_;
            pending_.push_back({cmd::bdat, 0, bdat_last_, writing_tx_});
            if (bdat_left_ == 0 && bdat_last_) check_body(bdat_tx_, bdat_body_, "BDAT");
        } else if (verb == "RSET") {
            pending_.push_back({cmd::rset});
        } else if (verb == "NOOP") {
            pending_.push_back({cmd::noop});
        } else if (verb == "QUIT") {
            pending_.push_back({cmd::quit});
            quit_sent_ = true;
        } else {
            fuzz::fail("a line that is not a command outside the message data", input_,
                       fuzz::escape(line));
        }
    }

    /// MAIL FROM:<fromK@...> opens send K's transaction (from@ is send 0).
    std::size_t sender_index(std::string_view line) const {
        const auto at = line.find("<from");
        std::size_t k = 0;
        if (at != std::string_view::npos && at + 5 < line.size() && line[at + 5] >= '1' &&
            line[at + 5] <= '9')
            k = static_cast<std::size_t>(line[at + 5] - '0');
        if (k >= txs_.size()) fuzz::fail("MAIL of an unknown send", input_, fuzz::escape(line));
        return k;
    }

    void end_data() {
        in_data_ = false;
        const std::string body = data_.substr(0, data_.size() - 3);
        if (!body.empty()) check_body(data_tx_, dot_unstuff(body), "DATA");
        pending_.push_back({cmd::dot, 0, false, data_tx_});
    }

    void check_body(std::size_t tx, const std::string& body, std::string_view how) {
        if (body != messages_[tx])
            fuzz::fail("the message data written differs from the message", input_,
                       std::string(how) + ": " + fuzz::escape(body));
        txs_[tx].body_ok = true;
    }

    void answer(const sent_command& c, const smtp::reply& r, std::size_t ordinal) {
        const int code = r.code();
        if (code == 421 && c.what != cmd::quit && !closed_) {
            closed_ = true;
            fatal_at_ = ordinal;
        }
        switch (c.what) {
            case cmd::rcpt:
                if (c.rcpt < txs_[c.tx].rcpt_codes.size()) txs_[c.tx].rcpt_codes[c.rcpt] = code;
                break;
            case cmd::data:
                if (code == 354) {
                    in_data_ = true;
                    data_tx_ = c.tx;
                    data_.clear();
                }
                break;
            case cmd::dot: txs_[c.tx].final_code = code; break;
            case cmd::bdat:
                if (c.last) txs_[c.tx].final_code = code;
                break;
            case cmd::auth:
            case cmd::sasl: sasl_turn_ = code == 334; break;
            case cmd::starttls: starttls_go_ = code == 220; break;
            default: break;
        }
    }

    std::string_view input_;
    const std::vector<std::string>& messages_;
    std::vector<tx_record> txs_;
    std::deque<sent_command> pending_;
    std::deque<std::pair<smtp::reply, std::size_t>> unmatched_;  ///< with its ordinal
    std::size_t replies_ = 0;                                    ///< replies the mirror parser read
    std::size_t fatal_at_ = 0;  ///< the ordinal of the 421 that closed it
    std::size_t next_rcpt_ = 0;
    std::size_t writing_tx_ = 0;  ///< the send whose MAIL was written last
    std::size_t data_tx_ = 0;     ///< the send whose DATA got the 354
    std::size_t bdat_tx_ = 0;
    bool in_data_ = false;
    std::string data_;
    std::size_t bdat_left_ = 0;
    bool bdat_last_ = false;
    std::string bdat_body_;
    bool sasl_turn_ = false;
    bool starttls_go_ = false;
    bool closed_ = false;
    bool quit_sent_ = false;
};

std::string ehlo_reply(unsigned char caps) {
    std::string r = "250-mx.example\r\n";
    if (caps & 1) r += "250-PIPELINING\r\n";
    if (caps & 2) r += "250-CHUNKING\r\n";
    if (caps & 4) r += "250-SMTPUTF8\r\n";
    if (caps & 8) r += "250-DSN\r\n";
    if (caps & 16) r += (caps & 32) ? "250-SIZE 40\r\n" : "250-SIZE 1000000\r\n";
    if (caps & 64) r += "250-STARTTLS\r\n";
    if (caps & 128) r += "250-8BITMIME\r\n";
    if (caps & 32) r += "250-REQUIRETLS\r\n";
    return r + "250 AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 OAUTHBEARER\r\n";
}

/// The server's bytes, from the chunks of the input.
std::string server_bytes(std::string_view chunks, unsigned char caps) {
    std::string out;
    while (!chunks.empty()) {
        const auto lf = chunks.find('\n');
        const std::string_view c = chunks.substr(0, lf);
        chunks = lf == std::string_view::npos ? std::string_view() : chunks.substr(lf + 1);
        if (!c.empty() && c.front() == 'E') {
            out += ehlo_reply(caps);
        } else if (!c.empty() && c.front() == '~') {
            for (std::size_t i = 1; i < c.size(); ++i) {
                if (c[i] == '\x7f' && i + 1 < c.size())
                    out.append(1000, c[++i]);
                else
                    out += c[i];
            }
        } else {
            for (const char ch : c) out += ch == '|' ? std::string("\r\n") : std::string(1, ch);
            out += "\r\n";
        }
    }
    return out;
}

smtp::client_config config_from(unsigned char b) {
    smtp::client_config cfg;
    cfg.hello_name = "client.example";
    const smtp::tls_mode modes[] = {smtp::tls_mode::none_dangerous,
                                    smtp::tls_mode::starttls_opportunistic,
                                    smtp::tls_mode::starttls_required, smtp::tls_mode::implicit};
    cfg.tls = modes[b & 3];
    switch ((b >> 2) & 3) {
        case 1:
        case 3:
            cfg.credentials = smtp::credentials::password("user", "pencil");
            cfg.mechanisms = {smtp::mechanism::plain, smtp::mechanism::login,
                              smtp::mechanism::cram_md5};
            break;
        case 2: cfg.credentials = smtp::credentials::oauth2("user@example.com", "token"); break;
        default: break;
    }
    cfg.allow_plaintext_auth_dangerous = true;
    cfg.pipelining = (b >> 4) & 1;
    cfg.chunking = (b >> 5) & 1;
    cfg.requiretls = (b >> 6) & 1;
    if ((b >> 7) & 1) {
        smtp::dsn_request d;
        d.ret = smtp::dsn_request::return_content::headers;
        d.envid = "id+1";
        d.notify_failure = true;
        cfg.dsn = d;
    }
    return cfg;
}

/// The sends of a run: send 0 as ever (from@, the message of its kind);
/// in windowed mode sends 1-3 from fromK@ with "Subject: fuzzK".
struct sends {
    std::vector<lettre::envelope> envs;
    std::vector<std::string> messages;
};

sends make_sends(std::size_t count, std::size_t rcpts, unsigned kind) {
    sends out;
    for (std::size_t k = 0; k < count; ++k) {
        std::vector<lettre::address> to;
        for (std::size_t i = 0; i < rcpts; ++i)
            to.push_back(lettre::address::parse((kind == 2 && i == 0)
                                                    ? std::string("\xce\xb4@example.org")
                                                    : "r" + std::to_string(i) + "@example.org"));
        const std::string tag = k == 0 ? std::string() : std::to_string(k);
        out.envs.push_back(lettre::envelope::create(
            lettre::address::parse("from" + tag + "@example.com"), std::move(to)));
        out.messages.push_back(kind == 1 ? "Subject: fuzz" + tag + "\r\n\r\nb\xc3\xa9\r\n"
                                         : "Subject: fuzz" + tag +
                                               "\r\n\r\nbody\r\n.dot\r\n..\r\n.\r\nend\r\n");
    }
    return out;
}

/// The sends handed to the client in windowed mode, as the connection and
/// the pool keep them: each completes exactly once, in order.
class window_driver {
public:
    window_driver(smtp::client& c, model& m, const sends& s, bool withdraw, std::string_view input)
        : c_(c),
          m_(m),
          s_(s),
          withdraw_(withdraw),
          input_(input),
          ids_(s.envs.size()),
          completions_(s.envs.size(), 0) {}

    /// More sends into the window while one runs (fill_window), and the
    /// withdrawal of the newest queued one when asked.
    void top_up() {
        while (handed_ < s_.envs.size() && c_.can_queue()) hand();
        if (!withdraw_ || withdrew_ || in_flight_.empty()) return;
        const std::size_t k = in_flight_.back();
        if (!c_.withdraw(ids_[k])) return;  // running, or its commands went out
        withdrew_ = true;
        m_.withdrawn(k);
        in_flight_.pop_back();
        ++completions_[k];
    }
    /// The next send to start, when there is one (as async_send_windowed
    /// does on an idle connection).
    bool next_ready() {
        if (c_.queued() == 0 && handed_ < s_.envs.size() && !c_.broken()) hand();
        return c_.queued() > 0;
    }
    /// A send completed: the oldest in flight.
    std::size_t completed() {
        if (in_flight_.empty()) fuzz::fail("a send completed that was not handed over", input_);
        const std::size_t k = in_flight_.front();
        in_flight_.pop_front();
        if (++completions_[k] > 1) fuzz::fail("a send completed twice", input_);
        if (in_flight_.size() != c_.queued())
            fuzz::fail("the client's queue and the sends in flight disagree", input_);
        return k;
    }
    /// At the end: every send handed over completed exactly once.
    void check_all() const {
        for (std::size_t k = 0; k < handed_; ++k)
            if (completions_[k] != 1) fuzz::fail("a send handed over never completed", input_);
    }

private:
    void hand() {
        ids_[handed_] = c_.queue_send(s_.envs[handed_], s_.messages[handed_], false);
        in_flight_.push_back(handed_);
        ++handed_;
    }

    smtp::client& c_;
    model& m_;
    const sends& s_;
    bool withdraw_;
    std::string_view input_;
    std::vector<std::uint64_t> ids_;
    std::vector<int> completions_;
    std::deque<std::size_t> in_flight_;
    std::size_t handed_ = 0;
    bool withdrew_ = false;
};

/// The server went quiet in windowed mode: the driver times out, the
/// running send fails, and every queued one completes at once, lost.
void lost(smtp::client& c, model& m, window_driver& w, std::string_view input) {
    w.completed();
    c.connection_lost();
    m.connection_closed();
    while (c.queued() > 0) {
        const auto a = c.start_next();
        if (a.what != type::done || !a.error)
            fuzz::fail("a queued send went on after the connection was lost", input);
        if (a.error != lettre::make_error_code(lettre::errc::connection_closed) &&
            a.error != lettre::make_error_code(lettre::errc::outcome_unknown))
            fuzz::fail(
                "a queued send lost with the connection says neither connection_closed "
                "nor outcome_unknown",
                input, a.error.message());
        m.check_send(c, a.error, w.completed());
    }
    w.check_all();
}

void run(std::string_view input) {
    const auto cfg_byte = static_cast<unsigned char>(input[0]);
    const auto caps = static_cast<unsigned char>(input[1]);
    const auto shape = static_cast<unsigned char>(input[2]);
    const smtp::client_config cfg = config_from(cfg_byte);
    const std::size_t rcpts = 1 + (shape & 3);
    const unsigned kind = (shape >> 2) & 3;
    const bool windowed = kind == 3;
    const std::size_t piece = 1 + ((shape >> 4) & (windowed ? 7 : 15)) * 13;
    const sends all = make_sends(windowed ? 4 : 1, rcpts, kind);

    const std::string server = server_bytes(input.substr(3), caps);
    model m(input, all.messages, rcpts);
    smtp::reply_parser mirror;
    smtp::client c(cfg, "mx.example", 25);
    c.set_window(3);
    window_driver w(c, m, all, windowed && (shape & 0x80), input);
    const bool implicit = cfg.tls == smtp::tls_mode::implicit;
    auto a = c.start_session(implicit);
    enum class op { session, send, quit } running = op::session;
    auto top_up = [&] {
        if (windowed && running == op::send) w.top_up();
    };
    const bool write_ahead = windowed && input.size() % 2 == 1;
    std::size_t pos = 0;
    std::size_t partial = 0;  // bytes fed since the last LF
    const std::size_t budget = 64 + 8 * server.size() + 16 * all.envs.size();
    for (std::size_t steps = 0;; ++steps) {
        if (steps > budget) fuzz::fail("the client does not make progress", input);
        switch (a.what) {
            case type::write:
                m.written(std::string(a.bytes) + std::string(a.more[0]) + std::string(a.more[1]));
                m.match();
                top_up();
                a = c.on_written();
                break;
            case type::tls_handshake:
                m.tls_started();
                mirror.reset();
                a = c.on_tls_established();
                break;
            case type::read: {
                if (partial > smtp::reply_parser::default_max_line + 2)
                    fuzz::fail("the client reads on past the line limit", input);
                if (write_ahead && running == op::send) {
                    top_up();
                    const std::string ahead(c.take_ahead());
                    c.on_ahead_written();
                    if (!ahead.empty()) {
                        m.written(ahead);
                        m.match();
                    }
                }
                if (pos >= server.size()) {  // the server went quiet: a timeout
                    if (windowed && running == op::send) lost(c, m, w, input);
                    return;
                }
                const std::string_view bytes =
                    std::string_view(server).substr(pos, std::min(piece, server.size() - pos));
                pos += bytes.size();
                for (const char ch : bytes) partial = ch == '\n' ? 0 : partial + 1;
                // As client::on_read: a piece the parser refuses yields no reply.
                if (!mirror.feed(bytes))
                    m.parser_failed();
                else
                    while (auto r = mirror.next()) m.replied(std::move(*r));
                top_up();
                a = c.on_read(bytes);
                break;
            }
            case type::done:
                if ((windowed ? m.closed_for(c.replies_handled()) : m.closed()) &&
                    (!a.error || !c.broken()))
                    fuzz::fail("the client went on after a 421 or a protocol error", input);
                if (running == op::send) m.check_send(c, a.error, windowed ? w.completed() : 0);
                if (windowed && running == op::send) {
                    if (c.broken()) m.connection_closed();  // as the driver does
                    if (w.next_ready()) {
                        a = c.start_next();
                        break;
                    }
                    if (c.broken()) return w.check_all();
                }
                if (c.broken() || running == op::quit) return;
                if (running == op::session && c.ready() && !a.error) {
                    running = op::send;
                    if (windowed) {
                        w.next_ready();
                        a = c.start_next();
                    } else {
                        a = c.start_send(all.envs[0], all.messages[0], false);
                    }
                } else {
                    running = op::quit;
                    a = c.start_quit();
                }
                break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    run(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
