#include <lettre/message/message.hpp>

#include "detail/utf8.hpp"
#include "message/header_writer.hpp"

#include <ostream>

namespace lettre {

std::size_t message::formatted_size() const noexcept {
    std::size_t n = 2 + body_.size();  // blank line
    for (const auto& h : headers_) n += detail::field_size(h.name, h.value);
    return n;
}

void message::format_to(std::string& out) const {
    out.reserve(out.size() + formatted_size());
    for (const auto& h : headers_) detail::append_field(out, h.name, h.value);
    out += "\r\n";
    out += body_;
}

std::string message::formatted() const& {
    std::string out;
    format_to(out);
    return out;
}

std::string message::formatted() && {
    std::string head;
    head.reserve(formatted_size() - body_.size());
    for (const auto& h : headers_) detail::append_field(head, h.name, h.value);
    head += "\r\n";
    // The builder reserved room for the headers in the body's buffer (see
    // message_builder::assemble), so this moves the body up in place.
    std::string out = std::move(body_);
    body_.clear();
    out.insert(0, head);
    return out;
}

void message::write_to(std::ostream& out) const {
    for (const auto& h : headers_) {
        out.write(h.name.data(), static_cast<std::streamsize>(h.name.size()));
        if (h.value.starts_with("\r\n"))
            out.put(':');
        else
            out.write(": ", 2);
        out.write(h.value.data(), static_cast<std::streamsize>(h.value.size()));
        out.write("\r\n", 2);
    }
    out.write("\r\n", 2);
    out.write(body_.data(), static_cast<std::streamsize>(body_.size()));
}

std::optional<std::string_view> message::header(std::string_view name) const noexcept {
    for (const auto& h : headers_)
        if (detail::iequals(h.name, name)) return std::string_view(h.value);
    return std::nullopt;
}

}  // namespace lettre
