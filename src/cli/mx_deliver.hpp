// `lettre send --mx`: direct delivery to the recipients' MX hosts, one line
// per recipient. The target type lives here; deliver.cpp dispatches to it.
#pragma once

#include "exit_code.hpp"
#include "io_files.hpp"

#include <lettre/transport/mx_transport.hpp>

namespace lettre::cli {

struct mx_target {
    lettre::mx::config config;
};

struct raw_message;

/// Prints `delivered  bob@example.org  mx.example.org [192.0.2.1]  250 ...`
/// (or `temporary failure` / `permanent failure` with the reason) for each
/// recipient. 0 when everyone got it, 75 when every failure was temporary,
/// 69 otherwise.
exit_code deliver_mx(const mx_target& target, const lettre::message* msg, const raw_message* raw,
                     const cli_streams& io);

}  // namespace lettre::cli
