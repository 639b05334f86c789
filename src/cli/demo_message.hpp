// The built-in demo message behind `--demo`.
#pragma once

#include "message_options.hpp"

namespace lettre::cli {

/// Fills what the user did not give from the demo message: From, To (when
/// there is no --to, --cc or --bcc), Subject, and the body (UTF-8 text, an
/// HTML alternative and a small PNG attachment) when no body option was given.
void apply_demo_defaults(message_options& opts);

}  // namespace lettre::cli
