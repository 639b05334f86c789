// RFC 2231 parameter encoding of attachment file names (RFC 2183
// Content-Disposition, with the RFC 2045 `name` parameter of Content-Type as
// the fallback old readers use). Rules, from vectors/rfc2231_examples.txt:
//  - non-ASCII names go in filename*= / filename*0*=, not RFC 2047 words
//    inside a quoted-string;
//  - everything outside attribute-char is percent-encoded;
//  - continuations are numbered from 0 without gaps, duplicates or leading
//    zeros; only the first extended segment carries charset'language';
//  - every header line stays <= 78 characters.
#include "../test_util.hpp"

namespace {

using lettre::part;
using namespace lettre_test;

struct attachment_headers {
    std::vector<raw_header> headers;
    std::string body;
};

/// The headers of the attachment part in a text + attachment message.
attachment_headers attachment_for(std::string_view filename, std::string bytes = "data") {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("see attachment");
    b.attachment(part::attachment(filename, std::move(bytes)));
    const entity e = parse_entity(must_build(b).formatted());
    for (const entity* leaf : leaves(e)) {
        if (istarts_with(leaf->value("Content-Disposition"), "attachment"))
            return {leaf->headers, leaf->body};
    }
    ADD_FAILURE() << "no attachment part in " << outline(e);
    return {};
}

/// Checks one header's `param` and returns its reassembled value.
std::string check_param(const std::vector<raw_header>& hs, std::string_view header,
                        std::string_view param, bool must_be_ascii_safe = true) {
    const raw_header* h = find_header(hs, header);
    if (h == nullptr) {
        ADD_FAILURE() << "no " << header;
        return {};
    }
    SCOPED_TRACE(h->raw);
    for (const auto& l : h->lines) EXPECT_LE(l.size(), 78u) << "line too long: " << l;
    if (must_be_ascii_safe) {
        EXPECT_TRUE(is_ascii(h->raw)) << "raw 8-bit bytes in " << header;
    }
    const auto pp = parse_params(h->value);
    EXPECT_TRUE(pp.ok) << "parameter syntax: " << h->value;
    const auto v = rfc2231_param(pp.params, param);
    if (!v) {
        ADD_FAILURE() << "no " << param << " parameter in " << header;
        return {};
    }
    EXPECT_EQ(v->error, "") << "RFC 2231 rule broken";
    if (v->extended) {
        EXPECT_TRUE(iequals(v->charset, "utf-8")) << v->charset;
    }
    return v->value;
}

/// Plain, extended or continued: the value a receiver reconstructs for
/// Content-Disposition filename.
std::string filename_of(const attachment_headers& a) {
    return check_param(a.headers, "Content-Disposition", "filename");
}

/// The Content-Type name parameter (RFC 2231 form, plain, or a quoted RFC
/// 2047 word as many mailers write it): value as a receiver decodes it.
std::string name_of(const attachment_headers& a) {
    const raw_header* h = find_header(a.headers, "Content-Type");
    if (h == nullptr) return "<no Content-Type>";
    const auto pp = parse_params(h->value);
    const auto v = rfc2231_param(pp.params, "name");
    if (!v) return "<no name parameter>";
    EXPECT_EQ(v->error, "") << h->raw;
    if (!v->extended && v->value.find("=?") != std::string::npos) {
        const auto r = lettre::detail::decode_unstructured(v->value);
        return r ? *r : "<undecodable>";
    }
    return v->value;
}

const std::string_view names[] = {
    "r\xC3\xA9sum\xC3\xA9.pdf",
    "\xE6\x8A\xA5\xE5\x91\x8A.docx",                       // CJK
    "\xD0\xBE\xD1\x82\xD1\x87\xD1\x91\xD1\x82 2025.xlsx",  // Cyrillic with a space
    "smile \xF0\x9F\x98\x80.png",                          // 4-byte UTF-8
    "quote\" and ' and * and % and ;.txt",                 // specials, ASCII
    "tab\tname.txt",
};

TEST(Rfc2231Filename, DispositionIsAttachmentWithTheFilename) {
    for (std::string_view n : names) {
        SCOPED_TRACE(std::string(n));
        const auto a = attachment_for(n);
        const raw_header* cd = find_header(a.headers, "Content-Disposition");
        ASSERT_NE(cd, nullptr);
        EXPECT_EQ(parse_params(cd->value).main, "attachment");
        EXPECT_EQ(filename_of(a), n);
    }
}

TEST(Rfc2231Filename, NonAsciiUsesTheExtendedFormNotEncodedWords) {
    for (std::string_view n : names) {
        if (is_ascii(n)) continue;
        SCOPED_TRACE(std::string(n));
        const auto a = attachment_for(n);
        const raw_header* cd = find_header(a.headers, "Content-Disposition");
        ASSERT_NE(cd, nullptr);
        EXPECT_EQ(cd->value.find("=?"), std::string::npos)
            << "RFC 2047 §5: no encoded-words in a quoted-string parameter";
        const auto v = rfc2231_param(parse_params(cd->value).params, "filename");
        ASSERT_TRUE(v.has_value());
        EXPECT_TRUE(v->extended) << "expected filename*= or filename*0*=: " << cd->raw;
        const bool starts_right = cd->value.find("filename*=utf-8''") != std::string::npos ||
                                  cd->value.find("filename*0*=utf-8''") != std::string::npos ||
                                  cd->value.find("filename*=UTF-8''") != std::string::npos ||
                                  cd->value.find("filename*0*=UTF-8''") != std::string::npos;
        EXPECT_TRUE(starts_right) << cd->raw;
    }
}

TEST(Rfc2231Filename, PercentEncodesEverythingOutsideAttributeChar) {
    const auto a = attachment_for("a b*c'd%e(f)g<h>i@j,k;l:m\\n\"o/p[q]r?s=t\xC3\xA9.txt");
    const raw_header* cd = find_header(a.headers, "Content-Disposition");
    ASSERT_NE(cd, nullptr);
    // Every extended value (name ends in '*') holds only attribute-char or %XX.
    for (const auto& p : parse_params(cd->value).params) {
        if (p.name.empty() || p.name.back() != '*') continue;
        std::string_view v = p.value;
        if (p.name == "filename*" || p.name == "filename*0*") {
            const std::size_t second_quote = v.find('\'', v.find('\'') + 1);
            ASSERT_NE(second_quote, std::string_view::npos) << p.value;
            v.remove_prefix(second_quote + 1);
        }
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i] == '%') {
                ASSERT_LT(i + 2, v.size()) << "split %XX in " << p.name;
                EXPECT_TRUE(is_upper_hex(v[i + 1]) || hex_value(v[i + 1]) >= 0);
                EXPECT_GE(hex_value(v[i + 2]), 0);
                i += 2;
            } else {
                EXPECT_TRUE(is_attribute_char(v[i]))
                    << "'" << v[i] << "' must be percent-encoded in " << p.name << "=" << p.value;
            }
        }
    }
    EXPECT_EQ(filename_of(a), "a b*c'd%e(f)g<h>i@j,k;l:m\\n\"o/p[q]r?s=t\xC3\xA9.txt");
}

TEST(Rfc2231Filename, VeryLongNonAsciiNameIsContinuedFromZero) {
    const std::string n = repeat("\xC3\xA9t\xC3\xA9-", 40) + "\xE2\x82\xAC\xF0\x9F\x98\x80.pdf";
    const auto a = attachment_for(n);
    const raw_header* cd = find_header(a.headers, "Content-Disposition");
    ASSERT_NE(cd, nullptr);
    EXPECT_GT(cd->lines.size(), 3u) << "a long name must be split over several lines";
    const auto v = rfc2231_param(parse_params(cd->value).params, "filename");
    ASSERT_TRUE(v.has_value()) << cd->raw;
    EXPECT_TRUE(v->continued) << "expected filename*0*=, filename*1*=, ...: " << cd->raw;
    // Numbering as written: 0, 1, 2, ... (rfc2231_param checks gaps and zeros).
    for (std::size_t i = 0; i < v->indices.size(); ++i)
        EXPECT_EQ(v->indices[i], static_cast<int>(i)) << "segments out of order in " << cd->raw;
    EXPECT_NE(cd->value.find("filename*0*="), std::string::npos) << cd->raw;
    EXPECT_EQ(cd->value.find("filename*="), std::string::npos)
        << "do not mix filename*= with continuations: " << cd->raw;
    EXPECT_EQ(filename_of(a), n);
}

TEST(Rfc2231Filename, VeryLongAsciiNameKeepsLinesShort) {
    const std::string n = repeat("long_file_name_", 20) + ".txt";  // 304 characters
    const auto a = attachment_for(n);
    EXPECT_EQ(filename_of(a), n);
    const raw_header* cd = find_header(a.headers, "Content-Disposition");
    ASSERT_NE(cd, nullptr);
    const auto v = rfc2231_param(parse_params(cd->value).params, "filename");
    ASSERT_TRUE(v.has_value());
    EXPECT_TRUE(v->continued) << "a 304-character value cannot fit a 78-character line: "
                              << cd->raw;
}

TEST(Rfc2231Filename, EveryLineOfEveryPartHeaderIsShort) {
    for (std::string_view n : names) {
        const auto a = attachment_for(repeat("\xC3\xA9", 60) + std::string(n));
        for (const auto& h : a.headers)
            for (const auto& l : h.lines) EXPECT_LE(l.size(), 78u) << l;
    }
}

TEST(Rfc2231Filename, ContentTypeCarriesANameFallback) {
    for (std::string_view n : names) {
        SCOPED_TRACE(std::string(n));
        const auto a = attachment_for(n);
        EXPECT_EQ(name_of(a), n);
        const raw_header* ct = find_header(a.headers, "Content-Type");
        ASSERT_NE(ct, nullptr);
        EXPECT_TRUE(is_ascii(ct->raw)) << ct->raw;
    }
}

TEST(Rfc2231Filename, ShortAsciiNameIsPlain) {
    const auto a = attachment_for("report.pdf");
    const raw_header* cd = find_header(a.headers, "Content-Disposition");
    ASSERT_NE(cd, nullptr);
    const auto v = rfc2231_param(parse_params(cd->value).params, "filename");
    ASSERT_TRUE(v.has_value()) << cd->raw;
    EXPECT_FALSE(v->extended) << "a plain ASCII name needs no RFC 2231 encoding: " << cd->raw;
    EXPECT_EQ(v->value, "report.pdf");
    EXPECT_EQ(name_of(a), "report.pdf");
}

TEST(Rfc2231Filename, AttachmentBodyIsIntact) {
    std::string bytes;
    for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("t");
    b.attachment(part::attachment("r\xC3\xA9sum\xC3\xA9.bin", bytes));
    const entity e = parse_entity(must_build(b).formatted());
    bool found = false;
    for (const entity* leaf : leaves(e)) {
        if (!istarts_with(leaf->value("Content-Disposition"), "attachment")) continue;
        found = true;
        const auto d = decoded_body(*leaf);
        ASSERT_TRUE(d.has_value());
        EXPECT_EQ(*d, bytes);
    }
    EXPECT_TRUE(found);
}

TEST(Rfc2231Filename, PartKeepsTheUtf8Filename) {
    const part p = part::attachment("r\xC3\xA9sum\xC3\xA9.pdf", "x");
    ASSERT_TRUE(p.filename().has_value());
    EXPECT_EQ(*p.filename(), "r\xC3\xA9sum\xC3\xA9.pdf");
    EXPECT_EQ(p.content_disposition(), part::disposition::attachment);
    EXPECT_EQ(p.type().essence(), "application/pdf");
}

}  // namespace
