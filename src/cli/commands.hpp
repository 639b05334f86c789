// The subcommands. Each takes the arguments after its name and returns the
// exit status; failures are thrown as cli_error and reported by run().
#pragma once

#include "io_files.hpp"

#include <span>
#include <string_view>

namespace lettre::cli {

int run_compose(std::span<const std::string_view> args, const cli_streams& io);
int run_send(std::span<const std::string_view> args, const cli_streams& io);
int run_dkim(std::span<const std::string_view> args, const cli_streams& io);

}  // namespace lettre::cli
