#include "message/idna.hpp"

#include "detail/utf8.hpp"

#include <fmt/format.h>
#include <idn2.h>

#include <cstdlib>
#include <memory>

namespace lettre::detail {
namespace {

constexpr std::size_t max_domain = 255;
constexpr std::size_t max_label = 63;

// RFC 5321 §4.1.2: sub-domain = Let-dig [Ldh-str]; what SMTP and DNS carry.
bool is_let_dig(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

error_info fail(errc code, std::string_view context, std::string_view what) {
    return make_error(code, fmt::format("invalid address {}: {}", quote_for_error(context), what));
}

result<std::string> check_literal(std::string_view domain, std::string_view context) {
    // domain-literal = "[" *dtext "]" (dtext: printable ASCII except [ ] \)
    for (std::size_t i = 1; i + 1 < domain.size(); ++i) {
        const char c = domain[i];
        if (c < 33 || c > 126 || c == '[' || c == ']' || c == '\\')
            return fail(errc::invalid_address, context,
                        fmt::format("character {} not allowed in a domain literal",
                                    quote_for_error(std::string_view(&domain[i], 1))));
    }
    if (domain.size() > max_domain)
        return fail(errc::address_too_long, context, "domain longer than 255 octets");
    return std::string(domain);
}

result<std::string> check_labels(std::string_view ascii, std::string_view context) {
    if (ascii.size() > max_domain)
        return fail(errc::address_too_long, context,
                    fmt::format("domain is {} octets, the limit is 255", ascii.size()));
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = ascii.find('.', start);
        const std::size_t end = dot == std::string_view::npos ? ascii.size() : dot;
        const std::size_t len = end - start;
        if (len == 0) return fail(errc::invalid_address, context, "empty label in domain");
        if (len > max_label)
            return fail(errc::address_too_long, context,
                        fmt::format("domain label is {} octets, the limit is 63", len));
        for (std::size_t i = start; i < end; ++i)
            if (!is_let_dig(ascii[i]) && ascii[i] != '-')
                return fail(errc::invalid_address, context,
                            fmt::format("character {} not allowed in a domain",
                                        quote_for_error(ascii.substr(i, 1))));
        if (ascii[start] == '-' || ascii[end - 1] == '-')
            return fail(errc::invalid_address, context,
                        "a domain label cannot start or end with '-'");
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return std::string(ascii);
}

}  // namespace

result<std::string> domain_to_ascii(std::string_view domain, std::string_view context) {
    if (domain.empty()) return fail(errc::invalid_address, context, "empty domain");
    if (domain.front() == '[') {
        if (domain.back() != ']')
            return fail(errc::invalid_address, context, "unterminated domain literal");
        return check_literal(domain, context);
    }
    if (is_ascii(domain)) return check_labels(domain, context);

    if (!is_valid_utf8(domain))
        return fail(errc::invalid_domain, context, "domain is not valid UTF-8");
    const std::string input(domain);
    char* out = nullptr;
    const int rc =
        idn2_lookup_u8(reinterpret_cast<const uint8_t*>(input.c_str()),
                       reinterpret_cast<uint8_t**>(&out), IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    const std::unique_ptr<char, decltype(&idn2_free)> owner(out, &idn2_free);
    if (rc != IDN2_OK)
        return fail(rc == IDN2_TOO_BIG_DOMAIN || rc == IDN2_TOO_BIG_LABEL ? errc::address_too_long
                                                                          : errc::invalid_domain,
                    context, fmt::format("IDNA conversion failed: {}", idn2_strerror(rc)));
    return check_labels(out, context);
}

}  // namespace lettre::detail
