#include "message/mime_writer.hpp"

#include "detail/random.hpp"
#include "detail/utf8.hpp"
#include "message/header_values.hpp"
#include "message/header_writer.hpp"
#include "message/transfer_encoding.hpp"

#include <fmt/format.h>

namespace lettre::detail {
namespace {

constexpr std::size_t boundary_random = 28;

/// Whether `needle` occurs in any text leaf (the only bodies written as is:
/// quoted-printable and base64 output never contain "=_").
bool occurs_in_text(const part& p, std::string_view needle) {
    if (p.is_multipart()) {
        for (const auto& c : p.children())
            if (occurs_in_text(c, needle)) return true;
        return false;
    }
    return p.type().is_text() && p.content().find(needle) != std::string::npos;
}

std::string make_boundary(const part& p) {
    while (true) {
        std::string b = "=_" + random_token(boundary_random);
        if (!occurs_in_text(p, b)) return b;
    }
}

header_field structured(std::string_view name, const std::vector<header_token>& tokens) {
    header_writer w(name);
    w.add(tokens);
    return {std::string(name), w.take()};
}

void serialize(std::string& out, const std::vector<header_field>& fields) {
    for (const auto& f : fields) append_field(out, f.name, f.value);
}

std::optional<error_info> extra_headers(const part& p, std::vector<header_field>& fields) {
    for (const auto& [name, value] : p.extra_headers()) {
        if (auto e = check_header(name, value)) return e;
        if (name.size() >= 8 && iequals(std::string_view(name).substr(0, 8), "content-")) {
            for (std::string_view managed :
                 {"content-type", "content-transfer-encoding", "content-disposition", "content-id"})
                if (iequals(name, managed))
                    return make_error(errc::invalid_header_name,
                                      fmt::format("header {} is set by the part itself", name));
        }
        auto f = unstructured_field(name, value, max_line - name.size() - 2);
        if (!f) return std::move(f).error();
        fields.push_back(std::move(*f));
    }
    return std::nullopt;
}

std::optional<error_info> render(const part& p, std::string& out,
                                 std::vector<header_field>* root_fields) {
    std::vector<header_field> local;
    std::vector<header_field>& fields = root_fields ? *root_fields : local;
    const auto finish_headers = [&] {
        if (!root_fields) {
            serialize(out, local);
            out += "\r\n";
        }
    };

    if (p.is_multipart()) {
        if (p.children().empty())
            return make_error(errc::invalid_part,
                              fmt::format("{} has no parts", p.type().essence()));
        const std::string boundary = make_boundary(p);
        content_type ct = p.type();
        // RFC 2387 §3.1: multipart/related names the type of its root part.
        if (ct.subtype() == "related" && ct.parameter_value("type").empty())
            ct.set_parameter("type", p.children().front().type().essence());
        ct.set_parameter("boundary", boundary);
        fields.push_back(structured("Content-Type", content_type_tokens(ct)));
        if (auto e = extra_headers(p, fields)) return e;
        finish_headers();
        for (std::size_t i = 0; i < p.children().size(); ++i) {
            out += i == 0 ? "--" : "\r\n--";
            out += boundary;
            out += "\r\n";
            if (auto e = render(p.children()[i], out, nullptr)) return e;
        }
        out += "\r\n--";
        out += boundary;
        out += "--\r\n";
        return std::nullopt;
    }

    // The encoding is chosen before the headers that name it; text and
    // binary bodies are then encoded once, straight into `out`.
    std::string message_text;
    text_plan plan;
    transfer_encoding enc = transfer_encoding::base64;
    const bool is_message = p.type().type() == "message";
    if (is_message) {
        // RFC 2046 §5.2.1: message/* is never quoted-printable or base64.
        append_crlf_normalized(message_text, p.content());
        enc = is_seven_bit(message_text) ? transfer_encoding::seven_bit
                                         : transfer_encoding::eight_bit;
    } else if (p.type().is_text()) {
        plan = plan_text_body(p.content());
        enc = plan.encoding;
    }

    if (p.filename() && p.type().parameter_value("name").empty()) {
        // The name parameter is the fallback for readers that ignore
        // Content-Disposition; RFC 2231 applies to it as to filename.
        content_type ct = p.type();
        ct.set_parameter("name", *p.filename());
        fields.push_back(structured("Content-Type", content_type_tokens(ct)));
    } else {
        fields.push_back(structured("Content-Type", content_type_tokens(p.type())));
    }
    fields.push_back({"Content-Transfer-Encoding", std::string(encoding_name(enc))});
    if (p.content_disposition() != part::disposition::none) {
        const bool attach = p.content_disposition() == part::disposition::attachment;
        fields.push_back(structured("Content-Disposition",
                                    disposition_tokens(attach ? "attachment" : "inline",
                                                       p.filename() ? &*p.filename() : nullptr)));
    }
    if (p.content_id()) fields.push_back({"Content-ID", '<' + *p.content_id() + '>'});
    if (auto e = extra_headers(p, fields)) return e;
    finish_headers();
    if (is_message)
        out += message_text;
    else if (p.type().is_text())
        append_text_body(out, p.content(), plan);
    else
        append_binary_body(out, p.content());
    return std::nullopt;
}

}  // namespace

std::optional<error_info> check_header(std::string_view name, std::string_view value) {
    if (name.empty()) return make_error(errc::invalid_header_name, "empty header name");
    for (char c : name)
        if (c < 33 || c > 126 || c == ':')
            return make_error(
                errc::invalid_header_name,
                fmt::format("invalid header name {}: character {} not allowed",
                            quote_for_error(name), quote_for_error(std::string_view(&c, 1))));
    if (const auto at = find_line_break_or_nul(value); at != std::string_view::npos)
        return make_error(errc::header_injection,
                          fmt::format("header {}: CR, LF or NUL in value {} at offset {}", name,
                                      quote_for_error(value), at));
    if (!is_valid_utf8(value))
        return make_error(errc::invalid_utf8, fmt::format("header {}: value {} is not valid UTF-8",
                                                          name, quote_for_error(value)));
    return std::nullopt;
}

result<header_field> unstructured_field(std::string_view name, std::string_view value,
                                        std::size_t long_word) {
    header_writer w(name);
    w.add(unstructured_tokens(value, name.size() + 2, long_word));
    if (w.over_limit())
        return make_error(errc::line_too_long,
                          fmt::format("header {} cannot be folded under 998 octets", name));
    return header_field{std::string(name), w.take()};
}

std::optional<error_info> render_mime(const part& root, std::vector<header_field>& fields,
                                      std::string& body) {
    if (root.error()) return root.error();
    return render(root, body, &fields);
}

std::size_t mime_size_bound(const part& root) noexcept {
    std::size_t n = 512;
    if (root.is_multipart())
        for (const auto& c : root.children()) n += mime_size_bound(c);
    else
        n += encoded_size_bound(root.content().size());
    return n;
}

}  // namespace lettre::detail
