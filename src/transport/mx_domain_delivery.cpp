#include "transport/mx_domain_delivery.hpp"

#include "dns/ip_address_asio.hpp"
#include "smtp/connection.hpp"
#include "transport/mx_local_targets.hpp"
#include "transport/tls_result.hpp"

#include <fmt/format.h>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include <utility>

namespace lettre::mx::detail {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
std::error_code aborted() {
    return std::error_code(error_code(asio::error::operation_aborted));
}

/// What a finished (or failed) attempt's connection knew about TLS.
attempt_tls tls_of(const smtp::detail::connection& c, const error_code& ec) {
    attempt_tls t;
    t.active = c.fsm().tls_active();
    t.verify = c.tls_verify_result();
    const auto phase = c.diagnostics().phase;
    // Got to STARTTLS, or past EHLO without it (plaintext): a TLS outcome
    // to report. A refused connection or a 4xx greeting is not one.
    t.started = t.active || !ec || ec == make_error_code(errc::starttls_unavailable) ||
                ec == make_error_code(errc::tls_failed) || phase > smtp::phase::starttls;
    return t;
}

/// The session's trace: `trace` as it is, `host_trace` told the host and
/// address (copied: the hook outlives this attempt's members).
smtp::trace_hook session_trace(const mx::config& cfg, const std::string& host,
                               const std::string& ip) {
    if (!cfg.host_trace) return cfg.trace;
    return [plain = cfg.trace, named = cfg.host_trace, host, ip](smtp::trace_direction d,
                                                                 std::string_view line) {
        if (plain) plain(d, line);
        named(host, ip, d, line);
    };
}
}  // namespace

domain_delivery::domain_delivery(std::shared_ptr<transport_context> owner, strand_type strand,
                                 std::shared_ptr<const outgoing> msg, domain_group group,
                                 std::function<void(std::vector<recipient_result>)> done)
    : owner_(std::move(owner)),
      strand_(std::move(strand)),
      msg_(std::move(msg)),
      domain_(std::move(group.domain)),
      tracker_(std::move(group.recipients)),
      done_(std::move(done)) {}

domain_delivery::~domain_delivery() = default;

void domain_delivery::start() {
    if (auto literal = domain_literal(domain_)) {
        // RFC 5321 §4.1.3: an address literal is the host itself; no DNS.
        host_ = domain_;
        policy_ = host_policy_now();
        addresses_ = {*literal};
        address_index_ = 0;
        drop_local_targets(host_, addresses_);
        // No address left: next_host() reports the loop (there is no host).
        return addresses_.empty() ? next_host() : dane_decided();
    }
    // The policy is looked for while the MX records are (RFC 8461 §5).
    start_mta_sts();
    if (owner_->cfg.dane) {
        // DNSSEC-aware: DANE needs to know whether the MX answer is secure.
        owner_->resolver.async_resolve_mx_dnssec(
            domain_,
            asio::bind_cancellation_slot(
                cancel_mx_.slot(),
                asio::bind_executor(strand_, [self = shared_from_this()](
                                                 error_code ec, dns::answer<dns::mx_record> a) {
                    self->on_mx_answer(ec, std::move(a));
                })));
        return;
    }
    owner_->resolver.async_resolve_mx(
        domain_,
        asio::bind_cancellation_slot(
            cancel_mx_.slot(),
            asio::bind_executor(
                strand_, [self = shared_from_this()](error_code ec, std::vector<dns::mx_record> r) {
                    self->on_mx(ec, std::move(r));
                })));
}

void domain_delivery::cancel() {
    if (finished_ || cancelled_) return;
    cancelled_ = true;
    if (in_session_) {
        // An SMTP session: close it; its handler records what the server
        // already took (after_attempt), then finishes.
        if (const auto c = conn_.lock()) c->close();
        return;
    }
    // A DNS lookup: nothing was delivered yet, nothing to wait for.
    cancel_mx_.emit(asio::cancellation_type::terminal);
    cancel_a_.emit(asio::cancellation_type::terminal);
    cancel_aaaa_.emit(asio::cancellation_type::terminal);
    cancel_tlsa_.emit(asio::cancellation_type::terminal);
    abort_pending();
    finish();
}

void domain_delivery::abort_pending() {
    tracker_.fail_pending(condition::transient, aborted(),
                          fmt::format("delivery to {} cancelled", domain_));
}

void domain_delivery::on_mx_answer(const std::error_code& ec, dns::answer<dns::mx_record> a) {
    mx_secure_ = !ec && a.secure();
    std::error_code e = ec;
    // NXDOMAIN and NODATA are answers here, errors for decide().
    if (!e && a.empty()) e = make_error_code(a.nxdomain ? errc::dns_nxdomain : errc::dns_nodata);
    on_mx(e, std::move(a.records));
}

void domain_delivery::on_mx(const std::error_code& ec, std::vector<dns::mx_record> records) {
    if (finished_) return;  // cancelled meanwhile
    auto d = decide(domain_, ec, std::move(records), owner_->cfg.max_hosts, owner_->rnd);
    switch (d.what) {
        case mx_decision::kind::fail:
            // decide() made d.error agree with its verdict.
            tracker_.fail_pending(
                d.error == condition::permanent ? condition::permanent : condition::transient,
                d.error, d.message);
            return finish();
        case mx_decision::kind::implicit: implicit_ = true; [[fallthrough]];
        case mx_decision::kind::hosts:
            hosts_ = std::move(d.hosts);
            mx_done_ = true;
            return hosts_ready();
    }
}

void domain_delivery::next_host() {
    if (cancelled_) {
        abort_pending();
        return finish();
    }
    if (tracker_.done()) return finish();
    if (host_index_ >= hosts_.size()) {
        if (!attempted_) {
            // No host could even be tried.
            std::string message;
            bool permanent = !dns_transient_ && skipped_reason_.empty();
            if (!skipped_reason_.empty())
                message = fmt::format("no usable MX host for {}: {}", domain_, skipped_reason_);
            else if (!loop_reason_.empty())
                message =
                    fmt::format("mail for {} loops back to myself: {}", domain_, loop_reason_);
            else if (implicit_)
                message = fmt::format("{} has no MX record and no address ({})", domain_,
                                      dns_error_.message());
            else
                message = fmt::format("no MX host of {} has an address (last: {})", domain_,
                                      dns_error_.message());
            // no_mx_host when that is final; delivery_deferred (with the
            // same message) when a lookup may succeed later or a policy
            // may change.
            tracker_.fail_pending(permanent ? condition::permanent : condition::transient,
                                  make_error_code(errc::no_mx_host), message);
        } else {
            tracker_.exhaust();
        }
        return finish();
    }
    host_ = hosts_[host_index_++].host;
    dane_ = {};
    tlsa_.clear();
    addresses_secure_ = false;
    policy_ = host_policy_now();
    if (!policy_.allowed) {
        skipped_reason_ = fmt::format("{} refused by policy{}{}", host_,
                                      policy_.reason.empty() ? "" : ": ", policy_.reason);
        return next_host();
    }
    resolve_host(
        owner_, strand_, host_,
        [self = shared_from_this()](host_addresses a) { self->on_addresses(std::move(a)); },
        cancel_a_.slot(), cancel_aaaa_.slot());
}

void domain_delivery::drop_local_targets(const std::string& host,
                                         std::vector<dns::ip_address>& addresses) {
    if (owner_->cfg.allow_local_targets) return;
    const auto own = own_addresses();
    std::erase_if(addresses, [&](const dns::ip_address& a) {
        const auto why = local_target(a, own);
        if (why) loop_reason_ = fmt::format("{} has {} ({})", host, a.to_string(), *why);
        return why.has_value();
    });
}

void domain_delivery::on_addresses(host_addresses a) {
    if (finished_) return;  // cancelled meanwhile
    if (!a.addresses.empty()) {
        drop_local_targets(host_, a.addresses);
        if (a.addresses.empty()) return next_host();
    }
    if (a.addresses.empty()) {
        dns_error_ = a.error;
        if (a.error && !is_definitive(a.error)) dns_transient_ = true;
        return next_host();
    }
    addresses_ = std::move(a.addresses);
    addresses_secure_ = a.secure;
    address_index_ = 0;
    check_dane();
}

void domain_delivery::next_address() {
    if (cancelled_) {
        abort_pending();
        return finish();
    }
    if (tracker_.done()) return finish();
    const bool plaintext = std::exchange(retry_in_plaintext_, false);
    plaintext_attempt_ = plaintext;
    if (!plaintext) {
        if (address_index_ >= addresses_.size()) return next_host();
        ip_ = addresses_[address_index_++].to_string();
    }
    attempted_ = true;

    const auto& cfg = owner_->cfg;
    const bool dane = dane_.state == dane_state::authenticated;
    // DANE authentication takes the place of the PKIX check (RFC 8461 §2).
    const bool verified = policy_.tls == tls_policy::verified && !dane;
    if ((verified && !owner_->tls_verify) || (dane && !owner_->tls_dane)) {
        // The CA store could not be loaded (or OpenSSL refused DANE): this
        // host cannot be authenticated.
        smtp::send_report r;
        r.diagnostics.message = dane ? owner_->dane_why : owner_->tls_why;
        r.diagnostics.phase = smtp::phase::tls_handshake;
        return after_attempt(dane ? owner_->dane_error : owner_->tls_error, r);
    }
    // The connection keeps its own copy of the configuration.
    auto conn_cfg = std::make_unique<smtp::transport_config>();
    conn_cfg->host = ip_;
    conn_cfg->port = cfg.port;
    conn_cfg->client.hello_name = cfg.hello_name;
    if (owner_->hello_from_machine) {
        const auto local =
            local_address_towards(dns::detail::to_asio(addresses_[address_index_ - 1]));
        // No route: the connection will fail anyway.
        conn_cfg->client.hello_name =
            local ? hello_name_for(owner_->machine_name, *local) : owner_->machine_name;
    }
    conn_cfg->client.tls = plaintext ? smtp::tls_mode::none_dangerous
                           : policy_.tls == tls_policy::opportunistic
                               ? smtp::tls_mode::starttls_opportunistic
                               : smtp::tls_mode::starttls_required;
    conn_cfg->tls = cfg.tls_parameters;
    // SNI and the name the certificate must match (the address for a literal).
    conn_cfg->tls.server_name = host_.starts_with('[') ? ip_ : host_;
    conn_cfg->tls.accept_invalid_certificates_dangerous = !verified;
    conn_cfg->client.dsn = cfg.dsn;
    conn_cfg->timeouts = cfg.timeouts;
    conn_cfg->trace = session_trace(cfg, host_, ip_);

    env_ = envelope::create(msg_->from, tracker_.pending());
    // Ownership: the connection's own pending I/O keeps it alive, and it
    // holds our handlers, which hold us. We keep only a weak reference (for
    // cancel()): a strong one would make a cycle that a destroyed
    // io_context could not break.
    auto conn =
        std::make_shared<smtp::detail::connection>(asio::any_io_executor(strand_), *conn_cfg,
                                                   dane       ? owner_->tls_dane
                                                   : verified ? owner_->tls_verify
                                                              : owner_->tls_opportunistic);
    if (dane)
        conn->use_dane(dane_.requirement);
    else
        conn->use_session_cache(owner_->tls_sessions);
    conn_ = conn;
    in_session_ = true;
    // The handlers run from inside the connection (same strand), which is
    // alive then: a weak reference is enough, and makes no cycle.
    std::weak_ptr<smtp::detail::connection> weak = conn;
    conn->async_open([self = shared_from_this(), weak](error_code ec) {
        const auto c = weak.lock();
        if (!c) return self->after_attempt(aborted(), {});
        if (ec) {
            smtp::send_report r;
            r.diagnostics = c->diagnostics();
            const attempt_tls t = tls_of(*c, ec);
            c->close();
            return self->after_attempt(ec, r, t);
        }
        c->async_send(*self->env_, self->msg_->bytes, self->msg_->smtputf8,
                      [self, weak](error_code e) {
                          const auto sc = weak.lock();
                          if (!sc) return self->after_attempt(aborted(), {});
                          smtp::send_report r = sc->fsm().report();
                          const attempt_tls tls = tls_of(*sc, e);
                          if (e) {
                              r.diagnostics = sc->diagnostics();
                              if (r.diagnostics.recipients.empty())
                                  r.diagnostics.recipients = r.recipients;
                          }
                          if (!sc->usable()) {
                              sc->close();
                              return self->after_attempt(e, r, tls);
                          }
                          sc->async_quit([self, weak, e, r, tls](error_code) {
                              if (const auto qc = weak.lock()) qc->close();
                              self->after_attempt(e, r, tls);
                          });
                      });
    });
}

void domain_delivery::after_attempt(const std::error_code& ec, smtp::send_report report,
                                    attempt_tls tls) {
    in_session_ = false;
    conn_.reset();
    if (finished_) return;
    std::optional<tls_result_type> failure;
    if (ec)
        failure = classify_tls_failure(ec, tls.verify, dane_.state == dane_state::authenticated);
    // The plaintext retry after a failed handshake: that failure was reported.
    if (!plaintext_attempt_) {
        if (failure)
            report_tls(failure, report.diagnostics.message);
        else if (tls.active && dane_.state == dane_state::unusable_only)
            report_tls(tls_result_type::tlsa_invalid,
                       "none of the TLSA records is usable for SMTP (RFC 7672 §3.1)");
        else if (tls.active)
            report_tls(std::nullopt);
        else if (tls.started)
            report_tls(tls_result_type::starttls_not_supported, "the host offered no STARTTLS");
    }
    if (failure) {
        const std::string prefix = policy_prefix();
        if (!prefix.empty()) report.diagnostics.message = prefix + report.diagnostics.message;
    }
    // Recorded even when cancelled: the server may have taken the message.
    const bool more = tracker_.apply(host_, ip_, protection(tls.active), ec, report);
    if (cancelled_) {
        abort_pending();
        return finish();
    }
    if (!more) return finish();
    // RFC 7435: opportunistic TLS may fall back to cleartext. A server that
    // offers STARTTLS and then fails the handshake (old protocol versions,
    // broken configuration) would otherwise get nothing from us at all; an
    // attacker on the path could strip STARTTLS anyway, so this costs no
    // security the policy promised. Nothing was sent before the handshake.
    if (ec && report.diagnostics.phase == smtp::phase::tls_handshake &&
        policy_.tls == tls_policy::opportunistic && owner_->cfg.plaintext_after_tls_failure)
        retry_in_plaintext_ = true;
    next_address();
}

void domain_delivery::finish() {
    finished_ = true;
    if (!done_) return;
    auto d = std::move(done_);
    done_ = nullptr;
    d(tracker_.results());
}

}  // namespace lettre::mx::detail
