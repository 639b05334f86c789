#include <lettre/error.hpp>

namespace lettre {
namespace {

class category final : public std::error_category {
public:
    const char* name() const noexcept override { return "lettre"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::invalid_address: return "invalid address";
        case errc::address_too_long: return "address too long";
        case errc::invalid_domain: return "invalid domain";
        case errc::invalid_header_name: return "invalid header name";
        case errc::header_injection: return "CR, LF or NUL in a header value";
        case errc::line_too_long: return "line too long";
        case errc::invalid_utf8: return "invalid UTF-8";
        case errc::invalid_header_value: return "invalid header value";
        case errc::invalid_content_type: return "invalid content type";
        case errc::invalid_date: return "invalid date";
        case errc::invalid_message_id: return "invalid message id";
        case errc::missing_from: return "message has no From";
        case errc::missing_recipient: return "message has no recipient";
        case errc::missing_sender: return "several From mailboxes need a Sender";
        case errc::invalid_part: return "invalid MIME part";
        case errc::file_not_found: return "file not found";
        case errc::file_unreadable: return "file unreadable";
        case errc::io_error: return "I/O error";
        case errc::invalid_key: return "invalid key";
        case errc::weak_key: return "key too weak";
        case errc::malformed_message: return "malformed message";
        case errc::invalid_dkim_config: return "invalid DKIM configuration";
        case errc::signing_failed: return "signing failed";
        }
        return "unknown lettre error";
    }
};

}  // namespace

const std::error_category& error_category() noexcept {
    static const category instance;  // categories are identity objects by design
    return instance;
}

std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}

error_info make_error(errc code, std::string message) {
    return error_info{make_error_code(code), std::move(message)};
}

error::error(error_info info)
    : std::system_error(info.code, info.message), info_(std::move(info)) {}

}  // namespace lettre
