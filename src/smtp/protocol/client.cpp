#include "smtp/protocol/client.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace lettre::smtp {
namespace {

/// The base64 word a 334 challenge carries (the reply text).
std::string_view challenge_of(const reply& r) {
    return r.lines().empty() ? std::string_view() : std::string_view(r.lines().front());
}

}  // namespace

std::string_view phase_name(phase p) noexcept {
    switch (p) {
        case phase::connect: return "connect";
        case phase::tls_handshake: return "TLS handshake";
        case phase::greeting: return "greeting";
        case phase::ehlo: return "EHLO";
        case phase::starttls: return "STARTTLS";
        case phase::auth: return "AUTH";
        case phase::mail: return "MAIL FROM";
        case phase::rcpt: return "RCPT TO";
        case phase::data: return "DATA";
        case phase::data_transfer: return "message transfer";
        case phase::data_final: return "end of data";
        case phase::rset: return "RSET";
        case phase::noop: return "NOOP";
        case phase::quit: return "QUIT";
    }
    return "?";
}

client::client(client_config config, std::string server_host, std::uint16_t server_port)
    : cfg_(std::move(config)), server_host_(std::move(server_host)), server_port_(server_port) {}

client::action client::write(smtp::phase p, std::array<std::string_view, 2> more) {
    phase_ = p;
    return {action::type::write, out_, p, {}, more};
}

client::action client::read(smtp::phase p) {
    phase_ = p;
    // Replies may already be buffered (pipelining, or a server that talks
    // ahead); handle them before asking for more bytes.
    return {action::type::read, {}, p, {}};
}

client::action client::done(std::error_code ec) {
    state_ = state::idle;
    return {action::type::done, {}, phase_, ec};
}

client::action client::fail(errc code, std::string message, std::optional<reply> r) {
    diag_.phase = phase_;
    diag_.error = make_error_code(code);
    diag_.server_reply = std::move(r);
    diag_.message = std::move(message);
    diag_.recipients = report_.recipients;
    if (state_ == state::greeting || state_ == state::ehlo || state_ == state::helo ||
        state_ == state::starttls || state_ == state::auth)
        ready_ = false;
    return done(make_error_code(code));
}

client::action client::fail_reply(std::string_view what, const reply& r) {
    if (r.code() == 421) broken_ = true;
    return fail(r.permanent() ? errc::smtp_permanent : errc::smtp_transient,
                fmt::format("{}: the server answered {}", what, r.to_string()), r);
}

client::action client::reset_then_fail(errc code, std::string message, std::optional<reply> r) {
    pending_ = make_error(code, std::move(message));
    diag_.server_reply = std::move(r);
    diag_.phase = phase_;
    out_.clear();
    commands::rset(out_);
    state_ = state::rset_then_fail;
    return write(phase::rset);
}

client::action client::start_session(bool tls_active) {
    tls_active_ = tls_active;
    ready_ = false;
    broken_ = false;
    caps_ = {};
    diag_.clear();
    parser_.reset();
    state_ = state::greeting;
    return read(phase::greeting);
}

client::action client::on_written() {
    out_.clear();
    switch (state_) {
        case state::data_final:
        case state::bdat_final: return read(phase::data_final);
        default: return read(phase_);
    }
}

client::action client::on_read(std::string_view bytes) {
    if (!parser_.feed(bytes)) {
        broken_ = true;
        return fail(errc::smtp_protocol, parser_.error()->message);
    }
    return process();
}

client::action client::process() {
    while (auto r = parser_.next()) {
        action a = handle(*r);
        if (a.what != action::type::read) return a;
    }
    return read(phase_);
}

client::action client::on_tls_established() {
    tls_active_ = true;
    parser_.reset();
    caps_ = {};
    out_.clear();
    if (auto r = commands::ehlo(out_, cfg_.hello_name); !r)
        return fail(errc::invalid_smtp_argument, r.error().message);
    state_ = state::ehlo;
    return write(phase::ehlo);
}

client::action client::after_ehlo() {
    if (!tls_active_) {
        const bool want = cfg_.tls == tls_mode::starttls_required ||
                          (cfg_.tls == tls_mode::starttls_opportunistic && caps_.starttls);
        if (want) {
            if (!caps_.starttls)
                return fail(errc::starttls_unavailable,
                            fmt::format("TLS is required but the server ({}) does not offer "
                                        "STARTTLS",
                                        caps_.server_name.empty() ? "unnamed" : caps_.server_name));
            out_.clear();
            commands::starttls(out_);
            state_ = state::starttls;
            return write(phase::starttls);
        }
    }
    if (cfg_.credentials) return begin_auth();
    ready_ = true;
    return done();
}

client::action client::begin_auth() {
    if (!tls_active_ && !cfg_.allow_plaintext_auth_dangerous)
        return fail(errc::plaintext_auth_refused,
                    "refusing to send credentials over an unencrypted connection (use TLS, or "
                    "allow it by name with allow_plaintext_auth_dangerous)");
    if (caps_.auth.empty()) return fail(errc::auth_unavailable, "the server does not offer AUTH");
    const auto m = choose_mechanism(caps_, *cfg_.credentials, cfg_.mechanisms);
    if (!m) {
        std::string offered;
        for (const auto& a : caps_.auth) offered += (offered.empty() ? "" : " ") + a;
        return fail(
            errc::auth_unavailable,
            fmt::format("no AUTH mechanism in common with the server (it offers: {})", offered));
    }
    sasl_.emplace(*m, *cfg_.credentials, server_host_, server_port_);
    const auto ir = sasl_->initial_response();
    out_.clear();
    if (auto r = commands::auth(out_, mechanism_name(*m),
                                ir ? std::optional<std::string_view>(*ir) : std::nullopt);
        !r)
        return fail(errc::invalid_smtp_argument, r.error().message);
    state_ = state::auth;
    return write(phase::auth);
}

client::action client::start_send(const envelope& env, std::string_view message, bool smtputf8) {
    diag_.clear();
    report_ = {};
    pending_.reset();
    env_ = &env;
    message_ = message;
    next_rcpt_ = 0;
    mail_ok_ = false;
    mail_reply_.reset();
    data_reply_.reset();
    phase_ = phase::mail;
    if (!ready_) return fail(errc::smtp_protocol, "the session is not ready to send");
    if (env.to().empty()) return fail(errc::missing_recipient, "the envelope has no recipient");

    const bool needs_utf8 = smtputf8 || env.requires_smtputf8();
    if (needs_utf8 && !caps_.smtputf8)
        return fail(errc::smtputf8_unavailable,
                    "the message or an address needs SMTPUTF8, which the server does not offer");
    if (cfg_.requiretls && (!caps_.requiretls || !tls_active_))
        return fail(errc::starttls_unavailable,
                    tls_active_
                        ? "REQUIRETLS was asked for but the server does not offer it"
                        : "REQUIRETLS needs a TLS session (RFC 8689); this one is plaintext");
    chunked_ = cfg_.chunking && caps_.chunking;
    scan_ = scan_message(message);
    // RFC 6152 §3: 8-bit data only to a server that offers 8BITMIME (an
    // SMTPUTF8 server does, RFC 6531 §3.1). Refused before MAIL: the
    // connection stays usable.
    if (scan_.eight_bit && !needs_utf8 && !caps_.eightbitmime)
        return fail(errc::eight_bit_unavailable,
                    "the message has 8-bit octets and the server does not offer 8BITMIME (RFC "
                    "6152); send it with quoted-printable or base64 parts");
    const std::size_t size = message_size(message, scan_);
    if (caps_.size && *caps_.size > 0 && size > *caps_.size)
        return fail(errc::message_too_big,
                    fmt::format("the message is {} octets; the server takes at most {}", size,
                                *caps_.size));

    mail_parameters mp;
    if (caps_.size) mp.size = size;
    mp.smtputf8 = needs_utf8;
    mp.eightbitmime = caps_.eightbitmime && (needs_utf8 || scan_.eight_bit);
    mp.requiretls = cfg_.requiretls;
    if (cfg_.dsn && caps_.dsn) {
        mp.ret = cfg_.dsn->ret;
        mp.envid = cfg_.dsn->envid;
    }
    out_.clear();
    if (auto r = commands::mail_from(out_, env.from(), mp); !r)
        return fail(errc::invalid_smtp_argument, r.error().message);

    if (caps_.pipelining && cfg_.pipelining) {
        // RFC 2920: MAIL, every RCPT and DATA in one write; replies in order.
        rcpt_parameters rp;
        if (cfg_.dsn && caps_.dsn) rp.notify = cfg_.dsn;
        for (const auto& to : env.to()) {
            if (!needs_utf8 && to.requires_smtputf8())
                return fail(errc::smtputf8_unavailable, "a recipient needs SMTPUTF8");
            if (auto r = commands::rcpt_to(out_, to, rp); !r)
                return fail(errc::invalid_smtp_argument, r.error().message);
        }
        if (!chunked_) commands::data(out_);
        pipelined_left_ = 1 + env.to().size() + (chunked_ ? 0 : 1);
        state_ = state::pipelined;
        return write(phase::mail);
    }
    state_ = state::mail;
    return write(phase::mail);
}

client::action client::send_next_rcpt() {
    out_.clear();
    rcpt_parameters rp;
    if (cfg_.dsn && caps_.dsn) rp.notify = cfg_.dsn;
    if (auto r = commands::rcpt_to(out_, env_->to()[next_rcpt_], rp); !r)
        return reset_then_fail(errc::invalid_smtp_argument, r.error().message, std::nullopt);
    state_ = state::rcpt;
    return write(phase::rcpt);
}

client::action client::after_rcpts() {
    const bool any = std::any_of(report_.recipients.begin(), report_.recipients.end(),
                                 [](const recipient_result& r) { return r.accepted(); });
    if (!any) {
        diag_.recipients = report_.recipients;
        return reset_then_fail(errc::no_recipient_accepted, "the server refused every recipient",
                               std::nullopt);
    }
    if (chunked_) return send_body();
    out_.clear();
    commands::data(out_);
    state_ = state::data_cmd;
    return write(phase::data);
}

client::action client::send_body() {
    out_.clear();
    // A message that is CRLF-only already (what formatted() produces) and
    // large goes out from the caller's buffer; copying 100 KB per send
    // shows in the client's CPU per message.
    constexpr std::size_t copy_below = 16 * 1024;
    const bool clean = scan_.crlf_only();
    const bool ends_clean = message_.empty() || message_.ends_with("\r\n");
    if (chunked_) {
        // BDAT carries the bytes as they are (no dot-stuffing); CRLF only.
        // As DATA framing does, the message ends with a line break, so that
        // what DKIM hashed is what the server gets.
        state_ = state::bdat_final;
        if (clean && message_.size() >= copy_below) {
            commands::bdat(out_, message_.size() + (ends_clean ? 0 : 2), true);
            return write(phase::data_transfer, {message_, ends_clean ? "" : "\r\n"});
        }
        std::string body;
        normalize_crlf(body, message_);
        if (!body.empty() && !body.ends_with("\r\n")) body += "\r\n";
        commands::bdat(out_, body.size(), true);
        out_ += body;
        return write(phase::data_transfer);
    }
    state_ = state::data_final;
    if (clean && scan_.dot_lines == 0 && !scan_.first_dot && message_.size() >= copy_below) {
        out_ = ends_clean ? ".\r\n" : "\r\n.\r\n";
        phase_ = phase::data_transfer;
        return {action::type::write, message_, phase::data_transfer, {}, {out_, {}}};
    }
    frame_data(out_, message_, scan_);
    return write(phase::data_transfer);
}

client::action client::start_rset() {
    diag_.clear();
    out_.clear();
    commands::rset(out_);
    state_ = state::rset;
    return write(phase::rset);
}

client::action client::start_noop() {
    diag_.clear();
    out_.clear();
    commands::noop(out_);
    state_ = state::noop;
    return write(phase::noop);
}

client::action client::start_quit() {
    out_.clear();
    commands::quit(out_);
    state_ = state::quit;
    ready_ = false;
    return write(phase::quit);
}

client::action client::handle(const reply& r) {
    if (r.code() == 421 && state_ != state::quit) {
        broken_ = true;
        ready_ = false;
        return fail(errc::smtp_transient,
                    fmt::format("the server is closing the connection: {}", r.to_string()), r);
    }
    switch (state_) {
        case state::idle:
            broken_ = true;
            return fail(errc::smtp_protocol,
                        fmt::format("unexpected reply from the server: {}", r.to_string()), r);

        case state::greeting:
            if (r.code() != 220) return fail_reply("the server refused the session", r);
            out_.clear();
            if (auto w = commands::ehlo(out_, cfg_.hello_name); !w)
                return fail(errc::invalid_smtp_argument, w.error().message);
            state_ = state::ehlo;
            return write(phase::ehlo);

        case state::ehlo:
            if (r.code() == 250) {
                caps_ = capabilities::parse_ehlo(r);
                return after_ehlo();
            }
            if (r.permanent() && !tls_active_) {  // an old server: fall back to HELO
                out_.clear();
                if (auto w = commands::helo(out_, cfg_.hello_name); !w)
                    return fail(errc::invalid_smtp_argument, w.error().message);
                state_ = state::helo;
                return write(phase::ehlo);
            }
            return fail_reply("EHLO refused", r);

        case state::helo:
            if (r.code() != 250) return fail_reply("HELO refused", r);
            caps_ = {};
            return after_ehlo();

        case state::starttls:
            if (r.code() == 220) {
                // Anything after "220 go ahead" came in plaintext and could be an
                // attacker's; it must never be taken as a reply (CVE-2011-0411).
                if (!parser_.idle()) {
                    broken_ = true;
                    return fail(errc::smtp_protocol,
                                "the server sent data after its STARTTLS reply; refusing it");
                }
                phase_ = phase::tls_handshake;
                return {action::type::tls_handshake, {}, phase::tls_handshake, {}};
            }
            if (cfg_.tls == tls_mode::starttls_opportunistic) {
                if (cfg_.credentials) return begin_auth();  // refuses plaintext AUTH
                ready_ = true;
                return done();
            }
            return fail_reply("STARTTLS refused", r);

        case state::auth:
            if (r.code() == 334) {
                auto resp = sasl_->respond(challenge_of(r));
                out_.clear();
                if (!resp) {
                    // Cancel the exchange (RFC 4954 §4) and report.
                    pending_ = std::move(resp).error();
                    commands::auth_continue(out_, "*").value();
                    return write(phase::auth);
                }
                if (auto w = commands::auth_continue(out_, *resp); !w)
                    return fail(errc::invalid_smtp_argument, w.error().message);
                return write(phase::auth);
            }
            if (r.code() == 235) {
                if (pending_) {
                    auto e = std::move(*pending_);
                    pending_.reset();
                    return fail(static_cast<errc>(e.code.value()), e.message, r);
                }
                if (sasl_->kind() == mechanism::scram_sha_256 && !r.lines().empty()) {
                    // Some servers put the server-final message in the 235 line.
                    const std::string& line = r.lines().back();
                    const std::size_t sp = line.rfind(' ');
                    static_cast<void>(
                        sasl_->respond(sp == std::string::npos ? line : line.substr(sp + 1)));
                }
                if (auto f = sasl_->finish(); !f)
                    return fail(errc::auth_failed, f.error().message, r);
                ready_ = true;
                return done();
            }
            if (pending_) {
                auto e = std::move(*pending_);
                pending_.reset();
                return fail(static_cast<errc>(e.code.value()), e.message, r);
            }
            return fail(errc::auth_failed,
                        fmt::format("{} authentication failed: {}", mechanism_name(sasl_->kind()),
                                    r.to_string()),
                        r);

        case state::mail:
            if (!r.positive_completion()) {
                mail_reply_ = r;
                return reset_then_fail(r.permanent() ? errc::smtp_permanent : errc::smtp_transient,
                                       fmt::format("MAIL FROM refused: {}", r.to_string()), r);
            }
            return send_next_rcpt();

        case state::rcpt:
            report_.recipients.push_back({env_->to()[next_rcpt_], r});
            if (++next_rcpt_ < env_->to().size()) return send_next_rcpt();
            return after_rcpts();

        case state::pipelined: {
            const std::size_t total = 1 + env_->to().size() + (chunked_ ? 0 : 1);
            const std::size_t index = total - pipelined_left_;
            --pipelined_left_;
            if (index == 0) {
                mail_ok_ = r.positive_completion();
                mail_reply_ = r;
            } else if (index <= env_->to().size()) {
                report_.recipients.push_back({env_->to()[index - 1], r});
            } else {
                data_reply_ = r;
            }
            if (pipelined_left_ > 0) return read(phase_ == phase::mail ? phase::rcpt : phase_);
            const bool any = std::any_of(report_.recipients.begin(), report_.recipients.end(),
                                         [](const recipient_result& x) { return x.accepted(); });
            if (chunked_) {
                if (!mail_ok_)
                    return reset_then_fail(
                        mail_reply_->permanent() ? errc::smtp_permanent : errc::smtp_transient,
                        fmt::format("MAIL FROM refused: {}", mail_reply_->to_string()),
                        mail_reply_);
                return after_rcpts();
            }
            if (data_reply_->code() == 354 && (!mail_ok_ || !any)) {
                // The server took DATA although nothing can be delivered: end the
                // (empty) data at once, then reset (RFC 2920 §3.1).
                out_.clear();
                out_ += ".\r\n";
                pending_ =
                    !mail_ok_
                        ? make_error(mail_reply_->permanent() ? errc::smtp_permanent
                                                              : errc::smtp_transient,
                                     fmt::format("MAIL FROM refused: {}", mail_reply_->to_string()))
                        : make_error(errc::no_recipient_accepted,
                                     "the server refused every recipient");
                // The 354 is not the reason; the refused RCPTs (or MAIL) are.
                diag_.server_reply = mail_ok_ ? std::nullopt : mail_reply_;
                diag_.phase = mail_ok_ ? phase::rcpt : phase::mail;
                state_ = state::dot_after_failure;
                return write(phase::data_final);
            }
            if (!mail_ok_)
                return reset_then_fail(
                    mail_reply_->permanent() ? errc::smtp_permanent : errc::smtp_transient,
                    fmt::format("MAIL FROM refused: {}", mail_reply_->to_string()), mail_reply_);
            if (!any) {
                diag_.recipients = report_.recipients;
                return reset_then_fail(errc::no_recipient_accepted,
                                       "the server refused every recipient", std::nullopt);
            }
            if (data_reply_->code() != 354)
                return reset_then_fail(
                    data_reply_->permanent() ? errc::smtp_permanent : errc::smtp_transient,
                    fmt::format("DATA refused: {}", data_reply_->to_string()), data_reply_);
            return send_body();
        }

        case state::data_cmd:
            if (r.code() != 354)
                return reset_then_fail(r.permanent() ? errc::smtp_permanent : errc::smtp_transient,
                                       fmt::format("DATA refused: {}", r.to_string()), r);
            return send_body();

        case state::data_final:
        case state::bdat_final:
            if (!r.positive_completion()) {
                // The transaction is over either way; the connection stays usable.
                diag_.recipients = report_.recipients;
                return fail(r.permanent() ? errc::smtp_permanent : errc::smtp_transient,
                            fmt::format("the server refused the message: {}", r.to_string()), r);
            }
            report_.final_reply = r;
            return done();

        case state::dot_after_failure:
            out_.clear();
            commands::rset(out_);
            state_ = state::rset_then_fail;
            return write(phase::rset);

        case state::rset_then_fail: {
            auto e = std::move(*pending_);
            pending_.reset();
            if (!r.positive_completion()) broken_ = true;
            const auto keep = diag_.server_reply;
            phase_ = diag_.phase;  // report the step that failed, not the RSET
            return fail(static_cast<errc>(e.code.value()), e.message, keep);
        }

        case state::rset:
            if (!r.positive_completion()) {
                broken_ = true;
                return fail_reply("RSET refused", r);
            }
            return done();

        case state::noop:
            if (!r.positive_completion()) {
                broken_ = true;
                return fail_reply("NOOP refused", r);
            }
            return done();

        case state::quit:
            broken_ = true;  // the session is over
            return done();
    }
    return done();
}

}  // namespace lettre::smtp
