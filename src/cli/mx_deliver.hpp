// `lettre send --mx`: direct delivery to the recipients' MX hosts, one line
// per recipient. The target type lives here; deliver.cpp dispatches to it.
#pragma once

#include "exit_code.hpp"
#include "io_files.hpp"

#include <lettre/transport/mx_transport.hpp>

#include <optional>
#include <string>

namespace lettre::cli {

struct mx_target {
    lettre::mx::config config;
    /// --tls-report FILE: the RFC 8460 reports of this run, written at the end.
    std::optional<std::string> tls_report;
    /// --trace: every session's dialogue on standard error, each line
    /// after its MX host and address.
    bool trace = false;
};

struct raw_message;

/// Prints `delivered  bob@example.org  mx.example.org [192.0.2.1]  TLS DANE  250 ...`
/// (or `temporary failure` / `permanent failure` with the reason) for each
/// recipient. 0 when everyone got it, 75 when every failure was temporary,
/// 69 otherwise (1 when the TLS report cannot be written).
exit_code deliver_mx(const mx_target& target, const lettre::message* msg, const raw_message* raw,
                     const cli_streams& io);

}  // namespace lettre::cli
