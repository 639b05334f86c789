// Which cached MX session may carry a domain's transaction: the TLS
// requirements of the new domain against what the session proved.
#include "transport/mx_conn_cache.hpp"

#include <gtest/gtest.h>

namespace {

using lettre::mx::detail::satisfies;
using lettre::mx::detail::session_need;
using lettre::mx::detail::session_security;
using lettre::smtp::detail::dane_requirement;
using lettre::smtp::detail::dane_tlsa;

dane_tlsa tlsa(std::uint8_t usage, std::uint8_t fill = 0xab) {
    return {usage, 1, 1, std::vector<std::uint8_t>(32, fill)};
}

dane_requirement requirement(std::vector<dane_tlsa> records, std::vector<std::string> names) {
    return {std::move(records), std::move(names)};
}

const session_security plaintext{};
const session_security opportunistic{true, false, std::nullopt};
const session_security pkix{true, true, std::nullopt};

session_security dane_session(dane_requirement r) {
    return {true, false, std::move(r)};
}

TEST(mx_session_reuse, opportunistic_domain_takes_any_session) {
    const session_need need{};
    EXPECT_TRUE(satisfies(plaintext, need));
    EXPECT_TRUE(satisfies(opportunistic, need));
    EXPECT_TRUE(satisfies(pkix, need));
}

TEST(mx_session_reuse, plaintext_retry_is_never_served) {
    session_need need;
    need.plaintext_only = true;
    EXPECT_FALSE(satisfies(plaintext, need));
    EXPECT_FALSE(satisfies(opportunistic, need));
}

TEST(mx_session_reuse, required_tls_needs_a_tls_session) {
    session_need need;
    need.tls = true;
    EXPECT_FALSE(satisfies(plaintext, need));
    EXPECT_TRUE(satisfies(opportunistic, need));
}

TEST(mx_session_reuse, verified_or_mta_sts_enforce_needs_a_pkix_session) {
    session_need need;
    need.tls = need.pkix = true;
    EXPECT_FALSE(satisfies(plaintext, need));
    EXPECT_FALSE(satisfies(opportunistic, need));
    EXPECT_TRUE(satisfies(pkix, need));
    // DANE authentication does not stand in for PKIX.
    EXPECT_FALSE(satisfies(dane_session(requirement({tlsa(3)}, {"mx.test"})), need));
}

TEST(mx_session_reuse, dane_needs_the_same_records) {
    const auto need_req = requirement({tlsa(3)}, {"mx.test", "b.test"});
    session_need need;
    need.tls = true;
    need.dane = &need_req;
    EXPECT_FALSE(satisfies(opportunistic, need));
    EXPECT_FALSE(satisfies(pkix, need));
    // DANE-EE: the names play no part, another domain's session will do.
    EXPECT_TRUE(satisfies(dane_session(requirement({tlsa(3)}, {"mx.test", "a.test"})), need));
    // Other records (the TLSA set changed): a new session.
    EXPECT_FALSE(
        satisfies(dane_session(requirement({tlsa(3, 0xcd)}, {"mx.test", "a.test"})), need));
    EXPECT_FALSE(satisfies(dane_session(requirement({tlsa(3), tlsa(3, 0xcd)}, {"mx.test"})), need));
}

TEST(mx_session_reuse, dane_ta_needs_names_the_new_domain_accepts) {
    const auto need_req = requirement({tlsa(2)}, {"mx.test", "b.test"});
    session_need need;
    need.tls = true;
    need.dane = &need_req;
    // The session may have matched a.test, which b.test does not accept.
    EXPECT_FALSE(satisfies(dane_session(requirement({tlsa(2)}, {"mx.test", "a.test"})), need));
    EXPECT_TRUE(satisfies(dane_session(requirement({tlsa(2)}, {"mx.test"})), need));
    EXPECT_TRUE(satisfies(dane_session(requirement({tlsa(2)}, {"mx.test", "b.test"})), need));
}

}  // namespace
