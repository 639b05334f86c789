// A program that uses every component: a message, an SMTP transport and an
// MX transport (neither sends). Built against find_package(lettre) with no
// COMPONENTS, through lettre::lettre.
#include <lettre/lettre.hpp>
#include <lettre/smtp/transport.hpp>
#include <lettre/transport/mx_transport.hpp>

#include <iostream>

int main() {
    auto msg = lettre::message::builder()
                   .from("consumer@example.com")
                   .to("someone@example.org")
                   .subject("whole package")
                   .text("hello")
                   .build();
    const auto smtp = lettre::smtp_transport::relay("smtp.example.com").build();
    lettre::mx_transport mx;
    std::cout << "whole-package consumer ok, " << msg.formatted().size() << " bytes\n";
    return 0;
}
