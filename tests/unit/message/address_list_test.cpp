// lettre::address_list: RFC 5322 §3.4 address-list with groups.
#include "../test_util.hpp"

namespace {

using lettre::address;
using lettre::address_list;
using lettre::errc;
using lettre::group;
using lettre::mailbox;
using namespace lettre_test;

std::vector<std::string> addrs(const address_list& l) {
    std::vector<std::string> out;
    for (const auto& m : l.mailboxes()) out.push_back(m.email().to_string());
    return out;
}

TEST(AddressListParse, Mailboxes) {
    const address_list l = address_list::parse("a@example.com, B <b@example.com>");
    ASSERT_EQ(l.size(), 2u);
    ASSERT_TRUE(std::holds_alternative<mailbox>(l.entries()[0]));
    ASSERT_TRUE(std::holds_alternative<mailbox>(l.entries()[1]));
    EXPECT_EQ(std::get<mailbox>(l.entries()[1]).name(), "B");
    EXPECT_THAT(addrs(l), ::testing::ElementsAre("a@example.com", "b@example.com"));
}

TEST(AddressListParse, SingleMailbox) {
    const address_list l = address_list::parse("a@example.com");
    EXPECT_EQ(l.size(), 1u);
    EXPECT_FALSE(l.empty());
}

TEST(AddressListParse, QuotedCommaDoesNotSplit) {
    const address_list l = address_list::parse("\"Doe, John\" <j@example.com>, k@example.com");
    ASSERT_EQ(l.size(), 2u);
    EXPECT_EQ(std::get<mailbox>(l.entries()[0]).name(), "Doe, John");
}

TEST(AddressListParse, EmptyGroup) {
    const address_list l = address_list::parse("undisclosed-recipients:;");
    ASSERT_EQ(l.size(), 1u);
    ASSERT_TRUE(std::holds_alternative<group>(l.entries()[0]));
    const group& g = std::get<group>(l.entries()[0]);
    EXPECT_EQ(g.name, "undisclosed-recipients");
    EXPECT_TRUE(g.members.empty());
    EXPECT_TRUE(l.mailboxes().empty());
}

TEST(AddressListParse, GroupMembersAreFlattenedInOrder) {
    const address_list l = address_list::parse(
        "z@example.com, Friends: a@example.com, B <b@example.com>;, c@example.com");
    ASSERT_EQ(l.size(), 3u);
    ASSERT_TRUE(std::holds_alternative<group>(l.entries()[1]));
    const group& g = std::get<group>(l.entries()[1]);
    EXPECT_EQ(g.name, "Friends");
    EXPECT_EQ(g.members.size(), 2u);
    EXPECT_THAT(addrs(l), ::testing::ElementsAre("z@example.com", "a@example.com", "b@example.com",
                                                 "c@example.com"));
}

TEST(AddressListParse, QuotedGroupName) {
    const address_list l = address_list::parse("\"The Team, Inc.\": a@example.com;");
    ASSERT_EQ(l.size(), 1u);
    EXPECT_EQ(std::get<group>(l.entries()[0]).name, "The Team, Inc.");
}

TEST(AddressListParse, RejectsMalformed) {
    for (std::string_view bad :
         {"", "a@example.com, not an address", "G: a@example.com", "A: B: c@example.com;;",
          "a@example.com b@example.com", "<a@example.com", "a@example.com; b@example.com"}) {
        const auto r = address_list::try_parse(bad);
        EXPECT_FALSE(r.has_value()) << "accepted: " << bad;
        if (!r) {
            EXPECT_EQ(r.error().code, ec(errc::invalid_address)) << bad;
        }
    }
    EXPECT_LETTRE_THROW(address_list::parse("a@example.com, nope"), errc::invalid_address);
}

TEST(AddressListParse, RejectsGroupWithoutName) {
    // `"":;` is a group whose phrase is one empty quoted-string: nothing the
    // builder could write back, so it is refused like `:;` (found by fuzz_address_list).
    for (std::string_view bad :
         {":;", "\"\":;", "\"\" : a@example.com;", "a@example.com, \"\":;"}) {
        const auto r = address_list::try_parse(bad);
        EXPECT_FALSE(r.has_value()) << "accepted: " << bad;
        if (!r) {
            EXPECT_EQ(r.error().code, ec(errc::invalid_address)) << bad;
            EXPECT_THAT(r.error().message, ::testing::HasSubstr("group without a name")) << bad;
        }
    }
}

TEST(AddressListParse, RejectsEncodedWordsThatDecodeToCrLfNul) {
    // Found by fuzz_address_list: the builder refuses such a display name,
    // so the parser must not hand it out.
    for (std::string_view bad :
         {"=?iso-8859-1?q?Andr=00E9?= <g@example.com>", "=?utf-8?q?a=0D=0Ab?= <g@example.com>",
          "=?utf-8?b?YQpi?= <g@example.com>", "G =?utf-8?q?=0A?=: a@example.com;"}) {
        const auto r = address_list::try_parse(bad);
        EXPECT_FALSE(r.has_value()) << "accepted: " << bad;
        if (!r) {
            EXPECT_EQ(r.error().code, ec(errc::header_injection)) << bad;
        }
        EXPECT_FALSE(lettre::mailbox::try_parse(bad).has_value()) << bad;
    }
    // A harmless encoded-word still decodes.
    const auto ok = address_list::parse("=?iso-8859-1?q?Andr=E9?= <g@example.com>");
    EXPECT_EQ(std::get<lettre::mailbox>(ok.entries()[0]).name(), "Andr\xc3\xa9");
}

TEST(AddressListParse, EncodedWordsAreDecodedOutsideQuotedStringsOnly) {
    // RFC 2047 §5: inside a quoted-string "=?...?=" is text.
    const auto quoted = address_list::parse("\"=?utf-8?q?x?=\" <a@example.com>");
    EXPECT_EQ(std::get<lettre::mailbox>(quoted.entries()[0]).name(), "=?utf-8?q?x?=");
    const auto mixed = address_list::parse(
        "\"=?utf-8?q?x?=\" =?utf-8?q?Andr=C3=A9?= =?utf-8?q?_B?= <a@example.com>");
    EXPECT_EQ(std::get<lettre::mailbox>(mixed.entries()[0]).name(), "=?utf-8?q?x?= Andr\xc3\xa9 B");
}

TEST(AddressListParse, RejectsCrLfNul) {
    for (std::string bad : {std::string("a@example.com,\r\n b@example.com"),
                            std::string("a@example.com\nBcc: c@example.com"),
                            std::string("a@example.com,\0b@example.com", 28)}) {
        const auto r = address_list::try_parse(bad);
        EXPECT_FALSE(r.has_value());
        if (!r) {
            EXPECT_THAT(r.error().code, is_one_of(errc::header_injection, errc::invalid_address));
        }
    }
}

TEST(AddressList, PushBackAppendAndMailboxes) {
    address_list l;
    EXPECT_TRUE(l.empty());
    l.push_back(mailbox::parse("a@example.com"));
    l.push_back(group{"G", {mailbox::parse("b@example.com")}});
    EXPECT_EQ(l.size(), 2u);
    address_list other = address_list::parse("c@example.com, d@example.com");
    l.append(other);
    EXPECT_EQ(l.size(), 4u);
    EXPECT_THAT(addrs(l), ::testing::ElementsAre("a@example.com", "b@example.com", "c@example.com",
                                                 "d@example.com"));
}

TEST(AddressListInHeader, NameWithARunTooLongForOneLineIsEncodedAndRoundTrips) {
    // Found by fuzz_address_list: a quoted name whose run without spaces
    // (backslashes doubled by quoting) exceeds 998 octets cannot be folded;
    // encoded-words can.
    for (const std::string& name :
         {std::string(600, '\\') + "x", "Ann " + std::string(1200, 'a') + " Example",
          std::string(499, 'q') + ":;," + std::string(499, 'q')}) {
        auto b = lettre::message::builder();
        b.from("a@example.com").subject("s").text("t");
        b.to(mailbox(name, address::parse("g@example.com")));
        const auto hs = top_headers(must_build(b));
        const auto tos = find_headers(hs, "To");
        ASSERT_EQ(tos.size(), 1u);
        for (const auto& l : tos[0]->lines) EXPECT_LE(l.size(), 78u) << l;
        const auto back = address_list::try_parse(tos[0]->value);
        ASSERT_TRUE(back.has_value()) << tos[0]->value;
        ASSERT_EQ(back->size(), 1u);
        EXPECT_EQ(std::get<mailbox>(back->entries()[0]).name(), name);
    }
}

TEST(AddressListInHeader, ToWithManyAddressesFoldsBetweenAddresses) {
    auto b = lettre::message::builder();
    b.from("a@example.com").subject("s").text("t");
    std::vector<std::string> expected;
    for (int i = 0; i < 40; ++i) {
        const std::string a = "recipient" + std::to_string(i) + "@example.org";
        b.to(mailbox("Recipient Number " + std::to_string(i), address::parse(a)));
        expected.push_back(a);
    }
    const auto hs = top_headers(must_build(b));
    const auto tos = find_headers(hs, "To");
    ASSERT_EQ(tos.size(), 1u) << "RFC 5322 §3.6: To occurs at most once";
    for (const auto& l : tos[0]->lines) EXPECT_LE(l.size(), 78u) << l;
    const auto back = address_list::try_parse(tos[0]->value);
    ASSERT_LETTRE_OK(back);
    EXPECT_EQ(addrs(*back), expected);
}

TEST(AddressListInHeader, GroupIsWrittenAsGroup) {
    auto b = lettre::message::builder();
    b.from("a@example.com")
        .to(group{"undisclosed-recipients", {}})
        .bcc("hidden@example.org")
        .text("t");
    const lettre::message m = must_build(b);
    const auto hs = top_headers(m);
    const raw_header* to = find_header(hs, "To");
    ASSERT_NE(to, nullptr);
    EXPECT_EQ(to->value, "undisclosed-recipients:;");
    ASSERT_EQ(m.envelope().to().size(), 1u);
    EXPECT_EQ(m.envelope().to()[0].to_string(), "hidden@example.org");
}

TEST(AddressListInHeader, GroupWithMembersRoundTrips) {
    auto b = lettre::message::builder();
    b.from("a@example.com")
        .to(group{"Team", {mailbox::parse("x@example.org"), mailbox::parse("Y <y@example.org>")}})
        .text("t");
    const lettre::message m = must_build(b);
    const auto hs = top_headers(m);
    const raw_header* to = find_header(hs, "To");
    ASSERT_NE(to, nullptr);
    const auto back = address_list::try_parse(to->value);
    ASSERT_LETTRE_OK(back);
    ASSERT_EQ(back->size(), 1u);
    ASSERT_TRUE(std::holds_alternative<group>(back->entries()[0]));
    EXPECT_EQ(std::get<group>(back->entries()[0]).name, "Team");
    EXPECT_THAT(addrs(*back), ::testing::ElementsAre("x@example.org", "y@example.org"));
    // Group members are recipients.
    ASSERT_EQ(m.envelope().to().size(), 2u);
}

}  // namespace
