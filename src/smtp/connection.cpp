#include "smtp/connection.hpp"

#include "smtp/certificate_dates.hpp"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>

#include <algorithm>
#include <chrono>

namespace lettre::smtp::detail {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;

std::shared_ptr<ssl::context> make_tls_context(const tls_parameters& p, std::error_code& ec,
                                               std::string& why, bool used) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    error_code e;
    enable_session_collection(ctx->native_handle());
    // A plaintext transport still needs a context to build its streams, but
    // not the trust store: loading the system CAs costs ~20 ms.
    if (!used) return ctx;
    if (p.accept_invalid_certificates_dangerous) {
        ctx->set_verify_mode(ssl::verify_none);
    } else {
        ctx->set_verify_mode(ssl::verify_peer);
        if (p.ca_file) {
            ctx->load_verify_file(*p.ca_file, e);
            if (e) why = fmt::format("cannot load CA file {}: {}", *p.ca_file, e.message());
        }
        if (!e && p.ca_directory) {
            ctx->add_verify_path(*p.ca_directory, e);
            if (e)
                why = fmt::format("cannot use CA directory {}: {}", *p.ca_directory, e.message());
        }
        if (!e && !p.ca_file && !p.ca_directory) {
            ctx->set_default_verify_paths(e);
            if (e) why = fmt::format("cannot load the system CA store: {}", e.message());
        }
    }
    if (!e && p.client_certificate) {
        ctx->use_certificate_chain_file(*p.client_certificate, e);
        if (!e)
            ctx->use_private_key_file((p.client_key ? *p.client_key : *p.client_certificate),
                                      ssl::context::pem, e);
        if (e) why = fmt::format("cannot load the client certificate: {}", e.message());
    }
    if (e) {
        ec = make_error_code(errc::tls_failed);
        return nullptr;
    }
    return ctx;
}

connection::connection(asio::any_io_executor ex, const transport_config& cfg,
                       std::shared_ptr<ssl::context> tls)
    : ex_(ex),
      cfg_(cfg),
      tls_ctx_(std::move(tls)),
      resolver_(ex),
      resolve_timer_(ex),
      fsm_(cfg.client, cfg.tls.server_name.empty() ? cfg.host : cfg.tls.server_name, cfg.port) {}

void connection::use_session_cache(std::shared_ptr<tls_session_cache> cache) {
    if (!cache || !cfg_.tls.session_resumption || cfg_.client.tls == tls_mode::none_dangerous)
        return;
    resume_.assign(std::move(cache), session_key(cfg_),
                   !cfg_.tls.accept_invalid_certificates_dangerous);
}

namespace {

/// The QUIT after a refused session: the error is known already, so a
/// server that does not answer QUIT does not delay it by the full limit.
constexpr std::chrono::milliseconds quit_after_failure_limit{std::chrono::seconds(10)};

/// Verify results that trusting the right certificate (ca_file) fixes.
bool untrusted_issuer(long v) {
    switch (v) {
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_CERT_UNTRUSTED: return true;
        default: return false;
    }
}

/// What to do about a certificate OpenSSL refused.
std::string_view certificate_hint(long v) {
    if (untrusted_issuer(v))
        return "; if the server's certificate is self-signed or from a private CA, set tls "
               "ca_file (ca_file= in the URL) to it";
    switch (v) {
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return "; connect with a name the certificate lists, or set tls server_name to it";
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "; the server's certificate must be renewed (or this machine's clock is wrong)";
        default: return "";
    }
}

/// OpenSSL's reading of plaintext ("220 ...") as a TLS record.
bool plaintext_instead_of_tls(const error_code& ec) {
    if (ec.category() != asio::error::get_ssl_category()) return false;
    const auto reason = ERR_GET_REASON(static_cast<unsigned long>(ec.value()));
    return reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
           reason == SSL_R_UNKNOWN_PROTOCOL;
}

}  // namespace

void connection::arm(phase p) {
    auto limit = cfg_.timeouts.of(p);
    if (quit_after_ && p == phase::quit) limit = std::min(limit, quit_after_failure_limit);
    stream_->next_layer().expires_after(limit);
    armed_ = p;
    armed_replies_ = fsm_.replies_handled();
}

void connection::arm_for(const client::action& a) {
    // A deadline, not an idle timer: a server that sends its greeting a byte
    // a second must not keep the session alive forever. A new phase, each
    // command written, and each further reply awaited (pipelining) start one;
    // an AUTH exchange is one phase whatever its number of challenges.
    const bool new_phase = !armed_ || *armed_ != a.phase;
    const bool next_step =
        a.what == client::action::type::write ? true : fsm_.replies_handled() != armed_replies_;
    if (new_phase || (next_step && a.phase != phase::auth)) arm(a.phase);
}

std::string connection::tls_failure(error_code ec) {
    const std::string& name = cfg_.tls.server_name.empty() ? cfg_.host : cfg_.tls.server_name;
    const long verify = verify_result_;
    // "it expired on DATE": an old certificate or a wrong clock.
    std::string when = stream_ ? validity_note(stream_->native_handle(), verify) : std::string();
    if (dane_ && verify != X509_V_OK) return dane_failure(verify, when);
    if (!cfg_.tls.accept_invalid_certificates_dangerous && verify != X509_V_OK) {
        if (!when.empty()) when += "; ";
        return fmt::format(
            "the TLS certificate of {} was refused: {} ({}checked for the name {}){}", cfg_.host,
            X509_verify_cert_error_string(verify), when, name, certificate_hint(verify));
    }
    if (implicit_handshake_ && plaintext_instead_of_tls(ec))
        return fmt::format(
            "TLS handshake with {} port {} failed: the server did not answer with TLS ({}); for "
            "a STARTTLS port (587 or 25) use smtp://, not smtps://",
            cfg_.host, cfg_.port, ec.message());
    return fmt::format("TLS handshake with {} failed: {}", cfg_.host, ec.message());
}

bool connection::prepare_handshake() {
    const std::string& name = cfg_.tls.server_name.empty() ? cfg_.host : cfg_.tls.server_name;
    SSL* ssl = stream_->native_handle();
    // SNI, and the host name the certificate must match.
    // RFC 6066 §3: no SNI for an IP literal (the certificate check stays).
    error_code not_ip;
    asio::ip::make_address(name, not_ip);
    if (not_ip && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                           const_cast<char*>(name.c_str())) != 1) {
        diag_.message = "cannot set the TLS server name";
        return false;
    }
    // DANE sessions are not resumed: the key would have to hold the TLSA set.
    if (dane_) return prepare_dane(name);
    if (!resume_.attach(ssl)) {
        diag_.message = "cannot set up TLS session resumption";
        return false;
    }
    if (cfg_.tls.accept_invalid_certificates_dangerous) return true;
    // OpenSSL checks the name itself, so that a mismatch has its own
    // verify result (X509_V_ERR_HOSTNAME_MISMATCH) to report.
    const int set = not_ip ? SSL_set1_host(ssl, name.c_str())
                           : X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    if (set == 1) return true;
    diag_.message = fmt::format("cannot check the certificate for {}", name);
    return false;
}

void connection::trace_tls() {
    if (!cfg_.trace) return;
    SSL* ssl = stream_->native_handle();
    cfg_.trace(trace_direction::received,
               fmt::format("TLS {} {}{}", SSL_get_version(ssl), SSL_get_cipher_name(ssl),
                           resumed_ ? " (resumed)" : ""));
}

/// Commands of later sends pipelined behind this write: each line, a BDAT
/// chunk as its command and its size.
void connection::trace_followers(std::string_view bytes) {
    while (!bytes.empty()) {
        const std::size_t nl = bytes.find("\r\n");
        const std::string_view line = bytes.substr(0, nl);
        bytes = nl == std::string_view::npos ? std::string_view() : bytes.substr(nl + 2);
        cfg_.trace(trace_direction::sent, line);
        if (!line.starts_with("BDAT ")) continue;
        std::size_t n = 0;
        for (const char c : line.substr(5)) {
            if (c < '0' || c > '9') break;
            n = n * 10 + static_cast<std::size_t>(c - '0');
        }
        n = std::min(n, bytes.size());
        cfg_.trace(trace_direction::sent, fmt::format("<message: {} octets>", n));
        bytes.remove_prefix(n);
    }
}

void connection::trace_sent(const client::action& a, phase p) {
    if (!cfg_.trace) return;
    const std::string_view followers = fsm_.followers();
    // A write of later sends only (a place freed in the window).
    if (!followers.empty() && followers.data() == a.bytes.data()) return trace_followers(followers);
    trace_own(a, p, followers.size());
    trace_followers(followers);
}

void connection::trace_own(const client::action& a, phase p, std::size_t followers) {
    if (p == phase::data_transfer) {
        std::size_t octets = a.bytes.size() + a.more[0].size() + a.more[1].size() - followers;
        // A BDAT chunk: its command line, then the size of what follows it.
        if (a.bytes.starts_with("BDAT ")) {
            const std::size_t nl = a.bytes.find("\r\n");
            const std::string_view command = a.bytes.substr(0, nl);
            cfg_.trace(trace_direction::sent, command);
            octets -= std::min(octets, command.size() + 2);
        }
        cfg_.trace(trace_direction::sent, fmt::format("<message: {} octets>", octets));
        return;
    }
    std::string_view bytes = a.bytes;
    while (!bytes.empty()) {
        const std::size_t nl = bytes.find("\r\n");
        std::string_view line = bytes.substr(0, nl);
        bytes = nl == std::string_view::npos ? std::string_view() : bytes.substr(nl + 2);
        if (p == phase::auth) {
            // "AUTH PLAIN <secret>" keeps its mechanism; continuations are secrets.
            if (line.starts_with("AUTH ")) {
                const std::size_t sp = line.find(' ', 5);
                cfg_.trace(trace_direction::sent,
                           sp == std::string_view::npos
                               ? std::string(line)
                               : std::string(line.substr(0, sp)) + " <redacted>");
            } else {
                cfg_.trace(trace_direction::sent, "<redacted>");
            }
            continue;
        }
        cfg_.trace(trace_direction::sent, line);
    }
}

void connection::trace_received(std::string_view bytes) {
    if (!cfg_.trace) return;
    trace_partial_ += bytes;
    std::size_t start = 0;
    while (true) {
        const std::size_t nl = trace_partial_.find('\n', start);
        if (nl == std::string::npos) break;
        std::string_view line(trace_partial_.data() + start, nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        cfg_.trace(trace_direction::received, line);
        start = nl + 1;
    }
    trace_partial_.erase(0, start);
    if (trace_partial_.size() > 8192) trace_partial_.clear();  // a hostile endless line
}

void connection::complete(error_code ec) {
    opening_ = false;
    if (!pending_) return;
    // Take the handler out first: it may start the next operation inline.
    op_handler h(std::move(*pending_));
    pending_.reset();
    auto hex = asio::get_associated_executor(h, ex_);
    asio::dispatch(hex, [h = std::move(h), ec]() mutable { std::move(h)(ec); });
}

void connection::close() {
    open_ = false;
    // Sends queued in the window must not reach the closed socket.
    if (windowed_) fsm_.connection_lost();
    resolver_.cancel();
    resolve_timer_.cancel();
    if (stream_) {
        error_code ignored;
        stream_->next_layer().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        stream_->next_layer().close();
    }
}

void connection::async_open(op_handler h) {
    pending_.emplace(std::move(h));
    diag_.clear();
    if (cfg_.client.credentials) {
        // Refused before connecting: a NUL would cut or inject a SASL field.
        if (auto ok = check_credentials(*cfg_.client.credentials); !ok) {
            diag_.phase = phase::connect;
            diag_.message = ok.error().message;
            diag_.error = ok.error().code;
            // Posted: the caller's initiating function never completes inline.
            asio::post(ex_, [self = shared_from_this(), ec = error_code(ok.error().code)] {
                self->complete(ec);
            });
            return;
        }
    }
    stream_.emplace(asio::any_io_executor(ex_), *tls_ctx_);
    tls_ = false;
    resolve_timed_out_ = false;
    opening_ = true;
    implicit_handshake_ = false;
    armed_.reset();
    quit_after_.reset();
    if (cfg_.port == 465 && cfg_.client.tls != tls_mode::implicit) {
        // A server on 465 waits for a TLS ClientHello; a STARTTLS client
        // waits for its greeting: both would wait out the greeting timeout.
        diag_.phase = phase::connect;
        diag_.error = make_error_code(errc::tls_failed);
        diag_.message =
            "port 465 is implicit TLS (RFC 8314): use smtps:// (smtp_transport::relay), or the "
            "server's STARTTLS port (587) with smtp://";
        return asio::post(ex_, [self = shared_from_this()] {
            self->complete(make_error_code(errc::tls_failed));
        });
    }
    // A bad EHLO name (e.g. from the builder) fails before any connection.
    if (auto name_ok = check_hello_name(cfg_.client.hello_name); !name_ok) {
        diag_.phase = phase::connect;
        diag_.message = name_ok.error().message;
        diag_.error = name_ok.error().code;
        return asio::post(ex_, [self = shared_from_this(), ec = error_code(name_ok.error().code)] {
            self->complete(ec);
        });
    }
    // An IP literal needs no resolver (Asio's runs getaddrinfo on a thread).
    error_code not_ip;
    const auto ip = asio::ip::make_address(cfg_.host, not_ip);
    if (!not_ip) return connect({asio::ip::tcp::endpoint(ip, cfg_.port)});
    resolve_timer_.expires_after(cfg_.timeouts.resolve);
    resolve_timer_.async_wait([self = shared_from_this()](error_code ec) {
        if (!ec) {
            self->resolve_timed_out_ = true;
            self->resolver_.cancel();
        }
    });
    resolver_.async_resolve(cfg_.host, std::to_string(cfg_.port),
                            [self = shared_from_this()](error_code ec, auto results) {
                                self->resolve_timer_.cancel();
                                self->on_resolved(ec, std::move(results));
                            });
}

void connection::on_resolved(error_code ec, asio::ip::tcp::resolver::results_type results) {
    if (ec) {
        diag_.phase = phase::connect;
        diag_.message = resolve_timed_out_
                            ? fmt::format("resolving {} timed out", cfg_.host)
                            : fmt::format("cannot resolve {}: {}", cfg_.host, ec.message());
        diag_.error = resolve_timed_out_ ? make_error_code(errc::timeout) : std::error_code(ec);
        return complete(resolve_timed_out_ ? error_code(make_error_code(errc::timeout)) : ec);
    }
    std::vector<asio::ip::tcp::endpoint> endpoints;
    endpoints.reserve(results.size());
    for (const auto& r : results) endpoints.push_back(r.endpoint());
    connect(std::move(endpoints));
}

void connection::connect(std::vector<boost::asio::ip::tcp::endpoint> endpoints) {
    arm(phase::connect);
    endpoints_ = std::move(endpoints);
    stream_->next_layer().async_connect(endpoints_, [self = shared_from_this()](
                                                        error_code e,
                                                        const asio::ip::tcp::endpoint&) {
        if (e) return self->io_failed(e, phase::connect);
        self->open_ = true;
        // Every write is a whole group already (pipelining), and a group
        // written ahead beside a read (write_ahead) must not wait for the
        // ACK of the one before it: Nagle would cost a round trip there.
        error_code ignored;
        self->stream_->next_layer().socket().set_option(asio::ip::tcp::no_delay(true), ignored);
        if (self->cfg_.client.tls == tls_mode::implicit) {
            self->implicit_handshake_ = true;
            return self->drive({client::action::type::tls_handshake, {}, phase::tls_handshake, {}});
        }
        self->drive(self->fsm_.start_session(false));
    });
}

void connection::io_failed(error_code ec, phase p) {
    if (quit_after_) return finish_quit_after_failure();  // the QUIT is a courtesy
    if (tls_ && ec.category() == asio::error::get_ssl_category()) resume_.forget();
    const bool timed_out = ec == boost::beast::error::timeout;
    // In a window, a close() (a terminal cancellation of another send)
    // ends this send too: a lost connection for it.
    const bool closed =
        ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == ssl::error::stream_truncated ||
        (windowed_ && (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor));
    diag_ = fsm_.diagnostics();
    diag_.phase = p;
    diag_.recipients = fsm_.report().recipients;
    error_code out = ec;
    if (p == phase::data_final && (timed_out || closed || ec)) {
        // The final dot went out; the server may have taken the message.
        out = make_error_code(errc::outcome_unknown);
        diag_.message = fmt::format(
            "no reply after the end of data ({}); the server may or may not have accepted the "
            "message",
            timed_out ? "timed out" : ec.message());
    } else if (timed_out) {
        out = make_error_code(errc::timeout);
        diag_.message =
            fmt::format("{} timed out after {} ms", phase_name(p), cfg_.timeouts.of(p).count());
    } else if (closed) {
        out = make_error_code(errc::connection_closed);
        diag_.message = fmt::format("the server closed the connection during {}", phase_name(p));
    } else if (p == phase::tls_handshake) {
        out = make_error_code(errc::tls_failed);
        diag_.message = tls_failure(ec);
    } else {
        diag_.message = fmt::format("{} failed: {}", phase_name(p), ec.message());
    }
    diag_.error = out;
    close();
    if (windowed_) {
        fsm_.connection_lost();
        return finish_windowed(out);
    }
    complete(out);
}

void connection::drive(client::action a) {
    auto self = shared_from_this();
    switch (a.what) {
        case client::action::type::write:
            if (writing_ahead_) {
                deferred_write_ = a;
                return;
            }
            return start_write(a);
        case client::action::type::read:
            start_read(a);
            // A send queued during the last write may go out now.
            if (windowed_) write_ahead();
            return;
        case client::action::type::tls_handshake: {
            if (!prepare_handshake()) {
                close();
                return complete(make_error_code(errc::tls_failed));
            }
            arm(phase::tls_handshake);
            stream_->async_handshake(ssl::stream_base::client, [self](error_code ec) {
                SSL* ssl = self->stream_->native_handle();
                self->verify_result_ = SSL_get_verify_result(ssl);
                self->resumed_ = !ec && SSL_session_reused(ssl) == 1;
                if (ec) {
                    self->resume_.handshake_failed();
                    return self->io_failed(ec, phase::tls_handshake);
                }
                const bool implicit = self->implicit_handshake_;
                self->implicit_handshake_ = false;
                self->tls_ = true;
                self->trace_tls();
                if (implicit)
                    self->drive(self->fsm_.start_session(true));
                else
                    self->drive(self->fsm_.on_tls_established());
            });
            return;
        }
        case client::action::type::done:
            if (quit_after_) return finish_quit_after_failure();
            if (a.error) {
                diag_ = fsm_.diagnostics();
                diag_.error = a.error;
                if (fsm_.broken())
                    close();
                else if (opening_ && open_)
                    return quit_then_fail(a.error);
            }
            if (windowed_) return finish_windowed(a.error);
            return complete(a.error);
    }
}

void connection::start_write(client::action a) {
    arm_for(a);
    trace_sent(a, a.phase);
    auto done = [self = shared_from_this(), p = a.phase](error_code ec, std::size_t) {
        if (ec) return self->io_failed(ec, p);
        self->written_at_ = std::chrono::steady_clock::now();
        self->timing_reply_ = true;
        self->drive(self->fsm_.on_written());
    };
    const std::array<asio::const_buffer, 3> pieces{asio::buffer(a.bytes), asio::buffer(a.more[0]),
                                                   asio::buffer(a.more[1])};
    if (tls_)
        asio::async_write(*stream_, pieces, std::move(done));
    else
        asio::async_write(stream_->next_layer(), pieces, std::move(done));
}

void connection::start_read(client::action a) {
    arm_for(a);
    reading_ = true;
    auto done = [self = shared_from_this(), p = a.phase](error_code ec, std::size_t n) {
        self->reading_ = false;
        if (ec) return self->io_failed(ec, p);
        if (self->timing_reply_) {
            self->timing_reply_ = false;
            self->reply_latency_ = std::min(self->reply_latency_,
                                            std::chrono::steady_clock::now() - self->written_at_);
        }
        const std::string_view got(self->buf_.data(), n);
        self->trace_received(got);
        self->drive(self->fsm_.on_read(got));
    };
    if (tls_)
        stream_->async_read_some(asio::buffer(buf_), std::move(done));
    else
        stream_->next_layer().async_read_some(asio::buffer(buf_), std::move(done));
}

void connection::write_ahead() {
    if (!reading_ || writing_ahead_ || !usable()) return;
    if (reply_latency_ == std::chrono::steady_clock::duration::max() ||
        reply_latency_ < ahead_min_latency_)
        return;  // a near server: the send goes with the next write (see connection.hpp)
    const std::string_view bytes = fsm_.take_ahead();
    if (bytes.empty()) return;
    if (cfg_.trace) trace_followers(bytes);
    writing_ahead_ = true;
    auto done = [self = shared_from_this()](error_code ec, std::size_t) {
        self->ahead_written(ec);
    };
    if (tls_)
        asio::async_write(*stream_, asio::buffer(bytes), std::move(done));
    else
        asio::async_write(stream_->next_layer(), asio::buffer(bytes), std::move(done));
}

void connection::ahead_written(error_code ec) {
    writing_ahead_ = false;
    fsm_.on_ahead_written();
    std::optional<client::action> next = std::exchange(deferred_write_, std::nullopt);
    if (ec) {
        // The client's own write waited on this one: it fails the same way.
        if (next) return io_failed(ec, next->phase);
        // Otherwise the outstanding read reports the broken connection (a
        // timeout or a close() already reaches it).
        if (ec != asio::error::operation_aborted && ec != boost::beast::error::timeout) close();
        return;
    }
    if (next) return start_write(*next);
    write_ahead();  // sends queued meanwhile
}

void connection::quit_then_fail(error_code ec) {
    quit_after_ = refused_session{ec, diag_};
    drive(fsm_.start_quit());
}

void connection::finish_quit_after_failure() {
    auto refused = std::move(*quit_after_);
    quit_after_.reset();
    diag_ = std::move(refused.diag);
    close();
    complete(refused.ec);
}

void connection::async_send(const envelope& env, std::string_view bytes, bool smtputf8,
                            op_handler h) {
    pending_.emplace(std::move(h));
    diag_.clear();
    drive(fsm_.start_send(env, bytes, smtputf8));
}

std::uint64_t connection::async_send_windowed(const envelope& env, std::string_view bytes,
                                              bool smtputf8, windowed_send_handler h) {
    const std::uint64_t id = fsm_.queue_send(env, bytes, smtputf8);
    sends_.push_back({id, std::move(h)});
    if (windowed_) {
        // It goes out with the running transaction's next write, or now
        // beside its read when that transaction has nothing more to write.
        write_ahead();
        return id;
    }
    windowed_ = true;
    diag_.clear();
    drive(fsm_.start_next());
    return id;
}

bool connection::withdraw(std::uint64_t id) {
    if (!fsm_.withdraw(id)) return false;
    const auto it = std::find_if(sends_.begin(), sends_.end(),
                                 [id](const windowed_send& s) { return s.id == id; });
    windowed_send_handler h(std::move(it->handler));
    // Left in place, empty: erasing would move-assign the handlers behind
    // it, and Boost 1.81's any_completion_handler move-assignment wraps the
    // handler in another layer each time (deep recursion when it runs).
    it->id = 0;
    send_report report;
    report.diagnostics.phase = phase::mail;
    report.diagnostics.message =
        "cancelled while queued behind another send on its connection; nothing of it was sent";
    report.diagnostics.error = error_code(asio::error::operation_aborted);
    complete_windowed(std::move(h), asio::error::operation_aborted, std::move(report), true);
    return true;
}

void connection::complete_windowed(windowed_send_handler h, error_code ec, send_report report,
                                   bool abandoned) {
    auto hex = asio::get_associated_executor(h, ex_);
    asio::dispatch(hex, [h = std::move(h), ec, r = std::move(report), abandoned]() mutable {
        std::move(h)(ec, std::move(r), abandoned);
    });
}

void connection::finish_windowed(error_code ec) {
    send_report report = fsm_.report();
    if (ec) {
        report.diagnostics = diag_;
        if (report.diagnostics.recipients.empty())
            report.diagnostics.recipients = report.recipients;
    }
    windowed_send_handler h(std::move(sends_.front().handler));
    sends_.pop_front();
    // The places of withdrawn sends (see withdraw), once at the front.
    while (!sends_.empty() && sends_.front().id == 0) sends_.pop_front();
    // The handler may hand over the next send (inline, on this strand).
    complete_windowed(std::move(h), ec, std::move(report), fsm_.abandoned());
    if (sends_.empty()) {
        windowed_ = false;
        return;
    }
    diag_.clear();
    drive(fsm_.start_next());
}

void connection::async_rset(op_handler h) {
    pending_.emplace(std::move(h));
    drive(fsm_.start_rset());
}

void connection::async_noop(op_handler h) {
    pending_.emplace(std::move(h));
    drive(fsm_.start_noop());
}

void connection::async_quit(op_handler h) {
    pending_.emplace(std::move(h));
    drive(fsm_.start_quit());
}

}  // namespace lettre::smtp::detail
