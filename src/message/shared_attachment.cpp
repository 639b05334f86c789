// lettre::shared_attachment and the holder of its bytes (part.hpp's
// detail::shared_bytes, which keeps the std::shared_ptr out of that header).
#include <lettre/message/shared_attachment.hpp>

#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <utility>

namespace lettre {
namespace detail {

struct shared_bytes::owner {
    std::shared_ptr<const std::string> bytes;
};

shared_bytes::shared_bytes(const shared_bytes& other)
    : owner_(other.owner_ ? new owner{other.owner_->bytes} : nullptr), bytes_(other.bytes_) {}

shared_bytes::shared_bytes(shared_bytes&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), bytes_(std::exchange(other.bytes_, nullptr)) {}

shared_bytes& shared_bytes::operator=(const shared_bytes& other) {
    if (this != &other) *this = shared_bytes(other);
    return *this;
}

shared_bytes& shared_bytes::operator=(shared_bytes&& other) noexcept {
    std::swap(owner_, other.owner_);
    std::swap(bytes_, other.bytes_);
    return *this;
}

shared_bytes::~shared_bytes() {
    delete owner_;
}

/// What shared_attachment may do to a part that its public API does not.
struct part_access {
    static void share(part& p, std::shared_ptr<const std::string> bytes) {
        shared_bytes held;
        held.bytes_ = bytes.get();
        held.owner_ = new shared_bytes::owner{std::move(bytes)};
        p.shared_ = std::move(held);
    }
    static void fail(part& p, error_info e) { p.fail(std::move(e)); }
};

}  // namespace detail

part shared_attachment(std::string_view filename, std::shared_ptr<const std::string> bytes,
                       std::optional<content_type> type) {
    part p = part::attachment(filename, std::string(), std::move(type));
    if (!bytes) {
        detail::part_access::fail(
            p, make_error(errc::invalid_part,
                          fmt::format("attachment {}: the shared bytes are a null pointer",
                                      detail::quote_for_error(filename))));
        return p;
    }
    detail::part_access::share(p, std::move(bytes));
    return p;
}

}  // namespace lettre
