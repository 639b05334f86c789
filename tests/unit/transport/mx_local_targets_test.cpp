// Which MX addresses are this machine: loopback, unspecified, or one of its
// own interface addresses (the "mail loops back to myself" check).
#include "transport/mx_local_targets.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

namespace {

using lettre::dns::ip_address;
using lettre::mx::detail::local_target;

std::string why(const std::string& text, const std::vector<ip_address>& own = {}) {
    const auto a = ip_address::parse(text);
    if (!a) return "unparsed";
    const auto r = local_target(*a, own);
    return r ? std::string(*r) : "remote";
}

TEST(MxLocalTargets, LoopbackAndUnspecifiedAreLocal) {
    EXPECT_EQ(why("127.0.0.1"), "loopback");
    EXPECT_EQ(why("127.255.1.2"), "loopback");
    EXPECT_EQ(why("::1"), "loopback");
    EXPECT_EQ(why("::ffff:127.0.0.1"), "loopback");
    EXPECT_EQ(why("0.0.0.0"), "unspecified");
    EXPECT_EQ(why("::"), "unspecified");
    EXPECT_EQ(why("::ffff:0.0.0.0"), "unspecified");
}

TEST(MxLocalTargets, OwnAddressesAreLocal) {
    const std::vector<ip_address> own{*ip_address::parse("192.0.2.10"),
                                      *ip_address::parse("2001:db8::10")};
    EXPECT_EQ(why("192.0.2.10", own), "an address of this machine");
    EXPECT_EQ(why("::ffff:192.0.2.10", own), "an address of this machine");
    EXPECT_EQ(why("2001:db8::10", own), "an address of this machine");
    EXPECT_EQ(why("192.0.2.11", own), "remote");
    EXPECT_EQ(why("2001:db8::11", own), "remote");
    EXPECT_EQ(why("128.0.0.1", own), "remote");
    EXPECT_EQ(why("::2", own), "remote");
}

TEST(MxLocalTargets, OwnAddressesListTheLoopbackInterface) {
    const auto own = lettre::mx::detail::own_addresses();
    EXPECT_NE(std::find(own.begin(), own.end(), *ip_address::parse("127.0.0.1")), own.end());
}

}  // namespace
