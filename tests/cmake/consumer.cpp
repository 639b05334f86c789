// A user's program: builds one message and checks it has the right shape.
#include <lettre/lettre.hpp>

#include <iostream>

int main() {
    auto msg = lettre::message::builder()
                   .from("Consumer <consumer@example.com>")
                   .to("someone@example.org")
                   .subject("find_package works")
                   .text("hello")
                   .build();
    const std::string bytes = msg.formatted();
    if (bytes.find("Subject: find_package works\r\n") == std::string::npos) return 1;
    std::cout << "consumer ok, " << bytes.size() << " bytes\n";
    return 0;
}
