// One mail transaction (RFC 5321 §3.3): MAIL FROM, RCPT TO for every
// recipient, then DATA and the dot-stuffed message, or BDAT (RFC 3030);
// MAIL, RCPTs and DATA go in one write when the server offers PIPELINING
// (RFC 2920); with PIPELINING and CHUNKING, MAIL, RCPTs and BDAT LAST with
// the message go in one write (RFC 3030 §4.2), one round trip. After a
// refusal the client sends RSET so that the session stays usable, then
// reports the refusal. The per-recipient replies go into st.report.
// Sans-io: start() and resume() say what to do next.
//
// A transaction may also be "sent ahead" (presend) while an earlier one on
// the same connection is still waiting for its replies: the pipelining
// window the client keeps (see client.hpp). Its replies are read only once
// it is activated, after the earlier ones have finished.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>

#include "smtp/protocol/action.hpp"
#include "smtp/protocol/commands.hpp"
#include "smtp/protocol/reply.hpp"
#include "smtp/protocol/session_state.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lettre::smtp {

class LETTRE_EXPORT transaction {
public:
    /// `env` and `message` must outlive the transaction. `smtputf8` when the
    /// message itself needs it.
    client_action start(session_state& st, const envelope& env, std::string_view message,
                        bool smtputf8);
    client_action resume(session_state& st, const reply& r);
    /// The message went out: the next reply is the final one (after a lost
    /// connection, the outcome is then unknown).
    bool awaiting_final_reply() const noexcept {
        return step_ == step::final_reply || (step_ == step::pipelined && chunked_ && !presend_);
    }

    /// Appends this transaction's commands to `out` ahead of its turn: MAIL,
    /// RCPTs and DATA, or (chunking) RSET, MAIL, RCPTs and BDAT LAST with the
    /// message. False (nothing appended) when it cannot go ahead, e.g. the
    /// server cannot take it: it is then started in its turn and refused
    /// there. Touches neither st.report nor st.diag (they are the running
    /// transaction's).
    bool presend(const session_state& st, const envelope& env, std::string_view message,
                 bool smtputf8, std::string& out);
    /// Its turn has come: the replies to what presend() wrote follow.
    client_action activate(session_state& st);
    /// Whether the message itself went out ahead (BDAT): after a lost
    /// connection its outcome is then unknown.
    bool data_sent_ahead() const noexcept { return chunked_; }
    /// Transactions were sent after this one's last write: it must not
    /// write again (an RSET would be answered after theirs). With chunking
    /// each of them starts with RSET, which resets the session instead.
    void set_followed() noexcept { followed_ = true; }
    /// This transaction's writes are over, or (chunking) the next ones may
    /// go in the same group: what client appends to the current write.
    bool may_be_followed() const noexcept {
        return chunked_ || step_ == step::final_reply || step_ == step::rset_then_fail;
    }

private:
    enum class step { mail, rcpt, data, pipelined, final_reply, dot_after_failure, rset_then_fail };

    struct refusal {
        errc code;
        std::string message;
    };

    void reset(const envelope& env, std::string_view message);
    std::optional<refusal> refuse_before_mail(const session_state& st, bool smtputf8);
    std::optional<refusal> write_mail(const session_state& st, std::string& out) const;
    std::optional<refusal> write_pipelined(const session_state& st, std::string& out);
    void write_bdat_copy(std::string& out) const;
    client_action send_mail(session_state& st);
    client_action send_pipelined(session_state& st);
    client_action send_next_rcpt(session_state& st);
    client_action after_rcpts(session_state& st);
    client_action send_body(session_state& st);
    client_action send_bdat(session_state& st);
    client_action send_rset(session_state& st);
    client_action reset_then_fail(session_state& st, errc code, std::string message,
                                  std::optional<reply> r, phase failed);
    client_action mail_refused(session_state& st, const reply& r);
    client_action on_mail(session_state& st, const reply& r);
    client_action on_rcpt(session_state& st, const reply& r);
    client_action on_data(session_state& st, const reply& r);
    client_action on_pipelined(session_state& st, const reply& r);
    client_action after_pipelined(session_state& st);
    client_action after_chunked(session_state& st);
    client_action end_empty_data(session_state& st);
    client_action on_final(session_state& st, const reply& r);
    client_action on_rset(session_state& st, const reply& r);
    rcpt_parameters rcpt_params(const session_state& st) const;
    std::size_t pipelined_total() const noexcept;
    bool any_accepted(const session_state& st) const;
    errc every_recipient_refused(const session_state& st) const;

    step step_ = step::mail;
    const envelope* env_ = nullptr;
    std::string_view message_;
    message_scan scan_;
    bool needs_utf8_ = false;
    bool chunked_ = false;
    bool presend_ = false;     ///< sent ahead, not activated yet
    bool rset_first_ = false;  ///< sent ahead with chunking: RSET's reply comes first
    bool followed_ = false;
    std::size_t size_ = 0;  ///< what SIZE= declares
    std::size_t next_rcpt_ = 0;
    std::size_t pipelined_left_ = 0;  ///< replies still to come
    bool mail_ok_ = false;
    std::optional<reply> mail_reply_;  ///< pipelined: MAIL's reply
    std::optional<reply> data_reply_;  ///< pipelined: DATA's (or BDAT's) reply
    std::optional<reply> rset_reply_;  ///< sent ahead with chunking: RSET's reply
    /// The refusal reported once the RSET after it is answered.
    std::optional<error_info> pending_;
};

}  // namespace lettre::smtp
