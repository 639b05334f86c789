// What the sans-io SMTP engine asks its driver to do next. Every algorithm
// (open_session, authenticate, transaction, simple_command) returns one;
// client::action names the same struct.
#pragma once

#include <lettre/smtp/response.hpp>

#include <array>
#include <string_view>
#include <system_error>

namespace lettre::smtp {

struct client_action {
    enum class type { write, read, tls_handshake, done };
    type what = type::done;
    std::string_view bytes;  ///< for write: valid until the next call
    smtp::phase phase = smtp::phase::greeting;
    std::error_code error;  ///< for done
    /// For write: more pieces to write after `bytes`, in order (a large
    /// message goes out from the caller's buffer, without a copy).
    std::array<std::string_view, 2> more{};
};

}  // namespace lettre::smtp
