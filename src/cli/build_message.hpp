// From message options to a lettre::message: checks what must be there,
// reads the body files, loads attachments, maps every error to a cli_error.
#pragma once

#include "message_options.hpp"

#include <lettre/message/address.hpp>
#include <lettre/message/message.hpp>
#include <lettre/message/message_builder.hpp>

#include <iosfwd>

namespace lettre::cli {

/// Fills a builder from `opts`. A missing --from, or a missing --to/--cc/--bcc
/// unless `envelope_has_recipients`, is a usage error; unreadable body files
/// and attachments give 66, bad attachment types 65. `in` serves "-" paths.
lettre::message_builder make_builder(const message_options& opts, std::istream& in,
                                     bool envelope_has_recipients);

/// try_build() with its error turned into a cli_error. The rvalue form
/// moves the bodies and attachments into the message instead of copying.
lettre::message build(const lettre::message_builder& builder);
lettre::message build(lettre::message_builder&& builder);

/// The reverse-path the builder derives: --sender, else the first --from
/// mailbox.
lettre::address derived_reverse_path(const message_options& opts);

}  // namespace lettre::cli
