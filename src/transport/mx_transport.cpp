#include <lettre/transport/async_mx_transport.hpp>
#include <lettre/transport/mx_transport.hpp>

#include "detail/smtputf8.hpp"
#include "message/idna.hpp"
#include "transport/mx_context.hpp"
#include "transport/mx_domain_delivery.hpp"

#include <fmt/format.h>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/dispatch.hpp>
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
        case tls_policy::dane_only: return "dane-only";
    }
    return "?";
}

std::optional<tls_policy> parse_tls_policy(std::string_view s) noexcept {
    if (s == "opportunistic") return tls_policy::opportunistic;
    if (s == "required") return tls_policy::required;
    if (s == "verified") return tls_policy::verified;
    if (s == "dane-only") return tls_policy::dane_only;
    return std::nullopt;
}

std::string_view to_string(tls_protection p) noexcept {
    switch (p) {
        case tls_protection::none: return "plaintext";
        case tls_protection::opportunistic: return "TLS";
        case tls_protection::verified: return "TLS verified";
        case tls_protection::mta_sts: return "TLS MTA-STS";
        case tls_protection::dane: return "TLS DANE";
    }
    return "?";
}

std::string_view outcome(const recipient_result& r) noexcept {
    if (r.delivered()) return "delivered";
    return r.error == condition::permanent ? "permanent failure" : "transient failure";
}

namespace {
template <class Keep>
std::vector<recipient_result> those(const std::vector<recipient_result>& all, Keep keep) {
    std::vector<recipient_result> out;
    for (const auto& r : all)
        if (keep(r)) out.push_back(r);
    return out;
}
}  // namespace

std::vector<recipient_result> report::delivered() const {
    return those(recipients, [](const recipient_result& r) { return r.delivered(); });
}
std::vector<recipient_result> report::transient_failures() const {
    return those(recipients, [](const recipient_result& r) {
        return r.error == condition::transient || r.error == condition::outcome_unknown;
    });
}
std::vector<recipient_result> report::permanent_failures() const {
    return those(recipients,
                 [](const recipient_result& r) { return r.error == condition::permanent; });
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

/// Completes `h` with `args` on its associated executor, after clearing its
/// cancellation slot there (where the caller emits, so no race). `work`
/// kept the handler's executor busy meanwhile. Called from the
/// operation's strand, never inside the initiation.
template <class Handler, class Work, class... Args>
void complete_on_handler_executor(Handler h, Work work, Args... args) {
    asio::dispatch(std::move(work), [h = std::move(h), ... a = std::move(args)]() mutable {
        auto slot = asio::get_associated_cancellation_slot(h);
        if (slot.is_connected()) slot.clear();
        std::move(h)(std::move(a)...);
    });
}

/// Terminal or partial cancellation of `op`'s handler runs op->cancel() on
/// the operation's strand.
template <class Operation>
void connect_cancellation(const std::shared_ptr<Operation>& op) {
    auto slot = asio::get_associated_cancellation_slot(*op->handler);
    if (!slot.is_connected()) return;
    std::weak_ptr<Operation> weak = op;
    slot.assign([weak](asio::cancellation_type type) {
        if ((type & (asio::cancellation_type::terminal | asio::cancellation_type::partial)) ==
            asio::cancellation_type::none)
            return;
        if (auto o = weak.lock()) asio::post(o->strand, [o] { o->cancel(); });
    });
}

template <class Handler>
auto track_work(const Handler& h, const asio::any_io_executor& fallback) {
    return asio::prefer(asio::get_associated_executor(h, fallback),
                        asio::execution::outstanding_work.tracked);
}

/// Delivers to every domain, at most max_concurrent_domains at a time, all
/// on one strand. Terminal or partial cancellation stops it: domains not
/// started are not started, lookups are abandoned, sessions closed; what a
/// server already accepted stays delivered in the report, and the
/// operation completes with operation_aborted.
struct send_operation : std::enable_shared_from_this<send_operation> {
    std::shared_ptr<mx::detail::transport_context> owner;
    mx::detail::strand_type strand;
    std::shared_ptr<mx::detail::outgoing> msg;
    std::vector<address> order;  ///< envelope order, for the report
    std::vector<mx::detail::domain_group> groups;
    /// Weak: a domain is owned by its pending I/O (and owns us through its
    /// `done`), so that a destroyed io_context frees everything.
    std::vector<std::weak_ptr<mx::detail::domain_delivery>> domains;
    std::vector<std::vector<mx::recipient_result>> results;  ///< per group, once done
    std::size_t started = 0;
    std::size_t finished = 0;
    bool cancelled = false;
    // optional + emplace: Boost 1.81's any_completion_handler move-assignment recurses.
    std::optional<asio::any_completion_handler<mx::send_signature>> handler;
    std::optional<asio::any_completion_executor> work;  ///< the handler's, tracked

    explicit send_operation(std::shared_ptr<mx::detail::transport_context> o)
        : owner(std::move(o)), strand(asio::make_strand(owner->ex)) {}

    /// On the strand.
    void cancel() {
        if (cancelled || !handler) return;
        cancelled = true;
        // Each running domain finishes (domain_done) once it has stopped.
        for (const auto& w : domains)
            if (const auto d = w.lock()) d->cancel();
    }

    void start() {
        const std::size_t bound = std::max<std::size_t>(1, owner->cfg.max_concurrent_domains);
        while (started < groups.size() && started - finished < bound) launch();
    }

    void launch() {
        const std::size_t i = started++;
        auto d = std::make_shared<mx::detail::domain_delivery>(
            owner, strand, msg, groups[i],
            [self = shared_from_this(), i](std::vector<mx::recipient_result> r) {
                // Not from inside the domain's own stack: post.
                asio::post(self->strand, [self, i, r = std::move(r)]() mutable {
                    self->domain_done(i, std::move(r));
                });
            });
        domains.push_back(d);
        d->start();
    }

    void domain_done(std::size_t i, std::vector<mx::recipient_result> r) {
        results.resize(groups.size());
        results[i] = std::move(r);
        ++finished;
        if (finished == groups.size() || (cancelled && finished == started)) return complete();
        if (!cancelled) start();
    }

    void complete() {
        mx::report report;
        std::vector<mx::recipient_result> all;
        for (auto& r : results)
            all.insert(all.end(), std::make_move_iterator(r.begin()),
                       std::make_move_iterator(r.end()));
        // Cancelled: the domains never started.
        for (std::size_t i = started; i < groups.size(); ++i) {
            for (const auto& a : groups[i].recipients) {
                mx::recipient_result r;
                r.recipient = a;
                r.error = error_code(asio::error::operation_aborted);
                r.message =
                    fmt::format("delivery to {} cancelled before it started", groups[i].domain);
                all.push_back(std::move(r));
            }
        }
        for (const auto& a : order) {
            auto it = std::find_if(all.begin(), all.end(),
                                   [&](const mx::recipient_result& r) { return r.recipient == a; });
            if (it != all.end()) {
                report.recipients.push_back(std::move(*it));
                all.erase(it);
            }
        }
        error_code ec;
        const bool any = std::any_of(report.recipients.begin(), report.recipients.end(),
                                     [](const mx::recipient_result& r) { return r.delivered(); });
        if (!any && !report.recipients.empty()) ec = report.recipients.front().error;
        if (!any && !ec) ec = make_error_code(errc::no_mx_host);
        if (cancelled) ec = asio::error::operation_aborted;
        domains.clear();
        finish(ec, std::move(report));
    }

    void finish(error_code ec, mx::report report) {
        auto h(std::move(*handler));
        handler.reset();
        auto w = std::move(*work);
        work.reset();
        // A lambda, not asio::append: Boost 1.81's any_completion_handler
        // recurses when it is copied from an lvalue.
        // Always called from the strand, never inside the initiation.
        complete_on_handler_executor(std::move(h), std::move(w), ec, std::move(report));
    }
};

/// The plan of one domain: MX lookup, then every host's addresses at once.
struct plan_operation : std::enable_shared_from_this<plan_operation> {
    std::shared_ptr<mx::detail::transport_context> owner;
    mx::detail::strand_type strand;
    mx::plan result;
    std::size_t left = 0;
    std::optional<asio::any_completion_handler<mx::plan_signature>> handler;
    std::optional<asio::any_completion_executor> work;  ///< the handler's, tracked
    /// The lookups in flight: the MX query, then A and AAAA of every host.
    asio::cancellation_signal cancel_mx;
    std::vector<std::unique_ptr<asio::cancellation_signal>> cancel_hosts;
    bool cancelled = false;

    explicit plan_operation(std::shared_ptr<mx::detail::transport_context> o)
        : owner(std::move(o)), strand(asio::make_strand(owner->ex)) {}

    /// On the strand. The lookups complete with operation_aborted, and the
    /// plan with it once they all have.
    void cancel() {
        if (cancelled || !handler) return;
        cancelled = true;
        cancel_mx.emit(asio::cancellation_type::terminal);
        for (const auto& c : cancel_hosts) c->emit(asio::cancellation_type::terminal);
    }

    void start() {
        if (cancelled) return finish();
        if (auto literal = mx::detail::domain_literal(result.domain)) {
            result.hosts.push_back({result.domain, 0, {*literal}, {}});
            return finish();
        }
        owner->resolver.async_resolve_mx(
            result.domain,
            asio::bind_cancellation_slot(
                cancel_mx.slot(),
                asio::bind_executor(strand, [self = shared_from_this()](
                                                error_code ec, std::vector<dns::mx_record> r) {
                    self->on_mx(ec, std::move(r));
                })));
    }

    void on_mx(error_code ec, std::vector<dns::mx_record> records) {
        if (cancelled) return finish();
        auto d = mx::detail::decide(result.domain, ec, std::move(records), owner->cfg.max_hosts,
                                    owner->rnd);
        if (d.what == mx::detail::mx_decision::kind::fail) {
            result.error = d.error;  // agrees with the verdict (transient or permanent)
            result.message = d.message;
            return finish();
        }
        result.implicit_mx = d.what == mx::detail::mx_decision::kind::implicit;
        for (const auto& h : d.hosts) result.hosts.push_back({h.host, h.preference, {}, {}});
        left = result.hosts.size();
        for (std::size_t i = 0; i < 2 * result.hosts.size(); ++i)
            cancel_hosts.push_back(std::make_unique<asio::cancellation_signal>());
        for (std::size_t i = 0; i < result.hosts.size(); ++i)
            mx::detail::resolve_host(
                owner, strand, result.hosts[i].name,
                [self = shared_from_this(), i](mx::detail::host_addresses a) {
                    self->result.hosts[i].addresses = std::move(a.addresses);
                    self->result.hosts[i].error = a.error;
                    if (--self->left == 0) self->after_hosts();
                },
                cancel_hosts[2 * i]->slot(), cancel_hosts[2 * i + 1]->slot());
    }

    void after_hosts() {
        if (cancelled) return finish();
        const bool any =
            std::any_of(result.hosts.begin(), result.hosts.end(),
                        [](const mx::planned_host& h) { return !h.addresses.empty(); });
        if (!any) {
            bool transient = false;
            for (const auto& h : result.hosts)
                transient = transient || (h.error && !mx::detail::is_definitive(h.error));
            // no_mx_host is final; a failed lookup may succeed later.
            result.error = make_error_code(transient ? errc::delivery_deferred : errc::no_mx_host);
            result.message = result.implicit_mx
                                 ? fmt::format("{} has no MX record and no address", result.domain)
                                 : fmt::format("no MX host of {} has an address", result.domain);
        }
        finish();
    }

    void finish() {
        if (cancelled) {
            result.error = std::error_code(error_code(asio::error::operation_aborted));
            result.message = fmt::format("the plan for {} was cancelled", result.domain);
        }
        auto h(std::move(*handler));
        handler.reset();
        auto w = std::move(*work);
        work.reset();
        const error_code ec =
            cancelled ? error_code(asio::error::operation_aborted) : error_code(result.error);
        complete_on_handler_executor(std::move(h), std::move(w), ec, std::move(result));
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
    : impl_(std::make_shared<mx::detail::transport_context>(std::move(ex), std::move(config))) {}

async_mx_transport::~async_mx_transport() = default;
async_mx_transport::async_mx_transport(async_mx_transport&&) noexcept = default;
async_mx_transport& async_mx_transport::operator=(async_mx_transport&&) noexcept = default;

asio::any_io_executor async_mx_transport::get_executor() const noexcept {
    return impl_->ex;
}
const mx::config& async_mx_transport::config() const noexcept {
    return impl_->cfg;
}

void async_mx_transport::start_send(envelope env, std::string bytes,
                                    asio::any_completion_handler<mx::send_signature> handler) {
    auto op = std::make_shared<send_operation>(impl_);
    op->handler.emplace(std::move(handler));
    op->work.emplace(track_work(*op->handler, impl_->ex));
    connect_cancellation(op);
    op->msg = std::make_shared<mx::detail::outgoing>();
    op->msg->from = env.from();
    op->msg->smtputf8 = lettre::detail::needs_smtputf8(env, bytes);
    op->msg->bytes = std::move(bytes);
    op->order = env.to();
    op->groups = mx::detail::group_by_domain(env.to());
    // Start from the strand so that nothing completes inside async_send.
    asio::post(op->strand, [op] {
        if (op->groups.empty()) return op->finish(make_error_code(errc::missing_recipient), {});
        if (op->cancelled) return op->complete();
        op->start();
    });
}

void async_mx_transport::start_plan(std::string domain,
                                    asio::any_completion_handler<mx::plan_signature> handler) {
    auto op = std::make_shared<plan_operation>(impl_);
    op->handler.emplace(std::move(handler));
    op->work.emplace(track_work(*op->handler, impl_->ex));
    connect_cancellation(op);
    while (!domain.empty() && domain.back() == '.') domain.pop_back();
    // The plan names the domain in A-labels, as recipients' domains are.
    std::optional<error_info> bad;
    if (std::any_of(domain.begin(), domain.end(),
                    [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
        auto ascii = lettre::detail::domain_to_ascii(domain, domain);
        if (ascii)
            domain = std::move(*ascii);
        else
            bad = std::move(ascii).error();
    }
    op->result.domain = lower_ascii(std::move(domain));
    asio::post(op->strand, [op, bad = std::move(bad)] {
        if (bad) {
            op->result.error =
                mx::detail::agreeing_error(bad->code, condition::permanent, errc::invalid_domain);
            op->result.message = bad->message;
            return op->finish();
        }
        op->start();
    });
}

}  // namespace lettre
