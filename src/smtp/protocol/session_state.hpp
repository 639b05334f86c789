// What the SMTP algorithms share for the life of one session: the
// configuration, the reply parser, the out buffer, what EHLO said, and the
// diagnostics and report the client shows. One instance, owned by the
// client, passed by reference to whichever algorithm runs.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/smtp/config.hpp>
#include <lettre/smtp/response.hpp>

#include "smtp/protocol/action.hpp"
#include "smtp/protocol/capabilities.hpp"
#include "smtp/protocol/reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lettre::smtp {

struct LETTRE_EXPORT session_state {
    client_config cfg;
    std::string server_host;  ///< for OAUTHBEARER's host=
    std::uint16_t server_port = 0;
    reply_parser parser;
    smtp::capabilities caps;
    smtp::diagnostics diag;
    send_report report;
    std::string out;  ///< the next write; reused for the whole session
    smtp::phase phase = smtp::phase::greeting;
    bool tls_active = false;
    bool ready = false;
    bool broken = false;

    /// Write `out` (then `more`), in step `p`.
    client_action write(smtp::phase p, std::array<std::string_view, 2> more = {});
    client_action read(smtp::phase p);
    client_action tls_handshake();
    client_action done(std::error_code ec = {});
    /// Ends the operation with `code`; the diagnostics say why, in this phase.
    client_action fail(errc code, std::string message, std::optional<reply> r = std::nullopt);
    /// A refusal: permanent or transient after the reply's class.
    client_action fail_reply(std::string_view what, const reply& r);
    /// 421: the server is closing the session whatever was asked.
    client_action closing(const reply& r);
};

/// smtp_permanent for a 5yz reply, smtp_transient otherwise.
inline errc refusal_code(const reply& r) noexcept {
    return r.permanent() ? errc::smtp_permanent : errc::smtp_transient;
}

}  // namespace lettre::smtp
