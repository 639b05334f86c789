// The benchmark corpus: the "small" and "typical" messages described in
// ../shared/corpus/message.json, loaded once, and the compose step every
// lettre benchmark times (the same work bench/compose_nodemailer.js and
// bench/compose_python.py do with their libraries).
#pragma once

#include <lettre/message.hpp>
#include <lettre/message/shared_attachment.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lettre_bench {

struct person {
    std::string name;
    std::string address;
};

struct attachment_spec {
    std::string filename;
    std::string content_type;
    std::string bytes;  ///< file contents, read at load time
    /// The same bytes, shared: attached by reference to every message, as
    /// Nodemailer (a Buffer) and Python (bytes) take them (load() sets it;
    /// when null, compose() copies `bytes` in).
    std::shared_ptr<const std::string> shared;
};

/// One message of message.json with its files already read.
struct message_spec {
    std::string key;  ///< "small" or "typical"
    person from;
    std::vector<person> to;
    std::string subject;
    std::string date;
    std::string message_id;
    std::string text;                 ///< contents of the text file
    std::optional<std::string> html;  ///< contents of the html file
    std::optional<attachment_spec> attachment;
};

/// $LETTRE_SHARED_DIR when set, else the LETTRE_SHARED_DIR the build was
/// configured with.
std::filesystem::path shared_dir();

/// Reads message.json and the files `key` names from `shared/corpus`.
/// Throws std::runtime_error naming the file on any problem.
message_spec load(std::string_view key, const std::filesystem::path& shared = shared_dir());

/// Composes the message with lettre's builder: parses the addresses, sets
/// every header and the bodies, adds the attachment, and builds. The spec's
/// strings are copied in, as an application handing over its data would;
/// the attachment is shared (lettre::shared_attachment), as an
/// application sending one file to many recipients would, and as the peers
/// take theirs (by reference).
lettre::message compose(const message_spec& spec);

}  // namespace lettre_bench
