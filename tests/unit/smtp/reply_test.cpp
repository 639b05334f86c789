// SMTP reply parser (RFC 5321 §4.2) and RFC 3463 enhanced status codes.
#include "smtp/protocol/reply.hpp"

#include "smtp_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using lettre::smtp::enhanced_status;
using lettre::smtp::reply;
using lettre::smtp::reply_parser;
using smtp_test::all_replies;
using smtp_test::parser_error;

TEST(SmtpReply, SingleLine) {
    const auto rs = all_replies("250 OK\r\n");
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].code(), 250);
    EXPECT_EQ(rs[0].lines(), std::vector<std::string>{"OK"});
    EXPECT_FALSE(rs[0].enhanced().has_value());
    EXPECT_EQ(rs[0].message(), "OK");
    EXPECT_EQ(rs[0].to_string(), "250 OK");
    EXPECT_TRUE(rs[0].positive_completion());
}

TEST(SmtpReply, CodeOnlyLineIsAReply) {
    // reply-line = Reply-code [ SP textstring ] CRLF: the text is optional.
    const auto rs = all_replies("250\r\n");
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].code(), 250);
    EXPECT_EQ(rs[0].message(), "");
}

TEST(SmtpReply, MultiLine) {
    const auto rs =
        all_replies("250-mail.example.com Hello\r\n250-SIZE 1000\r\n250 PIPELINING\r\n");
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].code(), 250);
    EXPECT_EQ(rs[0].lines(),
              (std::vector<std::string>{"mail.example.com Hello", "SIZE 1000", "PIPELINING"}));
    EXPECT_EQ(rs[0].message(), "mail.example.com Hello\nSIZE 1000\nPIPELINING");
    EXPECT_EQ(rs[0].to_string(), "250 mail.example.com Hello / SIZE 1000 / PIPELINING");
}

TEST(SmtpReply, SeveralRepliesInOneFeedComeOutInOrder) {
    const auto rs =
        all_replies("250 2.1.0 a\r\n550 5.1.1 b\r\n451-4.3.0 c\r\n451 4.3.0 d\r\n354 go\r\n");
    ASSERT_EQ(rs.size(), 4u);
    EXPECT_EQ(rs[0].code(), 250);
    EXPECT_EQ(rs[1].code(), 550);
    EXPECT_TRUE(rs[1].permanent());
    EXPECT_EQ(rs[2].code(), 451);
    EXPECT_TRUE(rs[2].transient());
    EXPECT_EQ(rs[2].lines().size(), 2u);
    EXPECT_EQ(rs[3].code(), 354);
    EXPECT_TRUE(rs[3].positive_intermediate());
}

TEST(SmtpReply, EnhancedStatusCode) {
    const auto rs = all_replies("550-5.1.1 No such user\r\n550 5.1.1 here\r\n");
    ASSERT_EQ(rs.size(), 1u);
    ASSERT_TRUE(rs[0].enhanced().has_value());
    EXPECT_EQ(*rs[0].enhanced(), (enhanced_status{5, 1, 1}));
    EXPECT_EQ(rs[0].enhanced()->to_string(), "5.1.1");
    EXPECT_EQ(rs[0].message(), "No such user\nhere");
    // The raw lines keep the code.
    EXPECT_EQ(rs[0].lines().front(), "5.1.1 No such user");
    EXPECT_EQ(rs[0].to_string(), "550 5.1.1 No such user / 5.1.1 here");
}

TEST(SmtpReply, EnhancedStatusCodeForms) {
    struct row {
        const char* line;
        std::optional<enhanced_status> want;
    };
    const row rows[] = {
        {"250 2.0.0 Ok", enhanced_status{2, 0, 0}},
        {"250 2.1.5", enhanced_status{2, 1, 5}},               // nothing after it
        {"451 4.123.999 busy", enhanced_status{4, 123, 999}},  // 1-3 digits each
        {"250 2.1000.0 x", std::nullopt},                      // subject over 3 digits
        {"250 2.1.0x y", std::nullopt},                        // not followed by SP
        {"250 2.1 x", std::nullopt},
        {"250 2..1 x", std::nullopt},
        {"354 3.0.0 go", std::nullopt},  // class 3 does not exist (RFC 3463 §3.1)
        {"250 5.1.1 x", std::nullopt},   // class disagrees with the reply code
        {"550 4.1.1 x", std::nullopt},
        {"250 Ok 2.1.0", std::nullopt},
    };
    for (const auto& r : rows) {
        const auto rs = all_replies(std::string(r.line) + "\r\n");
        ASSERT_EQ(rs.size(), 1u) << r.line;
        EXPECT_EQ(rs[0].enhanced(), r.want) << r.line;
    }
}

TEST(SmtpReply, ConstructedReplyParsesEnhancedCode) {
    const reply r(421, {"4.7.0 Try again later"});
    ASSERT_TRUE(r.enhanced());
    EXPECT_EQ(*r.enhanced(), (enhanced_status{4, 7, 0}));
    EXPECT_EQ(r.message(), "Try again later");
    EXPECT_TRUE(r.transient());
}

TEST(SmtpReplyParser, CrlfSplitAcrossFeeds) {
    reply_parser p;
    ASSERT_TRUE(p.feed("250 OK\r"));
    EXPECT_FALSE(p.next());
    EXPECT_FALSE(p.idle());
    ASSERT_TRUE(p.feed("\n"));
    auto r = p.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code(), 250);
    EXPECT_EQ(r->lines(), std::vector<std::string>{"OK"});  // no stray CR
    EXPECT_TRUE(p.idle());
}

TEST(SmtpReplyParser, ByteAtATime) {
    const std::string wire =
        "220-greet\r\n220 ESMTP\r\n250-a.example\r\n250-8BITMIME\r\n250 SIZE 10\r\n"
        "550 5.7.1 no\r\n";
    reply_parser p;
    std::vector<reply> got;
    for (char c : wire) {
        ASSERT_TRUE(p.feed(std::string_view(&c, 1)));
        while (auto r = p.next()) got.push_back(*r);
    }
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0].code(), 220);
    EXPECT_EQ(got[0].lines(), (std::vector<std::string>{"greet", "ESMTP"}));
    EXPECT_EQ(got[1].lines(), (std::vector<std::string>{"a.example", "8BITMIME", "SIZE 10"}));
    EXPECT_EQ(got[2].code(), 550);
    EXPECT_EQ(got[2].enhanced(), (enhanced_status{5, 7, 1}));
    EXPECT_TRUE(p.idle());
    EXPECT_EQ(p.buffered(), 0u);
}

TEST(SmtpReplyParser, EveryFeedSplitGivesTheSameReplies) {
    const std::string wire = "250-one\r\n250-two\r\n250 three\r\n421 4.4.2 bye\r\n";
    const auto whole = all_replies(wire);
    ASSERT_EQ(whole.size(), 2u);
    for (std::size_t a = 0; a <= wire.size(); ++a) {
        for (std::size_t b = a; b <= wire.size(); ++b) {
            reply_parser p;
            std::vector<reply> got;
            for (auto piece : {wire.substr(0, a), wire.substr(a, b - a), wire.substr(b)}) {
                ASSERT_TRUE(p.feed(piece));
                while (auto r = p.next()) got.push_back(*r);
            }
            ASSERT_EQ(got.size(), whole.size()) << a << "," << b;
            for (std::size_t k = 0; k < got.size(); ++k) {
                EXPECT_EQ(got[k].code(), whole[k].code());
                EXPECT_EQ(got[k].lines(), whole[k].lines());
            }
        }
    }
}

TEST(SmtpReplyParser, PartialReplyIsNotReturned) {
    reply_parser p;
    ASSERT_TRUE(p.feed("250-first\r\n250-second\r\n"));
    EXPECT_FALSE(p.next());
    EXPECT_FALSE(p.idle());
    ASSERT_TRUE(p.feed("250 last\r\n"));
    auto r = p.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->lines().size(), 3u);
}

TEST(SmtpReplyParser, MalformedLinesAreErrors) {
    const char* bad[] = {
        "25\r\n",  // too short
        "2\r\n",
        "\r\n",          // empty line
        "abc text\r\n",  // no code
        "25x ok\r\n",
        "250x ok\r\n",  // neither SP nor '-' after the code
        "250_ok\r\n",
        "150 ok\r\n",  // 1yz does not exist in SMTP
        "650 ok\r\n",
        "050 ok\r\n",
        " 250 ok\r\n",  // leading space
        "HTTP/1.1 200 OK\r\n",
    };
    for (const char* line : bad) {
        reply_parser p;
        EXPECT_FALSE(p.feed(line)) << smtp_test::show(line);
        ASSERT_TRUE(p.error().has_value()) << smtp_test::show(line);
        EXPECT_EQ(p.error()->code, lettre::make_error_code(lettre::errc::smtp_protocol));
        EXPECT_FALSE(p.next());
    }
}

TEST(SmtpReplyParser, ErrorIsSticky) {
    reply_parser p;
    EXPECT_FALSE(p.feed("bogus\r\n"));
    EXPECT_FALSE(p.feed("250 ok\r\n"));
    EXPECT_FALSE(p.next());
    EXPECT_TRUE(p.error());
}

TEST(SmtpReplyParser, RepliesBeforeAnErrorStayAvailable) {
    reply_parser p;
    EXPECT_FALSE(p.feed("250 ok\r\nnonsense\r\n"));
    EXPECT_TRUE(p.error());
    // The good reply was complete before the bad line; whether it is still
    // handed out is up to the parser, but it must not be corrupted.
    if (auto r = p.next()) {
        EXPECT_EQ(r->code(), 250);
    }
}

TEST(SmtpReplyParser, CodeChangeInsideMultiLineReply) {
    reply_parser p;
    EXPECT_FALSE(p.feed("250-first\r\n251 second\r\n"));
    ASSERT_TRUE(p.error());
    EXPECT_EQ(p.error()->code, lettre::make_error_code(lettre::errc::smtp_protocol));
    EXPECT_FALSE(p.next());

    reply_parser q;  // also when split
    ASSERT_TRUE(q.feed("550-5.1.1 a\r\n"));
    EXPECT_FALSE(q.feed("250 b\r\n"));
}

TEST(SmtpReplyParser, OverLongLineIsAnErrorWhetherOrNotItEnds) {
    // Complete over-long line.
    {
        reply_parser p(64, 8);
        EXPECT_FALSE(p.feed("250 " + std::string(61, 'x') + "\r\n"));
        EXPECT_TRUE(p.error());
    }
    // A line that never ends: the parser must stop buffering.
    {
        reply_parser p(64, 8);
        std::string chunk = "250 ";
        bool ok = true;
        for (int i = 0; i < 100 && ok; ++i) {
            ok = p.feed(chunk);
            chunk = std::string(16, 'y');
        }
        EXPECT_FALSE(ok);
        EXPECT_TRUE(p.error());
        EXPECT_LE(p.buffered(), 64u + 16u);
    }
    // Default limit.
    {
        reply_parser p;
        EXPECT_FALSE(p.feed("250 " + std::string(reply_parser::default_max_line, 'z') + "\r\n"));
    }
}

TEST(SmtpReplyParser, LineAtTheLimitIsAccepted) {
    const std::string line = "250 " + std::string(60, 'x');  // 64 octets without CRLF
    reply_parser whole(64, 8);
    EXPECT_TRUE(whole.feed(line + "\r\n"));
    EXPECT_TRUE(whole.next());
}

// The outcome must not depend on how TCP splits the stream: a line of exactly
// max_line octets whose CR arrives before its LF is the same line.
// (Regression: the unfinished-line check used to count the CR.)
TEST(SmtpReplyParser, LineAtTheLimitIsAcceptedWhenCrArrivesBeforeLf) {
    const std::string line = "250 " + std::string(60, 'x');  // 64 octets without CRLF
    reply_parser split(64, 8);
    EXPECT_TRUE(split.feed(line + "\r")) << (split.error() ? split.error()->message : "");
    EXPECT_TRUE(split.feed("\n"));
    EXPECT_TRUE(split.next());
}

TEST(SmtpReplyParser, TooManyLines) {
    std::string wire;
    for (int i = 0; i < 8; ++i) wire += "250-line\r\n";
    {
        reply_parser p(64, 8);
        EXPECT_TRUE(p.feed(wire.substr(0, wire.size() - 10) + "250 last\r\n"));  // exactly 8
        EXPECT_TRUE(p.next());
    }
    {
        reply_parser p(64, 8);
        EXPECT_FALSE(p.feed(wire + "250 last\r\n"));  // 9
        ASSERT_TRUE(p.error());
        EXPECT_EQ(p.error()->code, lettre::make_error_code(lettre::errc::smtp_protocol));
    }
    {
        // A hostile endless continuation is cut off at the default limit.
        reply_parser p;
        bool ok = true;
        std::size_t fed = 0;
        while (ok && fed < 10 * reply_parser::default_max_lines) {
            ok = p.feed("250-x\r\n");
            ++fed;
        }
        EXPECT_FALSE(ok);
        EXPECT_EQ(fed, reply_parser::default_max_lines + 1);
    }
}

TEST(SmtpReplyParser, ResetDropsEverythingBuffered) {
    reply_parser p;
    ASSERT_TRUE(p.feed("250 ready\r\n250-partial\r\n250 par"));
    EXPECT_FALSE(p.idle());
    p.reset();
    EXPECT_TRUE(p.idle());
    EXPECT_EQ(p.buffered(), 0u);
    EXPECT_FALSE(p.next());
    ASSERT_TRUE(p.feed("220 fresh\r\n"));
    auto r = p.next();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->code(), 220);
    EXPECT_EQ(r->lines().size(), 1u);
}

TEST(SmtpReplyParser, BareLfIsAcceptedAsLineEnd) {
    // Lenient on input: some servers end lines with LF only.
    const auto rs = all_replies("250-a\n250 b\n");
    ASSERT_EQ(rs.size(), 1u);
    EXPECT_EQ(rs[0].lines(), (std::vector<std::string>{"a", "b"}));
}

TEST(SmtpReplyParser, LongSessionKeepsBufferSmall) {
    reply_parser p;
    for (int i = 0; i < 10000; ++i) {
        ASSERT_TRUE(p.feed("250 2.0.0 Ok queued as ABCDEF\r\n"));
        ASSERT_TRUE(p.next());
    }
    EXPECT_TRUE(p.idle());
}

TEST(SmtpReplyParser, ErrorMessageDoesNotEchoUnboundedText) {
    reply_parser p;
    EXPECT_FALSE(p.feed("xyz" + std::string(3000, 'a') + "\r\n"));
    ASSERT_TRUE(p.error());
    EXPECT_LT(p.error()->message.size(), 300u);
}

}  // namespace
