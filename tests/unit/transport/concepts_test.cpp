// Every transport models the transport vocabulary (compile-time), and one
// generic function sends through the local transports and the stub with the
// same code (the SMTP transport does the same against smtp-sink in
// tests/integration/smtp/generic_send_test.cpp).
#include <lettre/lettre.hpp>
#include <lettre/smtp/async_transport.hpp>
#include <lettre/smtp/transport.hpp>
#include <lettre/transport/async_file_transport.hpp>
#include <lettre/transport/async_sendmail_transport.hpp>
#include <lettre/transport/async_stub_transport.hpp>
#include <lettre/transport/async_transport.hpp>
#include <lettre/transport/transport.hpp>

#include "../test_util.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <string>

namespace {

static_assert(lettre::transport<lettre::file_transport>);
static_assert(lettre::transport<lettre::sendmail_transport>);
static_assert(lettre::transport<lettre::stub_transport>);
static_assert(lettre::transport<lettre::basic_stub_transport<lettre::smtp::send_report>>);
static_assert(lettre::transport<lettre::smtp_transport>);

static_assert(lettre::async_transport<lettre::async_file_transport>);
static_assert(lettre::async_transport<lettre::async_sendmail_transport>);
static_assert(lettre::async_transport<lettre::async_stub_transport>);
static_assert(
    lettre::async_transport<lettre::basic_async_stub_transport<lettre::smtp::send_report>>);
static_assert(lettre::async_transport<lettre::async_smtp_transport>);

// Not transports: the concept must be able to say no.
static_assert(!lettre::transport<int>);
static_assert(!lettre::transport<lettre::async_stub_transport>);
static_assert(!lettre::async_transport<lettre::stub_transport>);

// The blocking transports are movable (storable in an optional or a member
// assigned later).
static_assert(std::is_nothrow_move_constructible_v<lettre::smtp_transport>);
static_assert(std::is_nothrow_move_assignable_v<lettre::smtp_transport>);

lettre::message concepts_sample() {
    return lettre::message::builder()
        .from("a@example.com")
        .to("b@example.org")
        .subject("generic")
        .text("hello\n")
        .build();
}

/// Application-style code: one function for every transport.
template <lettre::transport T>
std::error_code send_with(T& t, const lettre::message& msg) {
    std::error_code ec;
    [[maybe_unused]] typename T::report_type report = t.send(msg, ec);
    return ec;
}

TEST(TransportConcepts, OneGenericFunctionSendsThroughEachLocalTransport) {
    const auto msg = concepts_sample();
    lettre::stub_transport stub;
    EXPECT_FALSE(send_with(stub, msg));
    ASSERT_EQ(stub.size(), 1u);
    EXPECT_EQ(stub.last()->bytes, msg.formatted());

    lettre::basic_stub_transport<lettre::smtp::send_report> smtp_stub;
    EXPECT_FALSE(send_with(smtp_stub, msg));
    EXPECT_EQ(smtp_stub.size(), 1u);

    const auto dir =
        std::filesystem::temp_directory_path() / ("lettre-concepts-" + std::to_string(::getpid()));
    lettre::file_transport files(dir);
    EXPECT_FALSE(send_with(files, msg));
    std::size_t emls = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        emls += e.path().extension() == ".eml" ? 1u : 0u;
    EXPECT_EQ(emls, 1u);
    std::filesystem::remove_all(dir);
}

TEST(TransportConcepts, TheStubAnswersWithTheConfiguredReport) {
    lettre::smtp::send_report report;
    report.final_reply = lettre::smtp::reply(250, {"2.0.0 queued as X1"});
    lettre::basic_stub_transport<lettre::smtp::send_report> ok(report);
    EXPECT_EQ(ok.send(concepts_sample()).final_reply.to_string(), "250 2.0.0 queued as X1");
    EXPECT_EQ(ok.try_send(concepts_sample())->final_reply.code(), 250);

    auto bad = lettre::basic_stub_transport<lettre::smtp::send_report>::failing(
        lettre::errc::smtp_transient, report);
    std::error_code ec;
    EXPECT_EQ(bad.send(concepts_sample(), ec).final_reply.code(), 250);
    EXPECT_EQ(ec, lettre::condition::transient);
    EXPECT_THROW(bad.send(concepts_sample()), lettre::error);
    EXPECT_FALSE(bad.try_send(concepts_sample()));

    lettre::stub_transport plain;
    EXPECT_EQ(plain.send(concepts_sample()).index, 0u);
    EXPECT_EQ(plain.send(concepts_sample()).index, 1u);
}

TEST(TransportConcepts, TheAsyncStubCompletesWithTheReport) {
    boost::asio::io_context ioc;
    lettre::smtp::send_report report;
    report.final_reply = lettre::smtp::reply(250, {"ok"});
    lettre::basic_async_stub_transport<lettre::smtp::send_report> stub(
        ioc.get_executor(), lettre::basic_stub_transport<lettre::smtp::send_report>::failing(
                                lettre::errc::smtp_permanent, report));
    bool ran = false;
    stub.async_send(concepts_sample(),
                    [&](boost::system::error_code ec, lettre::smtp::send_report r) {
                        ran = true;
                        EXPECT_EQ(ec, lettre::condition::permanent);
                        EXPECT_EQ(r.final_reply.code(), 250);
                    });
    EXPECT_FALSE(ran);  // never inline
    ioc.run();
    EXPECT_TRUE(ran);
}

}  // namespace
