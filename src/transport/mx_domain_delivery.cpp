#include "transport/mx_domain_delivery.hpp"

#include "smtp/connection.hpp"

#include <fmt/format.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>

namespace lettre::mx::detail {

namespace asio = boost::asio;
using boost::system::error_code;

domain_delivery::domain_delivery(std::shared_ptr<async_mx_transport::impl> owner,
                                 strand_type strand, std::shared_ptr<const outgoing> msg,
                                 domain_group group, std::function<void()> done)
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
        policy_ = {owner_->cfg.tls, true, {}};
        if (owner_->cfg.policy) policy_ = owner_->cfg.policy(domain_, host_, owner_->cfg.tls);
        addresses_ = {*literal};
        address_index_ = 0;
        return next_address();
    }
    owner_->resolver.async_resolve_mx(
        domain_, asio::bind_executor(strand_, [self = shared_from_this()](
                                                  error_code ec, std::vector<dns::mx_record> r) {
            self->on_mx(ec, std::move(r));
        }));
}

void domain_delivery::on_mx(const std::error_code& ec, std::vector<dns::mx_record> records) {
    auto d = decide(domain_, ec, std::move(records), owner_->cfg.max_hosts, owner_->rnd);
    switch (d.what) {
        case mx_decision::kind::fail:
            tracker_.fail_pending(
                d.permanent ? status::permanent_failure : status::transient_failure, d.error,
                d.message);
            return finish();
        case mx_decision::kind::implicit: implicit_ = true; [[fallthrough]];
        case mx_decision::kind::hosts: hosts_ = std::move(d.hosts); return next_host();
    }
}

void domain_delivery::next_host() {
    if (tracker_.done()) return finish();
    if (host_index_ >= hosts_.size()) {
        if (!attempted_) {
            // No host could even be tried.
            std::string message;
            bool permanent = !dns_transient_ && skipped_reason_.empty();
            if (!skipped_reason_.empty())
                message = fmt::format("no usable MX host for {}: {}", domain_, skipped_reason_);
            else if (implicit_)
                message = fmt::format("{} has no MX record and no address ({})", domain_,
                                      dns_error_.message());
            else
                message = fmt::format("no MX host of {} has an address (last: {})", domain_,
                                      dns_error_.message());
            tracker_.fail_pending(permanent ? status::permanent_failure : status::transient_failure,
                                  make_error_code(errc::no_mx_host), message);
        } else {
            tracker_.exhaust();
        }
        return finish();
    }
    host_ = hosts_[host_index_++].host;
    policy_ = {owner_->cfg.tls, true, {}};
    if (owner_->cfg.policy) policy_ = owner_->cfg.policy(domain_, host_, owner_->cfg.tls);
    if (!policy_.allowed) {
        skipped_reason_ = fmt::format("{} refused by policy{}{}", host_,
                                      policy_.reason.empty() ? "" : ": ", policy_.reason);
        return next_host();
    }
    resolve_host(owner_, strand_, host_, [self = shared_from_this()](host_addresses a) {
        self->on_addresses(std::move(a));
    });
}

void domain_delivery::on_addresses(host_addresses a) {
    if (a.addresses.empty()) {
        dns_error_ = a.error;
        if (dns::is_transient(a.error)) dns_transient_ = true;
        return next_host();
    }
    addresses_ = std::move(a.addresses);
    address_index_ = 0;
    next_address();
}

void domain_delivery::next_address() {
    if (tracker_.done()) return finish();
    if (address_index_ >= addresses_.size()) return next_host();
    ip_ = addresses_[address_index_++].to_string();
    attempted_ = true;

    const auto& cfg = owner_->cfg;
    const bool verified = policy_.tls == tls_policy::verified;
    if (verified && !owner_->tls_verify) {
        // The CA store could not be loaded: this host cannot be verified.
        smtp::send_report r;
        r.diagnostics.message = owner_->tls_why;
        r.diagnostics.phase = smtp::phase::tls_handshake;
        return after_attempt(owner_->tls_error, r);
    }
    conn_cfg_ = std::make_unique<smtp::transport_config>();
    conn_cfg_->host = ip_;
    conn_cfg_->port = cfg.port;
    conn_cfg_->client.hello_name = cfg.hello_name;
    conn_cfg_->client.tls = policy_.tls == tls_policy::opportunistic
                                ? smtp::tls_mode::starttls_opportunistic
                                : smtp::tls_mode::starttls_required;
    conn_cfg_->client.server_host = host_;
    conn_cfg_->client.server_port = cfg.port;
    conn_cfg_->tls = cfg.tls_parameters;
    // SNI and the name the certificate must match (the address for a literal).
    conn_cfg_->tls.server_name = host_.starts_with('[') ? ip_ : host_;
    conn_cfg_->tls.accept_invalid_certificates_dangerous = !verified;
    conn_cfg_->timeouts = cfg.timeouts;
    conn_cfg_->trace = cfg.trace;

    env_ = envelope::create(msg_->from, tracker_.pending());
    conn_ = std::make_shared<smtp::detail::connection>(
        asio::any_io_executor(strand_), *conn_cfg_,
        verified ? owner_->tls_verify : owner_->tls_opportunistic);
    conn_->async_open([self = shared_from_this()](error_code ec) {
        if (ec) {
            smtp::send_report r;
            r.diagnostics = self->conn_->diagnostics();
            self->conn_->close();
            return self->after_attempt(ec, r);
        }
        self->conn_->async_send(*self->env_, self->msg_->bytes, self->msg_->smtputf8,
                                [self](error_code e) {
                                    smtp::send_report r = self->conn_->fsm().report();
                                    if (e) {
                                        r.diagnostics = self->conn_->diagnostics();
                                        if (r.diagnostics.recipients.empty())
                                            r.diagnostics.recipients = r.recipients;
                                    }
                                    if (!self->conn_->usable()) {
                                        self->conn_->close();
                                        return self->after_attempt(e, r);
                                    }
                                    self->conn_->async_quit([self, e, r](error_code) {
                                        self->conn_->close();
                                        self->after_attempt(e, r);
                                    });
                                });
    });
}

void domain_delivery::after_attempt(const std::error_code& ec, const smtp::send_report& report) {
    // The connection (which refers to its config) may still be on the stack
    // that called us: release both only after it has returned.
    asio::post(strand_, [conn = std::move(conn_), cfg = std::move(conn_cfg_)] {});
    if (!tracker_.apply(host_, ip_, ec, report)) return finish();
    next_address();
}

void domain_delivery::finish() {
    if (!done_) return;
    auto d = std::move(done_);
    done_ = nullptr;
    d();
}

}  // namespace lettre::mx::detail
