// The MX transports speak the transport vocabulary: compile-time checks of
// the concepts, and one generic function that sends through any
// lettre::transport, run against the blocking MX transport (an address
// literal whose port refuses: no DNS, no server, a transient failure).
#include <lettre/message.hpp>
#include <lettre/transport/async_mx_transport.hpp>
#include <lettre/transport/async_transport.hpp>
#include <lettre/transport/mx_transport.hpp>
#include <lettre/transport/transport.hpp>

#include <gtest/gtest.h>

#include <optional>
#include <type_traits>

static_assert(lettre::transport<lettre::mx_transport>);
static_assert(lettre::async_transport<lettre::async_mx_transport>);
static_assert(std::is_nothrow_move_constructible_v<lettre::mx_transport>);
static_assert(std::is_nothrow_move_assignable_v<lettre::mx_transport>);
static_assert(!std::is_copy_constructible_v<lettre::mx_transport>);

namespace {

/// What application code generic over the transport looks like.
template <lettre::transport T>
std::optional<std::error_code> send_or_why(T& t, const lettre::message& msg) {
    auto r = t.try_send(msg);
    if (r) return std::nullopt;
    return r.error().code;
}

TEST(mx_concepts, a_generic_function_sends_through_the_mx_transport) {
    lettre::mx::config cfg;
    cfg.port = 1;                    // tcpmux: nothing listens there on a test machine
    cfg.allow_local_targets = true;  // u@[127.0.0.1] is this machine
    cfg.hello_name = "client.test";
    std::optional<lettre::mx_transport> later;
    lettre::mx_transport first(cfg);
    later = std::move(first);
    const auto msg = lettre::message::builder()
                         .from("sender@origin.test")
                         .to("u@[127.0.0.1]")
                         .subject("concepts")
                         .text("hello\n")
                         .build();
    const auto why = send_or_why(*later, msg);
    ASSERT_TRUE(why);
    EXPECT_EQ(*why, lettre::condition::transient) << why->message();
}

}  // namespace
