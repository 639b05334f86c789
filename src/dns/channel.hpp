// One c-ares channel driven by an Asio executor. c-ares tells which sockets
// it wants to read or write (sock_state_cb); each is watched with a
// posix::stream_descriptor wait, and a steady_timer follows ares_timeout.
// Everything runs on one strand: a c-ares 1.18 channel is not thread-safe.
// Internal.
#pragma once

#include <lettre/dns/async_resolver.hpp>

#include "dns/answer_parser.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

struct ares_channeldata;

namespace lettre::dns::detail {

/// Receives the raw answer (empty on error). Called on the strand, from
/// inside c-ares: it must not call back into the channel synchronously.
using answer_handler =
    std::function<void(boost::system::error_code, std::vector<std::uint8_t> answer)>;

class channel : public std::enable_shared_from_this<channel> {
public:
    using strand_type = boost::asio::strand<boost::asio::any_io_executor>;

    /// With `dnssec`, c-ares is told the EDNS0 UDP size of our hand-built
    /// queries (send()), so that it accepts UDP answers up to that size
    /// instead of retrying every answer over 512 octets over TCP. Such a
    /// channel is only used through send(): c-ares would add its own OPT
    /// record to query()'s questions.
    channel(boost::asio::any_io_executor ex, const resolver_config& cfg, bool dnssec = false);
    ~channel();
    channel(const channel&) = delete;
    channel& operator=(const channel&) = delete;

    /// Why the channel could not be made (bad server list...); empty if fine.
    const error_info& init_error() const noexcept { return init_error_; }
    bool ok() const noexcept { return ch_ != nullptr; }

    const strand_type& strand() const noexcept { return strand_; }

    /// On the strand only.
    void query(const std::string& name, rr_type type, answer_handler h);
    /// Sends a query built by build_dnssec_query() (ares_send: as it is),
    /// after setting its ID to a fresh random one that no pending query of
    /// this channel uses. On the strand only.
    void send(std::vector<std::uint8_t> query, answer_handler h);
    /// Whether the AD bit of this channel's servers is believed
    /// (resolver_config::trust_ad applied to c-ares's server list).
    bool ad_trusted() const noexcept { return ad_trusted_; }
    /// Every pending query completes with operation_aborted. On the strand only.
    void cancel_all();

private:
    struct watcher;
    struct pending_query;
    struct abandon_guard;

    /// The io_context is being destroyed (a wait of ours was dropped
    /// uncalled): drops every pending answer handler. They may own what
    /// owns this channel (a lookup's handler holding the resolver), a cycle
    /// through c-ares that Asio's shutdown could not break otherwise.
    void abandon() noexcept;

    static void on_sock_state(void* data, int fd, int readable, int writable);
    static void on_answer(void* arg, int status, int timeouts, unsigned char* abuf, int alen);
    void sock_state(int fd, bool readable, bool writable);
    /// Starts the waits c-ares asked for and sets the timer: after every call
    /// into c-ares.
    void arm();
    void wait(const std::shared_ptr<watcher>& w, bool for_write);
    /// Registers `h` and returns the argument for c-ares's callback.
    pending_query* track(answer_handler h);
    std::uint16_t fresh_id();
    /// The addresses c-ares will ask (after the configuration and
    /// /etc/resolv.conf were read).
    std::vector<ip_address> server_addresses() const;

    strand_type strand_;
    boost::asio::steady_timer timer_;
    ares_channeldata* ch_ = nullptr;
    error_info init_error_;
    std::map<int, std::shared_ptr<watcher>> watchers_;
    /// The handlers of the queries c-ares holds, by id: c-ares gets only
    /// the id, so that abandon() can drop them.
    std::map<std::uint64_t, answer_handler> handlers_;
    std::uint64_t next_id_ = 0;
    std::size_t pending_ = 0;
    bool ad_trusted_ = false;
    /// The DNS IDs of send()'s pending queries (c-ares 1.18's ares_send keeps
    /// the ID it is given).
    std::set<std::uint16_t> ids_;
    /// The IDs are the only defence of a UDP query against a spoofed
    /// answer: drawn from the system's CSPRNG, not a seeded generator.
    std::random_device random_;
};

}  // namespace lettre::dns::detail
