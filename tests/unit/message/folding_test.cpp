// Header folding (RFC 5322 §2.1.1, §2.2.3, §3.2.2) and encoded-word limits
// (RFC 2047 §2): no line over 78 characters when the value can be broken,
// never over 998; folds only before WSP and never a line of WSP only;
// encoded-words at most 75 characters, lines holding them at most 76; a
// UTF-8 sequence is never split across two words; unfolding and decoding
// gives back the original text.
#include "../test_util.hpp"

namespace {

using lettre::errc;
using namespace lettre_test;

/// Checks the folding rules on every header line of `formatted` and returns
/// the parsed header fields.
std::vector<raw_header> check_header_lines(const std::string& formatted) {
    const std::string block = header_block(formatted);
    const auto lines = split_crlf(block);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string& l = lines[i];
        EXPECT_LE(l.size(), 998u) << "RFC 5322 §2.1.1 hard limit: " << l;
        if (i == 0) {
            EXPECT_FALSE(!l.empty() && (l[0] == ' ' || l[0] == '\t')) << "first line folded";
        }
        if (!l.empty() && (l[0] == ' ' || l[0] == '\t')) {
            EXPECT_NE(l.find_first_not_of(" \t"), std::string::npos)
                << "RFC 5322 §3.2.2: a folded line of white space only (line " << i << ")";
        }
        EXPECT_FALSE(l.empty()) << "empty line inside the header block";
    }
    EXPECT_FALSE(has_bare_cr_or_lf(block));
    return parse_header_block(block);
}

void check_breakable_lines(const raw_header& h) {
    for (const auto& l : h.lines) EXPECT_LE(l.size(), 78u) << h.name << " line: " << l;
}

void check_encoded_words(const raw_header& h) {
    for (const auto& l : h.lines) {
        const auto words = find_encoded_words(l);
        for (const auto& w : words) {
            EXPECT_LE(w.size(), 75u) << "RFC 2047 §2: " << w;
            const auto bytes = decode_word_bytes(w);
            ASSERT_TRUE(bytes.has_value()) << "undecodable word " << w;
            EXPECT_TRUE(is_valid_utf8(*bytes)) << "word splits a UTF-8 sequence: " << w;
        }
    }
}

void check_encoded_line_limit(const raw_header& h) {
    for (const auto& l : h.lines) {
        if (!find_encoded_words(l).empty()) {
            EXPECT_LE(l.size(), 76u)
                << "RFC 2047 §2: a line with encoded-words is at most 76: " << l;
        }
    }
}

std::string decoded_value(const raw_header& h) {
    const auto r = lettre::detail::decode_unstructured(h.value);
    return r ? *r : "<decode error: " + r.error().message + ">";
}

lettre::message with_subject(std::string_view subject) {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").subject(subject).text("t");
    return must_build(b);
}

const raw_header& the_header(const std::vector<raw_header>& hs, std::string_view name) {
    const raw_header* h = find_header(hs, name);
    if (h == nullptr) throw std::runtime_error("no header " + std::string(name));
    return *h;
}

std::vector<std::string> subjects() {
    std::vector<std::string> out;
    std::string words;
    for (int i = 0; i < 50; ++i) {
        // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict, a false
        // positive) about the temporary of `" " + std::string(...)`.
        if (i != 0) words += ' ';
        words += "word";
        words += std::to_string(i);
    }
    out.push_back(words);                             // long ASCII, breakable
    out.push_back(repeat("\xC3\xBC", 200));           // 2-byte, no spaces
    out.push_back(repeat("\xC3\xBC ", 100) + "end");  // 2-byte with spaces
    out.push_back(repeat("\xE2\x82\xAC", 150));       // 3-byte
    out.push_back(repeat("\xF0\x9F\x98\x80", 100));   // 4-byte
    out.push_back(repeat("x", 300));                  // one long ASCII word
    out.push_back("Re: " +
                  repeat("Gr\xC3\xBC\xC3\x9F"
                         "e aus K\xC3\xB6ln, ",
                         12) +
                  "fin");
    for (std::size_t prefix = 1; prefix < 4; ++prefix)  // shift boundaries
        out.push_back(std::string(prefix, 'a') + repeat("\xF0\x9F\x98\x80\xE2\x82\xAC", 40));
    return out;
}

TEST(Folding, SubjectLinesAreShortAndTheTextSurvives) {
    for (const auto& s : subjects()) {
        SCOPED_TRACE(s.substr(0, 40));
        const auto hs = check_header_lines(with_subject(s).formatted());
        const raw_header& h = the_header(hs, "Subject");
        check_breakable_lines(h);
        check_encoded_words(h);
        EXPECT_EQ(decoded_value(h), s);
    }
}

TEST(Folding, EncodedWordLinesAreAtMost76) {
    for (const auto& s : subjects()) {
        SCOPED_TRACE(s.substr(0, 40));
        const auto hs = check_header_lines(with_subject(s).formatted());
        check_encoded_line_limit(the_header(hs, "Subject"));
    }
}

TEST(Folding, ShortSubjectIsOneLine) {
    const auto hs = check_header_lines(with_subject("Hello there").formatted());
    const raw_header& h = the_header(hs, "Subject");
    EXPECT_EQ(h.lines.size(), 1u);
    EXPECT_EQ(h.raw, "Subject: Hello there");
}

TEST(Folding, AsciiSubjectFoldsAtSpacesWithoutChangingIt) {
    std::string s;
    for (int i = 0; i < 40; ++i) s += (i ? " " : "") + std::string("lorem") + std::to_string(i);
    const auto hs = check_header_lines(with_subject(s).formatted());
    const raw_header& h = the_header(hs, "Subject");
    EXPECT_GT(h.lines.size(), 1u);
    EXPECT_EQ(h.value, s) << "plain ASCII words should stay literal; unfolding gives them back";
}

TEST(Folding, CustomHeaderValues) {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("t");
    const std::string ascii = repeat("token ", 40) + "end";
    const std::string utf8 = repeat("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E ", 30) + "end";
    const std::string longword = repeat("z", 1500);
    b.header("X-Ascii", ascii).header("X-Utf8", utf8).header("X-Long-Word", longword);
    const auto hs = check_header_lines(must_build(b).formatted());
    for (const auto& [name, value] : {std::pair<std::string, std::string>{"X-Ascii", ascii},
                                      {"X-Utf8", utf8},
                                      {"X-Long-Word", longword}}) {
        SCOPED_TRACE(name);
        const raw_header& h = the_header(hs, name);
        check_breakable_lines(h);
        check_encoded_words(h);
        EXPECT_EQ(decoded_value(h), value);
    }
}

TEST(Folding, FoldsHappenOnlyBeforeWhiteSpace) {
    // Every continuation line starts with WSP (checked per line) and the
    // unfolded value equals the raw text with the CRLFs removed.
    const auto hs = check_header_lines(with_subject(subjects()[2]).formatted());
    const raw_header& h = the_header(hs, "Subject");
    for (std::size_t i = 1; i < h.lines.size(); ++i)
        EXPECT_TRUE(h.lines[i][0] == ' ' || h.lines[i][0] == '\t') << h.lines[i];
}

TEST(Folding, UnbreakableStructuredValueOver998IsLineTooLong) {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("t");
    b.message_id("<" + std::string(1000, 'a') + "@example.com>");
    EXPECT_LETTRE_ERROR(b.try_build(), errc::line_too_long);
    EXPECT_LETTRE_THROW(b.build(), errc::line_too_long);
}

TEST(Folding, UnbreakableStructuredValueUnder998IsKeptWhole) {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("t");
    const std::string id = "<" + std::string(900, 'a') + "@example.com>";
    b.message_id(id);
    const auto m = must_build(b);
    const auto hs = check_header_lines(m.formatted());
    const raw_header& h = the_header(hs, "Message-ID");
    EXPECT_EQ(h.value, id);
    EXPECT_EQ(m.message_id(), id);
}

TEST(Folding, ReferencesWithManyIdsFoldBetweenIds) {
    std::string refs;
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) {
        ids.push_back("<message" + std::to_string(i) + ".abcdef@mail.example.com>");
        refs += (i ? " " : "") + ids.back();
    }
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("t").references(refs).in_reply_to(ids.back());
    const auto hs = check_header_lines(must_build(b).formatted());
    const raw_header& h = the_header(hs, "References");
    check_breakable_lines(h);
    for (const auto& id : ids) EXPECT_NE(h.value.find(id), std::string::npos) << id;
    EXPECT_EQ(the_header(hs, "In-Reply-To").value, ids.back());
}

TEST(Folding, EveryHeaderOfARichMessage) {
    auto b = lettre::message::builder();
    std::string to;
    for (int i = 0; i < 25; ++i)
        to += (i ? ", " : "") + std::string("\xC3\x89l\xC3\xA8ve ") + std::to_string(i) +
              " <student" + std::to_string(i) +
              "@\xC3\xA9"
              "cole.example>";
    b.from(
         "Dr. \xC3\x89milie Dupont-Lefebvre de la Tour <emilie@\xC3\xA9"
         "cole.example>")
        .to(to)
        .cc("\"Doe, John Jacob Jingleheimer Schmidt the Third\" <john@example.org>")
        .subject(repeat("Annonce \xC3\xA0 tous les \xC3\xA9l\xC3\xA8ves: ", 5))
        .header("X-Mixed", repeat("ascii \xE2\x9C\x93 ", 30))
        .list_unsubscribe(
            {"https://example.com/unsubscribe?list=students&token=" + repeat("ab", 40),
             "mailto:unsubscribe@example.com?subject=unsubscribe"},
            true)
        .text("t");
    const auto m = must_build(b);
    const auto hs = check_header_lines(m.formatted());
    for (const auto& h : hs) {
        SCOPED_TRACE(h.name);
        check_encoded_words(h);
        if (h.name == "List-Unsubscribe") continue;  // one long URI cannot be broken
        check_breakable_lines(h);
    }
    const auto back = lettre::address_list::try_parse(the_header(hs, "To").value);
    ASSERT_LETTRE_OK(back);
    EXPECT_EQ(back->mailboxes().size(), 25u);
}

TEST(Folding, PartHeadersWithALongMediaType) {
    // "Content-Type: " + a 71-character media type + ";" is 86 characters;
    // RFC 2045 §5.1 allows folding white space after the colon, so the value
    // is breakable and must fit in 78.
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("t");
    b.attachment(lettre::part::attachment("report.docx", "PK"));
    b.attachment(lettre::part::attachment("sheet.xlsx", "PK"));
    const entity root = parse_entity(must_build(b).formatted());
    std::size_t checked = 0;
    for (const entity* leaf : leaves(root)) {
        if (leaf->essence().rfind("application/vnd.openxmlformats", 0) != 0) continue;
        ++checked;
        for (const auto& h : leaf->headers) check_breakable_lines(h);
    }
    EXPECT_EQ(checked, 2u) << outline(root);
}

TEST(Folding, HeaderFieldValuesInWireForm) {
    // message::headers() values are encoded and folded, CRLF + WSP inside,
    // and no trailing CRLF.
    const auto m = with_subject(subjects()[1]);
    for (const auto& f : m.headers()) {
        SCOPED_TRACE(f.name);
        EXPECT_FALSE(has_bare_cr_or_lf(f.value));
        EXPECT_FALSE(f.value.size() >= 2 && f.value.substr(f.value.size() - 2) == "\r\n");
        for (std::size_t pos = f.value.find("\r\n"); pos != std::string::npos;
             pos = f.value.find("\r\n", pos + 2)) {
            ASSERT_LT(pos + 2, f.value.size());
            EXPECT_TRUE(f.value[pos + 2] == ' ' || f.value[pos + 2] == '\t');
        }
    }
    const auto subject = m.header("subject");
    ASSERT_TRUE(subject.has_value());
    const auto decoded = lettre::detail::decode_unstructured(*subject);
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, subjects()[1]);
}

}  // namespace
