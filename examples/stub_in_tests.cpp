// Testing application code that sends mail, with the stub transport: the
// code under test takes its transport as a parameter; in production it gets
// an smtp_transport, in tests a stub_transport that sends nothing, records
// what it was given, and answers success or the error the test picks.
//
// Here the "tests" are plain checks so that the example needs no framework;
// with GoogleTest or Catch2 they become EXPECT_... lines.
#include <lettre/lettre.hpp>

#include <iostream>
#include <string>

// ---------------------------------------------------------------------------
// Application code. `Transport` is lettre::smtp_transport in production
// (lettre::file_transport and lettre::stub_transport have the same send).

enum class notify_status { sent, will_retry, bad_address };

template <class Transport>
notify_status notify_password_changed(Transport& mailer, const std::string& user_email) {
    auto msg = lettre::message::builder()
                   .from("Accounts <accounts@example.com>")
                   .to(user_email)
                   .subject("Your password was changed")
                   .text("If this was not you, reply to this message.\n")
                   .try_build();
    if (!msg) return notify_status::bad_address;
    try {
        mailer.send(*msg);
        return notify_status::sent;
    } catch (const lettre::error& e) {
        std::cerr << "app: cannot notify " << user_email << ": " << e.info().message
                  << " (queued for retry)\n";
        return notify_status::will_retry;
    }
}

// ---------------------------------------------------------------------------
// Tests of the application code.

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::cerr << "FAILED: " << what << '\n';
        ++failures;
    }
}

void test_sends_one_message_to_the_user() {
    const lettre::stub_transport stub;          // answers success
    lettre::stub_transport handed_over = stub;  // a copy shares the record
    const auto status = notify_password_changed(handed_over, "user@example.org");

    check(status == notify_status::sent, "the app reports the mail as sent");
    check(stub.size() == 1, "exactly one message was handed to the transport");
    const auto sent = stub.last();
    if (!sent) return;
    check(sent->env.to().size() == 1 && sent->env.to()[0].to_string() == "user@example.org",
          "the envelope goes to the user");
    check(sent->bytes.find("Subject: Your password was changed\r\n") != std::string::npos,
          "the subject is right");
    check(!sent->error, "the stub answered success");
}

void test_a_failed_send_is_queued_for_retry() {
    auto stub = lettre::stub_transport::failing(
        lettre::make_error(lettre::errc::smtp_transient, "451 4.3.0 try again later"));
    const auto status = notify_password_changed(stub, "user@example.org");

    check(status == notify_status::will_retry, "the app's error path ran");
    check(stub.size() == 1, "the app tried once");
    const auto sent = stub.last();
    check(sent && sent->error == lettre::errc::smtp_transient,
          "the attempt is recorded with the error it got");
}

void test_a_bad_address_sends_nothing() {
    lettre::stub_transport stub;
    const auto status = notify_password_changed(stub, "not an address");

    check(status == notify_status::bad_address, "the app refuses the address");
    check(stub.size() == 0, "nothing was handed to the transport");
}

int main() {
    test_sends_one_message_to_the_user();
    test_a_failed_send_is_queued_for_retry();
    test_a_bad_address_sends_nothing();
    if (failures != 0) {
        std::cerr << failures << " check(s) failed\n";
        return 1;
    }
    std::cout << "all checks passed\n";
    return 0;
}
