// lettre::address: RFC 5322 §3.4.1 addr-spec, RFC 5321 §4.5.3.1 limits,
// domain literals, SMTPUTF8 local parts (RFC 6531) and equality.
#include "../test_util.hpp"

namespace {

using lettre::address;
using lettre::errc;
using namespace lettre_test;

TEST(AddressParse, SimpleAddrSpec) {
    const address a = address::parse("john@example.com");
    EXPECT_EQ(a.local_part(), "john");
    EXPECT_EQ(a.domain(), "example.com");
    EXPECT_EQ(a.to_string(), "john@example.com");
    EXPECT_FALSE(a.empty());
    EXPECT_FALSE(a.requires_smtputf8());
}

TEST(AddressParse, DotAtomWithAllAtextSpecials) {
    // RFC 5322 §3.2.3 atext
    const std::string local = "a.b!#$%&'*+-/=?^_`{|}~c";
    const address a = address::parse(local + "@example.com");
    EXPECT_EQ(a.local_part(), local);
    EXPECT_EQ(a.to_string(), local + "@example.com");
}

TEST(AddressParse, QuotedLocalPartKeepsSemanticValue) {
    const address a = address::parse("\"john q\"@example.com");
    EXPECT_EQ(a.local_part(), "john q");
    EXPECT_EQ(a.to_string(), "\"john q\"@example.com");
}

TEST(AddressParse, QuotedPairsAreUnescapedAndReescaped) {
    const address a = address::parse(R"("a\"b\\c"@example.com)");
    EXPECT_EQ(a.local_part(), "a\"b\\c");
    EXPECT_EQ(a.to_string(), R"("a\"b\\c"@example.com)");
    // The wire form parses back to the same address.
    EXPECT_EQ(address::parse(a.to_string()), a);
}

TEST(AddressParse, NeedlessQuotesAreDroppedOnOutput) {
    const address a = address::parse("\"john\"@example.com");
    EXPECT_EQ(a.local_part(), "john");
    EXPECT_EQ(a.to_string(), "john@example.com");
}

TEST(AddressParse, QuotedLocalPartWithDotsThatAreNotDotAtom) {
    // ".john", "jo..hn" are only valid quoted.
    for (std::string local : {".john", "jo..hn", "john.", "a@b", "a,b", "a b"}) {
        const address a = address::parse("\"" + local + "\"@example.com");
        EXPECT_EQ(a.local_part(), local);
        EXPECT_EQ(a.to_string(), "\"" + local + "\"@example.com");
    }
}

TEST(AddressParse, DomainLiterals) {
    EXPECT_EQ(address::parse("john@[192.0.2.1]").domain(), "[192.0.2.1]");
    EXPECT_EQ(address::parse("john@[192.0.2.1]").to_string(), "john@[192.0.2.1]");
    EXPECT_EQ(address::parse("john@[IPv6:2001:db8::1]").domain(), "[IPv6:2001:db8::1]");
}

TEST(AddressParse, RejectsMalformed) {
    for (std::string_view bad :
         {"", "john", "@example.com", "john@", "john@@example.com", "jo hn@example.com",
          ".john@example.com", "john.@example.com", "jo..hn@example.com", "john@example..com",
          "john@.example.com", "\"unterminated@example.com", "john@exa mple.com", "john@[192.0.2.1",
          "<john@example.com>", "john@example.com>", "john@example,com", "a(b@example.com"}) {
        const auto r = address::try_parse(bad);
        EXPECT_FALSE(r.has_value()) << "accepted: " << bad;
        if (!r) {
            EXPECT_THAT(r.error().code, is_one_of(errc::invalid_address, errc::invalid_domain))
                << bad;
        }
    }
}

TEST(AddressParse, ThrowingFormThrowsInvalidAddress) {
    EXPECT_LETTRE_THROW(address::parse("not-an-address"), errc::invalid_address);
    EXPECT_LETTRE_THROW(address::parse(""), errc::invalid_address);
}

TEST(AddressParse, ErrorMessageNamesTheValue) {
    const auto r = address::try_parse("not-an-address");
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().message.find("not-an-address"), std::string::npos) << r.error().message;
}

TEST(AddressParse, LeadingOrTrailingHyphenLabelIsRejected) {
    // RFC 5321 §4.1.2: sub-domain = Let-dig [Ldh-str]; Ldh-str ends in Let-dig.
    for (std::string_view bad : {"john@-example.com", "john@example-.com"}) {
        const auto r = address::try_parse(bad);
        EXPECT_FALSE(r.has_value()) << bad;
        if (!r) {
            EXPECT_THAT(r.error().code, is_one_of(errc::invalid_address, errc::invalid_domain));
        }
    }
}

TEST(AddressLimits, LocalPart64IsTheLimit) {
    const std::string l64(64, 'a');
    EXPECT_LETTRE_OK(address::try_parse(l64 + "@example.com"));
    EXPECT_LETTRE_ERROR(address::try_parse(l64 + "a@example.com"), errc::address_too_long);
    EXPECT_LETTRE_THROW(address::parse(l64 + "a@example.com"), errc::address_too_long);
    EXPECT_LETTRE_ERROR(address::try_from_parts(l64 + "a", "example.com"), errc::address_too_long);
}

TEST(AddressLimits, LocalPartLimitCountsOctetsNotCharacters) {
    // 32 x "é" = 64 octets: OK; 33 = 66 octets: too long.
    EXPECT_LETTRE_OK(address::try_from_parts(repeat("\xC3\xA9", 32), "example.com"));
    EXPECT_LETTRE_ERROR(address::try_from_parts(repeat("\xC3\xA9", 33), "example.com"),
                        errc::address_too_long);
}

TEST(AddressLimits, Label63IsTheLimit) {
    const std::string l63(63, 'a');
    EXPECT_LETTRE_OK(address::try_parse("x@" + l63 + ".example.com"));
    EXPECT_LETTRE_ERROR(address::try_parse("x@" + l63 + "a.example.com"), errc::address_too_long);
}

TEST(AddressLimits, Domain255IsTheLimit) {
    const std::string l63(63, 'a');
    const std::string d255 = l63 + "." + l63 + "." + l63 + "." + l63;  // 4*63 + 3 = 255
    ASSERT_EQ(d255.size(), 255u);
    EXPECT_LETTRE_OK(address::try_parse("x@" + d255));
    const std::string d257 = d255 + ".b";
    EXPECT_LETTRE_ERROR(address::try_parse("x@" + d257), errc::address_too_long);
    EXPECT_LETTRE_ERROR(address::try_from_parts("x", d257), errc::address_too_long);
}

TEST(AddressFromParts, QuotesWhenNeeded) {
    const address a = address::from_parts("john q", "example.com");
    EXPECT_EQ(a.local_part(), "john q");
    EXPECT_EQ(a.to_string(), "\"john q\"@example.com");
    EXPECT_EQ(address::from_parts("a@b", "example.com").to_string(), "\"a@b\"@example.com");
    EXPECT_EQ(address::from_parts("a\"b", "example.com").to_string(), R"("a\"b"@example.com)");
    EXPECT_EQ(address::from_parts("plain.dot", "example.com").to_string(), "plain.dot@example.com");
}

TEST(AddressFromParts, ConvertsTheDomainToALabels) {
    const address a = address::from_parts("x",
                                          "b\xC3\xBC"
                                          "cher.de");
    EXPECT_EQ(a.domain(), "xn--bcher-kva.de");
}

TEST(AddressFromParts, RejectsEmptyOrInvalidParts) {
    EXPECT_LETTRE_ERROR(address::try_from_parts("", "example.com"), errc::invalid_address);
    EXPECT_THAT(code_of(address::try_from_parts("john", "")),
                is_one_of(errc::invalid_address, errc::invalid_domain));
    EXPECT_THAT(code_of(address::try_from_parts("john", "exa mple.com")),
                is_one_of(errc::invalid_address, errc::invalid_domain));
    EXPECT_THAT(thrown_code([] { static_cast<void>(address::from_parts("", "example.com")); }),
                is_one_of(errc::invalid_address, errc::invalid_domain));
}

TEST(AddressSmtpUtf8, Utf8LocalPartIsKeptAndFlagged) {
    const address a = address::parse(
        "zo\xC3\xAB@b\xC3\xBC"
        "cher.de");
    EXPECT_EQ(a.local_part(), "zo\xC3\xAB");
    EXPECT_EQ(a.domain(), "xn--bcher-kva.de");
    EXPECT_TRUE(a.requires_smtputf8());
    EXPECT_EQ(a.to_string(), "zo\xC3\xAB@xn--bcher-kva.de");
}

TEST(AddressSmtpUtf8, IdnDomainAloneDoesNotNeedSmtpUtf8) {
    EXPECT_FALSE(address::parse("zoe@b\xC3\xBC"
                                "cher.de")
                     .requires_smtputf8());
}

TEST(AddressSmtpUtf8, InvalidUtf8IsRejected) {
    EXPECT_FALSE(address::try_parse("zo\xC3@example.com").has_value());
    EXPECT_FALSE(address::try_parse("\xFF@example.com").has_value());
}

TEST(AddressEquality, DomainIsCaseInsensitiveLocalPartIsNot) {
    EXPECT_EQ(address::parse("john@EXAMPLE.com"), address::parse("john@example.com"));
    EXPECT_FALSE(address::parse("John@example.com") == address::parse("john@example.com"));
    EXPECT_EQ(address::parse("\"john\"@example.com"), address::parse("john@example.com"));
}

TEST(AddressEquality, DefaultIsEmpty) {
    const address a;
    EXPECT_TRUE(a.empty());
    EXPECT_EQ(a, address());
}

TEST(AddressParse, ResultFormAndThrowingFormAgree) {
    for (std::string_view text : {"a@example.com", "\"q r\"@example.org", "x@[192.0.2.7]"}) {
        const auto r = address::try_parse(text);
        ASSERT_LETTRE_OK(r);
        EXPECT_EQ(*r, address::parse(text));
    }
}

}  // namespace
