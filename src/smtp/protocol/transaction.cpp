#include "smtp/protocol/transaction.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace lettre::smtp {

void transaction::reset(const envelope& env, std::string_view message) {
    pending_.reset();
    env_ = &env;
    message_ = message;
    next_rcpt_ = 0;
    mail_ok_ = false;
    mail_reply_.reset();
    data_reply_.reset();
    rset_reply_.reset();
    presend_ = false;
    rset_first_ = false;
    followed_ = false;
}

client_action transaction::start(session_state& st, const envelope& env, std::string_view message,
                                 bool smtputf8) {
    st.diag.clear();
    st.report = {};
    reset(env, message);
    st.phase = phase::mail;
    if (!st.ready) return st.fail(errc::smtp_protocol, "the session is not ready to send");
    if (env.to().empty()) return st.fail(errc::missing_recipient, "the envelope has no recipient");
    if (auto refused = refuse_before_mail(st, smtputf8))
        return st.fail(refused->code, std::move(refused->message));
    return send_mail(st);
}

bool transaction::presend(const session_state& st, const envelope& env, std::string_view message,
                          bool smtputf8, std::string& out) {
    reset(env, message);
    if (!st.ready || env.to().empty() || refuse_before_mail(st, smtputf8)) return false;
    // RFC 3030 §2: after a refused BDAT the server's state is indeterminate
    // until RSET; the transaction before this one may yet be refused, so
    // this one starts with RSET.
    rset_first_ = chunked_;
    std::string mine;
    if (rset_first_) commands::rset(mine);
    if (write_mail(st, mine) || write_pipelined(st, mine)) return false;
    if (chunked_) write_bdat_copy(mine);
    out += mine;
    presend_ = true;
    pipelined_left_ = pipelined_total();
    step_ = step::pipelined;
    return true;
}

client_action transaction::activate(session_state& st) {
    st.diag.clear();
    st.report = {};
    presend_ = false;
    return st.read(chunked_ ? phase::data_final : phase::mail);
}

/// What the server cannot take is refused before MAIL: the connection stays
/// usable.
std::optional<transaction::refusal> transaction::refuse_before_mail(const session_state& st,
                                                                    bool smtputf8) {
    needs_utf8_ = smtputf8 || env_->requires_smtputf8();
    if (needs_utf8_ && !st.caps.smtputf8)
        return refusal{errc::smtputf8_unavailable,
                       "the message or an address needs SMTPUTF8, which the server does not offer"};
    if (st.cfg.requiretls && (!st.caps.requiretls || !st.tls_active))
        return refusal{errc::starttls_unavailable,
                       st.tls_active
                           ? "REQUIRETLS was asked for but the server does not offer it"
                           : "REQUIRETLS needs a TLS session (RFC 8689); this one is plaintext"};
    chunked_ = st.cfg.chunking && st.caps.chunking;
    scan_ = scan_message(message_);
    // RFC 6152 §3: 8-bit data only to a server that offers 8BITMIME (an
    // SMTPUTF8 server does, RFC 6531 §3.1).
    if (scan_.eight_bit && !needs_utf8_ && !st.caps.eightbitmime)
        return refusal{errc::eight_bit_unavailable,
                       "the message has 8-bit octets and the server does not offer 8BITMIME (RFC "
                       "6152); send it with quoted-printable or base64 parts"};
    size_ = message_size(message_, scan_);
    if (st.caps.size && *st.caps.size > 0 && size_ > *st.caps.size)
        return refusal{errc::message_too_big,
                       fmt::format("the message is {} octets; the server takes at most {}", size_,
                                   *st.caps.size)};
    return std::nullopt;
}

client_action transaction::send_mail(session_state& st) {
    st.out.clear();
    if (auto r = write_mail(st, st.out)) return st.fail(r->code, std::move(r->message));
    if (st.caps.pipelining && st.cfg.pipelining) return send_pipelined(st);
    step_ = step::mail;
    return st.write(phase::mail);
}

std::optional<transaction::refusal> transaction::write_mail(const session_state& st,
                                                            std::string& out) const {
    mail_parameters mp;
    if (st.caps.size) mp.size = size_;
    mp.smtputf8 = needs_utf8_;
    mp.eightbitmime = st.caps.eightbitmime && (needs_utf8_ || scan_.eight_bit);
    mp.requiretls = st.cfg.requiretls;
    if (st.cfg.dsn && st.caps.dsn) {
        mp.ret = st.cfg.dsn->ret;
        mp.envid = st.cfg.dsn->envid;
    }
    if (auto r = commands::mail_from(out, env_->from(), mp); !r)
        return refusal{errc::invalid_smtp_argument, r.error().message};
    return std::nullopt;
}

/// RFC 2920: MAIL (already in st.out), every RCPT and DATA in one write;
/// the replies come in order. With chunking, BDAT LAST and the message
/// follow in the same write (RFC 3030 §4.2): one round trip.
client_action transaction::send_pipelined(session_state& st) {
    if (auto r = write_pipelined(st, st.out)) return st.fail(r->code, std::move(r->message));
    pipelined_left_ = pipelined_total();
    step_ = step::pipelined;
    if (chunked_) return send_bdat(st);
    return st.write(phase::mail);
}

std::optional<transaction::refusal> transaction::write_pipelined(const session_state& st,
                                                                 std::string& out) {
    const rcpt_parameters rp = rcpt_params(st);
    for (const auto& to : env_->to()) {
        if (!needs_utf8_ && to.requires_smtputf8())
            return refusal{errc::smtputf8_unavailable, "a recipient needs SMTPUTF8"};
        if (auto r = commands::rcpt_to(out, to, rp); !r)
            return refusal{errc::invalid_smtp_argument, r.error().message};
    }
    if (!chunked_) commands::data(out);
    return std::nullopt;
}

rcpt_parameters transaction::rcpt_params(const session_state& st) const {
    rcpt_parameters rp;
    if (st.cfg.dsn && st.caps.dsn) rp.notify = st.cfg.dsn;
    return rp;
}

/// MAIL, the RCPTs, DATA or BDAT; RSET first when sent ahead with chunking.
std::size_t transaction::pipelined_total() const noexcept {
    return (rset_first_ ? 1 : 0) + 1 + env_->to().size() + 1;
}

bool transaction::any_accepted(const session_state& st) const {
    return std::any_of(st.report.recipients.begin(), st.report.recipients.end(),
                       [](const recipient_result& r) { return r.accepted(); });
}

/// Every recipient refused: recipients_deferred when each refusal was a 4xx
/// (the same message may go later: lettre::condition::transient), else
/// no_recipient_accepted (permanent).
errc transaction::every_recipient_refused(const session_state& st) const {
    const bool all_transient =
        !st.report.recipients.empty() &&
        std::all_of(st.report.recipients.begin(), st.report.recipients.end(),
                    [](const recipient_result& r) { return r.reply.transient(); });
    return all_transient ? errc::recipients_deferred : errc::no_recipient_accepted;
}

client_action transaction::send_next_rcpt(session_state& st) {
    st.out.clear();
    if (auto r = commands::rcpt_to(st.out, env_->to()[next_rcpt_], rcpt_params(st)); !r)
        return reset_then_fail(st, errc::invalid_smtp_argument, r.error().message, std::nullopt,
                               st.phase);
    step_ = step::rcpt;
    return st.write(phase::rcpt);
}

client_action transaction::after_rcpts(session_state& st) {
    if (!any_accepted(st)) {
        st.diag.recipients = st.report.recipients;
        return reset_then_fail(st, every_recipient_refused(st),
                               "the server refused every recipient", std::nullopt, st.phase);
    }
    if (chunked_) return send_body(st);
    st.out.clear();
    commands::data(st.out);
    step_ = step::data;
    return st.write(phase::data);
}

client_action transaction::send_body(session_state& st) {
    st.out.clear();
    step_ = step::final_reply;
    if (chunked_) return send_bdat(st);
    // A message that is CRLF-only already (what formatted() produces) and
    // large goes out from the caller's buffer; copying 100 KB per send
    // shows in the client's CPU per message.
    constexpr std::size_t copy_below = 16 * 1024;
    if (scan_.crlf_only() && scan_.dot_lines == 0 && !scan_.first_dot &&
        message_.size() >= copy_below) {
        const bool ends_clean = message_.empty() || message_.ends_with("\r\n");
        st.out = ends_clean ? ".\r\n" : "\r\n.\r\n";
        st.phase = phase::data_transfer;
        return {client_action::type::write, message_, phase::data_transfer, {}, {st.out, {}}};
    }
    frame_data(st.out, message_, scan_);
    return st.write(phase::data_transfer);
}

/// BDAT carries the bytes as they are (no dot-stuffing); CRLF only. As DATA
/// framing does, the message ends with a line break, so that what DKIM
/// hashed is what the server gets.
client_action transaction::send_bdat(session_state& st) {
    constexpr std::size_t copy_below = 16 * 1024;  // as for DATA
    const bool ends_clean = message_.empty() || message_.ends_with("\r\n");
    if (scan_.crlf_only() && message_.size() >= copy_below) {
        commands::bdat(st.out, message_.size() + (ends_clean ? 0 : 2), true);
        return st.write(phase::data_transfer, {message_, ends_clean ? "" : "\r\n"});
    }
    write_bdat_copy(st.out);
    return st.write(phase::data_transfer);
}

void transaction::write_bdat_copy(std::string& out) const {
    std::string body;
    normalize_crlf(body, message_);
    if (!body.empty() && !body.ends_with("\r\n")) body += "\r\n";
    commands::bdat(out, body.size(), true);
    out += body;
}

client_action transaction::resume(session_state& st, const reply& r) {
    if (r.code() == 421) return st.closing(r);
    switch (step_) {
        case step::mail: return on_mail(st, r);
        case step::rcpt: return on_rcpt(st, r);
        case step::data: return on_data(st, r);
        case step::pipelined: return on_pipelined(st, r);
        case step::final_reply: return on_final(st, r);
        case step::dot_after_failure: return send_rset(st);
        case step::rset_then_fail: return on_rset(st, r);
    }
    return st.done();
}

client_action transaction::on_mail(session_state& st, const reply& r) {
    if (!r.positive_completion()) return mail_refused(st, r);
    return send_next_rcpt(st);
}

client_action transaction::mail_refused(session_state& st, const reply& r) {
    return reset_then_fail(st, refusal_code(r), fmt::format("MAIL FROM refused: {}", r.to_string()),
                           r, phase::mail);
}

client_action transaction::on_rcpt(session_state& st, const reply& r) {
    st.report.recipients.push_back({env_->to()[next_rcpt_], r});
    if (++next_rcpt_ < env_->to().size()) return send_next_rcpt(st);
    return after_rcpts(st);
}

client_action transaction::on_data(session_state& st, const reply& r) {
    if (r.code() != 354)
        return reset_then_fail(st, refusal_code(r), fmt::format("DATA refused: {}", r.to_string()),
                               r, phase::data);
    return send_body(st);
}

client_action transaction::on_pipelined(session_state& st, const reply& r) {
    std::size_t index = pipelined_total() - pipelined_left_;
    --pipelined_left_;
    if (rset_first_) {
        if (index == 0) {
            rset_reply_ = r;
            return st.read(st.phase);
        }
        --index;  // the rest as without the RSET
    }
    if (index == 0) {
        mail_ok_ = r.positive_completion();
        mail_reply_ = r;
    } else if (index <= env_->to().size()) {
        st.report.recipients.push_back({env_->to()[index - 1], r});
    } else {
        data_reply_ = r;
    }
    if (pipelined_left_ > 0) return st.read(st.phase == phase::mail ? phase::rcpt : st.phase);
    return after_pipelined(st);
}

/// Every pipelined reply is in: MAIL's, the RCPTs', DATA's (unless BDAT).
client_action transaction::after_pipelined(session_state& st) {
    if (chunked_) return after_chunked(st);
    const bool any = any_accepted(st);
    if (data_reply_->code() == 354 && (!mail_ok_ || !any)) return end_empty_data(st);
    if (!mail_ok_) return mail_refused(st, *mail_reply_);
    if (!any) {
        st.diag.recipients = st.report.recipients;
        return reset_then_fail(st, every_recipient_refused(st),
                               "the server refused every recipient", std::nullopt, phase::rcpt);
    }
    if (data_reply_->code() != 354)
        return reset_then_fail(st, refusal_code(*data_reply_),
                               fmt::format("DATA refused: {}", data_reply_->to_string()),
                               data_reply_, phase::data);
    return send_body(st);
}

/// Every reply to RSET (sent ahead), MAIL, the RCPTs and BDAT LAST is in.
/// The message went out with them, so refusals come first, then BDAT's
/// reply is the final one.
client_action transaction::after_chunked(session_state& st) {
    if (rset_reply_ && !rset_reply_->positive_completion()) {
        // What the server made of this transaction is not known.
        st.broken = true;
        st.phase = phase::data_final;
        return st.fail(errc::outcome_unknown,
                       fmt::format("the server refused RSET before this message ({}); it may or "
                                   "may not have accepted the message",
                                   rset_reply_->to_string()),
                       rset_reply_);
    }
    if (!mail_ok_) return mail_refused(st, *mail_reply_);
    if (!any_accepted(st)) {
        st.diag.recipients = st.report.recipients;
        return reset_then_fail(st, every_recipient_refused(st),
                               "the server refused every recipient", std::nullopt, phase::rcpt);
    }
    if (!data_reply_->positive_completion()) {
        // RFC 3030 §2: after a refused BDAT the server's state is
        // indeterminate until RSET.
        return reset_then_fail(
            st, refusal_code(*data_reply_),
            fmt::format("the server refused the message: {}", data_reply_->to_string()),
            data_reply_, phase::data_final);
    }
    st.report.final_reply = *data_reply_;
    return st.done();
}

/// The server took DATA although nothing can be delivered: end the (empty)
/// data at once, then reset (RFC 2920 §3.1).
client_action transaction::end_empty_data(session_state& st) {
    st.out.clear();
    st.out += ".\r\n";
    pending_ = mail_ok_
                   ? make_error(every_recipient_refused(st), "the server refused every recipient")
                   : make_error(refusal_code(*mail_reply_),
                                fmt::format("MAIL FROM refused: {}", mail_reply_->to_string()));
    // The 354 is not the reason; the refused RCPTs (or MAIL) are.
    st.diag.server_reply = mail_ok_ ? std::nullopt : mail_reply_;
    st.diag.phase = mail_ok_ ? phase::rcpt : phase::mail;
    step_ = step::dot_after_failure;
    return st.write(phase::data_final);
}

client_action transaction::on_final(session_state& st, const reply& r) {
    if (!r.positive_completion()) {
        // The transaction is over either way; the connection stays usable.
        st.diag.recipients = st.report.recipients;
        return st.fail(refusal_code(r),
                       fmt::format("the server refused the message: {}", r.to_string()), r);
    }
    st.report.final_reply = r;
    return st.done();
}

client_action transaction::reset_then_fail(session_state& st, errc code, std::string message,
                                           std::optional<reply> r, phase failed) {
    if (followed_) {
        // Transactions went out after this one; the next starts with RSET
        // (chunking), so this one reports at once.
        st.phase = failed;
        return st.fail(code, std::move(message), std::move(r));
    }
    pending_ = make_error(code, std::move(message));
    st.diag.server_reply = std::move(r);
    st.diag.phase = failed;
    return send_rset(st);
}

client_action transaction::send_rset(session_state& st) {
    st.out.clear();
    commands::rset(st.out);
    step_ = step::rset_then_fail;
    return st.write(phase::rset);
}

/// The RSET after a refusal is answered: report the refusal, in the step
/// that failed (not the RSET's).
client_action transaction::on_rset(session_state& st, const reply& r) {
    auto e = std::move(*pending_);
    pending_.reset();
    if (!r.positive_completion()) st.broken = true;
    st.phase = st.diag.phase;
    return st.fail(static_cast<errc>(e.code.value()), std::move(e.message),
                   std::move(st.diag.server_reply));
}

}  // namespace lettre::smtp
