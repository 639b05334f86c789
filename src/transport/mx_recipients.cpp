#include "transport/mx_recipients.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace lettre::mx::detail {

namespace {

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Errors of this host that another host will not cure either; they still
/// move on (another MX may differ), but are permanent if no host is left.
bool permanent_class(const std::error_code& ec) {
    return ec == make_error_code(errc::message_too_big) ||
           ec == make_error_code(errc::smtputf8_unavailable) ||
           ec == make_error_code(errc::eight_bit_unavailable) ||
           ec == make_error_code(errc::invalid_smtp_argument);
}

}  // namespace

std::vector<domain_group> group_by_domain(const std::vector<address>& recipients) {
    std::vector<domain_group> out;
    for (const auto& r : recipients) {
        const std::string d = lower(r.domain());
        auto it = std::find_if(out.begin(), out.end(),
                               [&](const domain_group& g) { return g.domain == d; });
        if (it == out.end()) {
            out.push_back({d, {}});
            it = out.end() - 1;
        }
        it->recipients.push_back(r);
    }
    return out;
}

recipient_tracker::recipient_tracker(std::vector<address> recipients) {
    for (auto& r : recipients) {
        entry e;
        e.result.recipient = std::move(r);
        entries_.push_back(std::move(e));
    }
}

std::vector<address> recipient_tracker::pending() const {
    std::vector<address> out;
    for (const auto& e : entries_)
        if (!e.final) out.push_back(e.result.recipient);
    return out;
}

bool recipient_tracker::done() const {
    return std::all_of(entries_.begin(), entries_.end(), [](const entry& e) { return e.final; });
}

recipient_tracker::entry* recipient_tracker::find(const address& a) {
    for (auto& e : entries_)
        if (!e.final && e.result.recipient == a) return &e;
    return nullptr;
}

void recipient_tracker::attempt_failed(entry& e, const std::string& host, const std::string& ip,
                                       std::optional<smtp::reply> reply, const std::error_code& ec,
                                       std::string message, bool permanent) {
    e.attempted = true;
    e.result.host = host;
    e.result.ip = ip;
    e.result.reply = std::move(reply);
    // A 5xx (or an error no host will cure) is permanent; anything else
    // moves on to the next host and is transient if none is left.
    e.result.error = agreeing_error(ec, permanent ? condition::permanent : condition::transient,
                                    errc::smtp_permanent);
    e.result.message = std::move(message);
}

bool recipient_tracker::apply(const std::string& host, const std::string& ip,
                              tls_protection protection, const std::error_code& ec,
                              const smtp::send_report& report) {
    const auto& diag = report.diagnostics;
    // When MAIL FROM failed, pipelined RCPT replies (503 "need MAIL") say
    // nothing about the recipients: ignore them.
    static const std::vector<smtp::recipient_result> none;
    const auto& rcpts = (ec && diag.phase == smtp::phase::mail) ? none
                        : (ec && !diag.recipients.empty())      ? diag.recipients
                                                                : report.recipients;
    const std::string where = fmt::format("{} [{}]", host, ip);

    if (!ec) {
        for (const auto& r : rcpts) {
            entry* e = find(r.recipient);
            if (!e) continue;
            if (r.accepted()) {
                e->final = true;
                e->result.host = host;
                e->result.ip = ip;
                e->result.tls = protection != tls_protection::none;
                e->result.protection = protection;
                e->result.reply = report.final_reply;
                e->result.error = {};
                e->result.message =
                    fmt::format("delivered to {}: {}", where, report.final_reply.to_string());
            } else {
                attempt_failed(
                    *e, host, ip, r.reply,
                    make_error_code(r.reply.permanent() ? errc::smtp_permanent
                                                        : errc::smtp_transient),
                    fmt::format("{} refused the recipient: {}", where, r.reply.to_string()),
                    r.reply.permanent());
                e->final = r.reply.permanent();
            }
        }
        return true;
    }

    if (ec == make_error_code(errc::outcome_unknown)) {
        // The final dot went out and no reply came: the host may have the
        // message. Trying another host now could deliver it twice; the
        // caller retries later like any transient failure.
        for (auto& e : entries_) {
            if (e.final) continue;
            attempt_failed(
                e, host, ip, std::nullopt, ec,
                fmt::format("{}: {}", where, diag.message.empty() ? ec.message() : diag.message),
                false);
            e.final = true;
        }
        return false;
    }

    // RCPT replies first: a 5xx names its recipient, a 4xx moves it on.
    for (const auto& r : rcpts) {
        entry* e = find(r.recipient);
        if (!e || r.accepted()) continue;
        attempt_failed(
            *e, host, ip, r.reply,
            make_error_code(r.reply.permanent() ? errc::smtp_permanent : errc::smtp_transient),
            fmt::format("{} refused the recipient: {}", where, r.reply.to_string()),
            r.reply.permanent());
        e->final = r.reply.permanent();
    }
    // The others: a 5xx to MAIL, DATA or the end of data names the whole
    // transaction; anything else (4xx, connection, TLS, greeting, EHLO) is
    // this host's problem.
    const bool transaction_refused =
        diag.server_reply && diag.server_reply->permanent() &&
        (diag.phase == smtp::phase::mail || diag.phase == smtp::phase::data ||
         diag.phase == smtp::phase::data_final || diag.phase == smtp::phase::data_transfer);
    const std::string why = diag.message.empty() ? ec.message() : diag.message;
    for (auto& e : entries_) {
        if (e.final) continue;
        const bool named =
            std::any_of(rcpts.begin(), rcpts.end(), [&](const smtp::recipient_result& r) {
                return r.recipient == e.result.recipient && !r.accepted();
            });
        if (named) continue;  // handled above (4xx: moves on)
        attempt_failed(e, host, ip, diag.server_reply, ec, fmt::format("{}: {}", where, why),
                       transaction_refused || permanent_class(ec));
        e.final = transaction_refused;
    }
    return true;
}

void recipient_tracker::fail_pending(condition decided, const std::error_code& ec,
                                     const std::string& message, const std::string& host,
                                     errc permanent_fallback) {
    const std::error_code recorded = agreeing_error(ec, decided, permanent_fallback);
    for (auto& e : entries_) {
        if (e.final) continue;
        e.final = true;
        e.result.error = recorded;
        e.result.message = message;
        if (!host.empty()) e.result.host = host;
    }
}

void recipient_tracker::exhaust() {
    for (auto& e : entries_) {
        if (e.final) continue;
        e.final = true;
        if (!e.attempted) {
            // No host to try this time (e.g. every one skipped): retry later.
            e.result.error = make_error_code(errc::delivery_deferred);
            e.result.message = "no MX host could be tried";
        }
    }
}

std::vector<recipient_result> recipient_tracker::results() const {
    std::vector<recipient_result> out;
    for (const auto& e : entries_) out.push_back(e.result);
    return out;
}

}  // namespace lettre::mx::detail
