// Self-tests of the helpers in test_util.hpp, so that a failing library test
// can be trusted to point at the library, not at the checker.
#include "test_util.hpp"

namespace {

using namespace lettre_test;

TEST(TestUtil, Base64RoundTripAndStrictness) {
    for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
        const auto d = base64_decode(base64_encode(s));
        ASSERT_TRUE(d.has_value());
        EXPECT_EQ(*d, s);
    }
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");  // RFC 4648 §10
    EXPECT_EQ(*base64_decode("Zm9v\r\nYmE="),
              "foob"
              "a");
    EXPECT_FALSE(base64_decode("Zm9").has_value());
    EXPECT_FALSE(base64_decode("Zm!v").has_value());
    EXPECT_FALSE(base64_decode("Z===").has_value());
}

TEST(TestUtil, QuotedPrintable) {
    EXPECT_EQ(*qp_decode("caf=C3=A9 au=\r\n lait"), "caf\xC3\xA9 au lait");
    EXPECT_FALSE(qp_decode("bad=G1").has_value());
    EXPECT_FALSE(qp_decode("bad=").has_value());
}

TEST(TestUtil, EncodedWords) {
    const auto w = split_encoded_word("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=");
    ASSERT_TRUE(w.has_value());
    EXPECT_EQ(w->charset, "ISO-8859-1");
    EXPECT_EQ(w->encoding, 'Q');
    EXPECT_EQ(*decode_word_bytes("=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?="), "Keld J\xF8rn Simonsen");
    EXPECT_EQ(*decode_word_bytes("=?utf-8?b?w6k=?="), "\xC3\xA9");
    EXPECT_FALSE(decode_word_bytes("=?utf-8?x?abc?=").has_value());
    EXPECT_EQ(find_encoded_words("a =?utf-8?q?x?= b =?utf-8?B?w6k=?=").size(), 2u);
}

TEST(TestUtil, Utf8Validation) {
    EXPECT_TRUE(is_valid_utf8("plain"));
    EXPECT_TRUE(is_valid_utf8("Zo\xC3\xAB \xE2\x82\xAC \xF0\x9F\x98\x80"));
    EXPECT_FALSE(is_valid_utf8("\xC3"));          // truncated
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));      // overlong
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));  // surrogate
    EXPECT_FALSE(is_valid_utf8("\x80"));          // lone continuation
    EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x98"));  // split 4-byte sequence
}

TEST(TestUtil, UnfoldAndHeaderBlock) {
    EXPECT_EQ(unfold("a\r\n b\r\n\tc"), "a b\tc");
    const auto hs = parse_header_block("Subject: one\r\n two\r\nX-A:b\r\nx-a: c");
    ASSERT_EQ(hs.size(), 3u);
    EXPECT_EQ(hs[0].value, "one two");
    EXPECT_EQ(hs[0].lines.size(), 2u);
    EXPECT_EQ(find_headers(hs, "X-A").size(), 2u);
    EXPECT_EQ(find_header(hs, "x-a")->value, "b");
}

// The RFC 2231 examples from /work/shared/vectors/rfc2231_examples.txt
// exercise the reassembly helper used by rfc2231_test.cpp.
TEST(TestUtil, Rfc2231ReassemblyMatchesTheRfcExamples) {
    {  // §3
        auto p = parse_params(
            "message/external-body; access-type=URL; URL*0=\"ftp://\"; "
            "URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"");
        ASSERT_TRUE(p.ok);
        auto v = rfc2231_param(p.params, "url");
        ASSERT_TRUE(v.has_value());
        EXPECT_EQ(v->error, "");
        EXPECT_EQ(v->value, "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar");
    }
    {  // §4
        auto p = parse_params(
            "application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A");
        auto v = rfc2231_param(p.params, "title");
        ASSERT_TRUE(v.has_value());
        EXPECT_EQ(v->error, "");
        EXPECT_EQ(v->value, "This is ***fun***");
        EXPECT_EQ(v->charset, "us-ascii");
        EXPECT_EQ(v->language, "en-us");
    }
    {  // §4.1, with the ';' the RFC forgot
        auto p = parse_params(
            "application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; "
            "title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\"");
        auto v = rfc2231_param(p.params, "title");
        ASSERT_TRUE(v.has_value());
        EXPECT_EQ(v->error, "");
        EXPECT_EQ(v->value, "This is even more ***fun*** isn't it!");
        EXPECT_EQ(v->language, "en");
    }
    {  // out of order segments
        auto p = parse_params("application/pdf; name*1*=%C3%A9.pdf; name*0*=utf-8''r%C3%A9sum");
        auto v = rfc2231_param(p.params, "name");
        ASSERT_TRUE(v.has_value());
        EXPECT_EQ(v->error, "");
        EXPECT_EQ(v->value, "r\xC3\xA9sum\xC3\xA9.pdf");
    }
    {  // rule breaks are seen
        EXPECT_NE(rfc2231_param(parse_params("a/b; n*0=x; n*2=y").params, "n")->error, "");
        EXPECT_NE(rfc2231_param(parse_params("a/b; n*0*=utf-8''%C3; n*01*=%A9").params, "n")->error,
                  "");
        EXPECT_NE(rfc2231_param(parse_params("a/b; n*0*=utf-8''%C; n*1*=3%A9").params, "n")->error,
                  "");
        EXPECT_NE(rfc2231_param(parse_params("a/b; n*=utf-8''a*b").params, "n")->error, "");
    }
}

TEST(TestUtil, MimeReader) {
    const std::string msg =
        "Content-Type: multipart/mixed;\r\n boundary=\"b1\"\r\n\r\n"
        "preamble\r\n"
        "--b1\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "hello\r\n--b1x is not a delimiter\r\n"
        "--b1\r\n"
        "Content-Type: multipart/alternative; boundary=b2\r\n\r\n"
        "--b2\r\n\r\nimplicit text/plain\r\n"
        "--b2--\r\n"
        "--b1--\r\nepilogue\r\n";
    const entity e = parse_entity(msg);
    EXPECT_TRUE(e.parse_ok) << e.parse_error;
    EXPECT_EQ(e.boundary, "b1");
    EXPECT_EQ(outline(e), "multipart/mixed[text/plain,multipart/alternative[text/plain]]");
    ASSERT_EQ(e.children.size(), 2u);
    EXPECT_EQ(e.children[0].body, "hello\r\n--b1x is not a delimiter");
    EXPECT_EQ(e.children[1].children[0].body, "implicit text/plain");
    EXPECT_EQ(leaves(e).size(), 2u);
}

TEST(TestUtil, Json) {
    const json j =
        parse_json(R"({"from": "a@example.com", "to": ["b@x", "\u00e9\"\\"], "n": null})");
    ASSERT_EQ(j.type, json::kind::object);
    EXPECT_EQ(j.get("from")->str, "a@example.com");
    ASSERT_EQ(j.get("to")->items.size(), 2u);
    EXPECT_EQ(j.get("to")->items[1].str, "\xC3\xA9\"\\");
    EXPECT_EQ(j.get("n")->type, json::kind::null);
    EXPECT_THROW(parse_json("{\"a\": }"), std::runtime_error);
}

TEST(TestUtil, LineHelpers) {
    EXPECT_FALSE(has_bare_cr_or_lf("a\r\nb\r\n"));
    EXPECT_TRUE(has_bare_cr_or_lf("a\nb"));
    EXPECT_TRUE(has_bare_cr_or_lf("a\rb"));
    EXPECT_TRUE(has_bare_cr_or_lf("a\r"));
    EXPECT_EQ(to_crlf("a\nb\rc\r\nd"), "a\r\nb\r\nc\r\nd");
    EXPECT_EQ(split_crlf("a\r\nbb\r\n").size(), 2u);
    EXPECT_EQ(max_line_length("a\r\nbbb\r\ncc"), 3u);
    const auto [phrase, addr] = split_name_addr("\"Doe, <J>\" <j@example.com>");
    EXPECT_EQ(phrase, "\"Doe, <J>\"");
    EXPECT_EQ(addr, "<j@example.com>");
}

}  // namespace
