#include <lettre/transport/mx_transport.hpp>

#include "transport/mx_context.hpp"
#include "transport/mx_domain_delivery.hpp"

#include <fmt/format.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>

namespace lettre {

namespace asio = boost::asio;
using boost::system::error_code;

namespace mx {

std::string_view to_string(tls_policy p) noexcept {
    switch (p) {
        case tls_policy::opportunistic: return "opportunistic";
        case tls_policy::required: return "required";
        case tls_policy::verified: return "verified";
    }
    return "?";
}

std::optional<tls_policy> parse_tls_policy(std::string_view s) noexcept {
    if (s == "opportunistic") return tls_policy::opportunistic;
    if (s == "required") return tls_policy::required;
    if (s == "verified") return tls_policy::verified;
    return std::nullopt;
}

std::string_view to_string(status s) noexcept {
    switch (s) {
        case status::delivered: return "delivered";
        case status::transient_failure: return "transient failure";
        case status::permanent_failure: return "permanent failure";
    }
    return "?";
}

namespace {
std::string describe(std::error_code code, const report& r) {
    for (const auto& x : r.recipients)
        if (!x.delivered() && !x.message.empty())
            return fmt::format("{}: {}", x.recipient.to_string(), x.message);
    return code.message();
}
}  // namespace

delivery_error::delivery_error(std::error_code code, mx::report report)
    : lettre::error(error_info{code, describe(code, report)}), report_(std::move(report)) {}

}  // namespace mx

// ---- one send ----------------------------------------------------------------

namespace {

/// Delivers to every domain, at most max_concurrent_domains at a time, all
/// on one strand.
struct send_operation : std::enable_shared_from_this<send_operation> {
    std::shared_ptr<async_mx_transport::impl> owner;
    mx::detail::strand_type strand;
    std::shared_ptr<mx::detail::outgoing> msg;
    std::vector<address> order;  ///< envelope order, for the report
    std::vector<mx::detail::domain_group> groups;
    std::vector<std::shared_ptr<mx::detail::domain_delivery>> domains;
    std::size_t started = 0;
    std::size_t finished = 0;
    // optional + emplace: Boost 1.81's any_completion_handler move-assignment recurses.
    std::optional<asio::any_completion_handler<mx::send_signature>> handler;

    explicit send_operation(std::shared_ptr<async_mx_transport::impl> o)
        : owner(std::move(o)), strand(asio::make_strand(owner->ex)) {}

    void start() {
        const std::size_t bound = std::max<std::size_t>(1, owner->cfg.max_concurrent_domains);
        while (started < groups.size() && started - finished < bound) launch();
    }

    void launch() {
        const std::size_t i = started++;
        auto d = std::make_shared<mx::detail::domain_delivery>(
            owner, strand, msg, groups[i], [self = shared_from_this()] {
                // Not from inside the domain's own stack: post.
                asio::post(self->strand, [self] { self->domain_done(); });
            });
        domains.push_back(d);
        d->start();
    }

    void domain_done() {
        ++finished;
        if (finished == groups.size()) return complete();
        start();
    }

    void complete() {
        mx::report report;
        std::vector<mx::recipient_result> all;
        for (const auto& d : domains) {
            auto r = d->results();
            all.insert(all.end(), std::make_move_iterator(r.begin()),
                       std::make_move_iterator(r.end()));
        }
        for (const auto& a : order) {
            auto it = std::find_if(all.begin(), all.end(),
                                   [&](const mx::recipient_result& r) { return r.recipient == a; });
            if (it != all.end()) report.recipients.push_back(std::move(*it));
        }
        error_code ec;
        const bool any = std::any_of(report.recipients.begin(), report.recipients.end(),
                                     [](const mx::recipient_result& r) { return r.delivered(); });
        if (!any && !report.recipients.empty()) ec = report.recipients.front().error;
        if (!any && !ec) ec = make_error_code(errc::no_mx_host);
        domains.clear();
        finish(ec, std::move(report));
    }

    void finish(error_code ec, mx::report report) {
        auto h(std::move(*handler));
        handler.reset();
        auto hex = asio::get_associated_executor(h, owner->ex);
        // A lambda, not asio::append: Boost 1.81's any_completion_handler
        // recurses when it is copied from an lvalue.
        // Always called from the strand, never inside the initiation.
        asio::dispatch(hex, [h = std::move(h), ec, r = std::move(report)]() mutable {
            std::move(h)(ec, std::move(r));
        });
    }
};

/// The plan of one domain: MX lookup, then every host's addresses at once.
struct plan_operation : std::enable_shared_from_this<plan_operation> {
    std::shared_ptr<async_mx_transport::impl> owner;
    mx::detail::strand_type strand;
    mx::plan result;
    std::size_t left = 0;
    std::optional<asio::any_completion_handler<mx::plan_signature>> handler;

    explicit plan_operation(std::shared_ptr<async_mx_transport::impl> o)
        : owner(std::move(o)), strand(asio::make_strand(owner->ex)) {}

    void start() {
        if (auto literal = mx::detail::domain_literal(result.domain)) {
            result.hosts.push_back({result.domain, 0, {*literal}, {}});
            return finish();
        }
        owner->resolver.async_resolve_mx(
            result.domain,
            asio::bind_executor(
                strand, [self = shared_from_this()](error_code ec, std::vector<dns::mx_record> r) {
                    self->on_mx(ec, std::move(r));
                }));
    }

    void on_mx(error_code ec, std::vector<dns::mx_record> records) {
        auto d = mx::detail::decide(result.domain, ec, std::move(records), owner->cfg.max_hosts,
                                    owner->rnd);
        if (d.what == mx::detail::mx_decision::kind::fail) {
            result.error = d.error;
            result.permanent = d.permanent;
            result.message = d.message;
            return finish();
        }
        result.implicit_mx = d.what == mx::detail::mx_decision::kind::implicit;
        for (const auto& h : d.hosts) result.hosts.push_back({h.host, h.preference, {}, {}});
        left = result.hosts.size();
        for (std::size_t i = 0; i < result.hosts.size(); ++i)
            mx::detail::resolve_host(owner, strand, result.hosts[i].name,
                                     [self = shared_from_this(), i](mx::detail::host_addresses a) {
                                         self->result.hosts[i].addresses = std::move(a.addresses);
                                         self->result.hosts[i].error = a.error;
                                         if (--self->left == 0) self->after_hosts();
                                     });
    }

    void after_hosts() {
        const bool any =
            std::any_of(result.hosts.begin(), result.hosts.end(),
                        [](const mx::planned_host& h) { return !h.addresses.empty(); });
        if (!any) {
            bool transient = false;
            for (const auto& h : result.hosts) transient = transient || dns::is_transient(h.error);
            result.error = make_error_code(errc::no_mx_host);
            result.permanent = !transient;
            result.message = result.implicit_mx
                                 ? fmt::format("{} has no MX record and no address", result.domain)
                                 : fmt::format("no MX host of {} has an address", result.domain);
        }
        finish();
    }

    void finish() {
        auto h(std::move(*handler));
        handler.reset();
        auto hex = asio::get_associated_executor(h, owner->ex);
        const error_code ec(result.error);
        asio::dispatch(hex, [h = std::move(h), ec, r = std::move(result)]() mutable {
            std::move(h)(ec, std::move(r));
        });
    }
};

std::string lower_ascii(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return s;
}

}  // namespace

// ---- async transport ---------------------------------------------------------

async_mx_transport::async_mx_transport(asio::any_io_executor ex, mx::config config)
    : impl_(std::make_shared<impl>(std::move(ex), std::move(config))) {}

async_mx_transport::~async_mx_transport() = default;
async_mx_transport::async_mx_transport(async_mx_transport&&) noexcept = default;
async_mx_transport& async_mx_transport::operator=(async_mx_transport&&) noexcept = default;

asio::any_io_executor async_mx_transport::get_executor() const noexcept {
    return impl_->ex;
}
const mx::config& async_mx_transport::config() const noexcept {
    return impl_->cfg;
}

void async_mx_transport::start_send(envelope env, std::string bytes, bool smtputf8,
                                    asio::any_completion_handler<mx::send_signature> handler) {
    auto op = std::make_shared<send_operation>(impl_);
    op->handler.emplace(std::move(handler));
    op->msg = std::make_shared<mx::detail::outgoing>();
    op->msg->from = env.from();
    op->msg->bytes = std::move(bytes);
    op->msg->smtputf8 = smtputf8;
    op->order = env.to();
    op->groups = mx::detail::group_by_domain(env.to());
    // Start from the strand so that nothing completes inside async_send.
    asio::post(op->strand, [op] {
        if (op->groups.empty()) return op->finish(make_error_code(errc::missing_recipient), {});
        op->start();
    });
}

void async_mx_transport::start_plan(std::string domain,
                                    asio::any_completion_handler<mx::plan_signature> handler) {
    auto op = std::make_shared<plan_operation>(impl_);
    op->handler.emplace(std::move(handler));
    while (!domain.empty() && domain.back() == '.') domain.pop_back();
    op->result.domain = lower_ascii(std::move(domain));
    asio::post(op->strand, [op] { op->start(); });
}

// ---- blocking transport ------------------------------------------------------

mx_transport::mx_transport(mx::config config)
    : ioc_(std::make_unique<asio::io_context>(1)),
      async_(std::make_unique<async_mx_transport>(ioc_->get_executor(), std::move(config))) {}

mx_transport::~mx_transport() {
    async_.reset();
    ioc_->restart();
    ioc_->run();  // lets the resolver shut down on its own executor
}

const mx::config& mx_transport::config() const noexcept {
    return async_->config();
}

mx::report mx_transport::send_raw(const envelope& env, std::string_view bytes, error_code& ec) {
    std::lock_guard lock(mutex_);
    mx::report out;
    ioc_->restart();
    async_->async_send_raw(env, std::string(bytes), false, [&](error_code e, mx::report r) {
        ec = e;
        out = std::move(r);
    });
    ioc_->run();
    return out;
}

mx::report mx_transport::send(const message& msg, error_code& ec) {
    std::lock_guard lock(mutex_);
    mx::report out;
    ioc_->restart();
    async_->async_send(msg, [&](error_code e, mx::report r) {
        ec = e;
        out = std::move(r);
    });
    ioc_->run();
    return out;
}

mx::report mx_transport::send(const message& msg) {
    error_code ec;
    auto r = send(msg, ec);
    if (ec) throw mx::delivery_error(ec, std::move(r));
    return r;
}

mx::plan mx_transport::plan(std::string_view domain) {
    std::lock_guard lock(mutex_);
    mx::plan out;
    ioc_->restart();
    async_->async_plan(domain, [&](error_code, mx::plan p) { out = std::move(p); });
    ioc_->run();
    return out;
}

}  // namespace lettre
