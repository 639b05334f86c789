// Groups and whole address lists wherever the builder takes an address list
// (To, Cc, Bcc, Reply-To), and never for From and Sender (RFC 5322 §3.6.2:
// mailbox-list and mailbox). Mailboxes and groups made in code are checked
// like parsed ones: CR/LF in a name is header_injection naming the field.
#include "../test_util.hpp"

#include <string>
#include <vector>

namespace {

using lettre::address_list;
using lettre::errc;
using lettre::group;
using lettre::mailbox;
using lettre::message_builder;
using namespace lettre_test;

// Which setters take which argument, checked at compile time.
template <class T>
constexpr bool from_takes = requires(message_builder b, T v) {
    b.from(v);
};
template <class T>
constexpr bool sender_takes = requires(message_builder b, T v) {
    b.sender(v);
};
template <class T>
constexpr bool to_takes = requires(message_builder b, T v) {
    b.to(v);
};
template <class T>
constexpr bool cc_takes = requires(message_builder b, T v) {
    b.cc(v);
};
template <class T>
constexpr bool bcc_takes = requires(message_builder b, T v) {
    b.bcc(v);
};
template <class T>
constexpr bool reply_to_takes = requires(message_builder b, T v) {
    b.reply_to(v);
};

static_assert(to_takes<group> && cc_takes<group> && bcc_takes<group> && reply_to_takes<group>);
static_assert(to_takes<address_list> && cc_takes<address_list> && bcc_takes<address_list> &&
              reply_to_takes<address_list>);
static_assert(from_takes<mailbox> && sender_takes<mailbox>);
static_assert(!from_takes<group> && !from_takes<address_list>);
static_assert(!sender_takes<group> && !sender_takes<address_list>);

std::vector<std::string> addrs(const lettre::message& m) {
    std::vector<std::string> out;
    for (const auto& a : m.envelope().to()) out.push_back(a.to_string());
    return out;
}

group team() {
    return group{"Team", {mailbox::parse("t1@example.org"), mailbox::parse("T2 <t2@example.org>")}};
}

message_builder base() {
    auto b = lettre::message::builder();
    b.from("alice@example.com").text("t");
    return b;
}

TEST(BuilderGroups, BccGroupMembersAreRecipientsAndNothingIsWritten) {
    auto b = base();
    b.to("bob@example.org").bcc(team());
    const lettre::message m = must_build(b);
    EXPECT_THAT(addrs(m),
                ::testing::ElementsAre("bob@example.org", "t1@example.org", "t2@example.org"));
    const std::string f = m.formatted();
    EXPECT_EQ(f.find("Team"), std::string::npos) << f;
    EXPECT_EQ(f.find("t1@example.org"), std::string::npos) << f;
    EXPECT_EQ(find_header(top_headers(m), "Bcc"), nullptr);
}

TEST(BuilderGroups, BccGroupAloneIsEnough) {
    auto b = base();
    b.bcc(team());
    EXPECT_THAT(addrs(must_build(b)), ::testing::ElementsAre("t1@example.org", "t2@example.org"));
}

TEST(BuilderGroups, ReplyToGroupIsWrittenAndIsNoRecipient) {
    auto b = base();
    b.to("bob@example.org").reply_to(team());
    const lettre::message m = must_build(b);
    EXPECT_EQ(find_header(top_headers(m), "Reply-To")->value,
              "Team: t1@example.org, T2 <t2@example.org>;");
    EXPECT_THAT(addrs(m), ::testing::ElementsAre("bob@example.org"));
}

TEST(BuilderGroups, EmptyGroupInReplyTo) {
    auto b = base();
    b.to("bob@example.org").reply_to(group{"undisclosed-recipients", {}});
    EXPECT_EQ(find_header(top_headers(must_build(b)), "Reply-To")->value,
              "undisclosed-recipients:;");
}

TEST(BuilderAddressList, EveryListFieldTakesOne) {
    const address_list list = address_list::parse("x@example.org, Crew: c1@example.org;");
    auto b = base();
    b.to(list).cc(list).reply_to(list).bcc(address_list::parse("hidden@example.net"));
    const lettre::message m = must_build(b);
    const auto hs = top_headers(m);
    EXPECT_EQ(find_header(hs, "To")->value, "x@example.org, Crew: c1@example.org;");
    EXPECT_EQ(find_header(hs, "Cc")->value, "x@example.org, Crew: c1@example.org;");
    EXPECT_EQ(find_header(hs, "Reply-To")->value, "x@example.org, Crew: c1@example.org;");
    EXPECT_THAT(addrs(m),
                ::testing::ElementsAre("x@example.org", "c1@example.org", "hidden@example.net"));
}

TEST(BuilderAddressList, AppendsToWhatIsThere) {
    auto b = base();
    b.to("first@example.org").to(address_list::parse("second@example.org")).to("third@example.org");
    EXPECT_EQ(find_header(top_headers(must_build(b)), "To")->value,
              "first@example.org, second@example.org, third@example.org");
}

TEST(BuilderAddressList, MadeInCodeIsChecked) {
    address_list list;
    list.push_back(mailbox("Eve\r\nBcc: victim@example.net", lettre::address::parse("e@x.org")));
    auto b = base();
    b.to("bob@example.org").cc(list);
    const auto r = b.try_build();
    ASSERT_FALSE(r.has_value()) << r->formatted();
    EXPECT_EQ(r.error().code, ec(errc::header_injection));
    EXPECT_NE(r.error().message.find("Cc"), std::string::npos) << r.error().message;
}

TEST(BuilderGroups, MadeInCodeAreChecked) {
    auto unnamed = base();
    unnamed.to("bob@example.org").bcc(group{"", {mailbox::parse("x@example.org")}});
    EXPECT_LETTRE_ERROR(unnamed.try_build(), errc::invalid_address);

    auto injected = base();
    injected.to("bob@example.org").reply_to(group{"G\r\nX-Evil: 1", {}});
    const auto r = injected.try_build();
    ASSERT_FALSE(r.has_value()) << r->formatted();
    EXPECT_EQ(r.error().code, ec(errc::header_injection));
    EXPECT_NE(r.error().message.find("Reply-To"), std::string::npos) << r.error().message;

    auto member = base();
    member.to("bob@example.org")
        .bcc(group{"G", {mailbox("M\nN", lettre::address::parse("m@example.org"))}});
    EXPECT_LETTRE_ERROR(member.try_build(), errc::header_injection);
}

}  // namespace
