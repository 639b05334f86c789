// lettre::smtp: configures an SMTP transport (it never connects).
#include <lettre/lettre.hpp>
#include <lettre/smtp/transport.hpp>

#include <iostream>

int main() {
    auto builder = lettre::smtp_transport::relay("smtp.example.com");
    builder.port(2525);
    if (builder.config().port != 2525) return 1;
    const auto transport = builder.build();
    std::cout << "lettre::smtp ok, relay smtp.example.com:" << builder.config().port << "\n";
    return 0;
}
