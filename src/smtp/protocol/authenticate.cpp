#include "smtp/protocol/authenticate.hpp"

#include "smtp/protocol/commands.hpp"

#include <fmt/format.h>

namespace lettre::smtp {
namespace {

/// The base64 word a 334 challenge carries (the reply text).
std::string_view challenge_of(const reply& r) {
    return r.lines().empty() ? std::string_view() : std::string_view(r.lines().front());
}

std::string offered_mechanisms(const capabilities& caps) {
    std::string offered;
    for (const auto& a : caps.auth) offered += (offered.empty() ? "" : " ") + a;
    return offered;
}

}  // namespace

client_action authenticate::fail(session_state& st, errc code, std::string message,
                                 std::optional<reply> r) {
    st.ready = false;  // the session is not open until AUTH succeeds
    return st.fail(code, std::move(message), std::move(r));
}

client_action authenticate::start(session_state& st) {
    sasl_.reset();
    pending_.reset();
    if (!st.tls_active && !st.cfg.allow_plaintext_auth_dangerous)
        return fail(st, errc::plaintext_auth_refused,
                    "refusing to send credentials over an unencrypted connection (use TLS, or "
                    "allow it by name: allow_plaintext_auth_dangerous() on the transport "
                    "builder, plaintext_auth=dangerous in the URL)");
    if (st.caps.auth.empty())
        return fail(st, errc::auth_unavailable, "the server does not offer AUTH");
    const auto m = choose_mechanism(st.caps, *st.cfg.credentials, st.cfg.mechanisms);
    if (!m)
        return fail(st, errc::auth_unavailable,
                    fmt::format("no AUTH mechanism in common with the server (it offers: {})",
                                offered_mechanisms(st.caps)));
    return send_auth(st, *m);
}

client_action authenticate::send_auth(session_state& st, mechanism m) {
    sasl_.emplace(m, *st.cfg.credentials, st.server_host, st.server_port);
    const auto ir = sasl_->initial_response();
    st.out.clear();
    if (auto r = commands::auth(st.out, mechanism_name(m),
                                ir ? std::optional<std::string_view>(*ir) : std::nullopt);
        !r)
        return fail(st, errc::invalid_smtp_argument, r.error().message);
    return st.write(phase::auth);
}

client_action authenticate::resume(session_state& st, const reply& r) {
    if (r.code() == 421) return st.closing(r);
    if (r.code() == 334) return on_challenge(st, r);
    if (r.code() == 235) return on_success(st, r);
    return on_refusal(st, r);
}

client_action authenticate::on_challenge(session_state& st, const reply& r) {
    auto resp = sasl_->respond(challenge_of(r));
    st.out.clear();
    if (!resp) {
        // Cancel the exchange (RFC 4954 §4) and report once answered.
        pending_ = std::move(resp).error();
        commands::auth_continue(st.out, "*").value();
        return st.write(phase::auth);
    }
    if (auto w = commands::auth_continue(st.out, *resp); !w)
        return fail(st, errc::invalid_smtp_argument, w.error().message);
    return st.write(phase::auth);
}

client_action authenticate::on_success(session_state& st, const reply& r) {
    if (pending_) return fail_pending(st, r);
    if (sasl_->kind() == mechanism::scram_sha_256 && !r.lines().empty()) {
        // Some servers put the server-final message in the 235 line.
        const std::string& line = r.lines().back();
        const std::size_t sp = line.rfind(' ');
        static_cast<void>(sasl_->respond(sp == std::string::npos ? line : line.substr(sp + 1)));
    }
    if (auto f = sasl_->finish(); !f) return fail(st, errc::auth_failed, f.error().message, r);
    st.ready = true;
    return st.done();
}

client_action authenticate::on_refusal(session_state& st, const reply& r) {
    if (pending_) return fail_pending(st, r);
    // RFC 4954 §6: 454 is a temporary failure (e.g. the password backend is
    // down); only a 5xx says the credentials are wrong.
    return fail(
        st, r.transient() ? errc::auth_deferred : errc::auth_failed,
        fmt::format("{} authentication failed: {}", mechanism_name(sasl_->kind()), r.to_string()),
        r);
}

client_action authenticate::fail_pending(session_state& st, const reply& r) {
    auto e = std::move(*pending_);
    pending_.reset();
    return fail(st, static_cast<errc>(e.code.value()), e.message, r);
}

}  // namespace lettre::smtp
