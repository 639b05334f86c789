// Parts read from files. Kept apart from part.hpp so that a program that
// builds messages from memory does not pull <filesystem>;
// part::attachment() and part::inline_body() are the in-memory forms.
#pragma once

#include <lettre/error.hpp>
#include <lettre/export.hpp>
#include <lettre/message/content_type.hpp>
#include <lettre/message/part.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lettre {

/// An attachment read from a file; the file name shown is the path's last
/// component unless `filename` is given, the type is guessed from that name
/// unless `type` is given. Errors (file_not_found, file_unreadable, and
/// those of part::attachment) name the path.
[[nodiscard]] LETTRE_EXPORT part
attachment_file(const std::filesystem::path& path, std::optional<content_type> type = std::nullopt,
                std::optional<std::string> filename = std::nullopt);
/// attachment_file() returning the error instead of throwing it.
[[nodiscard]] LETTRE_EXPORT result<part> try_attachment_file(
    const std::filesystem::path& path, std::optional<content_type> type = std::nullopt,
    std::optional<std::string> filename = std::nullopt);

/// An inline part read from a file, referenced from HTML as
/// `cid:<content_id>`; the type is guessed from the path unless given.
[[nodiscard]] LETTRE_EXPORT part inline_file(std::string_view content_id,
                                             const std::filesystem::path& path,
                                             std::optional<content_type> type = std::nullopt);
/// inline_file() returning the error instead of throwing it.
[[nodiscard]] LETTRE_EXPORT result<part> try_inline_file(

    std::string_view content_id, const std::filesystem::path& path,
    std::optional<content_type> type = std::nullopt);

}  // namespace lettre
