// lettre::condition: one question ("retry later?") for every source of
// error, with std and Boost error codes alike.
#include <lettre/asio_error.hpp>
#include <lettre/error.hpp>

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>

#include <cerrno>
#include <system_error>

namespace {

using lettre::condition;
using lettre::errc;

std::error_code code(errc e) {
    return lettre::make_error_code(e);
}

TEST(ErrorCondition, TransientSources) {
    for (errc e : {errc::smtp_transient, errc::timeout, errc::connection_closed, errc::dns_servfail,
                   errc::dns_timeout, errc::dns_refused, errc::dns_failed, errc::sendmail_transient,
                   errc::pool_full, errc::recipients_deferred, errc::delivery_deferred,
                   errc::auth_deferred}) {
        SCOPED_TRACE(code(e).message());
        EXPECT_EQ(code(e), condition::transient);
        EXPECT_NE(code(e), condition::permanent);
        EXPECT_NE(code(e), condition::outcome_unknown);
    }
    // A refused or reset connection, a cancelled operation.
    EXPECT_EQ(std::error_code(ECONNREFUSED, std::system_category()), condition::transient);
    EXPECT_EQ(std::make_error_code(std::errc::connection_reset), condition::transient);
}

TEST(ErrorCondition, PermanentSources) {
    for (errc e : {errc::smtp_permanent, errc::dns_nxdomain, errc::dns_nodata, errc::null_mx,
                   errc::auth_failed, errc::tls_failed, errc::invalid_address,
                   errc::sendmail_failed, errc::no_recipient_accepted, errc::message_too_big}) {
        SCOPED_TRACE(code(e).message());
        EXPECT_EQ(code(e), condition::permanent);
        EXPECT_NE(code(e), condition::transient);
    }
}

TEST(ErrorCondition, OutcomeUnknownIsNeitherTransientNorPermanent) {
    EXPECT_EQ(code(errc::outcome_unknown), condition::outcome_unknown);
    EXPECT_NE(code(errc::outcome_unknown), condition::transient);
    EXPECT_NE(code(errc::outcome_unknown), condition::permanent);
}

TEST(ErrorCondition, SuccessIsNoCondition) {
    EXPECT_NE(std::error_code(), condition::transient);
    EXPECT_NE(std::error_code(), condition::permanent);
}

TEST(ErrorCondition, BoostCodesCompareToo) {
    boost::system::error_code t = errc::smtp_transient;
    boost::system::error_code p = errc::smtp_permanent;
    boost::system::error_code refused = boost::asio::error::connection_refused;
    EXPECT_TRUE(t == condition::transient);
    EXPECT_TRUE(p == condition::permanent);
    EXPECT_TRUE(refused == condition::transient);
    EXPECT_FALSE(p == condition::transient);
}

TEST(ErrorCondition, HasAMessage) {
    EXPECT_EQ(lettre::make_error_condition(condition::transient).message(),
              "transient failure: try again later");
}

}  // namespace
