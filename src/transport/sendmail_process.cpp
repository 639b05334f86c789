#include "transport/sendmail_process.hpp"
#include "transport/sendmail_program.hpp"

#include <lettre/asio_error.hpp>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

#include <sys/wait.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <memory>
#include <optional>
#include <utility>

namespace lettre::detail {

namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;

namespace {

class sendmail_run : public std::enable_shared_from_this<sendmail_run> {
public:
    using strand_type = asio::strand<asio::any_io_executor>;

    sendmail_run(const asio::any_io_executor& ex, const sendmail_config& config, std::string bytes,
                 asio::any_completion_handler<sendmail_signature> handler)
        : strand_(asio::make_strand(ex)),
          config_(config),
          bytes_(std::move(bytes)),
          in_(strand_),
          out_(strand_),
          exit_(strand_),
          timer_(strand_) {
        handler_.emplace(std::move(handler));
        work_.emplace(asio::prefer(asio::get_associated_executor(*handler_, ex),
                                   asio::execution::outstanding_work.tracked));
    }

    sendmail_run(const sendmail_run&) = delete;
    sendmail_run& operator=(const sendmail_run&) = delete;

    ~sendmail_run() {
        // Abandoned (its io_context destroyed mid-run): no zombie left.
        if (pid_ > 0 && !exited_) {
            kill_sendmail_group(pid_);
            while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
            }
        }
    }

    void connect_cancellation() {
        auto slot = asio::get_associated_cancellation_slot(*handler_);
        if (!slot.is_connected()) return;
        std::weak_ptr<sendmail_run> weak = shared_from_this();
        slot.assign([weak](asio::cancellation_type) {
            if (auto self = weak.lock()) asio::post(self->strand_, [self] { self->cancel(); });
        });
    }

    /// Starts the program on the run's strand (so that nothing completes
    /// inside the initiating call), or completes with the refusal.
    void launch(result<sendmail_command> command) {
        asio::post(strand_, [self = shared_from_this(), command = std::move(command)] {
            if (command) return self->start(*command);
            self->report_.message = command.error().message;
            self->complete(error_code(command.error().code));
        });
    }

private:
    /// On the strand.
    void start(const sendmail_command& command) {
        if (cancelled_) return complete(asio::error::operation_aborted);
        auto child = spawn_sendmail(command);
        if (!child) {
            report_.message = child.error().message;
            return complete(error_code(child.error().code));
        }
        adopt(*child);
        if (sendmail_timeout_unlimited(config_.timeout)) return run();
        timer_.expires_after(config_.timeout);
        timer_.async_wait([self = shared_from_this()](error_code ec) {
            if (ec || self->exited_) return;
            self->timed_out_ = true;
            kill_sendmail_group(self->pid_);
        });
        run();
    }

    void run() {
        asio::async_write(in_, asio::buffer(bytes_),
                          [self = shared_from_this()](error_code, std::size_t n) {
                              // EPIPE or a reset: the program stopped reading;
                              // its exit status tells why.
                              self->written_ = n;
                              error_code ignored;
                              self->in_.close(ignored);
                              self->write_done_ = true;
                              self->maybe_finish();
                          });
        read_output();
        wait_exit();
    }

    void adopt(const sendmail_child& child) {
        pid_ = child.pid;
        in_.assign(asio::local::stream_protocol(), child.in);
        out_.assign(child.out);
        if (child.exit_fd >= 0) exit_.assign(child.exit_fd);
    }

    void read_output() {
        out_.async_read_some(
            asio::buffer(chunk_), [self = shared_from_this()](error_code ec, std::size_t n) {
                const std::size_t room = sendmail_max_output - self->report_.output.size();
                self->report_.output.append(self->chunk_.data(), std::min(n, room));
                if (!ec) return self->read_output();
                error_code ignored;
                self->out_.close(ignored);
                self->output_done_ = true;
                self->maybe_finish();
            });
    }

    void wait_exit() {
        if (exit_.is_open()) {
            exit_.async_wait(asio::posix::descriptor_base::wait_read,
                             [self = shared_from_this()](error_code) { self->try_reap(); });
            return;
        }
        // No pidfd (Linux before 5.3): look again shortly.
        timer_poll_.emplace(strand_);
        timer_poll_->expires_after(5ms);
        timer_poll_->async_wait([self = shared_from_this()](error_code) { self->try_reap(); });
    }

    void try_reap() {
        const sendmail_reap r = reap_sendmail(pid_, report_);
        if (r == sendmail_reap::running) return wait_exit();
        exited_ = true;
        status_unknown_ = r == sendmail_reap::status_lost;
        error_code ignored;
        exit_.close(ignored);
        if (!write_done_ || !output_done_) {
            // The program is gone, but something it started may still hold
            // its standard input or output open: wait a moment, not forever.
            timer_.expires_after(std::chrono::seconds(1));
            timer_.async_wait([self = shared_from_this()](error_code ec) {
                if (ec) return;
                error_code ignored_too;
                self->in_.cancel(ignored_too);
                self->out_.cancel(ignored_too);
            });
        }
        maybe_finish();
    }

    void cancel() {
        if (finished_ || cancelled_) return;
        cancelled_ = true;
        if (pid_ > 0 && !exited_) kill_sendmail_group(pid_);
    }

    void maybe_finish() {
        if (!write_done_ || !output_done_ || !exited_ || finished_) return;
        timer_.cancel();
        if (cancelled_) return complete(asio::error::operation_aborted);
        const std::error_code outcome =
            sendmail_outcome(report_, timed_out_, status_unknown_, written_ == bytes_.size());
        complete(outcome ? error_code(outcome) : error_code());
    }

    void complete(error_code ec) {
        finished_ = true;
        if (ec && report_.message.empty())
            report_.message =
                describe_sendmail_failure(config_.command, ec, report_, status_unknown_);
        auto h = std::move(*handler_);
        handler_.reset();
        auto w = std::move(*work_);
        work_.reset();
        asio::dispatch(std::move(w), [h = std::move(h), ec, r = std::move(report_)]() mutable {
            auto slot = asio::get_associated_cancellation_slot(h);
            if (slot.is_connected()) slot.clear();
            std::move(h)(ec, std::move(r));
        });
    }

    strand_type strand_;
    sendmail_config config_;
    std::string bytes_;
    asio::local::stream_protocol::socket in_;
    asio::posix::stream_descriptor out_;
    asio::posix::stream_descriptor exit_;
    asio::steady_timer timer_;
    std::optional<asio::steady_timer> timer_poll_;
    std::array<char, 4096> chunk_{};
    // optional + emplace: Boost 1.81's any_completion_handler move-assignment recurses.
    std::optional<asio::any_completion_handler<sendmail_signature>> handler_;
    std::optional<asio::any_completion_executor> work_;
    sendmail_report report_;
    pid_t pid_ = -1;
    std::size_t written_ = 0;
    bool write_done_ = false;
    bool output_done_ = false;
    bool exited_ = false;
    bool timed_out_ = false;
    bool status_unknown_ = false;
    bool cancelled_ = false;
    bool finished_ = false;
};

}  // namespace

void start_sendmail(asio::any_io_executor ex, const sendmail_config& config, const envelope& env,
                    std::string bytes, asio::any_completion_handler<sendmail_signature> handler) {
    std::string converted = sendmail_line_endings(std::move(bytes), config.crlf_line_endings);
    auto run = std::make_shared<sendmail_run>(ex, config, std::move(converted), std::move(handler));
    run->connect_cancellation();
    run->launch(prepare_sendmail(config, env));
}

}  // namespace lettre::detail
