// Finding the sendmail program and building its argument vector. Internal
// (the unit tests include it from src/ to check the exact argv).
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/transport/sendmail_transport.hpp>

#include <string>
#include <vector>

namespace lettre::detail {

/// The argument vector (argv[0] first) for one envelope.
LETTRE_EXPORT std::vector<std::string> sendmail_arguments(const sendmail_config& config,
                                                          const envelope& env);
/// The full path of `command` (see sendmail_config::command), or an error.
LETTRE_EXPORT result<std::string> find_sendmail_program(const std::string& command);

}  // namespace lettre::detail
