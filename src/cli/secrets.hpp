// Checks on the secrets the tool is given (a password from --password-file
// or LETTRE_PASSWORD, a private key file) and on the process that holds
// them. The decisions and their reasons: docs/security.md, "Decisions on
// careless input".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lettre::cli {

/// Refuses (status 65, naming `source`, never the secret) a password with a
/// NUL (SASL PLAIN would cut or inject a field) or a CR or LF in it (left
/// over from a file or a variable written on Windows: the server would see
/// a password the user never typed).
void check_password(std::string_view source, const std::string& password);

/// A warning (without "lettre: warning: ") when the secret file `path` can
/// be read by other users (group or world read bit), nullopt otherwise or
/// when it cannot be examined (reading it reports that). Not a refusal:
/// secrets mounted by CI systems and containers are often 0644.
std::optional<std::string> readable_by_others(std::string_view option, const std::string& path);

/// Makes the process non-dumpable (prctl PR_SET_DUMPABLE 0): no core file
/// holding a password or key, no ptrace attach and no /proc/PID/environ or
/// /proc/PID/mem for other processes of the same user. Called at start-up.
void protect_process_memory() noexcept;

}  // namespace lettre::cli
