#include "smtp/protocol/capabilities.hpp"

#include "detail/utf8.hpp"

#include <charconv>

namespace lettre::smtp {
namespace {

std::vector<std::string_view> words(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) out.push_back(line.substr(start, i - start));
    }
    return out;
}

}  // namespace

capabilities capabilities::parse_ehlo(const reply& r) {
    capabilities caps;
    caps.esmtp = true;
    const auto& lines = r.lines();
    for (std::size_t n = 0; n < lines.size(); ++n) {
        const auto w = words(lines[n]);
        if (w.empty()) continue;
        if (n == 0) {
            caps.server_name = std::string(w.front());
            continue;
        }
        const std::string key = detail::to_lower_ascii(w.front());
        // "AUTH=LOGIN PLAIN" is an old (pre-RFC 4954) spelling some servers still send.
        if (key == "auth" || key.starts_with("auth=")) {
            std::vector<std::string_view> mechs(w.begin() + 1, w.end());
            if (key.starts_with("auth=")) mechs.push_back(w.front().substr(5));
            for (auto m : mechs) {
                std::string upper(m);
                for (char& c : upper)
                    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
                if (!upper.empty() && !caps.has_auth(upper)) caps.auth.push_back(upper);
            }
        } else if (key == "starttls") {
            caps.starttls = true;
        } else if (key == "size") {
            std::uint64_t v = 0;
            if (w.size() < 2) {
                caps.size = 0;
            } else {
                const auto res = std::from_chars(w[1].data(), w[1].data() + w[1].size(), v);
                caps.size = res.ec == std::errc() && res.ptr == w[1].data() + w[1].size() ? v : 0;
            }
        } else if (key == "8bitmime") {
            caps.eightbitmime = true;
        } else if (key == "smtputf8") {
            caps.smtputf8 = true;
        } else if (key == "pipelining") {
            caps.pipelining = true;
        } else if (key == "chunking") {
            caps.chunking = true;
        } else if (key == "binarymime") {
            caps.binarymime = true;
        } else if (key == "dsn") {
            caps.dsn = true;
        } else if (key == "enhancedstatuscodes") {
            caps.enhanced_status_codes = true;
        } else if (key == "requiretls") {
            caps.requiretls = true;
        }
    }
    return caps;
}

bool capabilities::has_auth(std::string_view mechanism) const noexcept {
    for (const auto& m : auth)
        if (detail::iequals(m, mechanism)) return true;
    return false;
}

}  // namespace lettre::smtp
