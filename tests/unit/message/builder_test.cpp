// lettre::message_builder and lettre::message: required fields (RFC 5322
// §3.6), envelope derivation, default Date and Message-ID, MIME structure
// (RFC 2046, RFC 2387), List-Unsubscribe (RFC 2369, RFC 8058), SMTPUTF8,
// the three formatting forms and boundaries.
#include "../test_util.hpp"

#include <chrono>
#include <set>

namespace {

using lettre::address;
using lettre::content_type;
using lettre::date_time;
using lettre::envelope;
using lettre::errc;
using lettre::mailbox;
using lettre::part;
using namespace lettre_test;

std::vector<std::string> addrs(const std::vector<address>& v) {
    std::vector<std::string> out;
    for (const auto& a : v) out.push_back(a.to_string());
    return out;
}

// --- required fields ------------------------------------------------------------

TEST(BuilderRequired, MissingFrom) {
    auto b = lettre::message::builder();
    b.to("b@example.org").subject("s").text("t");
    EXPECT_LETTRE_ERROR(b.try_build(), errc::missing_from);
    EXPECT_LETTRE_THROW(b.build(), errc::missing_from);
}

TEST(BuilderRequired, MissingRecipient) {
    auto b = lettre::message::builder();
    b.from("a@example.com").subject("s").text("t");
    EXPECT_LETTRE_ERROR(b.try_build(), errc::missing_recipient);
    EXPECT_LETTRE_THROW(b.build(), errc::missing_recipient);
}

TEST(BuilderRequired, EmptyGroupAloneIsNoRecipient) {
    auto b = lettre::message::builder();
    b.from("a@example.com").to(lettre::group{"undisclosed-recipients", {}}).text("t");
    EXPECT_LETTRE_ERROR(b.try_build(), errc::missing_recipient);
}

TEST(BuilderRequired, CcOrBccAloneIsEnough) {
    auto c = lettre::message::builder();
    c.from("a@example.com").cc("c@example.org").text("t");
    EXPECT_LETTRE_OK(c.try_build());
    auto b = lettre::message::builder();
    b.from("a@example.com").bcc("h@example.org").text("t");
    EXPECT_LETTRE_OK(b.try_build());
}

TEST(BuilderRequired, SeveralFromNeedASender) {
    auto b = lettre::message::builder();
    b.from("a@example.com, b@example.com").to("c@example.org").text("t");
    EXPECT_LETTRE_ERROR(b.try_build(), errc::missing_sender);
    EXPECT_LETTRE_THROW(b.build(), errc::missing_sender);

    b.sender("a@example.com");
    const auto r = b.try_build();
    ASSERT_LETTRE_OK(r);
    const auto hs = top_headers(*r);
    ASSERT_NE(find_header(hs, "Sender"), nullptr);
    EXPECT_EQ(find_header(hs, "Sender")->value, "a@example.com");
    ASSERT_TRUE(r->envelope().from().has_value());
    EXPECT_EQ(r->envelope().from()->to_string(), "a@example.com");
}

TEST(BuilderRequired, SeveralFromCallsAccumulate) {
    auto b = lettre::message::builder();
    b.from("a@example.com").from(mailbox::parse("b@example.com")).to("c@example.org").text("t");
    EXPECT_LETTRE_ERROR(b.try_build(), errc::missing_sender);
}

TEST(BuilderRequired, FirstErrorIsKept) {
    auto b = lettre::message::builder();
    b.from("not an address").date("not a date").to("c@example.org").text("t");
    EXPECT_LETTRE_ERROR(b.try_build(), errc::invalid_address);
    auto c = lettre::message::builder();
    c.date("not a date").from("not an address").to("c@example.org").text("t");
    EXPECT_LETTRE_ERROR(c.try_build(), errc::invalid_date);
}

TEST(BuilderRequired, ErrorsNameTheField) {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("bad-recipient").text("t");
    const auto r = b.try_build();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code, ec(errc::invalid_address));
    EXPECT_NE(r.error().message.find("bad-recipient"), std::string::npos) << r.error().message;
}

// --- envelope ---------------------------------------------------------------------

TEST(BuilderEnvelope, DerivedFromFromAndAllRecipients) {
    auto b = lettre::message::builder();
    b.from("Alice <alice@example.com>")
        .to("t1@example.org, T2 <t2@example.org>")
        .cc("c1@example.org")
        .bcc("b1@example.org")
        .text("t");
    const lettre::message m = must_build(b);
    ASSERT_TRUE(m.envelope().from().has_value());
    EXPECT_EQ(m.envelope().from()->to_string(), "alice@example.com");
    EXPECT_THAT(addrs(m.envelope().to()),
                ::testing::ElementsAre("t1@example.org", "t2@example.org", "c1@example.org",
                                       "b1@example.org"));
}

TEST(BuilderEnvelope, BccIsNeverInTheBytes) {
    auto b = lettre::message::builder();
    b.from("alice@example.com")
        .to("bob@example.org")
        .bcc("Secret Person <secret@hidden.example>")
        .text("t");
    const lettre::message m = must_build(b);
    const std::string f = m.formatted();
    EXPECT_EQ(f.find("secret@hidden.example"), std::string::npos);
    EXPECT_EQ(f.find("Secret Person"), std::string::npos);
    EXPECT_EQ(find_header(top_headers(m), "Bcc"), nullptr);
    for (const auto& h : m.headers()) EXPECT_FALSE(iequals(h.name, "Bcc"));
    EXPECT_THAT(addrs(m.envelope().to()), ::testing::Contains("secret@hidden.example"));
}

TEST(BuilderEnvelope, DuplicatesAreRemovedInOrder) {
    auto b = lettre::message::builder();
    b.from("alice@example.com")
        .to("x@example.org, y@example.org")
        .cc("X <x@EXAMPLE.org>, z@example.org")
        .bcc("y@example.org")
        .text("t");
    const lettre::message m = must_build(b);
    EXPECT_THAT(addrs(m.envelope().to()),
                ::testing::ElementsAre("x@example.org", "y@example.org", "z@example.org"));
}

TEST(BuilderEnvelope, GroupMembersAreRecipients) {
    auto b = lettre::message::builder();
    b.from("alice@example.com")
        .to(lettre::group{"G",
                          {mailbox::parse("g1@example.org"), mailbox::parse("g2@example.org")}})
        .text("t");
    EXPECT_THAT(addrs(must_build(b).envelope().to()),
                ::testing::ElementsAre("g1@example.org", "g2@example.org"));
}

TEST(BuilderEnvelope, ExplicitEnvelopeWins) {
    auto b = lettre::message::builder();
    b.from("alice@example.com").to("bob@example.org").text("t");
    b.envelope(envelope::create(address::parse("bounces@example.com"),
                                {address::parse("other@example.net")}));
    const lettre::message m = must_build(b);
    ASSERT_TRUE(m.envelope().from().has_value());
    EXPECT_EQ(m.envelope().from()->to_string(), "bounces@example.com");
    EXPECT_THAT(addrs(m.envelope().to()), ::testing::ElementsAre("other@example.net"));
    // Headers still show the message's own From and To.
    const auto hs = top_headers(m);
    EXPECT_EQ(find_header(hs, "To")->value, "bob@example.org");
}

TEST(BuilderEnvelope, ExplicitEnvelopeReplacesMissingRecipients) {
    auto b = lettre::message::builder();
    b.from("alice@example.com").text("t");
    b.envelope(envelope::create(std::nullopt, {address::parse("r@example.net")}));
    const auto r = b.try_build();
    ASSERT_LETTRE_OK(r);
    EXPECT_FALSE(r->envelope().from().has_value()) << "null reverse-path kept";
}

TEST(Envelope, CreateRules) {
    EXPECT_LETTRE_ERROR(envelope::try_create(address::parse("a@example.com"), {}),
                        errc::missing_recipient);
    EXPECT_LETTRE_THROW(envelope::create(std::nullopt, {}), errc::missing_recipient);
    const envelope e = envelope::create(
        std::nullopt, {address::parse("b@example.org"), address::parse("a@example.org"),
                       address::parse("b@EXAMPLE.ORG")});
    EXPECT_FALSE(e.from().has_value());
    EXPECT_THAT(addrs(e.to()), ::testing::ElementsAre("b@example.org", "a@example.org"));
    EXPECT_FALSE(e.requires_smtputf8());
    EXPECT_TRUE(envelope::create(address::parse("zo\xC3\xAB@example.com"),
                                 {address::parse("a@example.org")})
                    .requires_smtputf8());
    EXPECT_TRUE(envelope::create(std::nullopt, {address::parse("zo\xC3\xAB@example.org")})
                    .requires_smtputf8());
}

// --- default fields -----------------------------------------------------------------

TEST(BuilderDefaults, DateIsAddedAndCurrent) {
    const lettre::message m = must_build(simple_builder());
    const auto hs = top_headers(m);
    const raw_header* h = find_header(hs, "Date");
    ASSERT_NE(h, nullptr);
    const auto d = date_time::try_parse(h->value);
    ASSERT_LETTRE_OK(d);
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    EXPECT_LE(std::chrono::abs(now - d->time), std::chrono::seconds{30});
    EXPECT_EQ(find_headers(hs, "Date").size(), 1u);
}

TEST(BuilderDefaults, MessageIdIsAddedWithTheFromDomain) {
    const lettre::message m = must_build(simple_builder());
    const auto hs = top_headers(m);
    const raw_header* h = find_header(hs, "Message-ID");
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->value, m.message_id());
    static const std::regex msg_id(R"(<[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@example\.com>)");
    EXPECT_TRUE(std::regex_match(m.message_id(), msg_id)) << m.message_id();
    // dot-atom-text: no leading, trailing or double dot in id-left.
    const std::string left = m.message_id().substr(1, m.message_id().find('@') - 1);
    EXPECT_FALSE(left.empty());
    EXPECT_NE(left.front(), '.');
    EXPECT_NE(left.back(), '.');
    EXPECT_EQ(left.find(".."), std::string::npos);
}

TEST(BuilderDefaults, MessageIdDomainIsTheALabel) {
    auto b = lettre::message::builder();
    b.from(
         "zoe@b\xC3\xBC"
         "cher.de")
        .to("x@example.org")
        .text("t");
    const lettre::message m = must_build(b);
    const std::string& id = m.message_id();
    ASSERT_GE(id.size(), 2u);
    EXPECT_EQ(id.substr(id.find('@')), "@xn--bcher-kva.de>") << id;
}

TEST(BuilderDefaults, TwoBuildsGiveDifferentIds) {
    const auto b = simple_builder();
    std::set<std::string> ids;
    for (int i = 0; i < 50; ++i) ids.insert(must_build(b).message_id());
    EXPECT_EQ(ids.size(), 50u);
}

TEST(BuilderDefaults, ExplicitMessageIdAndDate) {
    auto b = simple_builder();
    b.message_id("<abc.123@example.com>").date("Sat, 1 Nov 2025 12:00:00 +0000");
    const lettre::message m = must_build(b);
    EXPECT_EQ(m.message_id(), "<abc.123@example.com>");
    const auto hs = top_headers(m);
    EXPECT_EQ(find_header(hs, "Message-ID")->value, "<abc.123@example.com>");
    EXPECT_EQ(find_header(hs, "Date")->value, "Sat, 01 Nov 2025 12:00:00 +0000");
    EXPECT_EQ(find_headers(hs, "Message-ID").size(), 1u);
}

TEST(BuilderDefaults, InvalidMessageIds) {
    for (std::string_view bad : {"", "<>", "<abc>", "<a b@example.com>", "<abc@example.com",
                                 "<abc@@example.com>", "<@example.com>", "<abc@>"}) {
        auto b = simple_builder();
        b.message_id(bad);
        EXPECT_LETTRE_ERROR(b.try_build(), errc::invalid_message_id) << bad;
    }
}

TEST(BuilderDefaults, MimeVersion) {
    const auto hs = top_headers(must_build(simple_builder()));
    const raw_header* h = find_header(hs, "MIME-Version");
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->value, "1.0");
    EXPECT_EQ(find_headers(hs, "MIME-Version").size(), 1u);
}

TEST(BuilderDefaults, SingleOccurrenceFields) {
    // RFC 5322 §3.6: these occur at most once.
    auto b = simple_builder();
    b.cc("c@example.org")
        .reply_to("r@example.com")
        .in_reply_to("<p@example.com>")
        .references("<p@example.com>");
    const auto hs = top_headers(must_build(b));
    for (std::string_view n : {"Date", "From", "To", "Cc", "Subject", "Message-ID", "Reply-To",
                               "In-Reply-To", "References", "MIME-Version", "Content-Type"})
        EXPECT_EQ(find_headers(hs, n).size(), 1u) << n;
}

TEST(BuilderHeaders, AddressFieldsAreWritten) {
    auto b = lettre::message::builder();
    b.from("Alice <alice@example.com>")
        .to("Bob <bob@example.org>")
        .cc("carol@example.org")
        .reply_to("replies@example.com")
        .in_reply_to("<parent@example.com>")
        .references("<root@example.com> <parent@example.com>")
        .subject("Hi")
        .text("t");
    const auto hs = top_headers(must_build(b));
    EXPECT_EQ(find_header(hs, "From")->value, "Alice <alice@example.com>");
    EXPECT_EQ(find_header(hs, "To")->value, "Bob <bob@example.org>");
    EXPECT_EQ(find_header(hs, "Cc")->value, "carol@example.org");
    EXPECT_EQ(find_header(hs, "Reply-To")->value, "replies@example.com");
    EXPECT_EQ(find_header(hs, "In-Reply-To")->value, "<parent@example.com>");
    EXPECT_EQ(find_header(hs, "References")->value, "<root@example.com> <parent@example.com>");
    EXPECT_EQ(find_header(hs, "Subject")->value, "Hi");
}

TEST(BuilderHeaders, HeaderLookupIsCaseInsensitive) {
    const lettre::message m = must_build(simple_builder());
    ASSERT_TRUE(m.header("subject").has_value());
    EXPECT_EQ(*m.header("SUBJECT"), "Hello");
    EXPECT_FALSE(m.header("X-Not-There").has_value());
}

TEST(BuilderHeaders, CustomHeaderMayRepeatInOrder) {
    auto b = simple_builder();
    b.header("X-Tag", "first").header("X-Tag", "second").header("X-Other", "o");
    const auto hs = top_headers(must_build(b));
    const auto tags = find_headers(hs, "X-Tag");
    ASSERT_EQ(tags.size(), 2u);
    EXPECT_EQ(tags[0]->value, "first");
    EXPECT_EQ(tags[1]->value, "second");
}

TEST(BuilderHeaders, CustomHeaderNonAsciiIsEncoded) {
    auto b = simple_builder();
    b.header("X-Note", "na\xC3\xAFve caf\xC3\xA9");
    const lettre::message m = must_build(b);
    const auto hs = top_headers(m);
    const raw_header* h = find_header(hs, "X-Note");
    ASSERT_NE(h, nullptr);
    EXPECT_TRUE(is_ascii(h->raw)) << h->raw;
    const auto d = lettre::detail::decode_unstructured(h->value);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(*d, "na\xC3\xAFve caf\xC3\xA9");
}

TEST(BuilderHeaders, SubjectNonAsciiIsEncoded) {
    auto b = simple_builder();
    b.subject("\xE2\x9C\x93 Done: r\xC3\xA9sum\xC3\xA9 =?not-a-word?=");
    const auto hs = top_headers(must_build(b));
    const raw_header* h = find_header(hs, "Subject");
    ASSERT_NE(h, nullptr);
    EXPECT_TRUE(is_ascii(h->raw));
    const auto d = lettre::detail::decode_unstructured(h->value);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(*d, "\xE2\x9C\x93 Done: r\xC3\xA9sum\xC3\xA9 =?not-a-word?=");
}

TEST(BuilderHeaders, ListUnsubscribeOneClick) {
    auto b = simple_builder();
    b.list_unsubscribe({"https://example.com/unsub?u=1", "mailto:unsub@example.com"}, true);
    const auto hs = top_headers(must_build(b));
    const raw_header* lu = find_header(hs, "List-Unsubscribe");
    ASSERT_NE(lu, nullptr);
    // RFC 2369 §2: URIs in angle brackets, comma separated.
    static const std::regex list(R"(<[^<>\s]+>(\s*,\s*<[^<>\s]+>)*)");
    EXPECT_TRUE(std::regex_match(lu->value, list)) << lu->value;
    EXPECT_NE(lu->value.find("<https://example.com/unsub?u=1>"), std::string::npos);
    EXPECT_NE(lu->value.find("<mailto:unsub@example.com>"), std::string::npos);
    const raw_header* post = find_header(hs, "List-Unsubscribe-Post");
    ASSERT_NE(post, nullptr);
    EXPECT_EQ(post->value, "List-Unsubscribe=One-Click");
}

TEST(BuilderHeaders, ListUnsubscribeWithoutOneClick) {
    auto b = simple_builder();
    b.list_unsubscribe({"mailto:unsub@example.com"});
    const auto hs = top_headers(must_build(b));
    ASSERT_NE(find_header(hs, "List-Unsubscribe"), nullptr);
    EXPECT_EQ(find_header(hs, "List-Unsubscribe-Post"), nullptr);
}

TEST(BuilderHeaders, OneClickNeedsAnHttpsUri) {
    // RFC 8058 §3.1: List-Unsubscribe-Post only with an HTTPS URI.
    auto b = simple_builder();
    b.list_unsubscribe({"mailto:unsub@example.com"}, true);
    const auto r = b.try_build();
    if (r.has_value()) {
        EXPECT_EQ(find_header(top_headers(*r), "List-Unsubscribe-Post"), nullptr)
            << "One-Click without an https URI";
    }
}

// --- SMTPUTF8 ---------------------------------------------------------------------------

TEST(BuilderSmtpUtf8, Utf8LocalPartNeedsIt) {
    auto b = lettre::message::builder();
    b.from("alice@example.com").to("zo\xC3\xAB@example.org").text("t");
    const lettre::message m = must_build(b);
    EXPECT_TRUE(m.requires_smtputf8());
    EXPECT_TRUE(m.envelope().requires_smtputf8());
    auto c = lettre::message::builder();
    c.from("zo\xC3\xAB@example.com").to("bob@example.org").text("t");
    EXPECT_TRUE(must_build(c).requires_smtputf8());
}

TEST(BuilderSmtpUtf8, Utf8LocalPartIsWrittenAsUtf8) {
    // RFC 6532 §3.2: a UTF-8 local part cannot be encoded; it goes raw, and
    // the whole header block must then be valid UTF-8.
    auto b = lettre::message::builder();
    b.from("alice@example.com")
        .to("Zo\xC3\xAB <zo\xC3\xAB@b\xC3\xBC"
            "cher.de>")
        .text("t");
    const lettre::message m = must_build(b);
    const auto hs = top_headers(m);
    const raw_header* to = find_header(hs, "To");
    ASSERT_NE(to, nullptr);
    EXPECT_NE(to->value.find("zo\xC3\xAB@"), std::string::npos) << to->value;
    EXPECT_TRUE(is_valid_utf8(header_block(m.formatted())));
    const auto back = lettre::address_list::try_parse(to->value);
    ASSERT_LETTRE_OK(back);
    ASSERT_EQ(back->mailboxes().size(), 1u);
    EXPECT_EQ(back->mailboxes()[0].email().local_part(), "zo\xC3\xAB");
}

TEST(BuilderSmtpUtf8, AsciiOrIdnOnlyDoesNot) {
    auto b = lettre::message::builder();
    b.from(
         "Zo\xC3\xAB <zoe@b\xC3\xBC"
         "cher.de>")
        .to("bob@example.org")
        .subject("\xC3\xA9")
        .text("\xC3\xA9");
    const lettre::message m = must_build(b);
    EXPECT_FALSE(m.requires_smtputf8());
    EXPECT_FALSE(m.envelope().requires_smtputf8());
}

TEST(BuilderSmtpUtf8, BccWithUtf8LocalPartNeedsIt) {
    auto b = lettre::message::builder();
    b.from("alice@example.com").to("bob@example.org").bcc("zo\xC3\xAB@example.org").text("t");
    const lettre::message m = must_build(b);
    EXPECT_TRUE(m.envelope().requires_smtputf8());
    EXPECT_TRUE(m.requires_smtputf8());
}

// --- MIME structure ---------------------------------------------------------------------

entity structure_of(const lettre::message_builder& b) {
    const entity e = parse_entity(must_build(b).formatted());
    EXPECT_TRUE(e.parse_ok) << e.parse_error;
    return e;
}

lettre::message_builder base() {
    auto b = lettre::message::builder();
    b.from("a@example.com").to("b@example.org").subject("s");
    return b;
}

TEST(BuilderStructure, TextOnly) {
    auto b = base();
    b.text("plain");
    const entity e = structure_of(b);
    EXPECT_EQ(outline(e), "text/plain");
    EXPECT_TRUE(
        iequals(rfc2231_param(e.content_type_params(), "charset").value_or(rfc2231_value{}).value,
                "utf-8"));
}

TEST(BuilderStructure, HtmlOnly) {
    auto b = base();
    b.html("<p>hi</p>");
    EXPECT_EQ(outline(structure_of(b)), "text/html");
}

TEST(BuilderStructure, TextAndHtmlAreAlternativePlainFirst) {
    auto b = base();
    b.html("<p>hi</p>").text("hi");  // order of calls does not matter
    const entity e = structure_of(b);
    EXPECT_EQ(outline(e), "multipart/alternative[text/plain,text/html]");
    ASSERT_EQ(e.children.size(), 2u);
    EXPECT_EQ(chomp_crlf(decoded_body(e.children[0]).value_or("")), "hi");
    EXPECT_EQ(chomp_crlf(decoded_body(e.children[1]).value_or("")), "<p>hi</p>");
}

TEST(BuilderStructure, AttachmentMakesMixed) {
    auto b = base();
    b.text("see attached").attachment(part::attachment("a.pdf", "%PDF"));
    EXPECT_EQ(outline(structure_of(b)), "multipart/mixed[text/plain,application/pdf]");
}

TEST(BuilderStructure, TextHtmlAndAttachments) {
    auto b = base();
    b.text("t")
        .html("<p>h</p>")
        .attachment(part::attachment("a.pdf", "%PDF"))
        .attachment(part::attachment("b.png", "PNG"));
    EXPECT_EQ(outline(structure_of(b)),
              "multipart/mixed[multipart/alternative[text/plain,text/html],application/pdf,"
              "image/png]");
}

TEST(BuilderStructure, InlinePartsMakeRelated) {
    auto b = base();
    b.html("<img src=\"cid:logo@example\">")
        .inline_part(
            part::inline_body("logo@example", "PNGDATA", content_type::parse("image/png")));
    const entity e = structure_of(b);
    EXPECT_EQ(outline(e), "multipart/related[text/html,image/png]");
    ASSERT_EQ(e.children.size(), 2u);
    const entity& img = e.children[1];
    EXPECT_EQ(img.value("Content-ID"), "<logo@example>");
    EXPECT_TRUE(istarts_with(img.value("Content-Disposition"), "inline"))
        << img.value("Content-Disposition");
    EXPECT_EQ(decoded_body(img).value_or(""), "PNGDATA");
    // RFC 2387 §3.1: type parameter names the root's type.
    const auto type = rfc2231_param(e.content_type_params(), "type");
    if (type) {
        EXPECT_TRUE(iequals(type->value, "text/html"));
    }
}

TEST(BuilderStructure, EverythingTogether) {
    auto b = base();
    b.text("t")
        .html("<img src=\"cid:logo\">")
        .inline_part(part::inline_body("logo", "PNG", content_type::parse("image/png")))
        .attachment(part::attachment("report.pdf", "%PDF"));
    EXPECT_EQ(outline(structure_of(b)),
              "multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html,"
              "image/png]],application/pdf]");
}

TEST(BuilderStructure, ExplicitMultipartNesting) {
    auto b = base();
    b.body(part::mixed()
               .add(part::alternative()
                        .add(part::text("plain"))
                        .add(part::related()
                                 .add(part::html("<img src=\"cid:c1\">"))
                                 .add(part::inline_body("c1", "GIF89a",
                                                        content_type::parse("image/gif")))))
               .add(part::attachment("notes.txt", "notes"))
               .add(part::multipart("report").add(part::text("report text"))));
    EXPECT_EQ(outline(structure_of(b)),
              "multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html,"
              "image/gif]],text/plain,multipart/report[text/plain]]");
}

TEST(BuilderStructure, BodyIsAnyPart) {
    auto b = base();
    b.body(part::alternative().add(part::text("a")).add(part::html("<b>a</b>")));
    EXPECT_EQ(outline(structure_of(b)), "multipart/alternative[text/plain,text/html]");
    auto leaf = base();
    leaf.body(part::html("<b>only</b>"));
    EXPECT_EQ(outline(structure_of(leaf)), "text/html");
}

TEST(BuilderStructure, BodyExcludesTextAndFriends) {
    auto b = base();
    b.text("t").body(part::mixed().add(part::text("x")));
    EXPECT_LETTRE_ERROR(b.try_build(), errc::invalid_part);
    EXPECT_LETTRE_ERROR(std::move(b).try_build(), errc::invalid_part);
    auto c = base();
    c.body(part::mixed().add(part::text("x"))).attachment(part::attachment("a.txt", "x"));
    EXPECT_LETTRE_ERROR(c.try_build(), errc::invalid_part);
}

TEST(BuilderStructure, ChildAddedToALeafIsInvalidPart) {
    part leaf = part::text("leaf");
    leaf.add(part::text("child"));
    ASSERT_TRUE(leaf.error().has_value());
    EXPECT_EQ(leaf.error()->code, ec(errc::invalid_part));
    auto b = base();
    b.body(part::mixed().add(std::move(leaf)));
    EXPECT_LETTRE_ERROR(b.try_build(), errc::invalid_part);
}

TEST(BuilderStructure, PartHeadersAreWritten) {
    auto b = base();
    b.text("t").attachment(
        part::attachment("a.txt", "x").header("Content-Description", "The \xC3\xA9 file"));
    const entity e = structure_of(b);
    ASSERT_EQ(e.children.size(), 2u);
    const auto d = lettre::detail::decode_unstructured(e.children[1].value("Content-Description"));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(*d, "The \xC3\xA9 file");
}

TEST(BuilderStructure, PartAccessors) {
    const part m = part::mixed().add(part::text("a")).add(part::html("<b>"));
    EXPECT_TRUE(m.is_multipart());
    EXPECT_EQ(m.type().essence(), "multipart/mixed");
    ASSERT_EQ(m.children().size(), 2u);
    EXPECT_EQ(m.children()[0].type().essence(), "text/plain");
    EXPECT_EQ(part::alternative().type().essence(), "multipart/alternative");
    EXPECT_EQ(part::related().type().essence(), "multipart/related");
    const part t = part::text("a\nb");
    EXPECT_FALSE(t.is_multipart());
    const part i = part::inline_body("cid1", "x", content_type::parse("image/png"));
    EXPECT_EQ(i.content_disposition(), part::disposition::inline_);
    ASSERT_TRUE(i.content_id().has_value());
    EXPECT_EQ(*i.content_id(), "cid1");
    const part bin = part::body(std::string("a\nb\0", 4), content_type::octet_stream());
    EXPECT_EQ(bin.content(), std::string("a\nb\0", 4)) << "non-text kept byte for byte";
}

// --- bytes -----------------------------------------------------------------------------

std::vector<lettre::message> sample_messages() {
    std::vector<lettre::message> out;
    out.push_back(must_build(simple_builder()));
    auto b = base();
    b.text("t\n\xC3\xA9")
        .html("<p>\xC3\xA9</p>")
        .inline_part(part::inline_body("c", "PNG", content_type::parse("image/png")))
        .attachment(part::attachment("r\xC3\xA9sum\xC3\xA9.pdf", std::string(5000, 'x')))
        .header("X-Long", repeat("word ", 50));
    out.push_back(must_build(b));
    return out;
}

TEST(BuilderBytes, AllFormsAgreeAndSizeIsExact) {
    for (const auto& m : sample_messages()) {
        const std::string f = m.formatted();
        EXPECT_EQ(m.formatted_size(), f.size());
        std::string appended = "PREFIX";
        m.format_to(appended);
        EXPECT_EQ(appended, "PREFIX" + f);
        std::ostringstream os;
        m.write_to(os);
        EXPECT_EQ(os.str(), f);
        EXPECT_EQ(m.formatted(), f) << "formatting is repeatable";
    }
}

TEST(BuilderBytes, HeaderListMatchesTheBytes) {
    for (const auto& m : sample_messages()) {
        std::string expected;
        for (const auto& h : m.headers()) {
            const bool has_ws = !h.value.empty() && (h.value[0] == ' ' || h.value[0] == '\t');
            expected += h.name + (has_ws ? ":" : ": ") + h.value + "\r\n";
        }
        expected += "\r\n";
        expected += m.body();
        EXPECT_EQ(m.formatted(), expected);
    }
}

TEST(BuilderBytes, SignaturesGoFirstInSignerOrder) {
    lettre::message m = must_build(simple_builder());
    const std::string before = m.formatted();
    const auto key = lettre::dkim::private_key::generate(lettre::dkim::algorithm::ed25519_sha256);
    const std::vector<lettre::dkim::signer> signers{{"example.com", "first", key},
                                                    {"example.com", "second", key}};
    m.sign(signers);
    const std::string after = m.formatted();
    EXPECT_TRUE(after.ends_with("\r\n" + before)) << after.substr(0, 200);
    EXPECT_EQ(m.formatted_size(), after.size());
    ASSERT_GE(m.headers().size(), 2u);
    EXPECT_EQ(m.headers()[0].name, "DKIM-Signature");
    EXPECT_NE(m.headers()[0].value.find("s=first"), std::string::npos) << m.headers()[0].value;
    EXPECT_EQ(m.headers()[1].name, "DKIM-Signature");
    EXPECT_NE(m.headers()[1].value.find("s=second"), std::string::npos) << m.headers()[1].value;
}

TEST(BuilderBytes, BoundariesDoNotOccurInContent) {
    for (const auto& m : sample_messages()) {
        const entity root = parse_entity(m.formatted());
        EXPECT_TRUE(root.parse_ok) << root.parse_error;
        std::vector<const entity*> stack{&root};
        std::set<std::string> boundaries;
        while (!stack.empty()) {
            const entity* e = stack.back();
            stack.pop_back();
            if (e->boundary.empty()) continue;
            // RFC 2046 §5.1.1: 1-70 bchars, not ending in space.
            EXPECT_LE(e->boundary.size(), 70u);
            EXPECT_FALSE(e->boundary.empty());
            EXPECT_NE(e->boundary.back(), ' ');
            static const std::regex bchars(R"([0-9A-Za-z'()+_,\-./:=? ]+)");
            EXPECT_TRUE(std::regex_match(e->boundary, bchars)) << e->boundary;
            EXPECT_TRUE(boundaries.insert(e->boundary).second) << "nested parts share a boundary";
            for (const auto& c : e->children) {
                std::string all;
                for (const auto& h : c.headers) all += h.raw + "\r\n";
                all += c.body;
                EXPECT_EQ(all.find("--" + e->boundary), std::string::npos)
                    << "boundary " << e->boundary << " occurs inside a part";
                stack.push_back(&c);
            }
        }
    }
}

TEST(BuilderBytes, BoundaryAvoidsContentThatLooksLikeIt) {
    // Put a previous message's boundary (and many boundary-like lines) into
    // the text; the new message must still parse into the right parts.
    const lettre::message first = sample_messages()[1];
    const entity e0 = parse_entity(first.formatted());
    std::string text = "--" + e0.boundary + "\r\n--" + e0.boundary + "--\r\n";
    for (int i = 0; i < 20; ++i) text += "--=_" + std::to_string(i) + "\r\n";
    auto b = base();
    b.text(text).html("<p>x</p>");
    const entity e = structure_of(b);
    ASSERT_EQ(e.children.size(), 2u) << outline(e);
    EXPECT_EQ(chomp_crlf(decoded_body(e.children[0]).value_or("")), chomp_crlf(text));
}

TEST(BuilderBytes, MultipartsAreClosed) {
    // Each multipart ends with its close delimiter.
    for (const auto& m : sample_messages()) {
        const entity root = parse_entity(m.formatted());
        EXPECT_TRUE(root.parse_ok) << root.parse_error;
    }
}

TEST(BuilderBytes, BuilderIsReusable) {
    const auto b = simple_builder();
    const lettre::message a = b.build();
    const lettre::message c = b.build();
    EXPECT_NE(a.message_id(), c.message_id());
    EXPECT_EQ(a.body(), c.body());
}

}  // namespace
