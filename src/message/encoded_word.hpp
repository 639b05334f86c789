// RFC 2047 encoded-words: encoding of header text and decoding for tests,
// tools and round trips. Internal.
#pragma once

#include <lettre/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lettre::detail {

/// Longest encoded-word (RFC 2047 §2).
inline constexpr std::size_t max_encoded_word = 75;

/// Splits UTF-8 text into encoded-words `=?utf-8?b|q?...?=`, each at most
/// 75 characters (the first at most `first_max`), choosing per word whichever
/// of B and Q is shorter and never splitting a UTF-8 sequence. Q uses only
/// the characters RFC 2047 §5(3) allows in a phrase, so the words are valid
/// in text, comments and phrases alike.
std::vector<std::string> encode_words(std::string_view utf8,
                                      std::size_t first_max = max_encoded_word);

/// A piece of a header value and the white space that precedes it; a folder
/// may put CRLF before that white space.
struct header_token {
    std::string ws;
    std::string text;
    bool encoded = false;  ///< an encoded-word: its line is limited to 76
    bool soft = false;     ///< with empty ws: may fold here (CRLF SP), else glued
};

/// Tokens of an unstructured value (Subject, custom headers): ASCII words
/// stay literal; runs of words that need encoding (non-ASCII, controls,
/// `=?`, or longer than `long_word`) become encoded-words, the white space
/// between them inside the encoded text. `used` is how much of the first
/// line the header name takes. Leading and trailing white space is dropped.
std::vector<header_token> unstructured_tokens(std::string_view utf8, std::size_t used,
                                              std::size_t long_word);

/// True when `text` cannot go on the wire as is in an unstructured header.
bool needs_encoding(std::string_view text) noexcept;

/// Decodes encoded-words in an unstructured value (RFC 2047 §6): folding
/// removed, white space between adjacent encoded-words dropped, `_` in Q is
/// a space, charsets converted to UTF-8 with iconv, RFC 2231 language suffix
/// ignored. A malformed word is kept literally, as §6.3 asks.
result<std::string> decode_unstructured(std::string_view value);

}  // namespace lettre::detail
