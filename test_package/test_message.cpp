// lettre::message: builds a message, signs nothing, hands it to the stub
// transport.
#include <lettre/lettre.hpp>

#include <iostream>

int main() {
    auto msg = lettre::message::builder()
                   .from("Test Package <test@example.com>")
                   .to("someone@example.org")
                   .subject("message component")
                   .text("hello")
                   .build();
    lettre::stub_transport stub;
    if (!stub.try_send(msg)) return 1;
    if (msg.formatted().find("Subject: message component\r\n") == std::string::npos) return 1;
    std::cout << "lettre::message ok, " << msg.formatted().size() << " bytes\n";
    return 0;
}
