#include <lettre/dns/async_resolver.hpp>

#include "dns/answer_parser.hpp"
#include "dns/channel.hpp"
#include "dns/complete_later.hpp"
#include "dns/query_builder.hpp"
#include "message/idna.hpp"

#include <fmt/format.h>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <charconv>
#include <optional>

namespace lettre::dns {

namespace asio = boost::asio;
using boost::system::error_code;

// ---- helpers -------------------------------------------------------------

std::string tlsa_name(std::string_view host, std::uint16_t port) {
    return fmt::format("_{}._tcp.{}", port, host);
}

result<std::vector<std::string>> parse_servers(std::string_view csv) {
    std::vector<std::string> out;
    while (!csv.empty()) {
        const std::size_t comma = csv.find(',');
        std::string_view item = csv.substr(0, comma);
        csv = comma == std::string_view::npos ? std::string_view() : csv.substr(comma + 1);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        std::string_view host = item;
        std::string_view port;
        if (item.starts_with('[')) {
            const std::size_t close = item.find(']');
            if (close == std::string_view::npos)
                return make_error(errc::dns_failed, fmt::format("bad name server \"{}\"", item));
            host = item.substr(1, close - 1);
            const std::string_view rest = item.substr(close + 1);
            if (!rest.empty()) {
                if (rest.front() != ':')
                    return make_error(errc::dns_failed,
                                      fmt::format("bad name server \"{}\"", item));
                port = rest.substr(1);
            }
        } else if (std::count(item.begin(), item.end(), ':') == 1) {
            host = item.substr(0, item.find(':'));
            port = item.substr(item.find(':') + 1);
        }
        error_code ec;
        const auto addr = asio::ip::make_address(std::string(host), ec);
        if (ec)
            return make_error(errc::dns_failed,
                              fmt::format("bad name server \"{}\": not an IP address", item));
        if (!port.empty()) {
            unsigned value = 0;
            const auto [p, e] = std::from_chars(port.data(), port.data() + port.size(), value);
            if (e != std::errc() || p != port.data() + port.size() || value == 0 || value > 65535)
                return make_error(errc::dns_failed,
                                  fmt::format("bad name server port in \"{}\"", item));
        }
        // c-ares wants IPv6 with a port in brackets.
        if (addr.is_v6() && !port.empty())
            out.push_back(fmt::format("[{}]:{}", host, port));
        else
            out.push_back(std::string(item));
    }
    if (out.empty()) return make_error(errc::dns_failed, "no name server given");
    return out;
}

// ---- async resolver --------------------------------------------------------

namespace detail {
/// What an async_resolver and its pending lookups share.
struct async_resolver_state {
    asio::any_io_executor ex;
    resolver_config cfg;
    std::shared_ptr<detail::channel> ch;
    /// The DNSSEC-aware lookups' channel (EDNS0 on: see channel's constructor).
    std::shared_ptr<detail::channel> dnssec_ch;
};
}  // namespace detail

namespace {

template <class Record>
result<std::vector<Record>> parse(detail::rr_type t, detail::bytes msg);
template <>
result<std::vector<mx_record>> parse<mx_record>(detail::rr_type, detail::bytes m) {
    return detail::parse_mx(m);
}
template <>
result<std::vector<address_record>> parse<address_record>(detail::rr_type t, detail::bytes m) {
    return detail::parse_addresses(m, t);
}
template <>
result<std::vector<txt_record>> parse<txt_record>(detail::rr_type, detail::bytes m) {
    return detail::parse_txt(m);
}
template <>
result<std::vector<tlsa_record>> parse<tlsa_record>(detail::rr_type, detail::bytes m) {
    return detail::parse_tlsa(m);
}

/// One lookup completing with (error_code, Value): the handler, completed
/// once (by the answer or by a cancellation), always through a post.
template <class Value>
struct lookup_op : std::enable_shared_from_this<lookup_op<Value>> {
    asio::any_io_executor ex;
    // optional + emplace: Boost 1.81's any_completion_handler move-assignment recurses.
    std::optional<asio::any_completion_handler<void(error_code, Value)>> handler;
    std::optional<asio::any_completion_executor> work;  ///< the handler's, tracked
    bool done = false;

    /// On the channel's strand. The slot is cleared later, on the
    /// handler's executor (complete_later).
    void finish(error_code ec, Value value) {
        if (done) return;
        done = true;
        auto h(std::move(*handler));
        handler.reset();
        auto w = std::move(*work);
        work.reset();
        detail::complete_later(ex, std::move(w), std::move(h), ec, std::move(value));
    }
};

detail::rr_type type_of(int k) {
    switch (k) {
        case 0: return detail::rr_type::mx;
        case 1: return detail::rr_type::a;
        case 2: return detail::rr_type::aaaa;
        case 3: return detail::rr_type::txt;
        default: return detail::rr_type::tlsa;
    }
}

/// Names go to the wire in ASCII: non-ASCII ones become A-labels.
result<std::string> query_name(std::string name) {
    while (!name.empty() && name.back() == '.') name.pop_back();
    if (name.empty()) return make_error(errc::invalid_domain, "empty domain name");
    const bool ascii = std::all_of(name.begin(), name.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii) return name;
    return lettre::detail::domain_to_ascii(name, name);
}

/// The lookup's state, its cancellation slot wired to drop its answer.
template <class Value>
std::shared_ptr<lookup_op<Value>> make_op(const std::shared_ptr<detail::async_resolver_state>& im,
                                          const std::shared_ptr<detail::channel>& ch,
                                          asio::any_completion_handler<void(error_code, Value)> h) {
    auto op = std::make_shared<lookup_op<Value>>();
    op->ex = im->ex;
    op->handler.emplace(std::move(h));
    op->work.emplace(detail::track_work(*op->handler, im->ex));
    auto slot = asio::get_associated_cancellation_slot(*op->handler);
    if (slot.is_connected()) {
        std::weak_ptr<lookup_op<Value>> weak = op;
        slot.assign([weak, ch](asio::cancellation_type) {
            // c-ares 1.18 cannot cancel one query: drop its answer instead.
            asio::post(ch->strand(), [weak] {
                if (auto o = weak.lock()) o->finish(asio::error::operation_aborted, {});
            });
        });
    }
    return op;
}

template <class Record>
void start_lookup(const std::shared_ptr<detail::async_resolver_state>& im, int k, std::string name,
                  asio::any_completion_handler<signature<Record>> h) {
    auto ch = im->ch;
    auto op = make_op<std::vector<Record>>(im, ch, std::move(h));
    // Always start from the strand: nothing completes inside the initiation.
    asio::post(ch->strand(), [op, ch, k, name = std::move(name)]() mutable {
        if (op->done) return;
        if (!ch->ok()) return op->finish(error_code(ch->init_error().code), {});
        auto qname = query_name(std::move(name));
        if (!qname) return op->finish(error_code(qname.error().code), {});
        const auto type = type_of(k);
        ch->query(*qname, type, [op, type](error_code ec, std::vector<std::uint8_t> answer) {
            if (ec) return op->finish(ec, {});
            auto records = parse<Record>(type, answer);
            if (!records) return op->finish(error_code(records.error().code), {});
            op->finish({}, std::move(*records));
        });
    });
}

/// The rcode of a DNSSEC-aware answer as an error; empty for NOERROR and
/// NXDOMAIN, which are answers.
error_code rcode_error(const detail::response_meta& meta) {
    switch (meta.rcode) {
        case 0:
        case 3: return {};
        case 2: return error_code(make_error_code(errc::dns_servfail));
        case 5: return error_code(make_error_code(errc::dns_refused));
        default: return error_code(make_error_code(errc::dns_failed));
    }
}

/// A raw DNSSEC-aware answer as an answer<Record>. The AD bit counts only
/// from a trusted server (`trusted`, resolver_config::trust_ad).
template <class Record>
std::pair<error_code, answer<Record>> read_dnssec_answer(detail::rr_type type, detail::bytes msg,
                                                         bool trusted) {
    auto meta = detail::read_meta(msg);
    if (!meta) return {error_code(meta.error().code), {}};
    answer<Record> out;
    if (auto ec = rcode_error(*meta)) {
        out.bogus = meta->rcode == 2 && meta->ede && detail::is_dnssec_failure(*meta->ede);
        return {ec, std::move(out)};
    }
    out.security = meta->ad && trusted ? security::secure : security::insecure;
    out.nxdomain = meta->rcode == 3;
    if (out.nxdomain) return {{}, std::move(out)};
    auto records = parse<Record>(type, msg);
    if (!records) {
        // NODATA is an answer here: its security matters (DANE).
        if (records.error().code == errc::dns_nodata) return {{}, std::move(out)};
        return {error_code(records.error().code), {}};
    }
    out.records = std::move(*records);
    return {{}, std::move(out)};
}

template <class Record>
void start_dnssec_lookup(const std::shared_ptr<detail::async_resolver_state>& im, int k,
                         std::string name,
                         asio::any_completion_handler<answer_signature<Record>> h) {
    auto ch = im->dnssec_ch;
    auto op = make_op<answer<Record>>(im, ch, std::move(h));
    asio::post(ch->strand(), [op, ch, k, name = std::move(name)]() mutable {
        if (op->done) return;
        if (!ch->ok()) return op->finish(error_code(ch->init_error().code), {});
        auto qname = query_name(std::move(name));
        if (!qname) return op->finish(error_code(qname.error().code), {});
        const auto type = type_of(k);
        auto query = detail::build_dnssec_query(*qname, type, 0);
        if (!query) return op->finish(error_code(query.error().code), {});
        ch->send(std::move(*query), [op, ch, type](error_code ec, std::vector<std::uint8_t> msg) {
            if (ec) return op->finish(ec, {});
            auto [e, a] = read_dnssec_answer<Record>(type, msg, ch->ad_trusted());
            op->finish(e, std::move(a));
        });
    });
}

}  // namespace

async_resolver::async_resolver(asio::any_io_executor ex, resolver_config config)
    : impl_(std::make_shared<detail::async_resolver_state>()) {
    impl_->ex = ex;
    impl_->cfg = std::move(config);
    impl_->ch = std::make_shared<detail::channel>(ex, impl_->cfg);
    impl_->dnssec_ch = std::make_shared<detail::channel>(std::move(ex), impl_->cfg, true);
}

async_resolver::~async_resolver() {
    cancel();
}
async_resolver::async_resolver(async_resolver&&) noexcept = default;
async_resolver& async_resolver::operator=(async_resolver&& o) noexcept {
    if (this != &o) {
        cancel();
        impl_ = std::move(o.impl_);
    }
    return *this;
}

void async_resolver::cancel() {
    if (!impl_) return;
    asio::post(impl_->ch->strand(), [ch = impl_->ch] { ch->cancel_all(); });
    asio::post(impl_->dnssec_ch->strand(), [ch = impl_->dnssec_ch] { ch->cancel_all(); });
}

asio::any_io_executor async_resolver::get_executor() const noexcept {
    return impl_->ex;
}
const resolver_config& async_resolver::config() const noexcept {
    return impl_->cfg;
}

void async_resolver::start(kind k, std::string name,
                           asio::any_completion_handler<signature<mx_record>> h) {
    start_lookup<mx_record>(impl_, static_cast<int>(k), std::move(name), std::move(h));
}
void async_resolver::start(kind k, std::string name,
                           asio::any_completion_handler<signature<address_record>> h) {
    start_lookup<address_record>(impl_, static_cast<int>(k), std::move(name), std::move(h));
}
void async_resolver::start(kind k, std::string name,
                           asio::any_completion_handler<signature<txt_record>> h) {
    start_lookup<txt_record>(impl_, static_cast<int>(k), std::move(name), std::move(h));
}
void async_resolver::start(kind k, std::string name,
                           asio::any_completion_handler<signature<tlsa_record>> h) {
    start_lookup<tlsa_record>(impl_, static_cast<int>(k), std::move(name), std::move(h));
}

void async_resolver::start(kind k, std::string name,
                           asio::any_completion_handler<answer_signature<mx_record>> h) {
    start_dnssec_lookup<mx_record>(impl_, static_cast<int>(k), std::move(name), std::move(h));
}
void async_resolver::start(kind k, std::string name,
                           asio::any_completion_handler<answer_signature<address_record>> h) {
    start_dnssec_lookup<address_record>(impl_, static_cast<int>(k), std::move(name), std::move(h));
}
void async_resolver::start(kind k, std::string name,
                           asio::any_completion_handler<answer_signature<txt_record>> h) {
    start_dnssec_lookup<txt_record>(impl_, static_cast<int>(k), std::move(name), std::move(h));
}
void async_resolver::start(kind k, std::string name,
                           asio::any_completion_handler<answer_signature<tlsa_record>> h) {
    start_dnssec_lookup<tlsa_record>(impl_, static_cast<int>(k), std::move(name), std::move(h));
}

}  // namespace lettre::dns
