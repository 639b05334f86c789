// The HTTPS GET of an MTA-STS policy (RFC 8461 §3.3) with Boost.Beast:
// one operation object walking resolve -> connect -> TLS -> request ->
// header -> body, under one deadline timer for the whole fetch.
#include "transport/mta_sts_fetch.hpp"

#include <lettre/dns/async_resolver.hpp>

#include "detail/utf8.hpp"
#include "dns/ip_address_asio.hpp"

#include <fmt/format.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace lettre::mta_sts::detail {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace http = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t max_header_size = 8 * 1024;
constexpr std::string_view well_known_path = "/.well-known/mta-sts.txt";

bool is_host_name(std::string_view d) {
    if (d.empty() || d.size() > 240) return false;
    for (char c : d)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return false;
    return d.front() != '.' && d.find("..") == std::string_view::npos;
}

/// The media type of a Content-Type value, parameters (charset) left off.
std::string_view media_type(std::string_view v) {
    v = v.substr(0, v.find(';'));
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return v;
}

class fetch_op : public std::enable_shared_from_this<fetch_op> {
public:
    fetch_op(const fetch_context& ctx, std::string domain,
             asio::any_completion_handler<fetch_signature> handler)
        : ctx_(ctx),
          domain_(lettre::detail::to_lower_ascii(domain)),
          host_("mta-sts." + domain_),
          handler_(std::move(handler)),
          busy_(asio::make_work_guard(asio::get_associated_executor(handler_, ctx.ex))),
          resolver_(ctx.ex, ctx.dns),
          timer_(ctx.ex),
          stream_(ctx.ex, *ctx.tls) {}

    void start() {
        if (!is_host_name(domain_)) {
            auto self = shared_from_this();
            asio::post(ctx_.ex, [self] {
                self->complete(
                    make_error(errc::invalid_domain,
                               fmt::format("MTA-STS: {} is not a domain name (A-label form)",
                                           lettre::detail::quote_for_error(self->domain_))));
            });
            return;
        }
        timer_.expires_after(ctx_.timeout);
        timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (!ec) self->on_deadline();
        });
        resolve_a();
    }

private:
    void on_deadline() {
        timed_out_ = true;
        resolver_.cancel();
        error_code ignored;
        stream_.next_layer().close(ignored);
    }

    void resolve_a() {
        resolver_.async_resolve_a(
            host_, [self = shared_from_this()](error_code ec, std::vector<dns::address_record> r) {
                if (self->timed_out_) return self->fail_fetch("looking up its address", ec);
                for (const auto& a : r) self->addresses_.push_back(a.address);
                if (ec) self->dns_error_ = ec;
                self->resolve_aaaa();
            });
    }

    void resolve_aaaa() {
        resolver_.async_resolve_aaaa(
            host_, [self = shared_from_this()](error_code ec, std::vector<dns::address_record> r) {
                if (self->timed_out_) return self->fail_fetch("looking up its address", ec);
                for (const auto& a : r) self->addresses_.push_back(a.address);
                if (self->addresses_.empty())
                    return self->fail_fetch("looking up its address",
                                            self->dns_error_ ? self->dns_error_ : ec);
                self->connect_next();
            });
    }

    void connect_next() {
        if (next_address_ == addresses_.size()) return fail_fetch("connecting", connect_error_);
        const auto& a = addresses_[next_address_++];
        endpoint_ = tcp::endpoint(dns::detail::to_asio(a), ctx_.port);
        error_code ignored;
        stream_.next_layer().close(ignored);
        stream_.next_layer().async_connect(endpoint_, [self = shared_from_this()](error_code ec) {
            if (self->timed_out_) return self->fail_fetch("connecting", ec);
            if (ec) {
                self->connect_error_ = ec;
                return self->connect_next();
            }
            self->handshake();
        });
    }

    void handshake() {
        SSL* ssl = stream_.native_handle();
        // SNI and the name the certificate must carry: the policy host, never the address.
        if (SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(host_.c_str())) != 1 ||
            SSL_set1_host(ssl, host_.c_str()) != 1)
            return fail_fetch("setting up TLS", make_error_code(asio::error::invalid_argument));
        SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        stream_.async_handshake(
            ssl::stream_base::client, [self = shared_from_this()](error_code ec) {
                if (self->timed_out_ || !ec)
                    return ec ? self->fail_fetch("in the TLS handshake", ec) : self->send_request();
                self->tls_failed(ec);
            });
    }

    void tls_failed(const error_code& ec) {
        const long v = SSL_get_verify_result(stream_.native_handle());
        if (v == X509_V_OK) return fail_fetch("in the TLS handshake", ec);
        complete(make_error(errc::mta_sts_certificate_invalid,
                            fmt::format("MTA-STS policy host {} ({}): certificate not valid: {}",
                                        host_, where(), X509_verify_cert_error_string(v))));
    }

    void send_request() {
        request_.method(http::verb::get);
        request_.target(well_known_path);
        request_.version(11);
        request_.set(http::field::host, host_);
        request_.set(http::field::user_agent, "lettre");
        request_.set(http::field::connection, "close");
        http::async_write(stream_, request_,
                          [self = shared_from_this()](error_code ec, std::size_t) {
                              if (self->timed_out_ || ec)
                                  return self->fail_fetch("sending the request", ec);
                              self->read_header();
                          });
    }

    void read_header() {
        parser_.header_limit(max_header_size);
        parser_.body_limit(max_policy_size);
        http::async_read_header(stream_, buffer_, parser_,
                                [self = shared_from_this()](error_code ec, std::size_t) {
                                    if (self->too_big(ec)) return;
                                    if (self->timed_out_ || ec)
                                        return self->fail_fetch("reading the response", ec);
                                    self->check_header();
                                });
    }

    void check_header() {
        const auto& h = parser_.get();
        const unsigned status = h.result_int();
        if (status >= 300 && status < 400)
            return fail_http(
                fmt::format("HTTP {} redirect to {} refused (RFC 8461 §3.3)", status,
                            lettre::detail::quote_for_error(h[http::field::location])));
        if (status != 200) return fail_http(fmt::format("HTTP status {}, not 200", status));
        const auto type = media_type(h[http::field::content_type]);
        if (!lettre::detail::iequals(type, "text/plain"))
            return fail_http(fmt::format("Content-Type {}, not text/plain",
                                         lettre::detail::quote_for_error(type)));
        http::async_read(stream_, buffer_, parser_,
                         [self = shared_from_this()](error_code ec, std::size_t) {
                             if (self->too_big(ec)) return;
                             if (self->timed_out_ || ec)
                                 return self->fail_fetch("reading the policy", ec);
                             self->parse();
                         });
    }

    /// A Content-Length over the limit shows at the header, a body without
    /// one while reading it: the same refusal either way.
    bool too_big(const error_code& ec) {
        if (ec != http::error::body_limit || timed_out_) return false;
        fail_http(fmt::format("the policy is larger than {} bytes", max_policy_size));
        return true;
    }

    void parse() {
        auto p = parse_policy(parser_.get().body());
        if (!p) {
            auto e = std::move(p).error();
            e.message = fmt::format("{} (from https://{}{})", e.message, host_, well_known_path);
            return complete(std::move(e));
        }
        complete(std::move(p));
    }

    std::string where() const {
        if (!endpoint_.port()) return "no address";
        const auto ip = endpoint_.address().to_string();
        return endpoint_.address().is_v6() ? fmt::format("[{}]:{}", ip, endpoint_.port())
                                           : fmt::format("{}:{}", ip, endpoint_.port());
    }

    void fail_http(std::string why) {
        complete(make_error(errc::mta_sts_fetch_failed,
                            fmt::format("MTA-STS policy https://{}{} ({}): {}", host_,
                                        well_known_path, where(), why)));
    }

    void fail_fetch(std::string_view phase, const error_code& ec) {
        const std::string cause = timed_out_
                                      ? fmt::format("timed out after {} ms", ctx_.timeout.count())
                                      : (ec ? ec.message() : std::string("no address"));
        complete(make_error(errc::mta_sts_fetch_failed,
                            fmt::format("MTA-STS policy host {}: failed {} ({}): {}", host_, phase,
                                        where(), cause)));
    }

    void complete(result<policy> r) {
        if (done_) return;
        done_ = true;
        timer_.cancel();
        error_code ignored;
        stream_.next_layer().close(ignored);
        error_code ec;
        if (!r) ec = r.error().code;
        auto busy = std::move(busy_);
        asio::dispatch(busy.get_executor(),
                       [h = std::move(handler_), ec, r = std::move(r)]() mutable {
                           std::move(h)(ec, std::move(r));
                       });
    }

    fetch_context ctx_;
    std::string domain_;
    std::string host_;
    asio::any_completion_handler<fetch_signature> handler_;
    asio::executor_work_guard<asio::any_completion_executor> busy_;
    dns::async_resolver resolver_;
    asio::steady_timer timer_;
    ssl::stream<tcp::socket> stream_;
    std::vector<dns::ip_address> addresses_;
    std::size_t next_address_ = 0;
    tcp::endpoint endpoint_;
    error_code dns_error_;
    error_code connect_error_;
    http::request<http::empty_body> request_;
    http::response_parser<http::string_body> parser_;
    boost::beast::flat_buffer buffer_;
    bool timed_out_ = false;
    bool done_ = false;
};

}  // namespace

std::shared_ptr<ssl::context> make_fetch_tls_context(const std::optional<std::string>& ca_file) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    ctx->set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (ca_file)
        ctx->load_verify_file(*ca_file, ec);
    else
        ctx->set_default_verify_paths(ec);
    if (ec)
        throw error(make_error(
            errc::tls_failed,
            ca_file ? fmt::format("MTA-STS: cannot load CA file {}: {}", *ca_file, ec.message())
                    : fmt::format("MTA-STS: cannot load the system CA store: {}", ec.message())));
    return ctx;
}

void start_fetch(const fetch_context& ctx, std::string domain,
                 asio::any_completion_handler<fetch_signature> handler) {
    std::make_shared<fetch_op>(ctx, std::move(domain), std::move(handler))->start();
}

}  // namespace lettre::mta_sts::detail
