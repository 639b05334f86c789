#include "smtp/protocol/client.hpp"

#include <fmt/format.h>

namespace lettre::smtp {

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

client::client(client_config config, std::string server_host, std::uint16_t server_port) {
    st_.cfg = std::move(config);
    st_.server_host = std::move(server_host);
    st_.server_port = server_port;
}

client::action client::settle(action a) {
    if (a.what == action::type::done) running_ = running::none;
    return a;
}

client::action client::start_session(bool tls_active) {
    running_ = running::open_session;
    return settle(open_.start(st_, tls_active));
}

client::action client::start_send(const envelope& env, std::string_view message, bool smtputf8) {
    running_ = running::transaction;
    return settle(transaction_.start(st_, env, message, smtputf8));
}

client::action client::start_rset() {
    running_ = running::command;
    return settle(command_.start(st_, simple_command::kind::rset));
}

client::action client::start_noop() {
    running_ = running::command;
    return settle(command_.start(st_, simple_command::kind::noop));
}

client::action client::start_quit() {
    running_ = running::command;
    return settle(command_.start(st_, simple_command::kind::quit));
}

client::action client::on_written() {
    st_.out.clear();
    if (running_ == running::transaction && transaction_.awaiting_final_reply())
        return st_.read(phase::data_final);
    return st_.read(st_.phase);
}

client::action client::on_tls_established() {
    running_ = running::open_session;
    return settle(open_.on_tls_established(st_));
}

client::action client::on_read(std::string_view bytes) {
    if (!st_.parser.feed(bytes)) {
        st_.broken = true;
        if (running_ == running::open_session) st_.ready = false;
        return settle(st_.fail(errc::smtp_protocol, st_.parser.error()->message));
    }
    // Several replies may have come at once (pipelining): each goes to the
    // running algorithm until one asks for something other than a read.
    while (auto r = st_.parser.next()) {
        ++replies_;
        action a = settle(handle(*r));
        if (a.what != action::type::read) return a;
    }
    return st_.read(st_.phase);
}

client::action client::handle(const reply& r) {
    switch (running_) {
        case running::none: return unexpected(r);
        case running::open_session: return open_.resume(st_, r);
        case running::transaction: return transaction_.resume(st_, r);
        case running::command: return command_.resume(st_, r);
    }
    return unexpected(r);
}

/// A reply when nothing was asked: the server is out of step with us.
client::action client::unexpected(const reply& r) {
    if (r.code() == 421) return st_.closing(r);
    st_.broken = true;
    return st_.fail(errc::smtp_protocol,
                    fmt::format("unexpected reply from the server: {}", r.to_string()), r);
}

}  // namespace lettre::smtp
