// lettre dkim keygen | sign: make a DKIM key and its DNS record; sign a
// ready-made message read from stdin or a file.
#include "cli_error.hpp"
#include "commands.hpp"
#include "dkim_options.hpp"
#include "io_files.hpp"
#include "usage.hpp"

#include <lettre/dkim/key.hpp>
#include <lettre/dkim/signer.hpp>

#include <array>
#include <charconv>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <system_error>
#include <vector>

namespace lettre::cli {
namespace {

constexpr option_spec help_spec{"help", 'h', false, false};

// --- keygen -----------------------------------------------------------------

constexpr unsigned default_rsa_bits = 2048;
/// OpenSSL's own ceiling (OPENSSL_RSA_MAX_MODULUS_BITS); more would only hang.
constexpr unsigned max_rsa_bits = 16384;

constexpr std::array<option_spec, 7> keygen_specs{{
    {"algorithm", '\0', true, false},
    {"bits", '\0', true, false},
    {"domain", '\0', true, false},
    {"selector", '\0', true, false},
    {"out", '\0', true, false},
    {"force", '\0', false, false},
    help_spec,
}};

struct keygen_options {
    std::optional<std::string> algorithm, bits, domain, selector, out;
    bool force = false;
};

lettre::dkim::algorithm parse_algorithm(const std::string& text) {
    if (text == "rsa" || text == "rsa-sha256") return lettre::dkim::algorithm::rsa_sha256;
    if (text == "ed25519" || text == "ed25519-sha256") {
        return lettre::dkim::algorithm::ed25519_sha256;
    }
    throw usage_error("--algorithm takes rsa or ed25519, got " + in_quotes(text));
}

unsigned parse_bits(const std::string& text) {
    unsigned bits = 0;
    const char* const end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, bits);
    if (text.empty() || ec == std::errc::invalid_argument || ptr != end) {
        throw usage_error("--bits takes a number of bits such as 2048, got " + in_quotes(text));
    }
    if (ec == std::errc::result_out_of_range || bits > max_rsa_bits) {
        throw cli_error(exit_code::data_error, "--bits " + text + ": RSA keys over " +
                                                   std::to_string(max_rsa_bits) +
                                                   " bits are not supported; use 2048");
    }
    return bits;
}

/// Refuses early, before a key is made, what write_private_file would refuse.
void check_out_path(const std::string& path, bool force) {
    if (path.empty() || path == "-") {
        throw usage_error(
            "--out needs a file name: the private key is written to a file, the "
            "DNS record to stdout");
    }
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(path, ec);
    if (ec || !std::filesystem::exists(status)) return;
    if (std::filesystem::is_directory(status)) {
        throw cli_error(exit_code::failure,
                        "cannot write " + in_quotes(path) + ": it is a directory");
    }
    if (!force) {
        throw cli_error(exit_code::failure, "cannot write " + in_quotes(path) +
                                                ": the file exists (give --force to replace it)");
    }
}

std::string record_text(const lettre::dkim::private_key& key, const lettre::dkim::dns_record& r,
                        const std::string& out, std::string_view domain) {
    std::string text =
        "Wrote the private key (" + std::string(lettre::dkim::algorithm_name(key.algorithm()));
    if (key.algorithm() == lettre::dkim::algorithm::rsa_sha256) {
        text += ", " + std::to_string(key.bits()) + " bits";
    }
    text += ") to " + out + ", mode 0600.\n";
    text += "Publish this TXT record in the DNS of " + std::string(domain) + ".\n\n";
    text += "Zone-file line:\n" + r.zone_line() + "\n\n";
    text += "Record name:\n" + r.name + "\n\n";
    text += "Record text:\n" + r.text + "\n";
    return text;
}

int run_keygen(std::span<const std::string_view> args, const cli_streams& io) {
    keygen_options opts;
    for (const parsed_option& opt : parse_arguments(args, keygen_specs)) {
        const std::string_view name = opt.spec->name;
        if (name == "algorithm") {
            opts.algorithm = opt.value;
        } else if (name == "bits") {
            opts.bits = opt.value;
        } else if (name == "domain") {
            opts.domain = opt.value;
        } else if (name == "selector") {
            opts.selector = opt.value;
        } else if (name == "out") {
            opts.out = opt.value;
        } else if (name == "force") {
            opts.force = true;
        }
    }
    if (!opts.algorithm) throw usage_error("missing --algorithm (rsa or ed25519)");
    if (!opts.domain) throw usage_error("missing --domain (the signing domain, d=)");
    if (!opts.selector) throw usage_error("missing --selector (s=)");
    if (!opts.out) throw usage_error("missing --out (the file for the private key)");
    const lettre::dkim::algorithm alg = parse_algorithm(*opts.algorithm);
    if (opts.bits && alg != lettre::dkim::algorithm::rsa_sha256) {
        throw usage_error("--bits applies to RSA keys only; Ed25519 keys have one size");
    }
    const unsigned bits = opts.bits ? parse_bits(*opts.bits) : default_rsa_bits;
    check_out_path(*opts.out, opts.force);

    auto key = lettre::dkim::private_key::try_generate(alg, bits);
    if (!key) {
        if (opts.bits) throw from_library(key.error(), "--bits", *opts.bits);
        throw from_library(key.error());
    }
    // The signer checks the domain and selector as `dkim sign` will.
    if (auto s = lettre::dkim::signer::try_create(*opts.domain, *opts.selector, *key); !s) {
        throw from_library(s.error());
    }
    auto record = lettre::dkim::try_make_dns_record(*key, *opts.selector, *opts.domain);
    if (!record) throw from_library(record.error());
    const std::string pem = key->to_pem();
    if (pem.empty()) throw cli_error(exit_code::failure, "cannot encode the key as PEM");
    const std::string text = record_text(*key, *record, *opts.out, *opts.domain);

    write_private_file(*opts.out, pem, opts.force);
    try {
        write_output("-", text, io.out);
    } catch (...) {
        remove_written_file(*opts.out);
        throw;
    }
    for (const std::string& warning : key->warnings()) {
        io.err << "lettre: warning: " << printable(warning) << '\n';
    }
    return to_int(exit_code::ok);
}

// --- sign -------------------------------------------------------------------

constexpr std::array<option_spec, 11> sign_specs{{
    {"domain", '\0', true, true},
    {"selector", '\0', true, true},
    {"key", '\0', true, true},
    {"identity", '\0', true, true},
    {"canon", '\0', true, false},
    {"headers", '\0', true, false},
    {"time", '\0', true, false},
    {"expire", '\0', true, false},
    {"in", '\0', true, false},
    {"output", 'o', true, false},
    help_spec,
}};

int run_sign(std::span<const std::string_view> args, const cli_streams& io) {
    dkim_options dkim;
    std::string input = "-";
    std::string output = "-";
    for (const parsed_option& opt : parse_arguments(args, sign_specs)) {
        const std::string_view name = opt.spec->name;
        if (name == "in") {
            input = opt.value;
        } else if (name == "output") {
            output = opt.value;
        } else {
            apply_dkim_option(dkim, opt);
        }
    }
    if (!dkim.any()) throw usage_error("missing --domain, --selector and --key");
    const std::vector<lettre::dkim::signer> signers = make_signers(dkim, io.err);

    const std::string message = to_crlf(read_input("--in", input, io.in));
    auto signed_message = lettre::dkim::try_sign_all(signers, message);
    if (!signed_message) {
        if (input == "-") throw from_library(signed_message.error(), "standard input");
        throw from_library(signed_message.error(), "--in", input);
    }
    write_output(output, *signed_message, io.out);
    return to_int(exit_code::ok);
}

}  // namespace

int run_dkim(std::span<const std::string_view> args, const cli_streams& io) {
    if (args.empty()) {
        throw usage_error("missing subcommand: lettre dkim keygen ... or lettre dkim sign ...");
    }
    const std::string_view sub = args.front();
    const auto rest = args.subspan(1);
    if (sub == "-h" || sub == "--help" || wants_help(rest)) {
        io.out << dkim_help();
        return to_int(exit_code::ok);
    }
    if (sub == "keygen") return run_keygen(rest, io);
    if (sub == "sign") return run_sign(rest, io);
    throw usage_error("unknown dkim subcommand " + in_quotes(sub) + " (keygen or sign)");
}

}  // namespace lettre::cli
