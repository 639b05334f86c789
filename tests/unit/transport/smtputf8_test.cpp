// When a raw send asks for SMTPUTF8 (RFC 6531): a UTF-8 envelope address,
// or a non-ASCII octet in the header section; never for the body alone.
#include "detail/smtputf8.hpp"

#include <gtest/gtest.h>

namespace {

using lettre::detail::needs_smtputf8;

lettre::envelope env(const char* to) {
    return lettre::envelope::create(lettre::address::parse("a@x.test"),
                                    {lettre::address::parse(to)});
}

TEST(smtputf8, from_the_envelope_or_the_header_section) {
    EXPECT_FALSE(needs_smtputf8(env("b@y.test"), "Subject: hi\r\n\r\nbody\r\n"));
    EXPECT_FALSE(needs_smtputf8(env("b@y.test"), "Subject: hi\r\n\r\nbj\xc3\xb6rk\r\n"))
        << "an 8-bit body needs 8BITMIME only";
    EXPECT_TRUE(needs_smtputf8(env("b@y.test"), "Subject: bj\xc3\xb6rk\r\n\r\nbody\r\n"));
    EXPECT_TRUE(needs_smtputf8(env("b@y.test"), "Subject: bj\xc3\xb6rk\n\nbody\n"));
    EXPECT_FALSE(needs_smtputf8(env("b@y.test"), "Subject: hi\n\nbj\xc3\xb6rk\n"));
    EXPECT_TRUE(needs_smtputf8(env("b@y.test"), "X: \xc3\xb6"))
        << "no body: all of it is the header section";
    EXPECT_TRUE(needs_smtputf8(env("j\xc3\xb6rg@y.test"), "Subject: hi\r\n\r\nbody\r\n"));
}

}  // namespace
