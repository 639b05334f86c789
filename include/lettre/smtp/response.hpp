// What a send tells the caller: per-recipient outcomes, the server's final
// reply, and on failure the diagnostics that keep the server's words.
#pragma once

#include <lettre/export.hpp>
#include <lettre/message/address.hpp>
#include <lettre/smtp/reply.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace lettre::smtp {

/// The SMTP step a reply or an error belongs to (also selects the timeout).
enum class phase {
    connect,
    tls_handshake,
    greeting,
    ehlo,
    starttls,
    auth,
    mail,
    rcpt,
    data,
    data_transfer,
    data_final,
    rset,
    noop,
    quit
};

/// A short name for messages, e.g. "connect", "TLS handshake", "EHLO".
LETTRE_EXPORT std::string_view phase_name(phase p) noexcept;

/// What the server answered to one RCPT TO.
struct recipient_result {
    address recipient;  ///< the envelope recipient
    smtp::reply reply;  ///< the reply to its RCPT TO
    bool accepted() const noexcept { return reply.positive_completion(); }  ///< a 2yz reply
};

/// Filled when an operation fails: where, what the server said, and what
/// happened to each recipient so far.
struct diagnostics {
    smtp::phase phase = smtp::phase::connect;  ///< the step that failed
    /// What the operation failed with; `error == lettre::condition::transient`
    /// says whether to retry later.
    std::error_code error;
    std::optional<smtp::reply> server_reply;   ///< the reply that failed it, if any
    std::vector<recipient_result> recipients;  ///< each recipient's outcome so far
    std::string message;                       ///< a sentence for humans
    void clear() { *this = diagnostics{}; }    ///< back to the default state
};

/// A message the server took responsibility for (final reply 250). Some
/// recipients may have been refused: look at refused().
struct send_report {
    smtp::reply final_reply;                   ///< the reply to the end of data
    std::vector<recipient_result> recipients;  ///< each recipient's outcome
    /// On failure: where, the server's reply, the recipients' outcomes.
    smtp::diagnostics diagnostics;

    /// The recipients the server accepted.
    std::vector<address> accepted() const {
        std::vector<address> out;
        for (const auto& r : recipients)
            if (r.accepted()) out.push_back(r.recipient);
        return out;
    }
    /// The recipients the server refused, with its replies.
    std::vector<recipient_result> refused() const {
        std::vector<recipient_result> out;
        for (const auto& r : recipients)
            if (!r.accepted()) out.push_back(r);
        return out;
    }
};

}  // namespace lettre::smtp
