// Delivers a message into a directory with the file transport, using the
// result form (no exceptions).
#include <lettre/lettre.hpp>

#include <iostream>

int main(int argc, char** argv) {
    const char* outbox = argc > 1 ? argv[1] : "outbox";
    auto msg = lettre::message::builder()
                   .from("App <app@example.com>")
                   .to("user@example.org")
                   .subject("Your password was changed")
                   .text("If this was not you, reply to this message.")
                   .try_build();
    if (!msg) {
        std::cerr << "cannot build: " << msg.error().message << '\n';
        return 65;
    }
    auto sent = lettre::file_transport(outbox).try_send(*msg);
    if (!sent) {
        std::cerr << "cannot deliver: " << sent.error().message << '\n';
        return 1;
    }
    std::cout << "wrote " << sent->eml_path.string() << '\n';
}
