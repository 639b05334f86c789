// One run of the sendmail program on the caller's thread, with poll(): no
// Asio, no thread, no SIGCHLD handler. The blocking sendmail_transport.
#pragma once

#include <lettre/message/envelope.hpp>
#include <lettre/transport/sendmail_transport.hpp>

#include <string>
#include <system_error>
#include <utility>

namespace lettre::detail {

/// `bytes` by value: a formatted message is moved in, never copied. On
/// failure the report's message says what went wrong.
std::pair<std::error_code, sendmail_report> run_sendmail_blocking(const sendmail_config& config,
                                                                  const envelope& env,
                                                                  std::string bytes);

}  // namespace lettre::detail
