// RFC 2047 encoded-words (src/message/encoded_word.hpp): decoding the RFC's
// §8 examples (vectors/rfc2047_examples.txt), its whitespace table and the
// RFC 2231 §5 language suffix; and the generator rules: <= 75 characters per
// word, a multi-octet character never split, B or Q whichever is shorter,
// phrase-safe Q, "=?" in ordinary text always encoded.
#include "../test_util.hpp"

namespace {

using lettre::detail::decode_unstructured;
using lettre::detail::encode_words;
using lettre::detail::needs_encoding;
using lettre::detail::unstructured_tokens;
using namespace lettre_test;

std::string decoded(std::string_view in) {
    const auto r = decode_unstructured(in);
    if (!r) return "<error: " + r.error().message + ">";
    return *r;
}

const std::string& vectors_file() {
    static const std::string text = read_file(shared_dir() / "vectors" / "rfc2047_examples.txt");
    return text;
}

struct vector_case {
    std::string_view encoded;
    std::string_view expected;  // UTF-8
};

// RFC 2047 §8 "Expected decodings" from the vectors file.
const vector_case rfc2047_section8[] = {
    {"=?US-ASCII?Q?Keith_Moore?=", "Keith Moore"},
    {"=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", "Keld J\xC3\xB8rn Simonsen"},
    {"=?ISO-8859-1?Q?Andr=E9?= Pirard", "Andr\xC3\xA9 Pirard"},
    {"=?ISO-8859-1?Q?Olle_J=E4rnefors?=", "Olle J\xC3\xA4rnefors"},
    {"=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?=", "Patrik F\xC3\xA4ltstr\xC3\xB6m"},
    {"=?iso-8859-1?q?this=20is=20some=20text?=", "this is some text"},
    {"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=", "If you can read this yo"},
    {"=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=", "u understand the example."},
};

TEST(EncodedWordVectors, TheVectorsFileHoldsTheseExamples) {
    ASSERT_FALSE(vectors_file().empty()) << "missing " << (shared_dir() / "vectors").string();
    for (const auto& c : rfc2047_section8)
        EXPECT_NE(vectors_file().find(c.encoded), std::string::npos) << c.encoded;
}

TEST(EncodedWordVectors, Section8Decodings) {
    for (const auto& c : rfc2047_section8) EXPECT_EQ(decoded(c.encoded), c.expected) << c.encoded;
}

TEST(EncodedWordVectors, TwoBWordsInDifferentCharsetsAcrossAFold) {
    const std::string expected = "If you can read this you understand the example.";
    EXPECT_EQ(decoded("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n "
                      "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="),
              expected);
    EXPECT_EQ(decoded("=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= "
                      "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="),
              expected);
}

TEST(EncodedWordVectors, Iso88598HebrewInVisualOrder) {
    // bytes ed e5 ec f9 20 ef e1 20 e9 ec e8 f4 f0 in ISO-8859-8
    EXPECT_EQ(decoded("=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?="),
              "\xD7\x9D\xD7\x95\xD7\x9C\xD7\xA9 \xD7\x9F\xD7\x91 \xD7\x99\xD7\x9C\xD7\x98\xD7\xA4"
              "\xD7\xA0");
}

TEST(EncodedWordVectors, Rfc2231LanguageSuffixIsIgnored) {
    EXPECT_EQ(decoded("=?US-ASCII*EN?Q?Keith_Moore?="), "Keith Moore");
    EXPECT_EQ(decoded("=?utf-8*fr?B?w6k=?="), "\xC3\xA9");
}

// RFC 2047 §8 whitespace table. The RFC shows each case inside a comment
// "(...)" of a structured field. decode_unstructured reads unstructured text,
// where RFC 2047 §5(1) requires an encoded-word to be separated from adjacent
// text by linear white space, so "(=?...?=)" is not an encoded-word there;
// the table is therefore checked with the parentheses left out, which keeps
// every rule it illustrates. (Same for the Hebrew example, checked above
// without its parentheses.)
TEST(EncodedWordWhitespace, TableWithoutParentheses) {
    const std::pair<std::string_view, std::string_view> table[] = {
        {"=?ISO-8859-1?Q?a?=", "a"},
        {"=?ISO-8859-1?Q?a?= b", "a b"},
        {"=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab"},
        {"=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=", "ab"},
        {"=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=", "ab"},
        {"=?ISO-8859-1?Q?a?=\t=?ISO-8859-1?Q?b?=", "ab"},
        {"=?ISO-8859-1?Q?a_b?=", "a b"},
        {"=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b"},
        {"b =?ISO-8859-1?Q?a?=", "b a"},
    };
    for (const auto& [in, out] : table) EXPECT_EQ(decoded(in), out) << in;
}

TEST(EncodedWordDecode, EncodingLettersAndCharsetAreCaseInsensitive) {
    EXPECT_EQ(decoded("=?UTF-8?b?w6k=?="), "\xC3\xA9");
    EXPECT_EQ(decoded("=?utf-8?B?w6k=?="), "\xC3\xA9");
    EXPECT_EQ(decoded("=?Utf-8?q?=C3=A9?="), "\xC3\xA9");
    EXPECT_EQ(decoded("=?utf-8?Q?=c3=a9?="), "\xC3\xA9");
}

TEST(EncodedWordDecode, QUnderscoreIsSpaceAndEncodedUnderscoreIsUnderscore) {
    EXPECT_EQ(decoded("=?utf-8?Q?a_b=5Fc?="), "a b_c");
}

TEST(EncodedWordDecode, OtherIsoCharsets) {
    EXPECT_EQ(decoded("=?ISO-8859-2?Q?=B3?="), "\xC5\x82");             // ł
    EXPECT_EQ(decoded("=?ISO-8859-5?Q?=D0=B8?="), "\xD0\xB0\xD0\x98");  // аИ
    EXPECT_EQ(decoded("=?ISO-8859-7?Q?=E1?="), "\xCE\xB1");             // α
    EXPECT_EQ(decoded("=?ISO-8859-15?Q?=A4?="), "\xE2\x82\xAC");        // €
    EXPECT_EQ(decoded("=?windows-1252?Q?=80?="), "\xE2\x82\xAC");       // €
}

TEST(EncodedWordDecode, PlainTextIsUnchanged) {
    EXPECT_EQ(decoded("hello world"), "hello world");
    EXPECT_EQ(decoded(""), "");
    EXPECT_EQ(decoded("a = b ? c"), "a = b ? c");
}

TEST(EncodedWordDecode, MalformedWordsAreKeptLiterally) {
    // RFC 2047 §6.3
    for (std::string_view in :
         {"=?utf-8?X?abc?=", "=?utf-8?Q?abc", "=??Q?abc?=", "=?utf-8??abc?="}) {
        const auto r = decode_unstructured(in);
        if (r) {
            EXPECT_EQ(*r, in) << "a malformed word must be kept as is";
        }
    }
}

// --- encode_words -----------------------------------------------------------

const std::string_view encode_samples[] = {
    "Zo\xC3\xAB",
    "Caf\xC3\xA9 au lait, s'il vous pla\xC3\xAEt",
    "\xE4\xBB\x96\xE4\xBB\xAC\xE4\xB8\xBA\xE4\xBB\x80\xE4\xB9\x88\xE4\xB8\x8D\xE8\xAF\xB4\xE4\xB8"
    "\xAD\xE6\x96\x87",
    "\xD0\xBF\xD0\xBE\xD1\x87\xD0\xB5\xD0\xBC\xD1\x83 \xD0\xB6\xD0\xB5 \xD0\xBE\xD0\xBD\xD0\xB8",
    "emoji \xF0\x9F\x98\x80\xF0\x9F\x98\x81\xF0\x9F\x98\x82 and text",
    "question?=and_underscore=?and equals",
};

/// Long inputs whose character boundaries land at every offset.
std::vector<std::string> long_samples() {
    std::vector<std::string> out;
    for (const std::string_view ch :
         {std::string_view("\xC3\xA9"), std::string_view("\xE2\x82\xAC"),
          std::string_view("\xF0\x9F\x98\x80")}) {
        for (std::size_t prefix = 0; prefix < 4; ++prefix)
            out.push_back(std::string(prefix, 'a') + repeat(ch, 60));
    }
    out.push_back(repeat("a\xC3\xA9 ", 80));
    out.push_back(repeat("x", 300));
    return out;
}

std::size_t b_length(std::string_view bytes) {
    return (bytes.size() + 2) / 3 * 4;
}

std::size_t q_length(std::string_view bytes) {
    std::size_t n = 0;
    for (char c : bytes) {
        const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == ' ' ||
                          std::string_view("!*+-/").find(c) != std::string_view::npos;
        n += safe ? 1 : 3;
    }
    return n;
}

void check_words(std::string_view input, const std::vector<std::string>& words) {
    SCOPED_TRACE(std::string("input: ") + std::string(input));
    ASSERT_FALSE(words.empty());
    std::string joined;
    for (const auto& w : words) {
        EXPECT_LE(w.size(), 75u) << w;
        const auto ew = split_encoded_word(w);
        ASSERT_TRUE(ew.has_value()) << "not an encoded-word: " << w;
        EXPECT_TRUE(iequals(ew->charset, "utf-8")) << w;
        for (char c : w) {
            EXPECT_FALSE(c == ' ' || c == '\t' || c == '\r' || c == '\n') << w;
            EXPECT_LT(static_cast<unsigned char>(c), 0x80u) << w;
        }
        const auto bytes = decode_word_bytes(w);
        ASSERT_TRUE(bytes.has_value()) << "does not decode: " << w;
        EXPECT_TRUE(is_valid_utf8(*bytes)) << "word splits a UTF-8 sequence: " << w;
        if (ew->encoding == 'Q') {
            for (std::size_t i = 0; i < ew->text.size(); ++i) {
                const char c = ew->text[i];
                const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') ||
                                std::string_view("!*+-/=_").find(c) != std::string_view::npos;
                EXPECT_TRUE(ok) << "'" << c << "' not allowed in a phrase (RFC 2047 §5(3)): " << w;
                if (c == '=') {
                    ASSERT_LT(i + 2, ew->text.size()) << w;
                    EXPECT_TRUE(is_upper_hex(ew->text[i + 1]) && is_upper_hex(ew->text[i + 2]))
                        << w;
                }
            }
            EXPECT_LE(ew->text.size(), b_length(*bytes)) << "Q chosen but B is shorter: " << w;
        } else {
            EXPECT_LE(b_length(*bytes), q_length(*bytes)) << "B chosen but Q is shorter: " << w;
        }
        // The library decodes its own words.
        EXPECT_EQ(decoded(w), *bytes) << w;
        joined += *bytes;
    }
    EXPECT_EQ(joined, input);
}

TEST(EncodeWords, EveryWordIsShortSelfContainedAndValid) {
    for (std::string_view s : encode_samples) check_words(s, encode_words(s));
    for (const auto& s : long_samples()) check_words(s, encode_words(s));
}

TEST(EncodeWords, MostlyAsciiPrefersQMostlyNonAsciiPrefersB) {
    const auto q = encode_words("Caf\xC3\xA9 au lait");
    ASSERT_EQ(q.size(), 1u);
    EXPECT_EQ(split_encoded_word(q[0])->encoding, 'Q') << q[0];
    const auto b =
        encode_words("\xE4\xBB\x96\xE4\xBB\xAC\xE4\xB8\xBA\xE4\xBB\x80\xE4\xB9\x88\xE4\xB8\x8D");
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(split_encoded_word(b[0])->encoding, 'B') << b[0];
}

TEST(EncodeWords, LongInputUsesSeveralWords) {
    const std::string s = repeat("\xE2\x82\xAC", 100);
    const auto words = encode_words(s);
    EXPECT_GE(words.size(), 5u);  // 300 octets -> 400 base64 chars -> >= 7 words of <= 75
    check_words(s, words);
}

// --- needs_encoding / unstructured_tokens --------------------------------------

TEST(EncodeWords, FirstWordHonoursFirstMax) {
    const std::string s = repeat("\xC3\xA9", 80);
    for (std::size_t first_max : {30u, 40u, 67u}) {
        const auto words = encode_words(s, first_max);
        ASSERT_FALSE(words.empty());
        EXPECT_LE(words[0].size(), first_max) << words[0];
        check_words(s, words);
    }
}

TEST(NeedsEncoding, AsciiTextDoesNot) {
    EXPECT_FALSE(needs_encoding("Hello world"));
    EXPECT_FALSE(needs_encoding("Re: [list] a = b? (yes)"));
    EXPECT_FALSE(needs_encoding(""));
}

TEST(NeedsEncoding, NonAsciiControlsOrEncodedWordLookalikesDo) {
    EXPECT_TRUE(needs_encoding("Zo\xC3\xAB"));
    EXPECT_TRUE(needs_encoding("see =?utf-8?q?x?= here"));
    EXPECT_TRUE(needs_encoding("=?"));
    EXPECT_TRUE(needs_encoding("bell\x07"));
}

constexpr std::size_t subject_used = 9;  // "Subject: "
constexpr std::size_t long_word = 77;

/// The wire form: each token's white space and text, optionally with CRLF
/// before every white space (the folding points).
std::string wire(const std::vector<lettre::detail::header_token>& tokens, bool fold) {
    std::string out;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        if (fold && i != 0) out += "\r\n";
        out += tokens[i].ws;
        out += tokens[i].text;
    }
    return out;
}

void check_tokens(std::string_view input) {
    SCOPED_TRACE(std::string("input: ") + std::string(input));
    const auto tokens = unstructured_tokens(input, subject_used, long_word);
    ASSERT_FALSE(tokens.empty());
    EXPECT_EQ(tokens[0].ws, "") << "leading white space is dropped";
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const auto& t = tokens[i];
        EXPECT_TRUE(is_ascii(t.text)) << t.text;
        EXPECT_EQ(t.text.find_first_of(" \t\r\n"), std::string::npos)
            << "token with white space: " << t.text;
        if (i != 0) {
            EXPECT_FALSE(t.ws.empty()) << "tokens must be separated by white space: " << t.text;
        }
        EXPECT_EQ(t.ws.find_first_not_of(" \t"), std::string::npos) << "ws holds non-WSP";
        const bool looks_encoded = t.text.rfind("=?", 0) == 0;
        EXPECT_EQ(t.encoded, looks_encoded) << t.text;
        if (looks_encoded) {
            EXPECT_LE(t.text.size(), 75u) << t.text;
            if (i == 0) {
                EXPECT_LE(subject_used + t.text.size(), 76u)
                    << "RFC 2047 §2: a line with an encoded-word is at most 76: " << t.text;
            }
            const auto bytes = decode_word_bytes(t.text);
            ASSERT_TRUE(bytes.has_value()) << t.text;
            EXPECT_TRUE(is_valid_utf8(*bytes)) << t.text;
        } else {
            EXPECT_EQ(t.text.find("=?"), std::string::npos)
                << "literal token looks like a word: " << t.text;
            EXPECT_LE(t.text.size(), long_word) << "a long word must be encoded: " << t.text;
        }
    }
    EXPECT_EQ(decoded(wire(tokens, false)), input);
    EXPECT_EQ(decoded(wire(tokens, true)), input);
}

TEST(UnstructuredTokens, AsciiWordsStayLiteral) {
    const auto tokens = unstructured_tokens("Hello big world", subject_used, long_word);
    ASSERT_EQ(tokens.size(), 3u);
    EXPECT_EQ(tokens[0].text, "Hello");
    EXPECT_EQ(tokens[1].text, "big");
    EXPECT_EQ(tokens[2].text, "world");
    for (const auto& t : tokens) EXPECT_FALSE(t.encoded);
    EXPECT_EQ(wire(tokens, false), "Hello big world");
}

TEST(UnstructuredTokens, WhiteSpaceBetweenLiteralWordsIsKept) {
    const auto tokens = unstructured_tokens("a  b\tc", subject_used, long_word);
    EXPECT_EQ(decoded(wire(tokens, false)), "a  b\tc");
}

TEST(UnstructuredTokens, LeadingAndTrailingWhiteSpaceIsDropped) {
    const auto tokens = unstructured_tokens("  Hello  ", subject_used, long_word);
    EXPECT_EQ(wire(tokens, false), "Hello");
}

TEST(UnstructuredTokens, RoundTripThroughTheDecoder) {
    for (std::string_view s :
         {"Hello world",
          "Gr\xC3\xBC\xC3\x9F"
          "e aus K\xC3\xB6ln",
          "\xC3\xA9 \xC3\xA9 a \xC3\xA9", "see =?utf-8?q?x?= here",
          "=?iso-8859-1?q?a?= =?iso-8859-1?q?b?=",
          "mixed \xE4\xB8\xAD\xE6\x96\x87 and ASCII words \xF0\x9F\x98\x80 end", "a_b c=d e?f",
          "control\x01"
          "char"}) {
        check_tokens(s);
    }
    check_tokens(repeat("\xC3\xA9t\xC3\xA9 ", 40) + "fin");
    check_tokens(repeat("x", 200));
    check_tokens("short " + repeat("y", 78) + " tail");
}

TEST(UnstructuredTokens, WordsUpToLongWordStayLiteral) {
    const std::string w(long_word, 'z');
    const auto tokens = unstructured_tokens("a " + w, subject_used, long_word);
    ASSERT_EQ(tokens.size(), 2u);
    EXPECT_EQ(tokens[1].text, w);
    EXPECT_FALSE(tokens[1].encoded);
}

TEST(UnstructuredTokens, SpaceBetweenEncodedRunsSurvives) {
    // White space between two encoded-words is dropped by decoders, so the
    // space must travel inside a word.
    check_tokens("\xC3\xA9 \xC3\xA9");
    check_tokens("\xE2\x82\xAC \xE2\x82\xAC \xE2\x82\xAC");
}

}  // namespace
