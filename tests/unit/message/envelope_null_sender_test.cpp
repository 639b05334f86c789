// The null reverse-path has one spelling, std::nullopt: an empty address is
// refused rather than taken for it (docs/security.md).
#include <lettre/message/envelope.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <string>

TEST(EnvelopeNullSender, NulloptIsTheNullReversePath) {
    auto env =
        lettre::envelope::try_create(std::nullopt, {lettre::address::parse("b@example.org")});
    ASSERT_TRUE(env);
    EXPECT_FALSE(env->from());
}

TEST(EnvelopeNullSender, AnEmptyAddressIsRefused) {
    auto env =
        lettre::envelope::try_create(lettre::address{}, {lettre::address::parse("b@example.org")});
    ASSERT_FALSE(env) << "an unset address silently became the null sender";
    EXPECT_EQ(env.error().code, lettre::errc::invalid_address);
    EXPECT_NE(env.error().message.find("std::nullopt"), std::string::npos) << env.error().message;
    EXPECT_THROW(static_cast<void>(lettre::envelope::create(
                     lettre::address{}, {lettre::address::parse("b@example.org")})),
                 lettre::error);
}
