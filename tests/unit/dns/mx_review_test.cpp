// MX delivery rules found in review, without peers: which DNS errors are
// definitive (only NXDOMAIN, NODATA and invalid names: anything else,
// including errors from outside the resolver, is transient), and the EHLO
// name when none is configured (a FQDN, or the address literal of the
// local end: RFC 5321 §4.1.4).
#include "transport/mx_context.hpp"
#include "transport/mx_plan.hpp"

#include <gtest/gtest.h>
#include <boost/asio/error.hpp>

#include <system_error>

namespace {

using namespace lettre::mx::detail;
using lettre::errc;
using lettre::make_error_code;
namespace asio = boost::asio;

random_source first() {
    return [](std::size_t) { return std::size_t{0}; };
}

TEST(mx_review, only_answers_are_definitive) {
    EXPECT_TRUE(is_definitive(make_error_code(errc::dns_nxdomain)));
    EXPECT_TRUE(is_definitive(make_error_code(errc::dns_nodata)));
    EXPECT_TRUE(is_definitive(make_error_code(errc::invalid_domain)));
    for (auto e : {errc::dns_servfail, errc::dns_timeout, errc::dns_refused, errc::dns_failed})
        EXPECT_FALSE(is_definitive(make_error_code(e)));
    EXPECT_FALSE(
        is_definitive(std::error_code(boost::system::error_code(asio::error::operation_aborted))));
    EXPECT_FALSE(is_definitive(std::make_error_code(std::errc::connection_refused)));
    EXPECT_FALSE(is_definitive({}));
}

TEST(mx_review, an_unexpected_mx_lookup_error_is_transient_not_a_bounce) {
    const std::error_code odd[] = {
        std::error_code(boost::system::error_code(asio::error::operation_aborted)),
        std::make_error_code(std::errc::too_many_files_open),
        make_error_code(errc::timeout),
    };
    for (const auto& ec : odd) {
        auto d = decide("x.test", ec, {}, 5, first());
        EXPECT_EQ(d.what, mx_decision::kind::fail) << ec.message();
        EXPECT_EQ(d.error, lettre::condition::transient) << ec.message();
        EXPECT_EQ(d.error, ec) << "already transient: kept as it is";
    }
    auto d = decide("x.test", make_error_code(errc::invalid_domain), {}, 5, first());
    EXPECT_EQ(d.error, lettre::condition::permanent);
}

TEST(mx_review, a_lookup_error_that_is_not_transient_itself_is_recorded_as_deferred) {
    // Not definitive, so not a bounce; the recorded code must then say
    // "transient" too, and the message keeps what happened.
    const auto odd = make_error_code(errc::smtp_protocol);
    ASSERT_EQ(odd, lettre::condition::permanent);
    auto d = decide("x.test", odd, {}, 5, first());
    EXPECT_EQ(d.what, mx_decision::kind::fail);
    EXPECT_EQ(d.error, errc::delivery_deferred);
    EXPECT_EQ(d.error, lettre::condition::transient);
    EXPECT_NE(d.message.find(odd.message()), std::string::npos) << d.message;
}

TEST(mx_review, hello_name_without_a_fqdn_is_an_address_literal) {
    const auto v4 = asio::ip::make_address("192.0.2.1");
    const auto v6 = asio::ip::make_address("2001:db8::1");
    EXPECT_EQ(hello_name_for("mail.example.com", v4), "mail.example.com");
    EXPECT_EQ(hello_name_for("vm", v4), "[192.0.2.1]");
    EXPECT_EQ(hello_name_for("localhost", v6), "[IPv6:2001:db8::1]");
    EXPECT_EQ(hello_name_for("vm.", v4), "[192.0.2.1]") << "not a usable domain";
    EXPECT_EQ(hello_name_for("vm", asio::ip::make_address("::ffff:192.0.2.7")), "[192.0.2.7]");
    EXPECT_EQ(hello_name_for("vm", asio::ip::make_address("fe80::1%1")), "[IPv6:fe80::1]");
}

TEST(mx_review, local_address_towards_a_peer) {
    const auto local = local_address_towards(asio::ip::make_address("127.0.0.2"));
    ASSERT_TRUE(local);
    EXPECT_TRUE(local->is_loopback()) << local->to_string();
}

}  // namespace
