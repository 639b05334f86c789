// Internationalized domains: UTS #46 processing to A-labels (RFC 5890/5891,
// punycode per RFC 3492). The RFC 3492 §7.1 samples come from
// vectors/rfc3492_punycode_7_1.json: each valid sample label L must turn
// "x@L.example" into "x@xn--<punycode, lower-cased>.example".
//
// Lower-casing the published punycode is right: UTS #46 maps the upper-case
// ASCII letters of a label to lower case before encoding, and punycode copies
// basic code points literally while the deltas do not depend on their values,
// so punycode(lower(L)) == lower(punycode(L)).
//
// Samples that are not valid UTS #46 labels are skipped (see kNotValid).
#include "../test_util.hpp"

#include <map>

namespace {

using lettre::address;
using lettre::errc;
using namespace lettre_test;

struct sample {
    std::string id;
    std::string name;
    std::string punycode;
    std::string unicode;
};

std::vector<sample> load_samples() {
    const std::string text = read_file(shared_dir() / "vectors" / "rfc3492_punycode_7_1.json");
    std::vector<sample> out;
    json doc;
    try {
        doc = parse_json(text);
    } catch (const std::exception&) {
        return out;  // FileHasTheNineteenSamples reports it
    }
    for (const json& item : doc.items) {
        sample s;
        s.id = item.get("id")->str;
        s.name = item.get("name")->str;
        s.punycode = item.get("punycode")->str;
        s.unicode = item.get("unicode_utf8")->str;
        out.push_back(s);
    }
    return out;
}

// Samples that are not valid labels, and why.
const std::map<std::string, std::string, std::less<>> kNotValid = {
    // U+061F ARABIC QUESTION MARK is DISALLOWED in IDNA2008 (RFC 5892), and
    // as an ON character at the end of an RTL label it also breaks the Bidi
    // Rule (RFC 5893 rule 3).
    {"A", "U+061F is disallowed / Bidi rule 3"},
    // The A-label would be "xn--" + 69 characters = 73 octets > 63 (RFC 5890
    // §2.3.2.1); checked separately below as an error.
    {"H", "A-label longer than 63 octets"},
    // Pure ASCII with space, '$', '.', '<', '>' and leading/trailing '-':
    // not an IDN label and not an LDH label.
    {"S", "pure ASCII, not a host name label"},
};

void PrintTo(const sample& s, std::ostream* os) {
    *os << s.id << " (" << s.name << ")";
}

class Rfc3492Sample : public ::testing::TestWithParam<sample> {};

TEST_P(Rfc3492Sample, ParsesToALabel) {
    const sample& s = GetParam();
    if (kNotValid.count(s.id) != 0) {
        GTEST_SKIP() << "sample " << s.id << " (" << s.name
                     << ") is not a valid UTS #46 label: " << kNotValid.find(s.id)->second;
    }
    const std::string input = "x@" + s.unicode + ".example";
    const auto r = address::try_parse(input);
    ASSERT_LETTRE_OK(r);
    EXPECT_EQ(r->domain(), "xn--" + to_lower(s.punycode) + ".example") << s.name;
    EXPECT_EQ(r->local_part(), "x");
    EXPECT_FALSE(r->requires_smtputf8()) << "an IDN domain alone does not need SMTPUTF8";
    // The A-label form parses to the same address.
    EXPECT_EQ(address::parse("x@xn--" + to_lower(s.punycode) + ".example"), *r);
    // from_parts takes the same route.
    EXPECT_EQ(address::from_parts("x", s.unicode + ".example").domain(), r->domain());
}

INSTANTIATE_TEST_SUITE_P(Rfc3492, Rfc3492Sample, ::testing::ValuesIn(load_samples()),
                         [](const ::testing::TestParamInfo<sample>& p) {
                             return "Sample" + p.param.id;
                         });

TEST(Rfc3492Vectors, FileHasTheNineteenSamples) {
    const auto samples = load_samples();
    EXPECT_EQ(samples.size(), 19u);
}

TEST(Idna, LabelTooLongAfterEncodingIsRejected) {
    // Sample H: the Korean sentence encodes to 73 octets.
    for (const auto& s : load_samples()) {
        if (s.id != "H") continue;
        const auto r = address::try_parse("x@" + s.unicode + ".example");
        EXPECT_FALSE(r.has_value()) << "accepted a 73-octet label";
        if (!r) {
            EXPECT_THAT(r.error().code, is_one_of(errc::address_too_long, errc::invalid_domain));
        }
    }
}

TEST(Idna, DisallowedCodePointIsInvalidDomain) {
    for (const auto& s : load_samples()) {
        if (s.id != "A") continue;
        EXPECT_LETTRE_ERROR(address::try_parse("x@" + s.unicode + ".example"),
                            errc::invalid_domain);
    }
}

TEST(Idna, Uts46MapsUpperCase) {
    EXPECT_EQ(address::parse("x@B\xC3\x9C"
                             "CHER.de")
                  .domain(),
              "xn--bcher-kva.de");
    EXPECT_EQ(address::parse("x@b\xC3\xBC"
                             "cher.DE")
                  .domain(),
              "xn--bcher-kva.de");
}

TEST(Idna, Uts46MapsFullwidthAndIdeographicFullStop) {
    // UTS #46 mapping table: U+3002 -> '.', fullwidth letters -> ASCII.
    EXPECT_EQ(address::parse("x@b\xC3\xBC"
                             "cher\xE3\x80\x82"
                             "de")
                  .domain(),
              "xn--bcher-kva.de");
    EXPECT_TRUE(iequals(
        address::parse("x@\xEF\xBD\x85\xEF\xBD\x98\xEF\xBD\x81\xEF\xBD\x8D\xEF\xBD\x90\xEF\xBD\x8C"
                       "\xEF\xBD\x85.com")
            .domain(),
        "example.com"));
}

TEST(Idna, NfcNormalizesDecomposedInput) {
    // "u" + U+0308 COMBINING DIAERESIS == U+00FC after NFC.
    EXPECT_EQ(address::parse("x@bu\xCC\x88"
                             "cher.de")
                  .domain(),
              "xn--bcher-kva.de");
}

TEST(Idna, ALabelInputIsKept) {
    EXPECT_EQ(address::parse("x@xn--bcher-kva.de").domain(), "xn--bcher-kva.de");
}

TEST(Idna, LeadingCombiningMarkIsInvalidDomain) {
    // UTS #46 §4.1 V5 / RFC 5891 §4.2.3.2
    EXPECT_LETTRE_ERROR(address::try_parse("x@\xCC\x81"
                                           "abc.example"),
                        errc::invalid_domain);
    EXPECT_LETTRE_THROW(address::parse("x@\xCC\x81"
                                       "abc.example"),
                        errc::invalid_domain);
}

TEST(Idna, DisallowedSymbolIsInvalidDomain) {
    // U+2603 SNOWMAN is DISALLOWED in IDNA2008.
    EXPECT_LETTRE_ERROR(address::try_parse("x@\xE2\x98\x83.example"), errc::invalid_domain);
}

TEST(Idna, HeadersCarryTheALabel) {
    auto b = lettre::message::builder();
    b.from(
         "Zo\xC3\xAB <zoe@b\xC3\xBC"
         "cher.de>")
        .to("x@\xE4\xBB\x96\xE4\xBB\xAC.example")
        .text("t");
    const lettre::message m = must_build(b);
    const auto hs = top_headers(m);
    const raw_header* from = find_header(hs, "From");
    const raw_header* to = find_header(hs, "To");
    ASSERT_NE(from, nullptr);
    ASSERT_NE(to, nullptr);
    EXPECT_NE(from->value.find("zoe@xn--bcher-kva.de"), std::string::npos) << from->value;
    EXPECT_NE(to->value.find("x@xn--"), std::string::npos) << to->value;
    EXPECT_TRUE(is_ascii(header_block(m.formatted())));
    EXPECT_FALSE(m.requires_smtputf8());
    ASSERT_EQ(m.envelope().to().size(), 1u);
    EXPECT_EQ(m.envelope().to()[0].domain().rfind("xn--", 0), 0u);
}

}  // namespace
