// What the server said it can do in its EHLO reply (RFC 5321 §4.1.1.1 and
// the extensions' RFCs). Sans-io.
#pragma once

#include <lettre/export.hpp>
#include "smtp/protocol/reply.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lettre::smtp {

struct LETTRE_EXPORT capabilities {
    bool esmtp = false;                  ///< EHLO accepted (false after HELO fallback)
    bool starttls = false;               ///< RFC 3207
    std::vector<std::string> auth;       ///< RFC 4954 mechanisms, upper case
    std::optional<std::uint64_t> size;   ///< RFC 1870; 0 means no fixed limit
    bool eightbitmime = false;           ///< RFC 6152
    bool smtputf8 = false;               ///< RFC 6531
    bool pipelining = false;             ///< RFC 2920
    bool chunking = false;               ///< RFC 3030
    bool binarymime = false;             ///< RFC 3030
    bool dsn = false;                    ///< RFC 3461
    bool enhanced_status_codes = false;  ///< RFC 2034
    bool requiretls = false;             ///< RFC 8689
    std::string server_name;             ///< first word of the first line

    /// Reads a 250 EHLO reply. Unknown keywords are ignored; a SIZE value
    /// too large for 64 bits counts as "no limit".
    static capabilities parse_ehlo(const reply& r);
    bool has_auth(std::string_view mechanism) const noexcept;
};

}  // namespace lettre::smtp
