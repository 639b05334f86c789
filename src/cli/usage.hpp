// Help texts. global_help() documents every command and option and is the
// text the README quotes; keep both in step with the option tables.
#pragma once

#include <string>

namespace lettre::cli {

std::string global_help();
std::string compose_help();
std::string send_help();
/// `lettre dkim --help`, `lettre help dkim`: keygen and sign.
std::string dkim_help();
/// Two lines for `lettre` without a command.
std::string short_usage();

}  // namespace lettre::cli
