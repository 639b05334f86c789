// lettre::content_type: RFC 2045 §5.1 syntax, case rules, parameters, the
// ready-made types, guessing from file names, and how parameters are written
// into a Content-Type header (quoted or RFC 2231-encoded when needed).
#include "../test_util.hpp"

namespace {

using lettre::content_type;
using lettre::errc;
using namespace lettre_test;

TEST(ContentTypeParse, TypeSubtypeAndParameter) {
    const content_type ct = content_type::parse("text/plain; charset=utf-8");
    EXPECT_EQ(ct.type(), "text");
    EXPECT_EQ(ct.subtype(), "plain");
    EXPECT_EQ(ct.essence(), "text/plain");
    EXPECT_EQ(ct.parameter_value("charset"), "utf-8");
    ASSERT_EQ(ct.parameters().size(), 1u);
    EXPECT_EQ(ct.parameters()[0].first, "charset");
    EXPECT_TRUE(ct.is_text());
    EXPECT_FALSE(ct.is_multipart());
}

TEST(ContentTypeParse, NamesAreLowerCasedValuesKeepCase) {
    const content_type ct = content_type::parse("Text/HTML; Charset=UTF-8; Format=Flowed");
    EXPECT_EQ(ct.type(), "text");
    EXPECT_EQ(ct.subtype(), "html");
    EXPECT_EQ(ct.parameters()[0].first, "charset");
    EXPECT_EQ(ct.parameters()[0].second, "UTF-8");
    EXPECT_EQ(ct.parameter_value("format"), "Flowed");
}

TEST(ContentTypeParse, ParameterLookupIsCaseInsensitive) {
    const content_type ct = content_type::parse("text/plain; charset=utf-8");
    EXPECT_EQ(ct.parameter_value("CHARSET"), "utf-8");
    EXPECT_EQ(ct.parameter_value("Charset"), "utf-8");
    EXPECT_EQ(ct.parameter_value("missing"), "");
}

TEST(ContentTypeParse, QuotedValues) {
    const content_type ct =
        content_type::parse(R"(multipart/mixed; boundary="a b;c=d"; name="x\"y\\z")");
    EXPECT_EQ(ct.parameter_value("boundary"), "a b;c=d");
    EXPECT_EQ(ct.parameter_value("name"), "x\"y\\z");
    EXPECT_TRUE(ct.is_multipart());
}

TEST(ContentTypeParse, WhitespaceVariants) {
    for (std::string_view text : {"text/plain;charset=utf-8", "text/plain;  charset=utf-8",
                                  "  text/plain; charset=utf-8  ", "text/plain;\tcharset=utf-8"}) {
        const auto r = content_type::try_parse(text);
        ASSERT_LETTRE_OK(r);
        EXPECT_EQ(r->essence(), "text/plain") << text;
        EXPECT_EQ(r->parameter_value("charset"), "utf-8") << text;
    }
}

TEST(ContentTypeParse, TypeOnly) {
    const content_type ct = content_type::parse("application/pdf");
    EXPECT_EQ(ct.essence(), "application/pdf");
    EXPECT_TRUE(ct.parameters().empty());
}

TEST(ContentTypeParse, AcceptsRfc2231ParameterNames) {
    // "*" and "'" and "%" are token characters (RFC 2045 §5.1), so RFC 2231
    // parameters are at least syntactically valid.
    EXPECT_LETTRE_OK(content_type::try_parse(
        "application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A"));
    EXPECT_LETTRE_OK(content_type::try_parse(
        "application/x-stuff; title*0*=us-ascii'en'This%20is%20even%20more%20; "
        "title*1*=%2A%2A%2Afun%2A%2A%2A%20; title*2=\"isn't it!\""));
}

TEST(ContentTypeParse, RejectsMalformed) {
    for (std::string_view bad :
         {"", "text", "text/", "/plain", "te xt/plain", "text/pl ain", "text/plain; charset",
          "text/plain; =x", "text/plain; charset=\"unterminated", "text/plain; charset=a b",
          "text/plain/extra", "t(e)xt/plain", "text/plain; a=b=c", "text/plain; ch@rset=x"}) {
        const auto r = content_type::try_parse(bad);
        EXPECT_FALSE(r.has_value()) << "accepted: " << bad;
        if (!r) {
            EXPECT_EQ(r.error().code, ec(errc::invalid_content_type)) << bad;
        }
    }
    EXPECT_LETTRE_THROW(content_type::parse("text"), errc::invalid_content_type);
}

TEST(ContentTypeParse, RejectsCrLfNul) {
    for (std::string bad : {std::string("text/plain; charset=\"a\r\nb\""),
                            std::string("text/plain\r\nBcc: x@example.com"),
                            std::string("text/plain; charset=a\0b", 23)}) {
        const auto r = content_type::try_parse(bad);
        EXPECT_FALSE(r.has_value());
        if (!r) {
            EXPECT_THAT(r.error().code,
                        is_one_of(errc::invalid_content_type, errc::header_injection));
        }
    }
}

TEST(ContentTypeReadyMade, TextPlainHtmlOctetStream) {
    EXPECT_EQ(content_type::text_plain().essence(), "text/plain");
    EXPECT_TRUE(iequals(content_type::text_plain().parameter_value("charset"), "utf-8"));
    EXPECT_EQ(content_type::text_html().essence(), "text/html");
    EXPECT_TRUE(iequals(content_type::text_html().parameter_value("charset"), "utf-8"));
    EXPECT_EQ(content_type::octet_stream().essence(), "application/octet-stream");
    EXPECT_EQ(content_type::text_plain().to_string(), "text/plain; charset=utf-8");
}

TEST(ContentTypeSetParameter, ReplacesOrAppends) {
    content_type ct = content_type::text_plain();
    ct.set_parameter("CHARSET", "iso-8859-1");
    EXPECT_EQ(ct.parameter_value("charset"), "iso-8859-1");
    EXPECT_EQ(ct.parameters().size(), 1u);
    ct.set_parameter("format", "flowed");
    EXPECT_EQ(ct.parameters().size(), 2u);
    EXPECT_EQ(ct.parameter_value("format"), "flowed");
    EXPECT_EQ(ct.to_string(), "text/plain; charset=iso-8859-1; format=flowed");
}

TEST(ContentTypeEquality, ParsedEqualsReadyMade) {
    EXPECT_EQ(content_type::parse("text/plain; charset=utf-8"), content_type::text_plain());
    EXPECT_FALSE(content_type::parse("text/plain") == content_type::text_plain());
}

TEST(ContentTypeGuess, CommonExtensions) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"report.pdf", "application/pdf"},  {"logo.png", "image/png"},
        {"photo.jpg", "image/jpeg"},        {"photo.jpeg", "image/jpeg"},
        {"anim.gif", "image/gif"},          {"notes.txt", "text/plain"},
        {"page.html", "text/html"},         {"data.csv", "text/csv"},
        {"archive.zip", "application/zip"}, {"data.json", "application/json"},
        {"REPORT.PDF", "application/pdf"},  {"dir.with.dots/file.png", "image/png"},
    };
    for (const auto& [name, type] : cases)
        EXPECT_EQ(content_type::guess_from_filename(name).essence(), type) << name;
}

TEST(ContentTypeGuess, UnknownIsOctetStream) {
    for (std::string_view name : {"noextension", "file.unknownext", "", "trailingdot."})
        EXPECT_EQ(content_type::guess_from_filename(name).essence(), "application/octet-stream")
            << name;
}

TEST(ContentTypeGuess, TextTypesGetUtf8Charset) {
    for (std::string_view name : {"notes.txt", "page.html", "data.csv"}) {
        const content_type ct = content_type::guess_from_filename(name);
        ASSERT_TRUE(ct.is_text()) << name;
        EXPECT_TRUE(iequals(ct.parameter_value("charset"), "utf-8")) << name;
    }
    EXPECT_EQ(content_type::guess_from_filename("report.pdf").parameter_value("charset"), "");
}

// --- parameters in the formatted Content-Type --------------------------------

/// Headers of the leaf of type application/x-test in a message that carries
/// a part::body of type `ct` next to a text body.
std::vector<raw_header> leaf_headers(const content_type& ct) {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").text("t").attachment(lettre::part::body("x", ct));
    const entity e = parse_entity(must_build(b).formatted());
    for (const entity* leaf : leaves(e))
        if (leaf->essence() == "application/x-test") return leaf->headers;
    ADD_FAILURE() << "no application/x-test part in " << outline(e);
    return {};
}

const raw_header* content_type_of(const std::vector<raw_header>& hs) {
    return find_header(hs, "Content-Type");
}

TEST(ContentTypeInHeader, ValuesNeedingQuotesAreQuoted) {
    content_type ct = content_type::parse("application/x-test");
    ct.set_parameter("p", "a b;c=\"d\"\\");
    const auto hs = leaf_headers(ct);
    const raw_header* h = content_type_of(hs);
    ASSERT_NE(h, nullptr);
    const auto pp = parse_params(h->value);
    ASSERT_TRUE(pp.ok) << h->value;
    EXPECT_EQ(pp.main, "application/x-test");
    const auto v = rfc2231_param(pp.params, "p");
    ASSERT_TRUE(v.has_value()) << h->value;
    EXPECT_EQ(v->error, "");
    EXPECT_EQ(v->value, "a b;c=\"d\"\\");
}

TEST(ContentTypeInHeader, NonAsciiParameterIsRfc2231Encoded) {
    content_type ct = content_type::parse("application/x-test");
    ct.set_parameter("title", "caf\xC3\xA9 \xE2\x82\xAC");
    const auto hs = leaf_headers(ct);
    const raw_header* h = content_type_of(hs);
    ASSERT_NE(h, nullptr);
    EXPECT_TRUE(is_ascii(h->raw)) << h->raw;
    const auto pp = parse_params(h->value);
    ASSERT_TRUE(pp.ok) << h->value;
    const auto v = rfc2231_param(pp.params, "title");
    ASSERT_TRUE(v.has_value()) << h->value;
    EXPECT_EQ(v->error, "");
    EXPECT_TRUE(v->extended) << "non-ASCII must use title*= (RFC 2231): " << h->value;
    EXPECT_TRUE(iequals(v->charset, "utf-8"));
    EXPECT_EQ(v->value, "caf\xC3\xA9 \xE2\x82\xAC");
    EXPECT_EQ(h->value.find("=?"), std::string::npos) << "RFC 2047 words are not parameter values";
}

TEST(ContentTypeInHeader, LongParameterKeepsLinesShort) {
    content_type ct = content_type::parse("application/x-test");
    ct.set_parameter("p", repeat("abcdefghij", 30));
    const auto hs = leaf_headers(ct);
    const raw_header* h = content_type_of(hs);
    ASSERT_NE(h, nullptr);
    for (const auto& l : h->lines) EXPECT_LE(l.size(), 78u) << l;
    const auto v = rfc2231_param(parse_params(h->value).params, "p");
    ASSERT_TRUE(v.has_value()) << h->value;
    EXPECT_EQ(v->error, "");
    EXPECT_EQ(v->value, repeat("abcdefghij", 30));
}

}  // namespace
