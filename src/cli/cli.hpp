// The tool's entry point without the process around it: arguments in, exit
// status out, every byte through the given streams.
#pragma once

#include "io_files.hpp"

#include <span>
#include <string_view>

namespace lettre::cli {

/// `args` are the arguments after the program name.
int run(std::span<const std::string_view> args, const cli_streams& io);

}  // namespace lettre::cli
