// The CLI's exit-status rule for a failed SMTP send (75 or 69), kept as the
// tool has always applied it: the server's 4xx/5xx reply decides when there
// is one (a 454 to AUTH is "try later" even though the library's code for it,
// auth_failed, is permanent); otherwise lettre::condition does.
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
