#include "dkim_options.hpp"

#include "cli_error.hpp"
#include "io_files.hpp"

#include <lettre/dkim/key.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <ostream>
#include <sstream>
#include <utility>

namespace lettre::cli {
namespace {

constexpr std::array<option_spec, 3> message_specs{{
    {"dkim-domain", '\0', true, true},
    {"dkim-selector", '\0', true, true},
    {"dkim-key", '\0', true, true},
}};

/// t= and x= are at most 12 digits (RFC 6376 §3.5 asks for 40 bits at least).
constexpr std::uint64_t max_timestamp = 999'999'999'999;

std::string option_name(const dkim_options& opts, std::string_view name) {
    return "--" + std::string(opts.prefix) + std::string(name);
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

std::string_view trim_blanks(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::optional<lettre::dkim::canonicalization> canon_word(std::string_view word) {
    const std::string w = lower(trim_blanks(word));
    if (w == "simple") return lettre::dkim::canonicalization::simple;
    if (w == "relaxed") return lettre::dkim::canonicalization::relaxed;
    return std::nullopt;
}

/// `H/B`, or one word for both.
std::pair<lettre::dkim::canonicalization, lettre::dkim::canonicalization> parse_canon(
    const std::string& spelling, const std::string& text) {
    const std::size_t slash = text.find('/');
    const auto header = canon_word(std::string_view(text).substr(0, slash));
    const auto body =
        slash == std::string::npos ? header : canon_word(std::string_view(text).substr(slash + 1));
    if (!header || !body) {
        throw usage_error(spelling +
                          " takes simple or relaxed, or HEADER/BODY such as "
                          "relaxed/simple; got " +
                          in_quotes(text));
    }
    return {*header, *body};
}

std::uint64_t parse_seconds(const std::string& spelling, const std::string& text,
                            std::uint64_t minimum) {
    std::uint64_t value = 0;
    const char* const end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    const bool digits = !text.empty() && text.front() != '-' && text.front() != '+';
    if (!digits || ec != std::errc() || ptr != end || value < minimum || value > max_timestamp) {
        throw usage_error(spelling + " takes a number of seconds from " + std::to_string(minimum) +
                          " to " + std::to_string(max_timestamp) + ", got " + in_quotes(text));
    }
    return value;
}

/// What the library's signer accepts in h= (RFC 5322 ftext without ';'),
/// checked here too so that a bad name is a usage error (64).
bool is_signable_name(std::string_view name) {
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return c >= 33 && c <= 126 && c != ':' && c != ';'; });
}

std::vector<std::string> split_header_names(const std::string& spelling, const std::string& text) {
    std::vector<std::string> names;
    std::string_view rest = text;
    while (true) {
        const std::size_t colon = rest.find(':');
        const std::string_view name = trim_blanks(rest.substr(0, colon));
        if (name.empty()) {
            throw usage_error(spelling +
                              " takes header names separated by ':' (from:to:subject), "
                              "got " +
                              in_quotes(text));
        }
        if (!is_signable_name(name)) {
            throw usage_error(spelling + ": invalid header name " + in_quotes(name) +
                              ": a field name is printable ASCII without spaces, ':' or ';' "
                              "(a ';' would end the h= tag of the signature)");
        }
        names.emplace_back(name);
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return names;
}

/// One value per key, or one for all: the value for key `i`.
const std::string& pick(const std::vector<std::string>& values, std::size_t i) {
    return values.size() == 1 ? values.front() : values[i];
}

void check_counts(const dkim_options& opts) {
    const std::string key = option_name(opts, "key");
    const std::string selector = option_name(opts, "selector");
    const std::string domain = option_name(opts, "domain");
    if (opts.keys.empty()) {
        throw usage_error("missing " + key + " (the private key to sign with)");
    }
    if (opts.selectors.size() != opts.keys.size()) {
        throw usage_error("give one " + selector + " per " + key + " (they pair in order): got " +
                          std::to_string(opts.keys.size()) + " " + key + " and " +
                          std::to_string(opts.selectors.size()) + " " + selector);
    }
    const auto check_shared = [&](const std::vector<std::string>& values, const std::string& name) {
        if (values.size() > 1 && values.size() != opts.keys.size()) {
            throw usage_error("give one " + name + " for all keys, or one per " + key + ": got " +
                              std::to_string(opts.keys.size()) + " " + key + " and " +
                              std::to_string(values.size()) + " " + name);
        }
    };
    if (opts.domains.empty()) throw usage_error("missing " + domain + " (the signing domain, d=)");
    check_shared(opts.domains, domain);
    check_shared(opts.identities, option_name(opts, "identity"));
}

lettre::dkim::private_key load_key(const std::string& spelling, const std::string& path,
                                   std::ostream& err) {
    if (path == "-") {
        throw usage_error(spelling + " needs a file; the key is not read from standard input");
    }
    std::istringstream no_stdin;
    const std::string data = read_input(spelling, path, no_stdin, key_file_limit);
    auto key = lettre::dkim::private_key::try_load(data);
    if (!key) throw from_library(key.error(), spelling, path);
    for (const std::string& warning : key->warnings()) {
        err << "lettre: warning: " << spelling << ' ' << in_quotes(path) << ": "
            << printable(warning) << '\n';
    }
    return std::move(key).value();
}

}  // namespace

std::span<const option_spec> dkim_message_option_specs() noexcept {
    return message_specs;
}

bool is_dkim_message_option(const option_spec& spec) noexcept {
    return std::any_of(message_specs.begin(), message_specs.end(),
                       [&](const option_spec& s) { return s.name == spec.name; });
}

void apply_dkim_option(dkim_options& opts, const parsed_option& opt) {
    std::string_view name = opt.spec->name;
    if (name.starts_with("dkim-")) name.remove_prefix(5);
    if (name == "domain") {
        opts.domains.push_back(opt.value);
    } else if (name == "selector") {
        opts.selectors.push_back(opt.value);
    } else if (name == "key") {
        opts.keys.push_back(opt.value);
    } else if (name == "identity") {
        opts.identities.push_back(opt.value);
    } else if (name == "canon") {
        opts.canon = opt.value;
    } else if (name == "headers") {
        opts.headers = opt.value;
    } else if (name == "time") {
        opts.time = opt.value;
    } else if (name == "expire") {
        opts.expire = opt.value;
    }
}

std::vector<lettre::dkim::signer> make_signers(const dkim_options& opts, std::ostream& err) {
    if (!opts.any()) return {};
    check_counts(opts);

    // Values first (usage errors), then the key files (66/65).
    std::optional<std::pair<lettre::dkim::canonicalization, lettre::dkim::canonicalization>> canon;
    if (opts.canon) canon = parse_canon(option_name(opts, "canon"), *opts.canon);
    std::optional<std::vector<std::string>> headers;
    if (opts.headers) headers = split_header_names(option_name(opts, "headers"), *opts.headers);
    std::optional<std::chrono::sys_seconds> time;
    if (opts.time) {
        const auto t = parse_seconds(option_name(opts, "time"), *opts.time, 0);
        time = std::chrono::sys_seconds(std::chrono::seconds(static_cast<std::int64_t>(t)));
    }
    std::optional<std::chrono::seconds> expire;
    if (opts.expire) {
        const auto x = parse_seconds(option_name(opts, "expire"), *opts.expire, 1);
        expire = std::chrono::seconds(static_cast<std::int64_t>(x));
    }

    const std::string key_option = option_name(opts, "key");
    std::vector<lettre::dkim::private_key> keys;
    keys.reserve(opts.keys.size());
    for (const std::string& path : opts.keys) keys.push_back(load_key(key_option, path, err));

    std::vector<lettre::dkim::signer> signers;
    signers.reserve(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        auto created = lettre::dkim::signer::try_create(pick(opts.domains, i), opts.selectors[i],
                                                        std::move(keys[i]));
        if (!created) throw from_library(created.error());
        lettre::dkim::signer s = std::move(created).value();
        if (canon) s.canonicalization(canon->first, canon->second);
        if (headers) s.headers(*headers);
        if (!opts.identities.empty()) s.identity(pick(opts.identities, i));
        if (time) s.time(*time);
        if (expire) s.expiration(*expire);
        if (s.config_error()) throw from_library(*s.config_error());
        signers.push_back(std::move(s));
    }
    return signers;
}

std::string to_crlf(std::string_view message) {
    std::string out;
    out.reserve(message.size() + message.size() / 32);
    for (std::size_t i = 0; i < message.size(); ++i) {
        const char c = message[i];
        if (c == '\r') {
            out += "\r\n";
            if (i + 1 < message.size() && message[i + 1] == '\n') ++i;
        } else if (c == '\n') {
            out += "\r\n";
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace lettre::cli
