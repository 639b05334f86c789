// Content-Transfer-Encoding choice and output (RFC 2045 §6, RFC 5322 §2.1.1,
// RFC 5321 §4.5.3.1.6): 7bit for ASCII text with lines <= 998; otherwise
// quoted-printable or base64, whichever is smaller; non-text bodies always
// base64 in lines of at most 76; text normalized to CRLF (bare CR and bare
// LF included); no output line over 998; lines starting with "." or "From "
// keep their meaning (dot-stuffing is the SMTP layer's job).
#include "../test_util.hpp"

namespace {

using lettre::content_type;
using lettre::part;
using namespace lettre_test;

struct built {
    std::string formatted;
    entity root;
};

built with_text(std::string text) {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").subject("s").text(std::move(text));
    const lettre::message m = must_build(b);
    built out{m.formatted(), {}};
    out.root = parse_entity(out.formatted);
    return out;
}

built with_attachment(std::string name, std::string bytes,
                      std::optional<content_type> type = std::nullopt) {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("see attachment");
    b.attachment(part::attachment(name, std::move(bytes), std::move(type)));
    const lettre::message m = must_build(b);
    built out{m.formatted(), {}};
    out.root = parse_entity(out.formatted);
    return out;
}

const entity* attachment_leaf(const built& b) {
    for (const entity* leaf : leaves(b.root))
        if (istarts_with(leaf->value("Content-Disposition"), "attachment")) return leaf;
    ADD_FAILURE() << "no attachment in " << outline(b.root);
    return nullptr;
}

/// Output rules every message must satisfy.
void check_wire(const std::string& formatted) {
    EXPECT_FALSE(has_bare_cr_or_lf(formatted)) << "bare CR or LF in the output";
    EXPECT_LE(max_line_length(formatted), 998u) << "RFC 5322 §2.1.1";
    EXPECT_TRUE(is_ascii(formatted)) << "8-bit bytes in a message that needs no SMTPUTF8";
    for (std::size_t i = 0; i < formatted.size(); ++i)
        ASSERT_NE(formatted[i], '\0') << "NUL in the output at " << i;
}

void check_qp_lines(const entity& e) {
    for (const auto& l : split_crlf(e.body)) {
        EXPECT_LE(l.size(), 76u) << "RFC 2045 §6.7 rule 5: " << l;
        if (!l.empty()) {
            EXPECT_TRUE(l.back() != ' ' && l.back() != '\t')
                << "RFC 2045 §6.7 rule 3: trailing white space must be encoded: [" << l << "]";
        }
        for (std::size_t i = 0; i < l.size(); ++i) {
            const auto c = static_cast<unsigned char>(l[i]);
            EXPECT_TRUE((c >= 33 && c <= 126) || c == ' ' || c == '\t') << "raw byte " << int{c};
            if (l[i] == '=' && i + 1 < l.size()) {
                ASSERT_LT(i + 2, l.size()) << l;
                EXPECT_TRUE(is_upper_hex(l[i + 1]) && is_upper_hex(l[i + 2]))
                    << "RFC 2045 §6.7 rule 1: upper-case hex: " << l;
            }
        }
    }
}

void check_base64_lines(const entity& e) {
    const auto lines = split_crlf(e.body);
    for (const auto& l : lines) EXPECT_LE(l.size(), 76u) << "RFC 2045 §6.8: " << l;
    EXPECT_TRUE(base64_decode(e.body).has_value()) << "not valid base64";
}

/// The text leaf's decoded content compared with `expected` (modulo one
/// trailing CRLF the writer may add).
void expect_text(const built& b, std::string_view expected) {
    const auto ls = leaves(b.root);
    ASSERT_FALSE(ls.empty());
    const entity* leaf = ls[0];
    const auto d = decoded_body(*leaf);
    ASSERT_TRUE(d.has_value()) << "undecodable " << leaf->cte() << " body";
    EXPECT_EQ(chomp_crlf(*d), chomp_crlf(expected));
}

TEST(TransferEncoding, AsciiShortLinesAre7bit) {
    const built b = with_text("Hello Bob,\r\nhow are you?\r\n");
    check_wire(b.formatted);
    const auto ls = leaves(b.root);
    ASSERT_EQ(ls.size(), 1u);
    const std::string cte = ls[0]->cte();
    EXPECT_TRUE(cte.empty() || cte == "7bit") << cte;
    expect_text(b, "Hello Bob,\r\nhow are you?\r\n");
}

TEST(TransferEncoding, AsciiLineOf998Stays7bit) {
    const std::string line(998, 'a');
    const built b = with_text(line + "\r\nshort\r\n");
    const std::string cte = leaves(b.root)[0]->cte();
    EXPECT_TRUE(cte.empty() || cte == "7bit") << cte;
    check_wire(b.formatted);
    expect_text(b, line + "\r\nshort\r\n");
}

TEST(TransferEncoding, AsciiLineOver998IsEncoded) {
    const std::string line(2000, 'a');
    const built b = with_text(line + "\r\nshort\r\n");
    check_wire(b.formatted);
    const entity* leaf = leaves(b.root)[0];
    EXPECT_TRUE(leaf->cte() == "quoted-printable" || leaf->cte() == "base64") << leaf->cte();
    if (leaf->cte() == "quoted-printable") check_qp_lines(*leaf);
    expect_text(b, line + "\r\nshort\r\n");
}

TEST(TransferEncoding, MostlyAsciiUtf8IsQuotedPrintable) {
    const std::string text =
        "Caf\xC3\xA9 au lait, cr\xC3\xA8me br\xC3\xBBl\xC3\xA9"
        "e, and a long "
        "line of plain English text that goes on and on for a while.\r\n";
    const built b = with_text(text);
    check_wire(b.formatted);
    const entity* leaf = leaves(b.root)[0];
    EXPECT_EQ(leaf->cte(), "quoted-printable");
    check_qp_lines(*leaf);
    expect_text(b, text);
}

TEST(TransferEncoding, MostlyNonAsciiUtf8IsBase64) {
    const std::string text = repeat("\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 ", 40) +
                             "\r\n" + repeat("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", 60) + "\r\n";
    const built b = with_text(text);
    check_wire(b.formatted);
    const entity* leaf = leaves(b.root)[0];
    EXPECT_EQ(leaf->cte(), "base64");
    check_base64_lines(*leaf);
    expect_text(b, text);
}

TEST(TransferEncoding, ChosenEncodingIsNotLargerThanTheOther) {
    // Compare with reference sizes: base64 is 4/3 plus CRLF every 76; QP
    // is at least one octet per safe byte and three per other byte.
    for (const std::string& text :
         {std::string("plain words \xC3\xA9 more words\r\n"), repeat("\xC3\xA9", 300) + "\r\n",
          repeat("ab\xC3\xA9", 100) + "\r\n", repeat("abcd\xE2\x82\xAC", 80) + "\r\n"}) {
        const built b = with_text(text);
        const entity* leaf = leaves(b.root)[0];
        std::size_t safe = 0;
        for (char c : text) {
            const auto u = static_cast<unsigned char>(c);
            if ((u >= 33 && u <= 126 && c != '=') || c == ' ' || c == '\r' || c == '\n') ++safe;
        }
        const std::size_t qp_min = safe + 3 * (text.size() - safe);
        const std::size_t b64 = (text.size() + 2) / 3 * 4;
        const std::size_t b64_total = b64 + 2 * ((b64 + 75) / 76);
        if (leaf->cte() == "base64") {
            EXPECT_LE(b64, qp_min) << "base64 chosen although QP is smaller";
        } else if (leaf->cte() == "quoted-printable") {
            EXPECT_LE(leaf->body.size(), b64_total + 4) << "QP chosen although base64 is smaller";
        } else {
            ADD_FAILURE() << "8-bit text sent as " << leaf->cte();
        }
        expect_text(b, text);
    }
}

TEST(TransferEncoding, TextIsNormalizedToCrlf) {
    const built b = with_text("unix\nmac\rwindows\r\nmixed\n\rend");
    check_wire(b.formatted);
    expect_text(b, "unix\r\nmac\r\nwindows\r\nmixed\r\n\r\nend");
}

TEST(TransferEncoding, TextNormalizationInAllTextParts) {
    auto b = lettre::message::builder();
    b.from("a@example.com")
        .to("b@example.org")
        .text("line1\nline2\rline3")
        .html("<p>a</p>\n<p>b</p>\r<p>c</p>")
        .attachment(part::body("x\ny\rz", content_type::parse("text/csv; charset=utf-8")));
    const lettre::message m = must_build(b);
    const std::string f = m.formatted();
    check_wire(f);
    const entity root = parse_entity(f);
    const auto ls = leaves(root);
    ASSERT_EQ(ls.size(), 3u) << outline(root);
    const std::string expected[] = {"line1\r\nline2\r\nline3", "<p>a</p>\r\n<p>b</p>\r\n<p>c</p>",
                                    "x\r\ny\r\nz"};
    for (std::size_t i = 0; i < 3; ++i) {
        const auto d = decoded_body(*ls[i]);
        ASSERT_TRUE(d.has_value());
        EXPECT_EQ(chomp_crlf(*d), expected[i]) << ls[i]->essence();
    }
}

TEST(TransferEncoding, NulInTextIsEncoded) {
    const built b = with_text(std::string("before\0after\r\n", 14));
    check_wire(b.formatted);
    const entity* leaf = leaves(b.root)[0];
    EXPECT_TRUE(leaf->cte() == "quoted-printable" || leaf->cte() == "base64")
        << "RFC 2045 §2.7: 7bit data has no NUL; got " << leaf->cte();
    expect_text(b, std::string("before\0after\r\n", 14));
}

TEST(TransferEncoding, QuotedPrintableEncodesTrailingWhiteSpace) {
    const built b = with_text("caf\xC3\xA9 with trailing space \r\nand tab\t\r\nend");
    const entity* leaf = leaves(b.root)[0];
    ASSERT_EQ(leaf->cte(), "quoted-printable");
    check_qp_lines(*leaf);
    expect_text(b, "caf\xC3\xA9 with trailing space \r\nand tab\t\r\nend");
}

TEST(TransferEncoding, DotAndFromLinesKeepTheirMeaning) {
    const std::string text = ".\r\n..\r\n.hidden\r\nFrom here on\r\n>From quoted\r\nend\r\n";
    for (const std::string& t : {text, "\xC3\xA9\r\n" + text}) {
        const built b = with_text(t);
        check_wire(b.formatted);
        expect_text(b, t);
    }
    // The formatted bytes are not dot-stuffed.
    const built b = with_text(text);
    const auto ls = leaves(b.root);
    if (ls[0]->cte().empty() || ls[0]->cte() == "7bit") {
        EXPECT_EQ(chomp_crlf(ls[0]->body), chomp_crlf(text));
    }
}

TEST(TransferEncoding, BinaryAttachmentIsBase64In76ColumnLines) {
    std::string bytes;
    for (int r = 0; r < 20; ++r)
        for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
    const built b = with_attachment("blob.bin", bytes);
    check_wire(b.formatted);
    const entity* leaf = attachment_leaf(b);
    ASSERT_NE(leaf, nullptr);
    EXPECT_EQ(leaf->cte(), "base64");
    check_base64_lines(*leaf);
    const auto d = decoded_body(*leaf);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(*d, bytes);
}

TEST(TransferEncoding, NonTextBodyIsKeptByteForByteEvenWhenAscii) {
    // part::body: "other bodies are kept byte for byte (sent as base64)".
    const std::string bytes = "line one\nline two\rno CRLF normalization here\n";
    const built b = with_attachment("data.bin", bytes, content_type::octet_stream());
    const entity* leaf = attachment_leaf(b);
    ASSERT_NE(leaf, nullptr);
    EXPECT_EQ(leaf->cte(), "base64");
    const auto d = decoded_body(*leaf);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(*d, bytes);
}

TEST(TransferEncoding, EmptyBodies) {
    const built b = with_text("");
    check_wire(b.formatted);
    expect_text(b, "");
    const built a = with_attachment("empty.bin", "");
    const entity* leaf = attachment_leaf(a);
    ASSERT_NE(leaf, nullptr);
    EXPECT_EQ(decoded_body(*leaf).value_or("<bad>"), "");
}

TEST(TransferEncoding, MultipartEntitiesAreNotEncoded) {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("t").html("<p>h</p>");
    const entity root = parse_entity(must_build(b).formatted());
    ASSERT_EQ(root.essence(), "multipart/alternative");
    const std::string cte = root.cte();
    EXPECT_TRUE(cte.empty() || cte == "7bit" || cte == "8bit" || cte == "binary")
        << "RFC 2045 §6.4: a multipart has no encoding other than 7bit/8bit/binary: " << cte;
}

TEST(TransferEncoding, BodyAfterTheBlankLineIsBody) {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("hello\nworld");
    const lettre::message m = must_build(b);
    const std::string f = m.formatted();
    const std::size_t blank = f.find("\r\n\r\n");
    ASSERT_NE(blank, std::string::npos);
    EXPECT_EQ(f.substr(blank + 4), m.body());
    EXPECT_FALSE(has_bare_cr_or_lf(m.body()));
}

}  // namespace
