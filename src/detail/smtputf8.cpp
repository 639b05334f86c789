#include "detail/smtputf8.hpp"

#include <algorithm>

namespace lettre::detail {

namespace {
std::string_view header_section(std::string_view bytes) noexcept {
    const std::size_t crlf = bytes.find("\r\n\r\n");
    const std::size_t lf = bytes.find("\n\n");
    return bytes.substr(0, std::min(crlf, lf));
}
}  // namespace

bool needs_smtputf8(const envelope& env, std::string_view bytes) noexcept {
    if (env.requires_smtputf8()) return true;
    const std::string_view headers = header_section(bytes);
    return std::any_of(headers.begin(), headers.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

}  // namespace lettre::detail
