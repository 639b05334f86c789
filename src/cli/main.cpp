// The `lettre` command-line tool.
#include "cli.hpp"
#include "secrets.hpp"

#include <iostream>
#include <span>
#include <string_view>
#include <vector>

int main(int argc, char** argv) {
    // First: LETTRE_PASSWORD is in the environment from the start, and any
    // command may read a password or a private key.
    lettre::cli::protect_process_memory();
    const std::span<char*> raw(argv, argc > 0 ? static_cast<std::size_t>(argc) : 0U);
    std::vector<std::string_view> args;
    if (!raw.empty()) args.assign(raw.begin() + 1, raw.end());
    std::ios::sync_with_stdio(false);
    return lettre::cli::run(args, {std::cin, std::cout, std::cerr});
}
