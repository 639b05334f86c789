#include "each_to.hpp"
#include "each_to_lines.hpp"
#include "smtp_outcome.hpp"

#include "cli_error.hpp"

#include <lettre/message/envelope.hpp>
#include <lettre/smtp/async_transport.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <ostream>
#include <string_view>
#include <system_error>
#include <utility>

namespace lettre::cli {
namespace {

constexpr option_spec each_to_spec{"each-to", '\0', true, false};
constexpr std::array<option_spec, 3> specs{{
    each_to_spec,
    {"connections", '\0', true, false},
    {"failed-out", '\0', true, false},
}};

/// Sends in flight per pooled connection: one on the wire, one ready.
constexpr std::size_t in_flight_per_connection = 2;
/// The progress bar is redrawn at most this often.
constexpr std::chrono::milliseconds progress_interval{100};
constexpr std::size_t bar_width = 24;

/// Why one send failed, and what kind of failure it was.
struct failure {
    std::string reason;
    bool permanent = false;  ///< a retry will fail again (or the outcome is unknown)
};

failure describe_failure(const boost::system::error_code& ec,
                         const lettre::smtp::send_report& report) {
    const lettre::smtp::diagnostics& diag = report.diagnostics;
    const std::vector<lettre::smtp::recipient_result>& recipients =
        report.recipients.empty() ? diag.recipients : report.recipients;
    const auto refused =
        std::find_if(recipients.begin(), recipients.end(),
                     [](const lettre::smtp::recipient_result& r) { return !r.accepted(); });
    if (!ec || ec == lettre::errc::no_recipient_accepted ||
        ec == lettre::errc::recipients_deferred) {
        if (refused != recipients.end()) {
            return {printable(refused->reply.to_string()), !refused->reply.transient()};
        }
        if (!ec) return {};
    }
    lettre::smtp::diagnostics d = diag;
    if (!d.error) d.error = std::error_code(ec);
    const std::string why = d.message.empty() ? d.error.message() : d.message;
    if (d.error == lettre::errc::outcome_unknown) {
        return {"outcome unknown: " + printable(why), true};
    }
    if (d.server_reply) return {printable(d.server_reply->to_string()), !retry_may_help(d)};
    return {printable(why), !retry_may_help(d)};
}

class bulk_sender {
public:
    struct settings {
        std::size_t max_in_flight = 8;
        std::ostream* failed_out = nullptr;
        bool progress = false;
    };

    bulk_sender(boost::asio::io_context& ioc, lettre::async_smtp_transport& transport,
                address_lines& lines, const each_to_message& msg, settings s, const cli_streams& io)
        : transport_(transport),
          lines_(lines),
          msg_(msg),
          settings_(s),
          io_(io),
          timer_(ioc),
          start_(clock::now()) {}

    void start() {
        fill();
        if (settings_.progress) tick();
    }

    std::size_t sent() const noexcept { return sent_; }
    std::size_t failed() const noexcept { return failed_ + invalid_; }
    std::size_t invalid() const noexcept { return invalid_; }
    bool any_permanent() const noexcept { return permanent_; }
    std::size_t addresses() const noexcept { return sent_ + failed_ + invalid_; }
    double seconds() const noexcept { return std::chrono::duration<double>(end_ - start_).count(); }

private:
    using clock = std::chrono::steady_clock;

    /// Starts sends until the bound is reached or the file is done.
    void fill() {
        std::string line;
        while (in_flight_ < settings_.max_in_flight && !eof_) {
            if (!lines_.next(line)) {
                eof_ = true;
                break;
            }
            const std::string_view text = trim_address_line(line);
            if (text.empty() || text.front() == '#') continue;
            start_one(text);
        }
        finish_if_done();
    }

    void start_one(std::string_view text) {
        auto rcpt = lettre::mailbox::try_parse(text);
        if (!rcpt) {
            reject_line(text, rcpt.error().message);
            return;
        }
        std::shared_ptr<const std::string> bytes;
        if (msg_.per_recipient) {
            try {
                const lettre::message copy = msg_.per_recipient(*rcpt);
                bytes = std::make_shared<const std::string>(copy.formatted());
            } catch (const std::exception& e) {
                reject_line(text, e.what());
                return;
            }
        } else {
            bytes = msg_.bytes;
        }
        auto env = lettre::envelope::try_create(msg_.reverse_path, {rcpt->email()});
        if (!env) {
            reject_line(text, "invalid envelope: " + env.error().message);
            return;
        }
        ++in_flight_;
        transport_.async_send_raw(
            *env, std::move(bytes),
            [this, addr = rcpt->email().to_string()](boost::system::error_code ec,
                                                     lettre::smtp::send_report report) {
                --in_flight_;
                if (ec) {
                    record_failure(addr, describe_failure(ec, report));
                } else if (const failure f = describe_failure(ec, report); !f.reason.empty()) {
                    // Queued, yet the one recipient is listed as refused: a failure.
                    record_failure(addr, f);
                } else {
                    ++sent_;
                }
                fill();
            });
    }

    /// A line that is not an address (or whose copy could not be built).
    void reject_line(std::string_view text, const std::string& why) {
        ++invalid_;
        clear_bar();
        io_.err << "lettre: --each-to " << lines_.label() << " line " << lines_.number() << ": "
                << in_quotes(text) << ": " << printable(why) << " (skipped)\n";
        if (settings_.failed_out) {
            *settings_.failed_out << printable(text) << "\tline " << lines_.number() << ": "
                                  << printable(why) << '\n';
        }
    }

    void record_failure(const std::string& addr, const failure& f) {
        ++failed_;
        if (f.permanent) permanent_ = true;
        clear_bar();
        io_.err << "lettre: not sent to " << printable(addr) << ": " << f.reason << '\n';
        if (settings_.failed_out)
            *settings_.failed_out << printable(addr) << '\t' << f.reason << '\n';
    }

    void finish_if_done() {
        if (!eof_ || in_flight_ != 0 || done_) return;
        done_ = true;
        end_ = clock::now();
        timer_.cancel();
        clear_bar();
        transport_.shutdown();  // QUIT the idle connections
    }

    void tick() {
        if (done_) return;
        draw_bar();
        timer_.expires_after(progress_interval);
        timer_.async_wait([this](boost::system::error_code ec) {
            if (!ec) tick();
        });
    }

    void draw_bar() {
        const double elapsed = std::chrono::duration<double>(clock::now() - start_).count();
        const double rate = elapsed > 0 ? static_cast<double>(sent_) / elapsed : 0.0;
        std::string line = "\r\033[K";
        const double fraction = lines_.fraction();
        if (fraction >= 0) {
            const auto filled = static_cast<std::size_t>(fraction * bar_width);
            line += '[';
            line.append(filled, '#');
            line.append(bar_width - filled, '.');
            line += "] ";
            std::array<char, 16> pct{};
            std::snprintf(pct.data(), pct.size(), "%3.0f%% ", fraction * 100);
            line += pct.data();
        }
        std::array<char, 96> buf{};
        std::snprintf(buf.data(), buf.size(), "sent %zu, failed %zu, %.0f msg/s", sent_,
                      failed_ + invalid_, rate);
        line += buf.data();
        io_.err << line;
        io_.err.flush();
        bar_shown_ = true;
    }

    void clear_bar() {
        if (!bar_shown_) return;
        io_.err << "\r\033[K";
        bar_shown_ = false;
    }

    lettre::async_smtp_transport& transport_;
    address_lines& lines_;
    const each_to_message& msg_;
    settings settings_;
    const cli_streams& io_;
    boost::asio::steady_timer timer_;
    clock::time_point start_, end_;
    std::size_t in_flight_ = 0;
    std::size_t sent_ = 0, failed_ = 0, invalid_ = 0;
    bool permanent_ = false;
    bool eof_ = false;
    bool done_ = false;
    bool bar_shown_ = false;
};

}  // namespace

std::span<const option_spec> each_to_option_specs() noexcept {
    return specs;
}

bool is_each_to_option(const option_spec& spec) noexcept {
    return std::any_of(specs.begin(), specs.end(),
                       [&](const option_spec& s) { return s.name == spec.name; });
}

void apply_each_to_option(each_to_options& opts, const parsed_option& opt) {
    const std::string_view name = opt.spec->name;
    if (name == each_to_spec.name) {
        opts.file = opt.value;
        return;
    }
    if (!opts.first_dependent) opts.first_dependent = opt.spelling;
    if (name == "connections") {
        opts.connections = opt.value;
    } else if (name == "failed-out") {
        opts.failed_out = opt.value;
    }
}

std::size_t parse_connections(const each_to_options& opts) {
    if (!opts.connections) return default_each_to_connections;
    const std::string& text = *opts.connections;
    std::size_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || text.front() == '+' || ec != std::errc() || ptr != end || value < 1 ||
        value > max_each_to_connections) {
        throw usage_error("--connections takes a whole number from 1 to " +
                          std::to_string(max_each_to_connections) + ", got " + in_quotes(text));
    }
    return value;
}

exit_code deliver_each_to(const each_to_options& opts, lettre::smtp::transport_config config,
                          bool trace, const each_to_message& msg, const cli_streams& io) {
    const std::size_t connections = parse_connections(opts);
    address_lines lines(*opts.file, io.in);

    std::ofstream failed_file;
    if (opts.failed_out) {
        failed_file.open(*opts.failed_out, std::ios::binary | std::ios::trunc);
        if (!failed_file) {
            throw cli_error(exit_code::failure,
                            "--failed-out " + in_quotes(*opts.failed_out) + ": cannot write");
        }
    }

    config.pool.enabled = true;
    config.pool.max_connections = connections;
    lettre::smtp_transport_builder builder(std::move(config));
    if (trace) {
        builder.trace([&err = io.err](lettre::smtp::trace_direction d, std::string_view line) {
            err << (d == lettre::smtp::trace_direction::sent ? "C: " : "S: ") << printable(line)
                << '\n';
        });
    }

    boost::asio::io_context ioc(1);
    lettre::async_smtp_transport transport = builder.build(ioc.get_executor());
    bulk_sender::settings s;
    s.max_in_flight = connections * in_flight_per_connection;
    s.failed_out = opts.failed_out ? &failed_file : nullptr;
    s.progress = &io.err == &std::cerr && isatty(STDERR_FILENO) == 1 && !trace;
    bulk_sender sender(ioc, transport, lines, msg, s, io);
    sender.start();
    ioc.run();

    if (opts.failed_out) {
        failed_file.close();
        if (!failed_file) {
            throw cli_error(exit_code::failure,
                            "--failed-out " + in_quotes(*opts.failed_out) + ": write error");
        }
    }

    const double seconds = sender.seconds();
    const double rate = seconds > 0 ? static_cast<double>(sender.sent()) / seconds : 0.0;
    std::array<char, 128> summary{};
    std::snprintf(summary.data(), summary.size(), "sent %zu, failed %zu, in %.2f s (%.1f msg/s)\n",
                  sender.sent(), sender.failed(), seconds, rate);
    io.out << summary.data();

    if (lines.stopped()) throw cli_error(exit_code::data_error, *lines.stopped());
    if (sender.addresses() == 0) {
        io.err << "lettre: --each-to " << in_quotes(lines.label()) << " holds no address\n";
        return exit_code::data_error;
    }
    if (sender.any_permanent()) return exit_code::unavailable;
    if (sender.invalid() > 0) return exit_code::data_error;
    if (sender.failed() > 0) return exit_code::temporary_failure;
    return exit_code::ok;
}

}  // namespace lettre::cli
