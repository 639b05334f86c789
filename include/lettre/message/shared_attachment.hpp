// An attachment whose bytes are shared, not copied. Kept apart from part.hpp
// so that a program that builds messages from owned strings does not pull
// <memory> (message.hpp stays light; lettre/lettre.hpp includes this).
#pragma once

#include <lettre/export.hpp>
#include <lettre/message/content_type.hpp>
#include <lettre/message/part.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace lettre {

/// An attachment whose bytes are shared, not copied: the same file in many
/// messages (one per recipient, a report to a list) costs one copy in
/// memory however many messages, parts and builder copies refer to it.
/// Otherwise as part::attachment: the type is guessed from `filename`
/// unless given, non-ASCII names are encoded per RFC 2231. The bytes are
/// const and live as long as the last part holding them. A null pointer is
/// recorded as the part's error (errc::invalid_part, naming the file).
[[nodiscard]] LETTRE_EXPORT part shared_attachment(std::string_view filename,
                                                   std::shared_ptr<const std::string> bytes,
                                                   std::optional<content_type> type = std::nullopt);

}  // namespace lettre
