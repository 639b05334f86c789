#include "smtp/protocol/open_session.hpp"

#include "smtp/protocol/commands.hpp"

#include <fmt/format.h>

namespace lettre::smtp {

client_action open_session::fail(session_state& st, errc code, std::string message) {
    st.ready = false;
    return st.fail(code, std::move(message));
}

client_action open_session::fail_reply(session_state& st, std::string_view what, const reply& r) {
    st.ready = false;
    return st.fail_reply(what, r);
}

client_action open_session::start(session_state& st, bool tls_active) {
    st.tls_active = tls_active;
    st.ready = false;
    st.broken = false;
    st.caps = {};
    st.diag.clear();
    st.parser.reset();
    step_ = step::greeting;
    return st.read(phase::greeting);
}

client_action open_session::on_tls_established(session_state& st) {
    st.tls_active = true;
    // Nothing said in plaintext counts any more: not the replies, not the
    // capabilities (RFC 3207 §4.2).
    st.parser.reset();
    st.caps = {};
    return send_ehlo(st);
}

client_action open_session::send_ehlo(session_state& st) {
    st.out.clear();
    if (auto w = commands::ehlo(st.out, st.cfg.hello_name); !w)
        return fail(st, errc::invalid_smtp_argument, w.error().message);
    step_ = step::ehlo;
    return st.write(phase::ehlo);
}

client_action open_session::resume(session_state& st, const reply& r) {
    if (r.code() == 421) return st.closing(r);
    switch (step_) {
        case step::greeting: return on_greeting(st, r);
        case step::ehlo: return on_ehlo(st, r);
        case step::helo: return on_helo(st, r);
        case step::starttls: return on_starttls(st, r);
        case step::auth: return auth_.resume(st, r);
    }
    return st.done();
}

client_action open_session::on_greeting(session_state& st, const reply& r) {
    if (r.code() != 220) return fail_reply(st, "the server refused the session", r);
    return send_ehlo(st);
}

client_action open_session::on_ehlo(session_state& st, const reply& r) {
    if (r.code() == 250) {
        st.caps = capabilities::parse_ehlo(r);
        return after_ehlo(st);
    }
    if (r.permanent() && !st.tls_active) {  // an old server: fall back to HELO
        st.out.clear();
        if (auto w = commands::helo(st.out, st.cfg.hello_name); !w)
            return fail(st, errc::invalid_smtp_argument, w.error().message);
        step_ = step::helo;
        return st.write(phase::ehlo);
    }
    return fail_reply(st, "EHLO refused", r);
}

client_action open_session::on_helo(session_state& st, const reply& r) {
    if (r.code() != 250) return fail_reply(st, "HELO refused", r);
    st.caps = {};
    return after_ehlo(st);
}

client_action open_session::after_ehlo(session_state& st) {
    const tls_mode mode = st.cfg.tls;
    const bool want =
        !st.tls_active && (mode == tls_mode::starttls_required ||
                           (mode == tls_mode::starttls_opportunistic && st.caps.starttls));
    if (want) return send_starttls(st);
    return finish(st);
}

client_action open_session::send_starttls(session_state& st) {
    if (!st.caps.starttls)
        return fail(st, errc::starttls_unavailable,
                    fmt::format("TLS is required but the server ({}) does not offer STARTTLS",
                                st.caps.server_name.empty() ? "unnamed" : st.caps.server_name));
    st.out.clear();
    commands::starttls(st.out);
    step_ = step::starttls;
    return st.write(phase::starttls);
}

client_action open_session::on_starttls(session_state& st, const reply& r) {
    if (r.code() == 220) {
        // Anything after "220 go ahead" came in plaintext and could be an
        // attacker's; it must never be taken as a reply (CVE-2011-0411).
        if (!st.parser.idle()) {
            st.broken = true;
            return fail(st, errc::smtp_protocol,
                        "the server sent data after its STARTTLS reply; refusing it");
        }
        return st.tls_handshake();
    }
    // Opportunistic: go on in plaintext (AUTH then refuses to run in it).
    if (st.cfg.tls == tls_mode::starttls_opportunistic) return finish(st);
    return fail_reply(st, "STARTTLS refused", r);
}

client_action open_session::finish(session_state& st) {
    if (st.cfg.credentials) {
        step_ = step::auth;
        return auth_.start(st);
    }
    st.ready = true;
    return st.done();
}

}  // namespace lettre::smtp
