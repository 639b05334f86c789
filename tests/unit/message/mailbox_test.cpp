// lettre::mailbox: RFC 5322 §3.4 name-addr / addr-spec, display names, and
// how a display name is written into an address header (quoted-string or
// RFC 2047 encoded-words, never raw specials or raw UTF-8).
#include "../test_util.hpp"

namespace {

using lettre::address;
using lettre::errc;
using lettre::mailbox;
using namespace lettre_test;

TEST(MailboxParse, NameAddr) {
    const mailbox m = mailbox::parse("Zo\xC3\xAB <zoe@example.com>");
    EXPECT_EQ(m.name(), "Zo\xC3\xAB");
    EXPECT_EQ(m.email(), address::parse("zoe@example.com"));
}

TEST(MailboxParse, QuotedDisplayNameWithComma) {
    const mailbox m = mailbox::parse("\"Doe, John\" <j@example.com>");
    EXPECT_EQ(m.name(), "Doe, John");
    EXPECT_EQ(m.email().to_string(), "j@example.com");
}

TEST(MailboxParse, QuotedDisplayNameWithEscapes) {
    const mailbox m = mailbox::parse(R"("John \"JD\" Doe" <j@example.com>)");
    EXPECT_EQ(m.name(), "John \"JD\" Doe");
}

TEST(MailboxParse, BareAddrSpec) {
    const mailbox m = mailbox::parse("j@example.com");
    EXPECT_EQ(m.name(), "");
    EXPECT_EQ(m.email().to_string(), "j@example.com");
}

TEST(MailboxParse, AngleAddrWithoutName) {
    const mailbox m = mailbox::parse("<j@example.com>");
    EXPECT_EQ(m.name(), "");
    EXPECT_EQ(m.email().to_string(), "j@example.com");
}

TEST(MailboxParse, CommentsAreIgnored) {
    EXPECT_EQ(mailbox::parse("John Doe (the man) <j@example.com>").name(), "John Doe");
    const mailbox m = mailbox::parse("j@example.com (John Doe)");
    EXPECT_EQ(m.email().to_string(), "j@example.com");
    EXPECT_EQ(m.name(), "");
}

TEST(MailboxParse, IdnDomainBecomesALabel) {
    const mailbox m = mailbox::parse(
        "Zo\xC3\xAB <zoe@b\xC3\xBC"
        "cher.de>");
    EXPECT_EQ(m.email().domain(), "xn--bcher-kva.de");
}

TEST(MailboxParse, RejectsMalformed) {
    for (std::string_view bad :
         {"", "John <j@example.com", "John j@example.com", "<>", "John <>", "John",
          "a@example.com, b@example.com", "John <j@example.com> trailing", "\"John <j@example.com>",
          "John <j@@example.com>"}) {
        const auto r = mailbox::try_parse(bad);
        EXPECT_FALSE(r.has_value()) << "accepted: " << bad;
        if (!r) {
            EXPECT_THAT(r.error().code, is_one_of(errc::invalid_address, errc::invalid_domain))
                << bad;
        }
    }
    EXPECT_LETTRE_THROW(mailbox::parse("John <j@example.com"), errc::invalid_address);
}

TEST(MailboxParse, RejectsCrLfNulEvenAsFoldingWhitespace) {
    for (std::string bad :
         {std::string("John\r\n Doe <j@example.com>"), std::string("John\nDoe <j@example.com>"),
          std::string("John\rDoe <j@example.com>"),
          std::string("John <j@example.com>\r\nBcc: x@example.com"),
          std::string("John\0Doe <j@example.com>", 24)}) {
        const auto r = mailbox::try_parse(bad);
        EXPECT_FALSE(r.has_value()) << "accepted a CR/LF/NUL";
        if (!r) {
            EXPECT_THAT(r.error().code, is_one_of(errc::header_injection, errc::invalid_address));
        }
        EXPECT_THAT(thrown_code([&] { static_cast<void>(mailbox::parse(bad)); }),
                    is_one_of(errc::header_injection, errc::invalid_address));
    }
}

TEST(MailboxToString, NameAndAddress) {
    const mailbox m("Zo\xC3\xAB", address::parse("zoe@example.com"));
    EXPECT_EQ(m.to_string(), "Zo\xC3\xAB <zoe@example.com>");
}

TEST(MailboxEquality, NameAndAddressBothCount) {
    const address a = address::parse("j@example.com");
    EXPECT_EQ(mailbox("J", a), mailbox::parse("J <j@example.com>"));
    EXPECT_FALSE(mailbox("J", a) == mailbox("K", a));
    EXPECT_EQ(mailbox(a), mailbox::parse("j@example.com"));
}

// --- display names in the From header ---------------------------------------

/// Builds a message From `m` and returns the unfolded From value.
std::string from_header_for(const mailbox& m) {
    auto b = lettre::message::builder();
    b.from(m).to("bob@example.org").subject("s").text("t");
    const lettre::message msg = must_build(b);
    const auto hs = top_headers(msg);
    const raw_header* h = find_header(hs, "From");
    return h ? h->value : std::string("<no From header>");
}

TEST(MailboxInHeader, PlainNameIsWrittenAsIs) {
    EXPECT_EQ(from_header_for(mailbox("John Doe", address::parse("j@example.com"))),
              "John Doe <j@example.com>");
}

TEST(MailboxInHeader, NameWithoutDisplayNameIsTheAddress) {
    const std::string v = from_header_for(mailbox(address::parse("j@example.com")));
    EXPECT_TRUE(v == "j@example.com" || v == "<j@example.com>") << v;
}

TEST(MailboxInHeader, SpecialsAreQuotedOrEncodedAndRoundTrip) {
    for (std::string name :
         {"Doe, John", "John \"JD\" Doe", "a\\b", "Dr. Who", "x@y", "(not a comment)", "<angle>",
          "semi;colon", "=?utf-8?q?not-a-word?="}) {
        const std::string v = from_header_for(mailbox(name, address::parse("j@example.com")));
        const auto [phrase, addr] = split_name_addr(v);
        EXPECT_EQ(addr, "<j@example.com>") << v;
        EXPECT_EQ(decode_phrase(phrase), name) << "header value: " << v;
        // The header parses back to one mailbox with the same address.
        const auto back = lettre::address_list::try_parse(v);
        ASSERT_LETTRE_OK(back);
        ASSERT_EQ(back->mailboxes().size(), 1u) << v;
        EXPECT_EQ(back->mailboxes()[0].email(), address::parse("j@example.com"));
    }
}

TEST(MailboxInHeader, NonAsciiNameBecomesEncodedWords) {
    const std::string name = "Zo\xC3\xAB \xE5\xB1\xB1\xE7\x94\xB0 \xF0\x9F\x98\x80";
    const std::string v = from_header_for(mailbox(name, address::parse("zoe@example.com")));
    EXPECT_TRUE(is_ascii(v)) << "raw UTF-8 in a non-SMTPUTF8 header: " << v;
    const auto [phrase, addr] = split_name_addr(v);
    EXPECT_EQ(addr, "<zoe@example.com>");
    EXPECT_FALSE(find_encoded_words(phrase).empty()) << v;
    EXPECT_EQ(phrase.find('"'), std::string::npos)
        << "RFC 2047 §5(3): encoded-words may not appear inside a quoted-string: " << v;
    EXPECT_EQ(decode_phrase(phrase), name);
}

TEST(MailboxInHeader, QEncodedPhraseWordsUseOnlyThePhraseSafeCharacters) {
    // RFC 2047 §5(3): in a phrase, Q text is limited to letters, digits and
    // "!" "*" "+" "-" "/" "=" "_".
    const std::string name = "Fran\xC3\xA7ois (dev) d'Arc, \"Jr.\" ?=_";
    const std::string v = from_header_for(mailbox(name, address::parse("f@example.com")));
    const auto [phrase, addr] = split_name_addr(v);
    EXPECT_EQ(decode_phrase(phrase), name) << v;
    for (const auto& w : find_encoded_words(phrase)) {
        const auto ew = split_encoded_word(w);
        ASSERT_TRUE(ew.has_value());
        if (ew->encoding != 'Q') continue;
        for (char c : ew->text) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') ||
                            std::string_view("!*+-/=_").find(c) != std::string_view::npos;
            EXPECT_TRUE(ok) << "'" << c << "' in Q phrase word " << w;
        }
    }
}

TEST(MailboxInHeader, LongNamesFold) {
    std::string name;
    for (int i = 0; i < 30; ++i) name += (i ? " " : "") + std::string("Name") + std::to_string(i);
    auto b = lettre::message::builder();
    b.from(mailbox(name, address::parse("j@example.com"))).to("bob@example.org").text("t");
    const auto hs = top_headers(must_build(b));
    const raw_header* h = find_header(hs, "From");
    ASSERT_NE(h, nullptr);
    for (const auto& l : h->lines) EXPECT_LE(l.size(), 78u) << l;
    const auto [phrase, addr] = split_name_addr(h->value);
    EXPECT_EQ(decode_phrase(phrase), name);
    EXPECT_EQ(addr, "<j@example.com>");
}

}  // namespace
