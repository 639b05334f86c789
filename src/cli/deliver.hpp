// Where `lettre send` delivers and how. Each transport is one alternative
// of delivery_target with its own overload in deliver.cpp; `--smtp URL` and
// `--mx` will add theirs next to outbox_target.
#pragma once

#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>

#include <filesystem>
#include <string>
#include <variant>

namespace lettre::cli {

/// lettre::file_transport: `<id>.eml` plus `<id>.json` in a directory.
struct outbox_target {
    std::filesystem::path directory;
};

using delivery_target = std::variant<outbox_target>;

/// A ready-made message read from a file, with the envelope given by hand.
struct raw_message {
    lettre::envelope envelope;
    std::string bytes;
};

using outgoing_message = std::variant<lettre::message, raw_message>;

/// Delivers and returns one line telling where the message went. Failures
/// are thrown as cli_error (status 1 unless the library says otherwise).
std::string deliver(const delivery_target& target, const outgoing_message& msg);

}  // namespace lettre::cli
