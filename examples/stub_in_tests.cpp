// Testing application code that sends mail, with the stub transport. The
// code under test is generic over `lettre::transport`: in production it gets
// an smtp_transport, in tests a basic_stub_transport<smtp::send_report> that
// sends nothing, records what it was given, and answers success or the
// error (and the report) the test picks. The same function also works with
// the file, sendmail and MX transports (each with its own report type).
//
// Here the "tests" are plain checks so that the example needs no framework;
// with GoogleTest or Catch2 they become EXPECT_... lines.
#include <lettre/lettre.hpp>
#include <lettre/smtp/transport.hpp>
#include <lettre/transport/transport.hpp>

#include <iostream>
#include <string>
#include <system_error>

// ---------------------------------------------------------------------------
// Application code.

enum class notify_status { sent, will_retry, given_up, bad_address };

template <lettre::transport Transport>
notify_status notify_password_changed(Transport& mailer, const std::string& user_email) {
    auto msg = lettre::message::builder()
                   .from("Accounts <accounts@example.com>")
                   .to(user_email)
                   .subject("Your password was changed")
                   .text("If this was not you, reply to this message.\n")
                   .try_build();
    if (!msg) return notify_status::bad_address;
    std::error_code ec;
    mailer.send(*msg, ec);
    if (!ec) return notify_status::sent;
    std::cerr << "app: cannot notify " << user_email << ": " << ec.message() << '\n';
    // One question for every transport and every cause: retry later or not?
    return ec == lettre::condition::transient ? notify_status::will_retry : notify_status::given_up;
}

// The production wiring (not run here: it needs a server).
[[maybe_unused]] notify_status notify_in_production(const std::string& user_email) {
    auto smtp = lettre::smtp_transport::starttls_relay("smtp.example.com")
                    .credentials("accounts@example.com", "app password")
                    .build();
    return notify_password_changed(smtp, user_email);
}

// ---------------------------------------------------------------------------
// Tests of the application code.

using smtp_stub = lettre::basic_stub_transport<lettre::smtp::send_report>;
static_assert(lettre::transport<smtp_stub>);
static_assert(lettre::transport<lettre::smtp_transport>);

int failures = 0;

void check(bool ok, const char* what) {
    if (!ok) {
        std::cerr << "FAILED: " << what << '\n';
        ++failures;
    }
}

void test_sends_one_message_to_the_user() {
    const smtp_stub stub;          // answers success
    smtp_stub handed_over = stub;  // a copy shares the record
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

void test_a_4xx_is_retried_later() {
    lettre::smtp::send_report report;
    report.diagnostics.server_reply = lettre::smtp::reply(451, {"4.3.0 try again later"});
    auto stub = smtp_stub::failing(
        lettre::make_error(lettre::errc::smtp_transient, "451 4.3.0 try again later"), report);
    const auto status = notify_password_changed(stub, "user@example.org");

    check(status == notify_status::will_retry, "a transient failure is retried");
    check(stub.size() == 1, "the app tried once");
    const auto sent = stub.last();
    check(sent && sent->error == lettre::errc::smtp_transient,
          "the attempt is recorded with the error it got");
}

void test_a_5xx_is_given_up() {
    auto stub = smtp_stub::failing(lettre::errc::smtp_permanent);
    const auto status = notify_password_changed(stub, "user@example.org");
    check(status == notify_status::given_up, "a permanent failure is not retried");
}

void test_a_bad_address_sends_nothing() {
    lettre::stub_transport stub;  // the plain stub: its report is the record index
    const auto status = notify_password_changed(stub, "not an address");

    check(status == notify_status::bad_address, "the app refuses the address");
    check(stub.size() == 0, "nothing was handed to the transport");
}

int main() {
    test_sends_one_message_to_the_user();
    test_a_4xx_is_retried_later();
    test_a_5xx_is_given_up();
    test_a_bad_address_sends_nothing();
    if (failures != 0) {
        std::cerr << failures << " check(s) failed\n";
        return 1;
    }
    std::cout << "all checks passed\n";
    return 0;
}
