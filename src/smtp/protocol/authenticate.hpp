// AUTH (RFC 4954) with the SASL client: picks the mechanism from what EHLO
// offered, answers 334 challenges, checks the server's proof after 235.
// Sans-io: start() and resume() say what to do next.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include "smtp/protocol/action.hpp"
#include "smtp/protocol/reply.hpp"
#include "smtp/protocol/sasl.hpp"
#include "smtp/protocol/session_state.hpp"

#include <optional>

namespace lettre::smtp {

class LETTRE_EXPORT authenticate {
public:
    /// Needs st.cfg.credentials. Refuses plaintext unless allowed by name,
    /// and a server without a mechanism in common.
    client_action start(session_state& st);
    /// One reply to AUTH or to a continuation line.
    client_action resume(session_state& st, const reply& r);

private:
    client_action fail(session_state& st, errc code, std::string message,
                       std::optional<reply> r = std::nullopt);
    client_action send_auth(session_state& st, mechanism m);
    client_action on_challenge(session_state& st, const reply& r);
    client_action on_success(session_state& st, const reply& r);
    client_action on_refusal(session_state& st, const reply& r);
    client_action fail_pending(session_state& st, const reply& r);

    std::optional<sasl_client> sasl_;
    /// Our own SASL step failed: the exchange was cancelled ("*"); this is
    /// reported once the server has answered the cancel.
    std::optional<error_info> pending_;
};

}  // namespace lettre::smtp
