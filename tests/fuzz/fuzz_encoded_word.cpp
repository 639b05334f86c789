// libFuzzer target: RFC 2047 encoding and decoding of unstructured header
// values (lettre::detail::unstructured_tokens / decode_unstructured).
//
// 1. decode_unstructured() takes any bytes (the input as is) without
//    crashing, leaking or invoking undefined behaviour.
//
// 2. Round trip. For input T that is valid UTF-8 without CR, LF or NUL, and
//    any `used` (columns taken by the header name) and `long_word` (longest
//    ASCII word kept literal), both derived from a hash of T:
//
//      tokens = unstructured_tokens(T, used, long_word)
//      W      = concat(tok.ws + tok.text)                  -- unfolded wire form
//      F      = W with CRLF inserted before every tok.ws   -- folded wire form
//
//      decode_unstructured(W) == decode_unstructured(F) == strip(T)
//
//    where strip(T) removes leading and trailing SP/HTAB only. That is the
//    exact invariant: unstructured_tokens drops leading and trailing white
//    space by design (a header value's leading white space is not content
//    after unfolding, and trailing white space is invisible and often
//    stripped in transit), while every interior run of SP/HTAB is kept
//    byte for byte: between literal words it stays literal, and between
//    words that need encoding it goes inside the encoded text (RFC 2047 6.2
//    makes decoders drop white space between adjacent encoded-words).
//
// 3. Wire form rules (RFC 5322 2.2 and 3.2.5 `unstructured`, RFC 2047 2, 5):
//    every token is a non-empty run of VCHAR; every token but the first is
//    preceded by at least one SP/HTAB (so CRLF can be put before it, and
//    encoded-words are separated from neighbours by white space); the first
//    has none; encoded-words are `=?utf-8?{b,q}?...?=` of at most 75
//    characters; literal words never contain `=?` and are at most
//    `long_word` long.
#include "fuzz_common.hpp"

#include "message/encoded_word.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

constexpr std::size_t long_words[] = {0, 1, 5, 20, 40, 63, 64, 76, 78, 200, 998};

std::string strip_wsp(std::string_view s) {
    while (!s.empty() && fuzz::is_wsp(s.front())) s.remove_prefix(1);
    while (!s.empty() && fuzz::is_wsp(s.back())) s.remove_suffix(1);
    return std::string(s);
}

void round_trip(std::string_view text) {
    const std::uint32_t h = fuzz::fnv1a(text);
    const std::size_t used = h % 100;
    const std::size_t long_word = long_words[(h >> 8) % std::size(long_words)];
    const auto tokens = lettre::detail::unstructured_tokens(text, used, long_word);

    std::string wire, folded;
    for (std::size_t k = 0; k < tokens.size(); ++k) {
        const auto& t = tokens[k];
        const std::string ctx = "token " + std::to_string(k) + " ws=" + fuzz::escape(t.ws) +
                                " text=" + fuzz::escape(t.text) + " used=" + std::to_string(used) +
                                " long_word=" + std::to_string(long_word);
        if (t.text.empty()) fuzz::fail("empty token", text, ctx);
        for (const char c : t.text)
            if (c < 0x21 || c > 0x7e) fuzz::fail("token holds a byte that is not VCHAR", text, ctx);
        for (const char c : t.ws)
            if (!fuzz::is_wsp(c)) fuzz::fail("token white space is not SP/HTAB", text, ctx);
        if (k == 0 && !t.ws.empty()) fuzz::fail("first token has leading white space", text, ctx);
        if (k > 0 && t.ws.empty())
            fuzz::fail("token not separated from the previous one by white space", text, ctx);
        if (t.encoded) {
            if (t.text.size() > 75) fuzz::fail("encoded-word longer than 75 characters", text, ctx);
            if (!(t.text.starts_with("=?utf-8?b?") || t.text.starts_with("=?utf-8?q?")) ||
                !t.text.ends_with("?="))
                fuzz::fail("malformed encoded-word", text, ctx);
        } else {
            if (t.text.find("=?") != std::string::npos)
                fuzz::fail("literal word holds =? (would read as an encoded-word)", text, ctx);
            if (t.text.size() > long_word)
                fuzz::fail("literal word longer than long_word", text, ctx);
        }
        wire += t.ws;
        wire += t.text;
        if (k > 0) folded += "\r\n";
        folded += t.ws;
        folded += t.text;
    }

    const std::string want = strip_wsp(text);
    for (const std::string* form : {&wire, &folded}) {
        const auto got = lettre::detail::decode_unstructured(*form);
        if (!got)
            fuzz::fail("decode_unstructured failed on lettre's own output", text,
                       "wire=" + fuzz::escape(*form) + " error=" + got.error().message);
        if (*got != want)
            fuzz::fail("round trip changed the text", text,
                       "wire=" + fuzz::escape(*form) + " decoded=" + fuzz::escape(*got) +
                           " expected=" + fuzz::escape(want) + " used=" + std::to_string(used) +
                           " long_word=" + std::to_string(long_word));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);

    // 1. Any bytes: must not crash (the result itself is not checked).
    (void)lettre::detail::decode_unstructured(in);

    // 2 and 3. Valid UTF-8 without CR, LF, NUL: exact round trip.
    if (in.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos &&
        fuzz::valid_utf8(in))
        round_trip(in);
    return 0;
}
