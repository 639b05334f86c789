#include "envelope_options.hpp"

#include "cli_error.hpp"

#include <string_view>

namespace lettre::cli {

std::optional<lettre::address> parse_envelope_from(const std::string& text) {
    std::string_view trimmed = text;
    while (!trimmed.empty() && trimmed.front() == ' ') trimmed.remove_prefix(1);
    while (!trimmed.empty() && trimmed.back() == ' ') trimmed.remove_suffix(1);
    // The null reverse-path is spelled `<>`: an empty value is more often
    // an unset shell variable than a wish to send a bounce.
    if (trimmed.empty()) {
        throw usage_error(
            "--envelope-from is empty; give an address, or '<>' for the null "
            "reverse-path (a message that must not bounce back)");
    }
    if (trimmed == "<>") return std::nullopt;
    auto m = lettre::mailbox::try_parse(trimmed);
    if (!m) throw from_library(m.error(), "--envelope-from", text);
    return m->email();
}

std::vector<lettre::address> parse_envelope_to(const std::vector<std::string>& values) {
    std::vector<lettre::address> out;
    for (const std::string& v : values) {
        auto list = lettre::address_list::try_parse(v);
        if (!list) throw from_library(list.error(), "--envelope-to", v);
        for (const lettre::mailbox& m : list->mailboxes()) out.push_back(m.email());
    }
    return out;
}

}  // namespace lettre::cli
