// Runs one SMTP algorithm (open_session, authenticate, transaction,
// simple_command) alone over a session_state, without the client: the test
// plays the server and checks each action the algorithm returns.
#pragma once

#include "smtp/protocol/action.hpp"
#include "smtp/protocol/capabilities.hpp"
#include "smtp/protocol/session_state.hpp"

#include "smtp_test_support.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace smtp_test {

using lettre::smtp::client_action;
using lettre::smtp::session_state;

/// The server sends `bytes`: each complete reply goes to `algo.resume`
/// until it asks for something other than a read (as client::on_read does).
template <class Algorithm>
client_action feed(Algorithm& algo, session_state& st, std::string_view bytes) {
    if (!st.parser.feed(bytes)) {
        ADD_FAILURE() << "the reply parser refused " << show(bytes);
        return {};
    }
    while (auto r = st.parser.next()) {
        client_action a = algo.resume(st, *r);
        if (a.what != client_action::type::read) return a;
    }
    return st.read(st.phase);
}

/// A write of exactly `bytes` in phase `p`.
inline ::testing::AssertionResult writes(const client_action& a, std::string_view bytes,
                                         lettre::smtp::phase p) {
    if (a.what != client_action::type::write)
        return ::testing::AssertionFailure()
               << "expected a write of " << show(bytes) << ", got " << describe(a);
    if (written(a) != bytes)
        return ::testing::AssertionFailure()
               << "wrote " << show(written(a)) << "\n  expected " << show(bytes);
    if (a.phase != p)
        return ::testing::AssertionFailure()
               << "write in phase " << lettre::smtp::phase_name(a.phase) << ", expected "
               << lettre::smtp::phase_name(p);
    return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult reads(const client_action& a, lettre::smtp::phase p) {
    if (a.what != client_action::type::read || a.phase != p)
        return ::testing::AssertionFailure()
               << "expected a read in phase " << lettre::smtp::phase_name(p) << ", got "
               << describe(a);
    return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult done_ok(const client_action& a, const session_state& st) {
    if (a.what != client_action::type::done || a.error)
        return ::testing::AssertionFailure()
               << "expected success, got " << describe(a) << " " << st.diag.message;
    return ::testing::AssertionSuccess();
}

inline ::testing::AssertionResult done_with(const client_action& a, lettre::errc e) {
    if (a.what != client_action::type::done || a.error != lettre::make_error_code(e))
        return ::testing::AssertionFailure()
               << "expected done with " << lettre::make_error_code(e).message() << ", got "
               << describe(a);
    return ::testing::AssertionSuccess();
}

/// What an EHLO reply such as "250-mx\r\n250 PIPELINING\r\n" announces.
inline lettre::smtp::capabilities ehlo_caps(std::string_view wire) {
    const auto replies = all_replies(wire);
    EXPECT_EQ(replies.size(), 1u) << show(wire);
    return replies.empty() ? lettre::smtp::capabilities{}
                           : lettre::smtp::capabilities::parse_ehlo(replies.front());
}

/// A session as open_session leaves it: hello name set, ready, EHLO said `ehlo`.
inline session_state open_state(std::string_view ehlo, bool tls = false) {
    session_state st;
    st.cfg.hello_name = "client.example";
    st.cfg.tls =
        tls ? lettre::smtp::tls_mode::starttls_required : lettre::smtp::tls_mode::none_dangerous;
    st.caps = ehlo_caps(ehlo);
    st.tls_active = tls;
    st.ready = true;
    return st;
}

}  // namespace smtp_test
