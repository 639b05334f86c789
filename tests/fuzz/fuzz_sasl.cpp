// libFuzzer target: what an SMTP server says during AUTH, to the SASL client
// (src/smtp/protocol/sasl): SCRAM-SHA-256 server-first and server-final,
// XOAUTH2/OAUTHBEARER error challenges, LOGIN prompts, CRAM-MD5 challenges,
// and a challenge after PLAIN.
//
// The first byte picks the mechanism (SCRAM with the RFC 7677 client nonce,
// user "user", password "pencil", so a seed can reach a verified exchange)
// and whether each challenge is sent as given (often not base64) or base64-
// encoded here first (to reach the mechanism's own parser). The rest is
// split at LF into challenges, answered in order until one is refused.
//   - no crash, leak or undefined behaviour;
//   - every response is base64 (empty allowed); an error carries a message;
//   - PLAIN never answers a challenge; LOGIN answers at most two (user then
//     password); CRAM-MD5 answers one, "user " and 32 hex digits;
//     XOAUTH2/OAUTHBEARER answer one error challenge, then refuse;
//   - SCRAM: finish() succeeds only after two answered challenges, the last
//     holding a v= attribute; a server-first is only answered when it starts
//     with r=<the client nonce> (or an extension before it) and holds s=, i=.
// SCRAM challenges with an iteration count over 4096 (the least the client
// takes) are skipped: PBKDF2
// at the client's cap (10 million) takes seconds, which would only measure
// OpenSSL.
#include "fuzz_common.hpp"

#include "detail/base64.hpp"
#include "smtp/protocol/sasl.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace smtp = lettre::smtp;

constexpr std::string_view nonce = "rOprNGfwEbeRWgbNEkqO";

bool base64_or_empty(std::string_view s) {
    if (s.size() % 4 != 0) return false;
    for (const char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '='))
            return false;
    return true;
}

std::vector<std::string_view> split_lines(std::string_view s) {
    std::vector<std::string_view> out;
    while (true) {
        const auto lf = s.find('\n');
        out.push_back(s.substr(0, lf));
        if (lf == std::string_view::npos) return out;
        s.remove_prefix(lf + 1);
    }
}

/// True when a SCRAM challenge asks for more than `limit` iterations.
bool expensive(std::string_view challenge, unsigned long limit) {
    for (auto at = challenge.find("i="); at != std::string_view::npos;
         at = challenge.find("i=", at + 1)) {
        unsigned long n = 0;
        for (std::size_t k = at + 2;
             k < challenge.size() && challenge[k] >= '0' && challenge[k] <= '9' && n <= limit; ++k)
            n = n * 10 + static_cast<unsigned long>(challenge[k] - '0');
        if (n > limit) return true;
    }
    return false;
}

smtp::credentials credentials_for(smtp::mechanism m) {
    if (m == smtp::mechanism::xoauth2 || m == smtp::mechanism::oauthbearer)
        return smtp::credentials::oauth2("user@example.com", "token");
    return smtp::credentials::password("user", "pencil");
}

void check_response(smtp::mechanism m, std::size_t answered, std::string_view response,
                    std::string_view input) {
    if (!base64_or_empty(response)) fuzz::fail("response is not base64", input, response);
    switch (m) {
        case smtp::mechanism::plain: fuzz::fail("PLAIN answered a challenge", input);
        case smtp::mechanism::login:
            if (answered > 2) fuzz::fail("LOGIN answered a third prompt", input);
            break;
        case smtp::mechanism::cram_md5: {
            std::string decoded;
            lettre::detail::decode_base64(response, decoded);
            if (answered > 1 || decoded.size() != 5 + 32 || !decoded.starts_with("user "))
                fuzz::fail("CRAM-MD5 response is not 'user <32 hex>' once", input, decoded);
            break;
        }
        case smtp::mechanism::xoauth2:
        case smtp::mechanism::oauthbearer:
            if (answered > 1) fuzz::fail("OAuth answered a second error challenge", input);
            break;
        case smtp::mechanism::scram_sha_256: break;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto mode = static_cast<unsigned char>(input[0]);
    constexpr smtp::mechanism mechanisms[] = {
        smtp::mechanism::scram_sha_256, smtp::mechanism::oauthbearer, smtp::mechanism::xoauth2,
        smtp::mechanism::plain,         smtp::mechanism::login,       smtp::mechanism::cram_md5};
    const smtp::mechanism m = mechanisms[mode % 6];
    const bool encode = (mode & 0x80) != 0;

    smtp::sasl_client c(m, credentials_for(m), "mx.example", 587, std::string(nonce));
    if (const auto ir = c.initial_response(); ir && !base64_or_empty(*ir))
        fuzz::fail("initial response is not base64", input, *ir);

    std::size_t answered = 0;
    bool last_had_v = false;
    for (const std::string_view line : split_lines(input.substr(1))) {
        std::string challenge;
        if (encode)
            lettre::detail::append_base64(challenge, line);
        else
            challenge = line;
        std::string decoded;
        const bool is_b64 = lettre::detail::decode_base64(challenge, decoded);
        if (m == smtp::mechanism::scram_sha_256 && is_b64 && expensive(decoded, 4096)) return 0;
        const auto r = c.respond(challenge);
        if (!r) {
            if (r.error().message.empty()) fuzz::fail("error without a message", input);
            break;
        }
        ++answered;
        check_response(m, answered, *r, input);
        if (m == smtp::mechanism::scram_sha_256 && answered == 1) {
            const bool first_ok = decoded.starts_with(std::string("r=") + std::string(nonce)) ||
                                  decoded.find(",r=" + std::string(nonce)) != std::string::npos;
            if (!first_ok) fuzz::fail("SCRAM answered a server-first without our nonce", input);
        }
        last_had_v = decoded.find("v=") != std::string::npos;
    }
    const auto fin = c.finish();
    if (m == smtp::mechanism::scram_sha_256 && fin && (answered < 2 || !last_had_v))
        fuzz::fail("SCRAM finished without a verified server-final", input);
    return 0;
}
