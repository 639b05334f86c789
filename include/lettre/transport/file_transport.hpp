// Writes each message into a directory instead of sending it: `<id>.eml`
// with the bytes and `<id>.json` with the envelope. For development, tests,
// and handing mail to another program.
//
// A reader may watch the directory: both files are written under hidden
// temporary names and flushed to the disk (fsync), then the .json is renamed
// into place and the .eml last, so `<id>.eml` appearing is the commit point
// and its .json is always there by then; the directory is flushed too.
// Errors name the path and the system's reason ("No space left on
// device"), and leave no file behind.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/envelope.hpp>
#include <lettre/message/message.hpp>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

namespace lettre {

/// Writes each message into a directory as `<id>.eml` plus its envelope as
/// `<id>.json`, for development, tests and handing mail to another program.
class LETTRE_EXPORT file_transport {
public:
    /// Where one message went.
    struct delivery {
        std::string id;                   ///< random, unique file stem
        std::filesystem::path eml_path;   ///< the message bytes
        std::filesystem::path json_path;  ///< {"from": ..., "to": [...]}
    };

    using report_type = delivery;  ///< what a send reports

    /// The directory is created on first send when missing.
    explicit file_transport(std::filesystem::path directory);

    /// Where the files go.
    const std::filesystem::path& directory() const noexcept { return dir_; }

    /// Throwing form.
    delivery send(const message& msg) const;
    /// error_code form: on failure `ec` is set and nothing is left behind.
    delivery send(const message& msg, std::error_code& ec) const;
    /// Result form with a message naming the failing path.
    result<delivery> try_send(const message& msg) const;

    /// Ready-made bytes plus an envelope (e.g. a message read from a file).
    delivery send_raw(const envelope& env, std::string_view bytes) const;
    /// The same, setting `ec` (cleared on success) instead of throwing.
    delivery send_raw(const envelope& env, std::string_view bytes, std::error_code& ec) const;
    /// send_raw() returning the error instead of throwing it.
    result<delivery> try_send_raw(const envelope& env, std::string_view bytes) const;

private:
    std::filesystem::path dir_;
};

}  // namespace lettre
