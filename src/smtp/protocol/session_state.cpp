#include "smtp/protocol/session_state.hpp"

#include <fmt/format.h>

namespace lettre::smtp {

client_action session_state::write(smtp::phase p, std::array<std::string_view, 2> more) {
    phase = p;
    return {client_action::type::write, out, p, {}, more};
}

client_action session_state::read(smtp::phase p) {
    phase = p;
    return {client_action::type::read, {}, p, {}};
}

client_action session_state::tls_handshake() {
    phase = smtp::phase::tls_handshake;
    return {client_action::type::tls_handshake, {}, smtp::phase::tls_handshake, {}};
}

client_action session_state::done(std::error_code ec) {
    return {client_action::type::done, {}, phase, ec};
}

client_action session_state::fail(errc code, std::string message, std::optional<reply> r) {
    diag.phase = phase;
    diag.error = make_error_code(code);
    diag.server_reply = std::move(r);
    diag.message = std::move(message);
    diag.recipients = report.recipients;
    return done(make_error_code(code));
}

client_action session_state::fail_reply(std::string_view what, const reply& r) {
    if (r.code() == 421) broken = true;
    return fail(refusal_code(r), fmt::format("{}: the server answered {}", what, r.to_string()), r);
}

client_action session_state::closing(const reply& r) {
    broken = true;
    ready = false;
    return fail(errc::smtp_transient,
                fmt::format("the server is closing the connection: {}", r.to_string()), r);
}

}  // namespace lettre::smtp
