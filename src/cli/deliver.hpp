// Where `lettre send` delivers and how. Each transport is one alternative
// of delivery_target with its own overload in deliver.cpp; `--mx` will add
// its own next to outbox_target and smtp_target.
#pragma once

#include "exit_code.hpp"
#include "io_files.hpp"
#include "mx_deliver.hpp"

#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>
#include <lettre/smtp/config.hpp>

#include <filesystem>
#include <string>
#include <variant>

namespace lettre::cli {

/// lettre::file_transport: `<id>.eml` plus `<id>.json` in a directory.
struct outbox_target {
    std::filesystem::path directory;
};

/// lettre::smtp_transport to one server (`--smtp URL` and its options).
struct smtp_target {
    lettre::smtp::transport_config config;
    /// Show the dialogue on stderr ("C: " / "S: " lines, AUTH redacted).
    bool trace = false;
};

/// lettre::sendmail_transport: the local mail system's sendmail program
/// (`--sendmail`, `--sendmail-program PROGRAM`).
struct sendmail_target {
    std::string program;
};

using delivery_target = std::variant<outbox_target, smtp_target, mx_target, sendmail_target>;

/// A ready-made message read from a file, with the envelope given by hand.
struct raw_message {
    lettre::envelope envelope;
    std::string bytes;
};

using outgoing_message = std::variant<lettre::message, raw_message>;

/// Delivers and tells on io.out what happened: the outbox files, or one line
/// per SMTP recipient and the server's final reply. Returns the exit status:
/// ok, or for SMTP temporary_failure (75) when every failure was transient
/// and unavailable (69) otherwise, with the reason on io.err. Outbox
/// failures are thrown as cli_error (status 1 unless the library says
/// otherwise).
exit_code deliver(const delivery_target& target, const outgoing_message& msg,
                  const cli_streams& io);

}  // namespace lettre::cli
