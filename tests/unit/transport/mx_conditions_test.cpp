// One error vocabulary for MX delivery: every failure a recipient can end
// with compares equal to the lettre::condition that says what to do
// (transient: retry later, permanent: bounce), the same one the report's
// helpers and the CLI's words use. Where MX delivery decides differently
// from the code alone (a TLS failure is transient for MX, the missing host
// of a failed lookup too), the recorded code is delivery_deferred and the
// message keeps the reason.
#include "mx_test_values.hpp"
#include "transport/mx_plan.hpp"
#include "transport/mx_recipients.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace lettre::mx::detail;
using lettre::condition;
using lettre::errc;
using lettre::make_error_code;
namespace smtp = lettre::smtp;

using lettre_test::addr;
using lettre_test::reply;

/// One recipient, one failed attempt of `ec` in `phase`, no host left.
lettre::mx::recipient_result after_one_attempt(std::error_code ec, smtp::phase phase,
                                               std::optional<smtp::reply> server_reply = {},
                                               std::string why = {}) {
    recipient_tracker t({addr("r@x.test")});
    smtp::send_report r;
    r.diagnostics.phase = phase;
    r.diagnostics.server_reply = std::move(server_reply);
    r.diagnostics.message = std::move(why);
    t.apply("mx.x.test", "192.0.2.1", false, ec, r);
    t.exhaust();
    return t.results().at(0);
}

TEST(mx_conditions, smtp_replies) {
    recipient_tracker t({addr("gone@x.test"), addr("later@x.test")});
    smtp::send_report r;
    r.final_reply = reply(250, "ok");
    r.recipients = {{addr("gone@x.test"), reply(550, "5.1.1 no such user")},
                    {addr("later@x.test"), reply(451, "4.3.0 try later")}};
    t.apply("mx.x.test", "192.0.2.1", false, {}, r);
    t.exhaust();
    const auto res = t.results();
    EXPECT_EQ(res[0].error, errc::smtp_permanent);
    EXPECT_EQ(res[0].error, condition::permanent);
    EXPECT_EQ(res[1].error, errc::smtp_transient);
    EXPECT_EQ(res[1].error, condition::transient);

    // A 5xx to the end of data refuses the transaction: permanent.
    const auto spam = after_one_attempt(make_error_code(errc::smtp_permanent),
                                        smtp::phase::data_final, reply(554, "5.7.1 spam"));
    EXPECT_EQ(spam.error, condition::permanent);
    // A 4xx greeting (every host down): transient.
    const auto busy = after_one_attempt(make_error_code(errc::smtp_transient),
                                        smtp::phase::greeting, reply(421, "4.3.2 busy"));
    EXPECT_EQ(busy.error, errc::smtp_transient);
    EXPECT_EQ(busy.error, condition::transient);
}

TEST(mx_conditions, a_5xx_outside_the_transaction_moves_on_and_is_deferred) {
    // A 550 to EHLO is this host's problem, not the message's: transient.
    const auto r = after_one_attempt(make_error_code(errc::smtp_permanent), smtp::phase::ehlo,
                                     reply(550, "5.7.1 go away"), "EHLO refused");
    EXPECT_EQ(r.error, errc::delivery_deferred);
    EXPECT_EQ(r.error, condition::transient);
    EXPECT_NE(r.message.find("EHLO refused"), std::string::npos) << r.message;
    ASSERT_TRUE(r.reply);
    EXPECT_EQ(r.reply->code(), 550);
}

TEST(mx_conditions, connection_failures_are_transient) {
    for (const auto ec :
         {std::make_error_code(std::errc::connection_refused), make_error_code(errc::timeout),
          make_error_code(errc::connection_closed)}) {
        const auto r = after_one_attempt(ec, smtp::phase::connect);
        EXPECT_EQ(r.error, ec) << "kept: already transient";
        EXPECT_EQ(r.error, condition::transient) << ec.message();
    }
}

TEST(mx_conditions, tls_failures_are_transient_for_mx_and_say_why) {
    const auto no_starttls =
        after_one_attempt(make_error_code(errc::starttls_unavailable), smtp::phase::ehlo, {},
                          "STARTTLS required but not offered");
    ASSERT_EQ(make_error_code(errc::starttls_unavailable), condition::permanent)
        << "the code alone says permanent (for a relay)";
    EXPECT_EQ(no_starttls.error, errc::delivery_deferred);
    EXPECT_EQ(no_starttls.error, condition::transient);
    EXPECT_EQ(no_starttls.message, "mx.x.test [192.0.2.1]: STARTTLS required but not offered");

    const auto handshake = after_one_attempt(make_error_code(errc::tls_failed),
                                             smtp::phase::tls_handshake, {}, "certificate refused");
    EXPECT_EQ(handshake.error, errc::delivery_deferred);
    EXPECT_EQ(handshake.error, condition::transient);
    EXPECT_NE(handshake.message.find("certificate refused"), std::string::npos);
}

TEST(mx_conditions, what_no_host_will_cure_is_permanent) {
    for (const auto e : {errc::message_too_big, errc::smtputf8_unavailable,
                         errc::eight_bit_unavailable, errc::invalid_smtp_argument}) {
        const auto r = after_one_attempt(make_error_code(e), smtp::phase::mail);
        EXPECT_EQ(r.error, e);
        EXPECT_EQ(r.error, condition::permanent) << r.error.message();
    }
}

TEST(mx_conditions, dns_verdicts) {
    auto rnd = [](std::size_t) { return std::size_t{0}; };
    EXPECT_EQ(decide("x.test", {}, {{0, "", 1}}, 5, rnd).error, condition::permanent);  // null MX
    EXPECT_EQ(decide("x.test", make_error_code(errc::dns_nxdomain), {}, 5, rnd).error,
              condition::permanent);
    for (const auto e :
         {errc::dns_servfail, errc::dns_timeout, errc::dns_refused, errc::dns_failed})
        EXPECT_EQ(decide("x.test", make_error_code(e), {}, 5, rnd).error, condition::transient);

    // No host with an address: final when every lookup said so...
    recipient_tracker gone({addr("a@x.test")});
    gone.fail_pending(condition::permanent, make_error_code(errc::no_mx_host), "no address");
    EXPECT_EQ(gone.results()[0].error, errc::no_mx_host);
    EXPECT_EQ(gone.results()[0].error, condition::permanent);
    // ... deferred when a lookup failed transiently (the same reason, in the message).
    recipient_tracker later({addr("a@x.test")});
    later.fail_pending(condition::transient, make_error_code(errc::no_mx_host),
                       "no MX host of x.test has an address (last: SERVFAIL)");
    EXPECT_EQ(later.results()[0].error, errc::delivery_deferred);
    EXPECT_EQ(later.results()[0].error, condition::transient);
    EXPECT_NE(later.results()[0].message.find("SERVFAIL"), std::string::npos);
    // Every host skipped by the policy hook, nothing tried: deferred.
    recipient_tracker skipped({addr("a@x.test")});
    skipped.exhaust();
    EXPECT_EQ(skipped.results()[0].error, condition::transient);
}

TEST(mx_conditions, cancellation_is_transient) {
    recipient_tracker t({addr("a@x.test")});
    t.fail_pending(condition::transient, std::make_error_code(std::errc::operation_canceled),
                   "cancelled");
    EXPECT_EQ(t.results()[0].error, std::errc::operation_canceled);
    EXPECT_EQ(t.results()[0].error, condition::transient);
}

TEST(mx_conditions, agreeing_error) {
    const auto perm = make_error_code(errc::smtp_permanent);
    const auto temp = make_error_code(errc::dns_servfail);
    EXPECT_EQ(agreeing_error(perm, condition::permanent, errc::no_mx_host), perm);
    EXPECT_EQ(agreeing_error(temp, condition::transient, errc::no_mx_host), temp);
    EXPECT_EQ(agreeing_error(perm, condition::transient, errc::no_mx_host),
              errc::delivery_deferred);
    EXPECT_EQ(agreeing_error(temp, condition::permanent, errc::no_mx_host), errc::no_mx_host);
    const auto unknown = make_error_code(errc::outcome_unknown);
    EXPECT_EQ(agreeing_error(unknown, condition::transient, errc::no_mx_host), unknown);
}

TEST(mx_conditions, report_helpers_and_words_follow_the_condition) {
    lettre::mx::report rep;
    auto add = [&](const char* who, std::error_code ec) {
        lettre::mx::recipient_result r;
        r.recipient = addr(who);
        r.error = ec;
        rep.recipients.push_back(r);
    };
    add("ok@x.test", {});
    add("later@x.test", make_error_code(errc::delivery_deferred));
    add("maybe@x.test", make_error_code(errc::outcome_unknown));
    add("gone@x.test", make_error_code(errc::null_mx));
    EXPECT_EQ(rep.delivered().size(), 1u);
    EXPECT_EQ(rep.transient_failures().size(), 2u);
    EXPECT_EQ(rep.permanent_failures().size(), 1u);
    EXPECT_FALSE(rep.all_delivered());
    EXPECT_EQ(lettre::mx::outcome(rep.recipients[0]), "delivered");
    EXPECT_EQ(lettre::mx::outcome(rep.recipients[1]), "transient failure");
    EXPECT_EQ(lettre::mx::outcome(rep.recipients[2]), "transient failure");
    EXPECT_EQ(lettre::mx::outcome(rep.recipients[3]), "permanent failure");
}

}  // namespace
