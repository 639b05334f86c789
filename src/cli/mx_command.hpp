// `lettre mx DOMAIN`: the delivery plan of a domain (MX hosts in order with
// their preference and addresses), or why mail cannot go there.
#pragma once

#include "io_files.hpp"

#include <span>
#include <string>
#include <string_view>

namespace lettre::cli {

int run_mx(std::span<const std::string_view> args, const cli_streams& io);
std::string mx_help();

}  // namespace lettre::cli
