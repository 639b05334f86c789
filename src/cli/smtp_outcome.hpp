// The CLI's exit-status rule for a failed SMTP send (75 or 69), kept as the
// tool has always applied it: the server's 4xx/5xx reply decides when there
// is one (e.g. recipients refused with a mix of 4xx and 5xx, whose code,
// no_recipient_accepted, is permanent, exit 75 when the last reply was a 4xx);
// otherwise lettre::condition does.
#pragma once

#include <lettre/error.hpp>
#include <lettre/smtp/response.hpp>

namespace lettre::cli {

inline bool retry_may_help(const lettre::smtp::diagnostics& d) noexcept {
    if (!d.error) return false;
    if (d.server_reply && (d.server_reply->transient() || d.server_reply->permanent()))
        return d.server_reply->transient();
    return d.error == lettre::condition::transient;
}

}  // namespace lettre::cli
