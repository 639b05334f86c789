// RFC 6376 §3.4 canonicalization, byte for byte: the §3.4.5 examples, the
// empty-body rules of §3.4.3/§3.4.4 with their SHA-256 values, the extra
// dkimpy vectors listed in ../shared/vectors/rfc6376_canon.txt, line-break
// handling, streaming (canonicalize_body in pieces == canonical_body; the
// input fed in chunks cut anywhere, also inside CRLFs and WSP runs), the
// pass-through of unchanged input, and agreement with the independent
// canonicalizer in dkim_support.hpp.
#include "dkim_support.hpp"

#include "dkim/canonicalize.hpp"
#include "dkim/header_block.hpp"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace {

using lettre::dkim::canonicalization;
using lettre::dkim::detail::canonical_body;
using lettre::dkim::detail::canonicalize_body;
using lettre::dkim::detail::canonicalize_header;
using lettre::dkim::detail::parse_header_block;

constexpr auto relaxed = canonicalization::relaxed;
constexpr auto simple = canonicalization::simple;

std::string header(canonicalization c, std::string_view text) {
    std::string out;
    canonicalize_header(c, text, out);
    return out;
}

// The §3.4.5 input message.
constexpr std::string_view rfc_message =
    "A: X\r\n"
    "B : Y\t\r\n"
    "\tZ  \r\n"
    "\r\n"
    " C \r\n"
    "D \t E\r\n"
    "\r\n"
    "\r\n";

TEST(dkim_canonicalize, VectorFileIsTheOneTranscribed) {
    // Guards against the vector file changing under the hard-coded bytes.
    const std::string v = dkim_test::shared_file("vectors/rfc6376_canon.txt");
    EXPECT_NE(v.find(R"("A: X\r\n")"), std::string::npos);
    EXPECT_NE(v.find(R"("B : Y\t\r\n")"), std::string::npos);
    EXPECT_NE(v.find(R"(" C\r\nD E\r\n")"), std::string::npos);
    EXPECT_NE(v.find("unak6JHq0wL+Q1HP7dW1tjBx9FLA6DffoZ0qrLwbbpo="), std::string::npos);
    EXPECT_NE(v.find("NOeivbQlDH9TmNKJUw7D53wZfsk8YMZ/hTuVVwTgi8s="), std::string::npos);
    EXPECT_NE(v.find("frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY="), std::string::npos);
    EXPECT_NE(v.find("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="), std::string::npos);
}

TEST(dkim_canonicalize, Rfc6376Example1RelaxedRelaxed) {
    auto parsed = parse_header_block(rfc_message);
    ASSERT_LETTRE_OK(parsed);
    ASSERT_EQ(parsed->fields.size(), 2u);
    EXPECT_EQ(parsed->fields[0].name, "A");
    EXPECT_EQ(parsed->fields[0].text, "A: X\r\n");
    EXPECT_EQ(parsed->fields[1].name, "B");
    EXPECT_EQ(parsed->fields[1].text, "B : Y\t\r\n\tZ  \r\n");
    EXPECT_EQ(parsed->body, " C \r\nD \t E\r\n\r\n\r\n");

    std::string h;
    for (const auto& f : parsed->fields) canonicalize_header(relaxed, f.text, h);
    EXPECT_EQ(h, "a:X\r\nb:Y Z\r\n");
    EXPECT_EQ(canonical_body(relaxed, parsed->body), " C\r\nD E\r\n");
}

TEST(dkim_canonicalize, Rfc6376Example2SimpleSimple) {
    auto parsed = parse_header_block(rfc_message);
    ASSERT_LETTRE_OK(parsed);
    std::string h;
    for (const auto& f : parsed->fields) canonicalize_header(simple, f.text, h);
    EXPECT_EQ(h, "A: X\r\nB : Y\t\r\n\tZ  \r\n");
    EXPECT_EQ(canonical_body(simple, parsed->body), " C \r\nD \t E\r\n");
}

TEST(dkim_canonicalize, Rfc6376Example3RelaxedHeaderSimpleBody) {
    auto parsed = parse_header_block(rfc_message);
    ASSERT_LETTRE_OK(parsed);
    std::string h;
    for (const auto& f : parsed->fields) canonicalize_header(relaxed, f.text, h);
    EXPECT_EQ(h, "a:X\r\nb:Y Z\r\n");
    EXPECT_EQ(canonical_body(simple, parsed->body), " C \r\nD \t E\r\n");
}

TEST(dkim_canonicalize, Rfc6376BodyHashes) {
    const std::string_view body = " C \r\nD \t E\r\n\r\n\r\n";
    EXPECT_EQ(dkim_test::sha256_b64(canonical_body(relaxed, body)),
              "unak6JHq0wL+Q1HP7dW1tjBx9FLA6DffoZ0qrLwbbpo=");
    EXPECT_EQ(dkim_test::sha256_b64(canonical_body(simple, body)),
              "NOeivbQlDH9TmNKJUw7D53wZfsk8YMZ/hTuVVwTgi8s=");
}

TEST(dkim_canonicalize, EmptyBodies) {
    for (std::string_view body : {"", "\r\n", "\r\n\r\n", "\r\n\r\n\r\n"}) {
        SCOPED_TRACE(lettre_test::repeat("CRLF ", body.size() / 2));
        EXPECT_EQ(canonical_body(simple, body), "\r\n");
        EXPECT_EQ(canonical_body(relaxed, body), "");
        EXPECT_EQ(dkim_test::sha256_b64(canonical_body(simple, body)),
                  "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
        EXPECT_EQ(dkim_test::sha256_b64(canonical_body(relaxed, body)),
                  "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    }
    // Lines of white space only are empty lines once relaxed.
    EXPECT_EQ(canonical_body(relaxed, " \r\n\t\r\n  \t \r\n"), "");
    EXPECT_EQ(canonical_body(simple, " \r\n\t\r\n"), " \r\n\t\r\n");
}

TEST(dkim_canonicalize, MissingFinalCrlfIsAdded) {
    EXPECT_EQ(canonical_body(simple, "Foo bar"), "Foo bar\r\n");
    EXPECT_EQ(canonical_body(relaxed, "Foo bar"), "Foo bar\r\n");
    EXPECT_EQ(canonical_body(relaxed, "Foo bar  \t"), "Foo bar\r\n");
    EXPECT_EQ(canonical_body(simple, "a\r\n\r\nb"), "a\r\n\r\nb\r\n");
}

TEST(dkim_canonicalize, DkimpyHeaderVectors) {
    // dkimpy's vectors give (name, value) pairs; the field is name ':' value.
    EXPECT_EQ(header(relaxed, "Foo  :   Bar \t baz   \r\n"), "foo:Bar baz\r\n");
    EXPECT_EQ(header(relaxed, "Foo:Bar\r\n baz\r\n"), "foo:Bar baz\r\n");
}

TEST(dkim_canonicalize, DkimpyBodyVectors) {
    EXPECT_EQ(canonical_body(relaxed, "Foo  \t\r\nbar\r\n"), "Foo\r\nbar\r\n");
    EXPECT_EQ(canonical_body(relaxed, "Foo  \t  bar\r\n"), "Foo bar\r\n");
    EXPECT_EQ(canonical_body(relaxed, "Foo\r\nbar\r\n\r\n\r\n"), "Foo\r\nbar\r\n");
    EXPECT_EQ(canonical_body(simple, "Foo  \tbar    \r\n\r\n"), "Foo  \tbar    \r\n");
}

TEST(dkim_canonicalize, RelaxedHeaderDetails) {
    // Leading WSP of the value goes, inner runs (also across folds) become one SP.
    EXPECT_EQ(header(relaxed, "SUBJECT:\t \tHello \t  World\t\r\n"), "subject:Hello World\r\n");
    EXPECT_EQ(header(relaxed, "To: a,\r\n\tb,\r\n        c\r\n"), "to:a, b, c\r\n");
    EXPECT_EQ(header(relaxed, "X-Empty:\r\n"), "x-empty:\r\n");
    EXPECT_EQ(header(relaxed, "X-Empty:   \t \r\n"), "x-empty:\r\n");
    EXPECT_EQ(header(relaxed, "X-Fold:\r\n value\r\n"), "x-fold:value\r\n");
    // Only ASCII letters change case; the value keeps its case and 8-bit bytes.
    EXPECT_EQ(header(relaxed, "X-\xc3\x84Mixed-Case: V\xc3\xa4lue ABC\r\n"),
              "x-\xc3\x84mixed-case:V\xc3\xa4lue ABC\r\n");
    // A colon inside the value is not the separator.
    EXPECT_EQ(header(relaxed, "Date : Fri, 11 Jul 2003 21:00:37 -0700\r\n"),
              "date:Fri, 11 Jul 2003 21:00:37 -0700\r\n");
}

TEST(dkim_canonicalize, SimpleHeaderIsVerbatim) {
    for (std::string_view f : {"A: X\r\n", "B : Y\t\r\n\tZ  \r\n", "x-Odd:\tvalue \r\n"})
        EXPECT_EQ(header(simple, f), f);
}

TEST(dkim_canonicalize, HeaderAppendsToOutput) {
    std::string out = "prefix";
    canonicalize_header(relaxed, "A: X\r\n", out);
    canonicalize_header(simple, "B: Y\r\n", out);
    EXPECT_EQ(out, "prefixa:X\r\nB: Y\r\n");
}

TEST(dkim_canonicalize, LineBreaksInBodyBecomeCrlf) {
    // Bare LF and bare CR are read as the CRLF that SMTP sends.
    EXPECT_EQ(canonical_body(simple, "a\nb\n"), "a\r\nb\r\n");
    EXPECT_EQ(canonical_body(simple, "a\rb\r"), "a\r\nb\r\n");
    EXPECT_EQ(canonical_body(relaxed, "a \nb\t\n\n\n"), "a\r\nb\r\n");
    EXPECT_EQ(canonical_body(simple, "a\n\n\nb\n\n"), "a\r\n\r\n\r\nb\r\n");
}

TEST(dkim_canonicalize, InnerEmptyLinesAreKept) {
    EXPECT_EQ(canonical_body(relaxed, "a\r\n\r\n \r\nb\r\n\r\n"), "a\r\n\r\n\r\nb\r\n");
    EXPECT_EQ(canonical_body(simple, "a\r\n\r\n \r\nb\r\n\r\n"), "a\r\n\r\n \r\nb\r\n");
}

TEST(dkim_canonicalize, RelaxedBodyLeadingWhitespaceBecomesOneSpace) {
    EXPECT_EQ(canonical_body(relaxed, "\t\t x\r\n"), " x\r\n");
    EXPECT_EQ(canonical_body(relaxed, " \x0b x\r\n"), " \x0b x\r\n");  // VT is not WSP
}

TEST(dkim_canonicalize, StreamingEqualsWhole) {
    // A body larger than the sink's buffer, with long lines, WSP runs and
    // trailing blank lines; the pieces concatenated equal canonical_body().
    std::string body;
    for (int i = 0; i < 3000; ++i) {
        body += "line " + std::to_string(i) + " \t with   runs\t\r\n";
        if (i % 97 == 0) body += lettre_test::repeat("x", 70000) + "  \r\n";
        if (i % 13 == 0) body += "\r\n \r\n";
    }
    body += "\r\n\r\n \r\n";
    for (auto c : {simple, relaxed}) {
        std::string streamed;
        std::size_t pieces = 0;
        canonicalize_body(c, body, [&](std::string_view s) {
            streamed += s;
            ++pieces;
        });
        EXPECT_EQ(streamed, canonical_body(c, body));
        EXPECT_GT(pieces, 1u);
        EXPECT_EQ(streamed,
                  c == relaxed ? dkim_test::relaxed_body(body) : dkim_test::simple_body(body));
    }
}

// --- the streaming canonicalizer: edge cases, chunk boundaries, pass-through --

// Line breaks as SMTP sends them (CRLF, bare CR, bare LF -> CRLF), so that
// dkim_test's CRLF-only reference canonicalizers apply.
using lettre_test::to_crlf;

/// Printable form of a body for failure messages.
std::string escaped(std::string_view s) {
    std::string out;
    for (char ch : s.substr(0, 120)) {
        const auto u = static_cast<unsigned char>(ch);
        if (ch == '\r')
            out += "\\r";
        else if (ch == '\n')
            out += "\\n";
        else if (ch == '\t')
            out += "\\t";
        else if (u < 0x20 || u >= 0x7f)
            out += "\\x" + std::string(1, "0123456789abcdef"[u >> 4]) + "0123456789abcdef"[u & 15];
        else
            out += ch;
    }
    return out;
}

std::string reference(canonicalization c, std::string_view body) {
    return c == relaxed ? dkim_test::relaxed_body(to_crlf(body))
                        : dkim_test::simple_body(to_crlf(body));
}

/// The canonical body with the input fed in the given chunk sizes (cycled).
std::string chunked(canonicalization c, std::string_view body,
                    const std::vector<std::size_t>& sizes) {
    std::string out;
    lettre::dkim::detail::body_canonicalizer canon(
        c,
        [](void* ctx, const char* p, std::size_t n) {
            EXPECT_GT(n, 0u);  // no empty pieces
            static_cast<std::string*>(ctx)->append(p, n);
        },
        &out);
    std::size_t i = 0;
    for (std::size_t k = 0; i < body.size(); ++k) {
        const std::size_t n = std::min(sizes[k % sizes.size()], body.size() - i);
        canon.update(body.substr(i, n));
        i += n;
    }
    canon.finish();
    return out;
}

/// Every cut of `body` into two chunks, byte-by-byte chunks and a few
/// uneven ones all give the reference output.
void expect_all_chunkings(std::string_view body) {
    SCOPED_TRACE(escaped(body));
    for (auto c : {simple, relaxed}) {
        SCOPED_TRACE(c == relaxed ? "relaxed" : "simple");
        const std::string want = reference(c, body);
        ASSERT_EQ(canonical_body(c, body), want);
        EXPECT_EQ(chunked(c, body, {1}), want);
        EXPECT_EQ(chunked(c, body, {2, 3, 1, 7}), want);
        EXPECT_EQ(chunked(c, body, {17, 1, 33}), want);
        for (std::size_t cut = 0; cut <= body.size() && body.size() <= 300; ++cut) {
            EXPECT_EQ(chunked(c, body, {cut == 0 ? body.size() + 1 : cut, body.size() + 1}), want)
                << "cut at " << cut;
        }
    }
}

TEST(dkim_canonicalize, EdgeCasesInAnyChunking) {
    const std::string long_plain = lettre_test::repeat("abcdefghij", 2000);  // 20 KB, no break
    const std::string long_wsp = lettre_test::repeat("ab  \t c ", 1500);
    for (std::string_view body : std::initializer_list<std::string_view>{
             "",
             "\r\n",
             "\r\n\r\n\r\n",
             "\n\n\n",
             "\r\r\r",
             "\r\n\r",
             "\r\r\n\n",  // CR, CRLF, LF: three breaks
             "a\nb\rc\r\nd",
             "a\r\rb\n\r\n",
             "trailing WSP at the end of the body \t ",
             "trailing WSP at the end of the body\r\n \t \r\n\t",
             "  \t  ",
             " ",
             "\t",
             "x",
             "x\r",
             "x\r\n",
             "a \r\n",
             "a\t\r\nb",
             "a  b\tc \t d\r\n",
             " leading single space\r\n",
             "\tleading tab\r\n",
             "   leading run\r\n",
             "\r\n\r\n leading space after empty lines\r\n\r\n",
             "\r\n \r\n\t\r\n  x\r\n",
             "a\r\n\r\n \t \r\n\r\nb\r\n\r\n \r\n",
             "inner\r\n\r\n\r\nlines\r\n",
             "controls \x0b\x0c\x01 \x7f stay\r\n",
             "utf-8 \xc3\xa4\xc3\xb6 \xe2\x82\xac  \xf0\x9f\x98\x80\r\n",
             "0123456789abcdef0123456789abcdef \r\n0123456789abcdef0123456789abcde  f\r\n",
             "base64ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/AB\r\n"
             "base64ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/AB\r\n",
         })
        expect_all_chunkings(body);
    // Very long lines, with and without WSP, cut in uneven chunks.
    for (const std::string& body : {long_plain, long_plain + "\r\n", long_plain + "  \r\n\r\n",
                                    long_wsp, long_wsp + "\n" + long_plain + "\r"})
        for (auto c : {simple, relaxed}) {
            const std::string want = reference(c, body);
            EXPECT_EQ(canonical_body(c, body), want);
            EXPECT_EQ(chunked(c, body, {4093, 1, 15, 16, 31, 32, 33}), want);
        }
}

TEST(dkim_canonicalize, WspRunsAcrossChunkBoundaries) {
    // The WSP run is cut at every place, so that each chunk ends inside it.
    const std::string body = "a \t \t b\r\n  \t\r\n  c  \r\nd\t\r\n\t\te";
    for (auto c : {simple, relaxed}) {
        const std::string want = reference(c, body);
        for (std::size_t n = 1; n <= body.size(); ++n) EXPECT_EQ(chunked(c, body, {n}), want);
    }
    EXPECT_EQ(chunked(relaxed, "a \t", {2}) + "|" + chunked(relaxed, "a \t\t", {2, 1}),
              "a\r\n|a\r\n");
    EXPECT_EQ(chunked(relaxed, "a  b", {2}), "a b\r\n");
    EXPECT_EQ(chunked(relaxed, "a \r\nb", {2}), "a\r\nb\r\n");
    EXPECT_EQ(chunked(relaxed, "\r\n  b", {3}), "\r\n b\r\n");
}

TEST(dkim_canonicalize, CrlfSplitAcrossChunks) {
    for (auto c : {simple, relaxed}) {
        EXPECT_EQ(chunked(c, "a\r\nb\r\n", {2}), "a\r\nb\r\n");
        EXPECT_EQ(chunked(c, "a\r\n\r\nb\r\n", {2, 2}), "a\r\n\r\nb\r\n");
        EXPECT_EQ(chunked(c, "a\r\r\nb", {2, 1}), "a\r\n\r\nb\r\n");
        EXPECT_EQ(chunked(c, "a\r\n\r\n\r\n", {2}), "a\r\n");
    }
}

TEST(dkim_canonicalize, EmptyAndBlankBodiesInChunks) {
    for (std::string_view body : {"", "\r\n", "\r\n\r\n\r\n\r\n", "\n\r\r\n", "\r"}) {
        EXPECT_EQ(canonical_body(simple, body), "\r\n");
        EXPECT_EQ(canonical_body(relaxed, body), "");
        EXPECT_EQ(chunked(simple, body, {1}), "\r\n");
        EXPECT_EQ(chunked(relaxed, body, {1}), "");
    }
    // Only WSP lines: empty for relaxed, kept by simple.
    EXPECT_EQ(canonical_body(relaxed, " \r\n\t\r\n \t"), "");
    EXPECT_EQ(canonical_body(simple, " \r\n\t\r\n \t"), " \r\n\t\r\n \t\r\n");
    // Many trailing empty lines (more than one literal of CRLFs) before content.
    // (A named string, not `"a" + repeat(...)`: GCC 12 at -O3 reports a false
    // -Wrestrict for a literal plus a temporary string, which it inserts into.)
    const std::string lines = lettre_test::repeat("\r\n", 100);
    const std::string many = "a" + lines + "b" + lines;
    for (auto c : {simple, relaxed}) EXPECT_EQ(canonical_body(c, many), "a" + lines + "b\r\n");
}

TEST(dkim_canonicalize, RandomBodiesMatchTheReference) {
    // Deterministic pseudo-random bodies over the bytes that matter, each in
    // random chunks: the streaming canonicalizer equals the line-by-line
    // reference.
    std::uint32_t seed = 12345;
    auto next = [&] {
        seed = seed * 1664525u + 1013904223u;
        return seed >> 8;
    };
    const char alphabet[] = {'a',  'b',  ' ',  ' ',    '\t',   '\r',
                             '\n', '\r', '\n', '\x0b', '\xc3', '\0'};
    for (int round = 0; round < 3000; ++round) {
        std::string body;
        const std::size_t len = next() % 80;
        for (std::size_t i = 0; i < len; ++i) body += alphabet[next() % sizeof alphabet];
        std::vector<std::size_t> sizes;
        for (int k = 0; k < 5; ++k) sizes.push_back(1 + next() % 9);
        for (auto c : {simple, relaxed}) {
            const std::string want = reference(c, body);
            ASSERT_EQ(canonical_body(c, body), want) << escaped(body);
            ASSERT_EQ(chunked(c, body, sizes), want) << escaped(body);
        }
    }
}

TEST(dkim_canonicalize, UnchangedInputIsPassedThroughWithoutCopies) {
    // Lines that need no change reach the sink as one span of the input
    // itself: no per-line copies.
    const std::string body =
        lettre_test::repeat(
            "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5\r\n", 500) +
        "one space between words stays as it is\r\n";
    for (auto c : {simple, relaxed}) {
        std::vector<std::string_view> pieces;
        canonicalize_body(c, body, [&](std::string_view s) { pieces.push_back(s); });
        ASSERT_EQ(pieces.size(), 1u);
        EXPECT_EQ(pieces[0].data(), body.data());
        EXPECT_EQ(pieces[0].size(), body.size());
    }
    // A change splits the span once per change, around a literal.
    std::vector<std::string_view> pieces;
    canonicalize_body(relaxed, "abc  def\r\nghi\r\n",
                      [&](std::string_view s) { pieces.push_back(s); });
    ASSERT_EQ(pieces.size(), 3u);
    EXPECT_EQ(pieces[0], "abc");
    EXPECT_EQ(pieces[1], " ");
    EXPECT_EQ(pieces[2], "def\r\nghi\r\n");
}

TEST(dkim_canonicalize, BodySha256IsTheHashOfTheCanonicalBody) {
    const std::string msg = dkim_test::shared_file("corpus/typical.eml");
    ASSERT_FALSE(msg.empty());
    const std::string_view body = std::string_view(msg).substr(msg.find("\r\n\r\n") + 4);
    for (std::string_view b :
         {std::string_view(), std::string_view("\r\n"), body, std::string_view("x \t y  \r\n\r\n")})
        for (auto c : {simple, relaxed}) {
            std::array<unsigned char, 32> digest{};
            ASSERT_TRUE(lettre::dkim::detail::body_sha256(c, b, digest));
            EXPECT_EQ(std::string(reinterpret_cast<const char*>(digest.data()), digest.size()),
                      dkim_test::sha256(canonical_body(c, b)));
        }
}

TEST(dkim_canonicalize, AgreesWithIndependentCanonicalizerOnCorpus) {
    for (const char* name : {"corpus/small.eml", "corpus/typical.eml"}) {
        SCOPED_TRACE(name);
        const std::string msg = dkim_test::shared_file(name);
        ASSERT_FALSE(msg.empty());
        auto parsed = parse_header_block(msg);
        ASSERT_LETTRE_OK(parsed);
        const auto ref = dkim_test::split(msg);
        ASSERT_TRUE(ref.ok);
        ASSERT_EQ(parsed->fields.size(), ref.fields.size());
        for (std::size_t i = 0; i < ref.fields.size(); ++i) {
            EXPECT_EQ(parsed->fields[i].name, ref.fields[i].name);
            EXPECT_EQ(parsed->fields[i].text, ref.fields[i].raw);
            EXPECT_EQ(header(relaxed, parsed->fields[i].text),
                      dkim_test::relaxed_header(ref.fields[i].raw));
        }
        EXPECT_EQ(parsed->body, ref.body);
        EXPECT_EQ(canonical_body(relaxed, parsed->body), dkim_test::relaxed_body(ref.body));
        EXPECT_EQ(canonical_body(simple, parsed->body), dkim_test::simple_body(ref.body));
    }
}

// --- header block -----------------------------------------------------------

TEST(dkim_header_block, NoSeparatorIsMalformed) {
    using lettre::errc;
    for (std::string_view m :
         {"", "From: a@example.com", "From: a@example.com\r\n",
          "From: a@example.com\r\nTo: b@example.com\r\n", "From: a@example.com\r\n continued"}) {
        SCOPED_TRACE(dkim_test::strip_fws(m));
        EXPECT_LETTRE_ERROR(parse_header_block(m), errc::malformed_message);
    }
}

TEST(dkim_header_block, BrokenFieldsAreMalformed) {
    using lettre::errc;
    EXPECT_LETTRE_ERROR(parse_header_block(" starts folded\r\n\r\nbody"), errc::malformed_message);
    EXPECT_LETTRE_ERROR(parse_header_block("no colon here\r\n\r\nbody"), errc::malformed_message);
    EXPECT_LETTRE_ERROR(parse_header_block(": empty name\r\n\r\nbody"), errc::malformed_message);
    EXPECT_LETTRE_ERROR(parse_header_block("Bad Name: x\r\n\r\nbody"), errc::malformed_message);
    EXPECT_LETTRE_ERROR(parse_header_block("N\xc3\xa4me: x\r\n\r\nbody"), errc::malformed_message);
}

TEST(dkim_header_block, EmptyHeaderAndEmptyBody) {
    auto only_body = parse_header_block("\r\nbody\r\n");
    ASSERT_LETTRE_OK(only_body);
    EXPECT_TRUE(only_body->fields.empty());
    EXPECT_EQ(only_body->body, "body\r\n");

    auto no_body = parse_header_block("From: a@example.com\r\n\r\n");
    ASSERT_LETTRE_OK(no_body);
    ASSERT_EQ(no_body->fields.size(), 1u);
    EXPECT_EQ(no_body->body, "");
}

TEST(dkim_header_block, LineEndsNormalizedToCrlf) {
    auto p = parse_header_block("From: a\nSubject: x\n  y\rTo: b\r\n\nbody\n");
    ASSERT_LETTRE_OK(p);
    ASSERT_EQ(p->fields.size(), 3u);
    EXPECT_EQ(p->fields[0].text, "From: a\r\n");
    EXPECT_EQ(p->fields[1].text, "Subject: x\r\n  y\r\n");
    EXPECT_EQ(p->fields[2].text, "To: b\r\n");
    EXPECT_EQ(p->body, "body\n");  // the body is not copied or changed
}

TEST(dkim_header_block, FieldsPointIntoTheInputOrIntoNormalizedCopies) {
    const std::string msg = "From: a\r\nSubject: x\n  y\r\nTo: b\r\n\r\nbody";
    auto p = parse_header_block(msg);
    ASSERT_LETTRE_OK(p);
    ASSERT_EQ(p->fields.size(), 3u);
    // CRLF fields are not copied.
    EXPECT_EQ(p->fields[0].text.data(), msg.data());
    EXPECT_EQ(p->fields[2].text.data(), msg.data() + msg.find("To:"));
    // A field with a bare LF is a CRLF copy, which survives moves of the result.
    lettre::dkim::detail::parsed_message moved = std::move(*p);
    EXPECT_EQ(moved.fields[1].text, "Subject: x\r\n  y\r\n");
    EXPECT_EQ(moved.fields[1].name, "Subject");
    EXPECT_EQ(moved.fields[1].name.data(), moved.fields[1].text.data());
    EXPECT_EQ(moved.fields[0].text, "From: a\r\n");
}

TEST(dkim_header_block, ObsoleteSpaceBeforeColon) {
    auto p = parse_header_block("Subject \t: x\r\n\r\n");
    ASSERT_LETTRE_OK(p);
    ASSERT_EQ(p->fields.size(), 1u);
    EXPECT_EQ(p->fields[0].name, "Subject");
    EXPECT_EQ(p->fields[0].text, "Subject \t: x\r\n");
}

TEST(dkim_header_block, BodyViewPointsIntoInput) {
    const std::string msg = "From: a\r\n\r\nthe body";
    auto p = parse_header_block(msg);
    ASSERT_LETTRE_OK(p);
    EXPECT_EQ(p->body.data(), msg.data() + msg.find("the body"));
}

}  // namespace
