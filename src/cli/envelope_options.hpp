// `--envelope-from` and `--envelope-to`: the SMTP envelope given by hand.
#pragma once

#include <lettre/message/address.hpp>

#include <optional>
#include <string>
#include <vector>

namespace lettre::cli {

/// An address or mailbox (`a@b`, `<a@b>`, `Name <a@b>`); `<>` is the null
/// reverse-path. An empty value is a usage error (64), invalid text 65.
std::optional<lettre::address> parse_envelope_from(const std::string& text);

/// Every mailbox of every value (comma-separated lists and groups allowed).
std::vector<lettre::address> parse_envelope_to(const std::vector<std::string>& values);

}  // namespace lettre::cli
