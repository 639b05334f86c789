#include "smtp/protocol/commands.hpp"

#include "detail/utf8.hpp"
#include "smtp/protocol/client_name.hpp"

#include <fmt/format.h>

namespace lettre::smtp {
namespace commands {
namespace {

error_info bad(std::string_view what, std::string_view value) {
    return make_error(errc::invalid_smtp_argument,
                      fmt::format("{} {}", what, lettre::detail::quote_for_error(value)));
}

/// Rejects CR, LF, NUL and other controls anywhere in a value.
std::optional<error_info> check_value(std::string_view what, std::string_view v) {
    for (char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return bad(fmt::format("{}: control character in", what), v);
    }
    return std::nullopt;
}

result<void> finish(std::string& out, std::size_t start, std::size_t limit) {
    if (out.size() - start > limit) {
        const std::string line = out.substr(start, 60);
        out.resize(start);
        return bad(fmt::format("command longer than {} octets:", limit), line);
    }
    return {};
}

result<void> hello(std::string& out, std::string_view verb, std::string_view name) {
    if (name.empty()) return bad("empty client name in", verb);
    if (auto e = check_value(verb, name)) return *e;
    if (const auto problem = detail::client_name_problem(name))
        return bad(fmt::format("{}: the client name must be a domain (letters, digits, hyphens, "
                               "dots) or an address literal such as [192.0.2.1] ({}):",
                               verb, *problem),
                   name);
    const std::size_t start = out.size();
    out += verb;
    out += ' ';
    out += name;
    out += "\r\n";
    return finish(out, start, max_command_line);
}

result<void> path(std::string& out, const address& a, std::string_view what) {
    const std::string s = a.to_string();
    if (auto e = check_value(what, s)) return *e;
    if (s.size() + 2 > max_path)
        return bad(fmt::format("{}: path longer than {} octets:", what, max_path), s);
    out += '<';
    out += s;
    out += '>';
    return {};
}

}  // namespace

std::string xtext(std::string_view s) {
    std::string out;
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c >= '!' && c <= '~' && c != '+' && c != '=')
            out += ch;
        else
            out += fmt::format("+{:02X}", c);
    }
    return out;
}

result<void> ehlo(std::string& out, std::string_view name) {
    return hello(out, "EHLO", name);
}
result<void> helo(std::string& out, std::string_view name) {
    return hello(out, "HELO", name);
}

result<void> mail_from(std::string& out, const std::optional<address>& from,
                       const mail_parameters& p) {
    const std::size_t start = out.size();
    out += "MAIL FROM:";
    if (from) {
        if (auto r = path(out, *from, "MAIL FROM"); !r) {
            out.resize(start);
            return r;
        }
    } else {
        out += "<>";
    }
    if (p.size) out += fmt::format(" SIZE={}", *p.size);
    if (p.eightbitmime) out += " BODY=8BITMIME";
    if (p.smtputf8) out += " SMTPUTF8";
    if (p.requiretls) out += " REQUIRETLS";
    if (p.ret) out += p.ret == dsn_request::return_content::full ? " RET=FULL" : " RET=HDRS";
    if (p.envid) {
        if (p.envid->size() > 100) {
            out.resize(start);
            return bad("ENVID longer than 100 characters:", *p.envid);
        }
        out += " ENVID=";
        out += xtext(*p.envid);
    }
    out += "\r\n";
    // SIZE, BODY, SMTPUTF8, DSN and REQUIRETLS each may lengthen the line
    // (RFC 5321 §4.5.3.1.4, RFC 1870 §3); keep a margin for them.
    return finish(out, start, max_command_line + 200);
}

result<void> rcpt_to(std::string& out, const address& to, const rcpt_parameters& p) {
    const std::size_t start = out.size();
    out += "RCPT TO:";
    if (auto r = path(out, to, "RCPT TO"); !r) {
        out.resize(start);
        return r;
    }
    if (p.notify && p.notify->any_notify()) {
        if (p.notify->notify_never) {
            out += " NOTIFY=NEVER";
        } else {
            std::string flags;
            auto add = [&](bool on, const char* f) {
                if (!on) return;
                if (!flags.empty()) flags += ',';
                flags += f;
            };
            add(p.notify->notify_success, "SUCCESS");
            add(p.notify->notify_failure, "FAILURE");
            add(p.notify->notify_delay, "DELAY");
            out += " NOTIFY=" + flags;
        }
    }
    if (p.orcpt) {
        out += " ORCPT=rfc822;";
        out += xtext(*p.orcpt);
    }
    out += "\r\n";
    return finish(out, start, max_command_line + 500);
}

void data(std::string& out) {
    out += "DATA\r\n";
}
void bdat(std::string& out, std::size_t size, bool last) {
    out += fmt::format("BDAT {}{}\r\n", size, last ? " LAST" : "");
}
void rset(std::string& out) {
    out += "RSET\r\n";
}
void noop(std::string& out) {
    out += "NOOP\r\n";
}
void quit(std::string& out) {
    out += "QUIT\r\n";
}
void starttls(std::string& out) {
    out += "STARTTLS\r\n";
}

result<void> auth(std::string& out, std::string_view mechanism,
                  std::optional<std::string_view> initial) {
    if (mechanism.empty()) return bad("empty AUTH mechanism", mechanism);
    for (char c : mechanism)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return bad("invalid AUTH mechanism", mechanism);
    if (initial)
        if (auto e = check_value("AUTH", *initial)) return *e;
    const std::size_t start = out.size();
    out += "AUTH ";
    out += mechanism;
    if (initial) {
        out += ' ';
        out += initial->empty() ? std::string_view("=") : *initial;
    }
    out += "\r\n";
    return finish(out, start, 12288);  // RFC 4954 §4
}

result<void> auth_continue(std::string& out, std::string_view response) {
    if (auto e = check_value("AUTH response", response)) return *e;
    const std::size_t start = out.size();
    out += response;
    out += "\r\n";
    return finish(out, start, 12288);
}

}  // namespace commands

namespace {

// The general forms, for input with bare CR or LF (rare: formatted()
// produces CRLF only).
std::size_t message_size_general(std::string_view m) noexcept {
    std::size_t n = 0;
    bool line_start = true;
    for (std::size_t i = 0; i < m.size(); ++i) {
        const char c = m[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < m.size() && m[i + 1] == '\n') ++i;
            n += 2;
            line_start = true;
            continue;
        }
        ++n;
        line_start = false;
    }
    return line_start ? n : n + 2;
}

std::size_t framed_size_general(std::string_view m) noexcept {
    std::size_t n = 0;
    bool line_start = true;
    for (std::size_t i = 0; i < m.size(); ++i) {
        const char c = m[i];
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < m.size() && m[i + 1] == '\n') ++i;
            n += 2;
            line_start = true;
            continue;
        }
        if (line_start && c == '.') ++n;
        ++n;
        line_start = false;
    }
    if (!line_start) n += 2;
    return n + 3;
}

void frame_data_general(std::string& out, std::string_view m) {
    out.reserve(out.size() + framed_size_general(m));
    std::size_t run = 0;
    bool line_start = true;
    for (std::size_t i = 0; i < m.size(); ++i) {
        const char c = m[i];
        if (c == '\r' || c == '\n') {
            out.append(m.data() + run, i - run);
            out += "\r\n";
            if (c == '\r' && i + 1 < m.size() && m[i + 1] == '\n') ++i;
            run = i + 1;
            line_start = true;
            continue;
        }
        if (line_start && c == '.') {
            out.append(m.data() + run, i - run);
            out += '.';  // the '.' at m[i] follows in the run
            run = i;
        }
        line_start = false;
    }
    out.append(m.data() + run, m.size() - run);
    if (!line_start) out += "\r\n";
    out += ".\r\n";
}

bool ends_clean(std::string_view m) noexcept {
    return m.empty() || m.ends_with("\r\n");
}

}  // namespace

std::size_t message_size(std::string_view m, const message_scan& s) noexcept {
    if (!s.crlf_only()) return message_size_general(m);
    return m.size() + (ends_clean(m) ? 0 : 2);
}

std::size_t framed_size(std::string_view m, const message_scan& s) noexcept {
    if (!s.crlf_only()) return framed_size_general(m);
    return m.size() + s.dot_lines + (s.first_dot ? 1 : 0) + (ends_clean(m) ? 0 : 2) + 3;
}

void frame_data(std::string& out, std::string_view m, const message_scan& s) {
    if (!s.crlf_only()) return frame_data_general(out, m);
    // CRLF already: copy whole runs, with a '.' before each line that starts with one.
    out.reserve(out.size() + framed_size(m, s));
    if (s.first_dot) out += '.';
    std::size_t run = 0;
    if (s.dot_lines > 0) {
        for (std::size_t pos = m.find("\n."); pos != std::string_view::npos;
             pos = m.find("\n.", pos + 2)) {
            out.append(m.data() + run, pos + 1 - run);
            out += '.';
            run = pos + 1;
        }
    }
    out.append(m.data() + run, m.size() - run);
    if (!ends_clean(m)) out += "\r\n";
    out += ".\r\n";
}

std::size_t message_size(std::string_view m) noexcept {
    return message_size(m, scan_message(m));
}

std::size_t framed_size(std::string_view m) noexcept {
    return framed_size(m, scan_message(m));
}

void frame_data(std::string& out, std::string_view m) {
    frame_data(out, m, scan_message(m));
}

void normalize_crlf(std::string& out, std::string_view m) {
    std::size_t run = 0;
    for (std::size_t i = 0; i < m.size(); ++i) {
        const char c = m[i];
        if (c != '\r' && c != '\n') continue;
        out.append(m.data() + run, i - run);
        out += "\r\n";
        if (c == '\r' && i + 1 < m.size() && m[i + 1] == '\n') ++i;
        run = i + 1;
    }
    out.append(m.data() + run, m.size() - run);
}

}  // namespace lettre::smtp
