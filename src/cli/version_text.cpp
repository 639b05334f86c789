#include "version_text.hpp"

#include <ares.h>
#include <fmt/core.h>
#include <idn2.h>
#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <boost/version.hpp>

#include <string>
#include <string_view>

#ifndef LETTRE_CLI_VERSION
#define LETTRE_CLI_VERSION "unknown"
#endif

namespace lettre::cli {
namespace {

// "major.minor.patch" from the MMmmpp-style numbers Boost and fmt define.
std::string dotted(unsigned major, unsigned minor, unsigned patch) {
    return std::to_string(major) + '.' + std::to_string(minor) + '.' + std::to_string(patch);
}

/// "NAME      built with BUILT" (the name padded to one column).
std::string built_with(std::string_view name, std::string_view built) {
    std::string out(name);
    out.resize(10, ' ');
    out += "built with ";
    out += built;
    return out;
}

std::string line(std::string_view name, std::string_view built, std::string_view running) {
    std::string out = built_with(name, built);
    out += ", running with ";
    out += running;
    out += '\n';
    return out;
}

// Boost and fmt have no run-time version query: Boost (Asio, System) is
// header-only here and fmt's version is a macro only.
std::string compile_time_line(std::string_view name, std::string_view built, std::string_view why) {
    std::string out = built_with(name, built);
    out += " (";
    out += why;
    out += ")\n";
    return out;
}

}  // namespace

std::string version_text() {
    const char* const idn2_running = idn2_check_version(nullptr);
    return std::string("lettre " LETTRE_CLI_VERSION "\n") +
           line("OpenSSL", OPENSSL_VERSION_STR, OpenSSL_version(OPENSSL_VERSION_STRING)) +
           line("c-ares", ARES_VERSION_STR, ares_version(nullptr)) +
           line("libidn2", IDN2_VERSION, idn2_running != nullptr ? idn2_running : "unknown") +
           compile_time_line(
               "Boost",
               dotted(BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100),
               "header-only") +
           compile_time_line(
               "fmt", dotted(FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100),
               "no run-time version query");
}

}  // namespace lettre::cli
