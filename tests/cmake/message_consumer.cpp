// A program that uses only lettre::message: builds a message and hands it to
// the stub transport. Built against find_package(lettre COMPONENTS message)
// with Boost and c-ares hidden (see tests/cmake/CMakeLists.txt).
#include <lettre/lettre.hpp>

#include <iostream>

int main() {
    auto msg = lettre::message::builder()
                   .from("Consumer <consumer@example.com>")
                   .to("someone@example.org")
                   .subject("message component")
                   .text("hello")
                   .build();
    lettre::stub_transport stub;
    const auto sent = stub.try_send(msg);
    if (!sent) return 1;
    if (msg.formatted().find("Subject: message component\r\n") == std::string::npos) return 1;
    std::cout << "message consumer ok\n";
    return 0;
}
