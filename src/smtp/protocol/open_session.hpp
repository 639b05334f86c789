// Opening an SMTP session: the greeting, EHLO (HELO for an old server),
// STARTTLS and the EHLO after it, then AUTH when credentials are set. Ends
// with the session ready, or with the reason it cannot be. Sans-io.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>

#include "smtp/protocol/action.hpp"
#include "smtp/protocol/authenticate.hpp"
#include "smtp/protocol/reply.hpp"
#include "smtp/protocol/session_state.hpp"

#include <optional>
#include <string>

namespace lettre::smtp {

class LETTRE_EXPORT open_session {
public:
    /// After TCP connect (and, for implicit TLS, after the handshake): wait
    /// for the greeting. Resets what a previous session left in `st`.
    client_action start(session_state& st, bool tls_active);
    /// One reply from the server.
    client_action resume(session_state& st, const reply& r);
    /// The handshake asked for after STARTTLS completed: EHLO again.
    client_action on_tls_established(session_state& st);

private:
    enum class step { greeting, ehlo, helo, starttls, auth };

    client_action fail(session_state& st, errc code, std::string message);
    client_action fail_reply(session_state& st, std::string_view what, const reply& r);
    client_action send_ehlo(session_state& st);
    client_action on_greeting(session_state& st, const reply& r);
    client_action on_ehlo(session_state& st, const reply& r);
    client_action on_helo(session_state& st, const reply& r);
    client_action on_starttls(session_state& st, const reply& r);
    client_action after_ehlo(session_state& st);
    client_action send_starttls(session_state& st);
    client_action finish(session_state& st);

    step step_ = step::greeting;
    authenticate auth_;
};

}  // namespace lettre::smtp
