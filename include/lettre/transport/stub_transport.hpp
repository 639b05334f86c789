// A transport for your own unit tests: it sends nothing, records every
// message it is handed (envelope, exact bytes, and what it answered), and
// answers either success or an error you choose. Like StubTransport in the
// Rust crate. The async form is in async_stub_transport.hpp.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lettre {

/// A stub_transport is a handle: copies share one record and one answer, so
/// a test can hand a copy to the code under test and inspect the original.
/// `const` applies to the handle, not to the record (as with shared_ptr):
/// sends and clear() are const. Safe to use from several threads at once.
class LETTRE_EXPORT stub_transport {
public:
    /// One message handed to the transport.
    struct sent_message {
        envelope env;           ///< as given (a message's own envelope for send)
        std::string bytes;      ///< the exact bytes (message::formatted() for send)
        std::error_code error;  ///< what the send answered; empty for success
    };

    /// A stub that answers success to every send.
    stub_transport();
    /// A stub that answers `error` to every valid send (the throwing form
    /// throws lettre::error(error)). `error.code` must be set (else
    /// std::invalid_argument); an empty `error.message` gets a default one.
    static stub_transport failing(error_info error);
    /// Same, with a default message: `failing(lettre::errc::smtp_transient)`.
    static stub_transport failing(std::error_code code);

    stub_transport(const stub_transport&) = default;
    stub_transport& operator=(const stub_transport&) = default;
    // No move operations: a moved-from stub still shares the record.
    ~stub_transport() = default;

    /// Throws lettre::error when the stub fails or the message is refused.
    void send(const message& msg) const;
    /// Sets `ec` (cleared on success).
    void send(const message& msg, std::error_code& ec) const;
    result<void> try_send(const message& msg) const;

    /// Ready-made bytes plus an envelope.
    void send_raw(const envelope& env, std::string_view bytes) const;
    result<void> try_send_raw(const envelope& env, std::string_view bytes) const;

    /// Every message handed over so far, in order, including those answered
    /// with an error: an envelope without recipient is refused with
    /// errc::missing_recipient (checked before the configured answer), the
    /// others get the configured answer.
    std::vector<sent_message> messages() const;
    /// The most recent one, if any.
    std::optional<sent_message> last() const;
    /// How many messages were handed over.
    std::size_t size() const;
    /// Forgets the record (of every copy); the answer stays.
    void clear() const;

private:
    struct state;
    explicit stub_transport(std::shared_ptr<state> s);
    std::shared_ptr<state> state_;
};

}  // namespace lettre
