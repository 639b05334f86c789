#include <lettre/message/part.hpp>

#include "detail/utf8.hpp"

#include <fmt/format.h>

#include <utility>

namespace lettre {
namespace {

std::optional<error_info> check_content_id(std::string_view id) {
    if (detail::find_line_break_or_nul(id) != std::string_view::npos)
        return make_error(errc::header_injection, fmt::format("CR, LF or NUL in content id {}",
                                                              detail::quote_for_error(id)));
    if (id.empty()) return make_error(errc::invalid_header_value, "empty content id");
    for (char c : id) {
        if (c <= ' ' || c > '~' || c == '<' || c == '>' || c == '"' || c == '(' || c == ')' ||
            c == ',' || c == ';' || c == ':' || c == '\\' || c == '[' || c == ']')
            return make_error(errc::invalid_header_value,
                              fmt::format("invalid content id {}: character {} not allowed",
                                          detail::quote_for_error(id),
                                          detail::quote_for_error(std::string_view(&c, 1))));
    }
    return std::nullopt;
}

std::optional<error_info> check_filename(std::string_view name) {
    if (detail::find_line_break_or_nul(name) != std::string_view::npos)
        return make_error(errc::header_injection, fmt::format("CR, LF or NUL in file name {}",
                                                              detail::quote_for_error(name)));
    if (!detail::is_valid_utf8(name))
        return make_error(errc::invalid_utf8, fmt::format("file name {} is not valid UTF-8",
                                                          detail::quote_for_error(name)));
    return std::nullopt;
}

}  // namespace

void part::fail(error_info e) {
    if (!error_) error_ = std::move(e);
}

part part::body(std::string bytes, content_type type) {
    part p;
    p.type_ = std::move(type);
    if (p.type_.type().empty()) p.type_ = content_type::octet_stream();
    p.content_ = std::move(bytes);
    if (p.type_.is_multipart())
        p.fail(make_error(errc::invalid_part,
                          "a leaf body cannot have a multipart type; use part::multipart()"));
    return p;
}

part part::text(std::string utf8) {
    return body(std::move(utf8), content_type::text_plain());
}
part part::html(std::string utf8) {
    return body(std::move(utf8), content_type::text_html());
}

part part::attachment(std::string_view filename, std::string bytes,
                      std::optional<content_type> type) {
    part p = body(std::move(bytes),
                  type ? std::move(*type) : content_type::guess_from_filename(filename));
    p.disposition_ = disposition::attachment;
    p.filename_ = std::string(filename);
    if (auto e = check_filename(filename)) p.fail(std::move(*e));
    return p;
}

part part::inline_body(std::string_view content_id, std::string bytes, content_type type) {
    part p = body(std::move(bytes), std::move(type));
    p.disposition_ = disposition::inline_;
    p.content_id_ = std::string(content_id);
    if (auto e = check_content_id(content_id)) p.fail(std::move(*e));
    return p;
}

part part::multipart(std::string_view subtype) {
    part p;
    auto ct = content_type::try_parse(fmt::format("multipart/{}", subtype));
    if (ct) {
        p.type_ = std::move(*ct);
    } else {
        p.type_ = content_type::parse("multipart/mixed");
        p.fail(std::move(ct).error());
    }
    return p;
}

part part::mixed() {
    return multipart("mixed");
}
part part::alternative() {
    return multipart("alternative");
}
part part::related() {
    return multipart("related");
}

part& part::add(part child) & {
    if (!is_multipart()) {
        fail(make_error(errc::invalid_part,
                        fmt::format("cannot add a child to a {} leaf part", type_.essence())));
        return *this;
    }
    if (child.error_) fail(*child.error_);
    children_.push_back(std::move(child));
    return *this;
}

part& part::header(std::string_view name, std::string_view value) & {
    headers_.emplace_back(std::string(name), std::string(value));
    return *this;
}

}  // namespace lettre
