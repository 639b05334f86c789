#include "demo_message.hpp"

#include <lettre/message/content_type.hpp>

#include <array>
#include <string>

namespace lettre::cli {
namespace {

constexpr std::string_view demo_from = "Lettre Demo <demo@example.com>";
constexpr std::string_view demo_to = "Zoë Ångström <zoe@example.org>";
constexpr std::string_view demo_subject = "Grüße from lettre ✉ — a demo message";

constexpr std::string_view demo_text =
    "Hello Zoë,\n"
    "\n"
    "this message was built by the lettre command-line tool: a UTF-8 subject,\n"
    "this text part, an HTML alternative and a small PNG attachment.\n"
    "\n"
    "Grüße, Ünïcödé and all,\n"
    "Lettre Demo\n";

constexpr std::string_view demo_html =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head><meta charset=\"utf-8\"><title>lettre demo</title></head>\n"
    "<body>\n"
    "<p>Hello <strong>Zoë</strong>,</p>\n"
    "<p>this message was built by the <code>lettre</code> command-line tool: a UTF-8\n"
    "subject, a text part, this HTML alternative and a small PNG attachment.</p>\n"
    "<p>Grüße, Ünïcödé and all,<br>Lettre Demo</p>\n"
    "</body>\n"
    "</html>\n";

constexpr std::string_view demo_attachment_name = "lettre-demo.png";

/// An 8x8 checkered PNG (82 bytes).
constexpr std::array<unsigned char, 82> demo_png{
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x08, 0x08, 0x02, 0x00, 0x00,
    0x00, 0x4b, 0x6d, 0x29, 0xdc, 0x00, 0x00, 0x00, 0x19, 0x49, 0x44, 0x41, 0x54, 0x78,
    0xda, 0x63, 0xd0, 0xce, 0xd9, 0xf0, 0x75, 0x99, 0x32, 0x26, 0xc9, 0x80, 0x55, 0x14,
    0x48, 0x32, 0x0c, 0x4a, 0x1d, 0x00, 0xcb, 0x13, 0x60, 0xa1, 0x6a, 0x64, 0x54, 0x5e,
    0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

std::string demo_png_bytes() {
    std::string bytes;
    bytes.reserve(demo_png.size());
    for (const unsigned char b : demo_png) bytes.push_back(static_cast<char>(b));
    return bytes;
}

}  // namespace

void apply_demo_defaults(message_options& opts) {
    if (opts.from.empty()) opts.from.emplace_back(demo_from);
    if (!opts.has_recipient()) opts.to.emplace_back(demo_to);
    if (!opts.subject) opts.subject = std::string(demo_subject);
    if (!opts.has_body()) {
        opts.text = std::string(demo_text);
        opts.html = std::string(demo_html);
        opts.builtin_attachments.push_back(lettre::part::attachment(
            demo_attachment_name, demo_png_bytes(), lettre::content_type::parse("image/png")));
    }
}

}  // namespace lettre::cli
