// lettre::mx: constructs the direct MX transport (it resolves nothing).
#include <lettre/lettre.hpp>
#include <lettre/transport/mx_transport.hpp>

#include <iostream>

int main() {
    lettre::mx_transport mx;
    std::cout << "lettre::mx ok\n";
    return 0;
}
