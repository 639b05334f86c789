// CR, LF and NUL never reach a header from user input (DESIGN.md, "Secure by
// default"): every user-supplied value that contains one makes the build fail
// with header_injection (or the value's own syntax error) — the bytes are
// never silently stripped, and a valid fold ("\r\n ") in user input is
// refused too. Invalid header names fail with invalid_header_name.
#include "../test_util.hpp"

#include <functional>

namespace {

using lettre::address;
using lettre::content_type;
using lettre::errc;
using lettre::mailbox;
using lettre::message_builder;
using lettre::part;
using namespace lettre_test;

/// The poison, inserted in the middle of an otherwise valid value.
std::vector<std::string> poisons() {
    return {
        "\r",           "\n", "\r\n", std::string(1, '\0'), "\r\n ", "\r\nBcc: evil@example.net",
        "\n\tcontinued"};
}

std::string printable(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '\r')
            out += "\\r";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\0')
            out += "\\0";
        else if (c == '\t')
            out += "\\t";
        else
            out += c;
    }
    return out;
}

message_builder valid_builder() {
    auto b = lettre::message::builder();
    b.from("alice@example.com").to("bob@example.org").subject("ok").text("body");
    return b;
}

/// A builder without To, so that poisoned recipients are the only ones.
message_builder builder_without_to() {
    auto b = lettre::message::builder();
    b.from("alice@example.com").subject("ok").text("body");
    return b;
}

/// A builder without From, for cases that set the From field.
message_builder builder_without_from() {
    auto b = lettre::message::builder();
    b.to("bob@example.org").subject("ok").text("body");
    return b;
}

/// A builder without a body, for cases that set the whole body.
message_builder builder_without_body() {
    auto b = lettre::message::builder();
    b.from("alice@example.com").to("bob@example.org").subject("ok");
    return b;
}

struct field_case {
    std::string field;
    /// Applies a poisoned value to a builder that is otherwise valid.
    std::function<void(message_builder&, const std::string& poison)> apply;
    std::vector<errc> accepted;
    /// The valid builder the value is applied to.
    std::function<message_builder()> base = valid_builder;
};

void expect_rejected(const field_case& c, message_builder& b, const std::string& poison) {
    SCOPED_TRACE(c.field + " with \"" + printable(poison) + "\"");
    const auto r = b.try_build();
    ASSERT_FALSE(r.has_value()) << "accepted; formatted header block:\n"
                                << printable(header_block(r->formatted()));
    const auto code = r.error().code;
    const bool ok =
        std::any_of(c.accepted.begin(), c.accepted.end(), [&](errc e) { return code == ec(e); });
    EXPECT_TRUE(ok) << "unexpected error: " << code.message() << " — " << r.error().message;
    // The throwing form agrees.
    EXPECT_EQ(thrown_code([&] { static_cast<void>(b.build()); }), code);
}

std::vector<field_case> field_cases() {
    const std::vector<errc> inj = {errc::header_injection};
    const std::vector<errc> addr = {errc::header_injection, errc::invalid_address};
    auto with = [](const std::string& p) { return "before" + p + "after"; };
    return {
        {"Subject", [=](message_builder& b, const std::string& p) { b.subject(with(p)); }, inj},
        {"Subject (non-ASCII)",
         [=](message_builder& b, const std::string& p) {
             b.subject("\xC3\xA9t\xC3\xA9" + p + "x");
         },
         inj},
        {"custom header value",
         [=](message_builder& b, const std::string& p) { b.header("X-Custom", with(p)); }, inj},
        {"From display name",
         [=](message_builder& b, const std::string& p) {
             b.from(mailbox(with(p), address::parse("mallory@example.com")));
         },
         addr, builder_without_from},
        {"From text",
         [=](message_builder& b, const std::string& p) {
             b.from("Mallory" + p + " <mallory@example.com>");
         },
         addr, builder_without_from},
        {"From address text",
         [=](message_builder& b, const std::string& p) { b.from("mallory" + p + "@example.com"); },
         addr, builder_without_from},
        {"Sender display name",
         [=](message_builder& b, const std::string& p) {
             b.sender(mailbox(with(p), address::parse("s@example.com")));
         },
         addr},
        {"Sender text",
         [=](message_builder& b, const std::string& p) { b.sender("S" + p + " <s@example.com>"); },
         addr},
        {"To display name",
         [=](message_builder& b, const std::string& p) {
             b.to(mailbox(with(p), address::parse("carol@example.org")));
         },
         addr, builder_without_to},
        {"To text",
         [=](message_builder& b, const std::string& p) {
             b.to("carol@example.org" + p + ", dave@example.org");
         },
         addr, builder_without_to},
        {"To group name",
         [=](message_builder& b, const std::string& p) {
             b.to(lettre::group{with(p), {mailbox::parse("carol@example.org")}});
         },
         addr, builder_without_to},
        {"Cc display name",
         [=](message_builder& b, const std::string& p) {
             b.cc(mailbox(with(p), address::parse("carol@example.org")));
         },
         addr, builder_without_to},
        {"Cc text",
         [=](message_builder& b, const std::string& p) { b.cc("C" + p + " <carol@example.org>"); },
         addr, builder_without_to},
        {"Bcc text",
         [=](message_builder& b, const std::string& p) { b.bcc("hidden" + p + "@example.org"); },
         addr, builder_without_to},
        {"Reply-To display name",
         [=](message_builder& b, const std::string& p) {
             b.reply_to(mailbox(with(p), address::parse("r@example.com")));
         },
         addr},
        {"Reply-To text",
         [=](message_builder& b, const std::string& p) { b.reply_to("r@example.com" + p); }, addr},
        {"Message-ID",
         [=](message_builder& b, const std::string& p) {
             b.message_id("<id" + p + "@example.com>");
         },
         {errc::header_injection, errc::invalid_message_id}},
        {"In-Reply-To",
         [=](message_builder& b, const std::string& p) {
             b.in_reply_to("<id" + p + "@example.com>");
         },
         {errc::header_injection, errc::invalid_message_id}},
        {"References",
         [=](message_builder& b, const std::string& p) {
             b.references("<a@example.com>" + p + "<b@example.com>");
         },
         {errc::header_injection, errc::invalid_message_id}},
        {"Date text",
         [=](message_builder& b, const std::string& p) {
             b.date("Sat, 1 Nov 2025 12:00:00 +0000" + p);
         },
         {errc::header_injection, errc::invalid_date}},
        {"List-Unsubscribe URI",
         [=](message_builder& b, const std::string& p) {
             b.list_unsubscribe({"https://example.com/u" + p + "x"}, true);
         },
         inj},
        {"attachment file name",
         [=](message_builder& b, const std::string& p) {
             b.attachment(part::attachment("file" + p + ".txt", "data"));
         },
         inj},
        {"attachment explicit file name via lettre::attachment_file",
         [=](message_builder& b, const std::string& p) {
             static const temp_dir dir;
             const auto path = dir / "plain.txt";
             write_file(path, "data");
             b.attachment(lettre::attachment_file(path, std::nullopt, "file" + p + ".txt"));
         },
         inj},
        {"inline Content-ID",
         [=](message_builder& b, const std::string& p) {
             b.html("<img src=\"cid:logo\">");
             b.inline_part(
                 part::inline_body("logo" + p + "x", "PNG", content_type::parse("image/png")));
         },
         {errc::header_injection, errc::invalid_message_id}},
        {"part header value",
         [=](message_builder& b, const std::string& p) {
             b.attachment(part::attachment("a.txt", "x").header("Content-Description", with(p)));
         },
         inj},
        {"content type parameter",
         [=](message_builder& b, const std::string& p) {
             content_type ct = content_type::parse("application/x-test");
             ct.set_parameter("title", with(p));
             b.attachment(part::body("x", ct));
         },
         {errc::header_injection, errc::invalid_content_type}},
        {"multipart subtype",
         [=](message_builder& b, const std::string& p) {
             b.body(part::multipart("mixed" + p + "x").add(part::text("t")));
         },
         {errc::header_injection, errc::invalid_content_type},
         builder_without_body},
    };
}

void PrintTo(const field_case& c, std::ostream* os) {
    *os << c.field;
}

/// One test per user-supplied value, each tried with every poison.
class UserValue : public ::testing::TestWithParam<field_case> {};

TEST_P(UserValue, RejectsCrLfNul) {
    const field_case& c = GetParam();
    for (const auto& p : poisons()) {
        // Recipient cases start without To, From cases without From, so that
        // the poisoned value is the only one of its kind and cannot be skipped.
        auto b = c.base();
        try {
            c.apply(b, p);
        } catch (const lettre::error& e) {
            // Refused right away by a throwing constructor or setter: fine.
            SCOPED_TRACE(c.field + " with \"" + printable(p) + "\"");
            const bool ok = std::any_of(c.accepted.begin(), c.accepted.end(),
                                        [&](errc x) { return e.info().code == ec(x); });
            EXPECT_TRUE(ok) << "unexpected error: " << e.info().message;
            continue;
        }
        expect_rejected(c, b, p);
    }
}

std::string test_name(const ::testing::TestParamInfo<field_case>& info_) {
    std::string out;
    for (char ch : info_.param.field) {
        const bool alnum =
            (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        out += alnum ? ch : '_';
    }
    return out;
}

INSTANTIATE_TEST_SUITE_P(HeaderInjection, UserValue, ::testing::ValuesIn(field_cases()), test_name);

TEST(HeaderInjection, AttachmentFilePathWithNewlineInTheName) {
    const temp_dir dir;
    const auto path = dir / "evil\r\nX-Injected: yes.txt";
    write_file(path, "data");
    const auto r = lettre::try_attachment_file(path);
    ASSERT_FALSE(r.has_value()) << printable(r->filename().value_or(""));
    EXPECT_EQ(r.error().code, ec(errc::header_injection)) << r.error().message;
    auto b = valid_builder();
    EXPECT_LETTRE_THROW(b.attachment(lettre::attachment_file(path)), errc::header_injection);
}

TEST(HeaderInjection, InlineFileContentIdIsChecked) {
    const temp_dir dir;
    const auto path = dir / "logo.png";
    write_file(path, "PNG");
    const auto r = lettre::try_inline_file("lo\r\ngo", path);
    if (r.has_value()) {
        // Accepted as a part; it must fail at build time.
        auto b = valid_builder();
        b.html("<img src=\"cid:logo\">").inline_part(*r);
        const auto m = b.try_build();
        ASSERT_FALSE(m.has_value());
        EXPECT_THAT(m.error().code, is_one_of(errc::header_injection, errc::invalid_message_id));
    } else {
        EXPECT_THAT(r.error().code, is_one_of(errc::header_injection, errc::invalid_message_id));
    }
}

TEST(HeaderInjection, AddressFromPartsRejectsCrLfNul) {
    for (const auto& p : poisons()) {
        SCOPED_TRACE(printable(p));
        EXPECT_THAT(code_of(address::try_from_parts("a" + p + "b", "example.com")),
                    is_one_of(errc::header_injection, errc::invalid_address));
        EXPECT_THAT(code_of(address::try_from_parts("ab", "exam" + p + "ple.com")),
                    is_one_of(errc::header_injection, errc::invalid_address, errc::invalid_domain));
        EXPECT_THAT(code_of(address::try_parse("a" + p + "b@example.com")),
                    is_one_of(errc::header_injection, errc::invalid_address));
        EXPECT_THAT(code_of(address::try_parse("\"a" + p + "b\"@example.com")),
                    is_one_of(errc::header_injection, errc::invalid_address));
        EXPECT_THAT(code_of(lettre::mailbox::try_parse("\"N" + p + "\" <a@example.com>")),
                    is_one_of(errc::header_injection, errc::invalid_address));
    }
}

TEST(HeaderInjection, PartErrorIsRecordedOnThePart) {
    const part p = part::attachment("x\r\ny.txt", "data");
    // Either recorded right away or found at build time; both are fine,
    // but once recorded it must be the injection code.
    if (p.error()) {
        EXPECT_EQ(p.error()->code, ec(errc::header_injection));
    }
    const part q = part::attachment("a.txt", "x").header("X-A", "1\n2");
    if (q.error()) {
        EXPECT_EQ(q.error()->code, ec(errc::header_injection));
    }
}

TEST(HeaderInjection, TabIsAllowedInUnstructuredText) {
    auto b = valid_builder();
    b.subject("a\tb").header("X-Tab", "c\td");
    const auto r = b.try_build();
    ASSERT_LETTRE_OK(r);
    const auto hs = top_headers(*r);
    ASSERT_NE(find_header(hs, "Subject"), nullptr);
    const auto subject = lettre::detail::decode_unstructured(find_header(hs, "Subject")->value);
    ASSERT_TRUE(subject.has_value());
    EXPECT_EQ(*subject, "a\tb");
    EXPECT_FALSE(has_bare_cr_or_lf(r->formatted()));
}

// --- header names --------------------------------------------------------------

std::vector<std::string> bad_names() {
    return {"",
            "X Foo",
            "X:Foo",
            "X-Foo\r\n",
            "X-F\xC3\xB6o",
            "X\x7F",
            "X\tFoo",
            std::string("X\0F", 3),
            "X-Foo\r\nBcc",
            ":",
            "X-Foo:",
            "\r\nX-Foo"};
}

TEST(HeaderName, InvalidNamesAreRejected) {
    for (const auto& n : bad_names()) {
        SCOPED_TRACE("name \"" + printable(n) + "\"");
        auto b = valid_builder();
        b.header(n, "value");
        const auto r = b.try_build();
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error().code, ec(errc::invalid_header_name)) << r.error().message;
        EXPECT_EQ(thrown_code([&] { static_cast<void>(b.build()); }),
                  ec(errc::invalid_header_name));
    }
}

TEST(HeaderName, InvalidPartHeaderNamesAreRejected) {
    for (const auto& n : bad_names()) {
        SCOPED_TRACE("name \"" + printable(n) + "\"");
        auto b = valid_builder();
        b.attachment(part::attachment("a.txt", "x").header(n, "value"));
        const auto r = b.try_build();
        ASSERT_FALSE(r.has_value());
        EXPECT_EQ(r.error().code, ec(errc::invalid_header_name)) << r.error().message;
    }
}

TEST(HeaderName, AllPrintableAsciiExceptColonIsValid) {
    // RFC 5322 §2.2: ftext = %d33-57 / %d59-126
    std::string name;
    for (char c = 33; c <= 126; ++c)
        if (c != ':') name += c;
    auto b = valid_builder();
    b.header(name, "v");
    const auto r = b.try_build();
    ASSERT_LETTRE_OK(r);
    const auto hs = top_headers(*r);
    const raw_header* h = find_header(hs, name);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->value, "v");
}

TEST(HeaderName, FirstErrorWins) {
    auto b = valid_builder();
    b.header("bad name", "v").subject("x\r\ny");
    EXPECT_LETTRE_ERROR(b.try_build(), errc::invalid_header_name);
}

}  // namespace
