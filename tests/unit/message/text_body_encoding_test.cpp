// Text bodies are encoded once, straight into the output, after the
// encoding is chosen from exact sizes (quoted_printable_size, and base64 of
// the CRLF-normalized text in blocks without a normalized copy). The bytes
// and the choice must stay those of the encoders they replaced, kept below
// as the reference: an append-per-character quoted-printable encoder, and
// "encode quoted-printable, keep it when it is not longer than base64, else
// base64 a normalized copy".
#include "detail/base64.hpp"
#include "message/transfer_encoding.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

namespace {

using lettre::detail::transfer_encoding;

void reference_qp(std::string& out, std::string_view text) {
    constexpr char hex[] = "0123456789ABCDEF";
    const std::size_t n = text.size();
    std::size_t col = 0;
    auto put = [&](const char* s, std::size_t len) {
        if (col + len > 75) {
            out += "=\r\n";
            col = 0;
        }
        out.append(s, len);
        col += len;
    };
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
            out += "\r\n";
            col = 0;
            continue;
        }
        const bool at_line_end = i + 1 == n || text[i + 1] == '\r' || text[i + 1] == '\n';
        const bool literal =
            (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
        if (literal) {
            if (at_line_end && col + 1 == 76) {
                out += static_cast<char>(c);
                col = 76;
                continue;
            }
            const char ch = static_cast<char>(c);
            put(&ch, 1);
        } else {
            const char esc[3] = {'=', hex[c >> 4], hex[c & 15]};
            if (at_line_end && col + 3 == 76) {
                out.append(esc, 3);
                col = 76;
                continue;
            }
            put(esc, 3);
        }
    }
}

/// The old choice between quoted-printable and base64 for non-7bit text.
transfer_encoding reference_text_body(std::string& out, std::string_view text) {
    std::string normalized;
    lettre::detail::append_crlf_normalized(normalized, text);
    if (lettre::detail::is_seven_bit(normalized)) {
        out += normalized;
        return transfer_encoding::seven_bit;
    }
    std::string qp;
    reference_qp(qp, text);
    if (qp.size() <= lettre::detail::base64_mime_size(normalized.size())) {
        out += qp;
        return transfer_encoding::quoted_printable;
    }
    lettre::detail::append_base64_mime(out, normalized);
    return transfer_encoding::base64;
}

/// Random text from an alphabet rich in the cases that matter: line breaks
/// of every kind, '=', spaces and tabs (before a break too), 8-bit octets,
/// long lines.
std::string random_text(std::mt19937& rng, std::size_t n, int high_percent) {
    static constexpr char plain[] = "abcdefghij KLMNOP=\t.";
    std::string s;
    s.reserve(n);
    while (s.size() < n) {
        const auto r = static_cast<unsigned>(rng() % 100);
        if (r < 4)
            s += "\n";
        else if (r < 5)
            s += "\r\n";
        else if (r < 6)
            s += "\r";
        else if (r < 6 + static_cast<unsigned>(high_percent))
            s += static_cast<char>(0x80 + rng() % 0x80);
        else
            s += plain[rng() % (sizeof plain - 1)];
        if (rng() % 500 == 0) s += std::string(rng() % 200, 'x');  // a long line
    }
    return s;
}

TEST(TextBodyEncoding, QuotedPrintableMatchesTheReference) {
    std::mt19937 rng(42);
    for (int round = 0; round < 400; ++round) {
        const std::string text = random_text(rng, rng() % 600, round % 20);
        std::string want, got = "x";
        reference_qp(want, text);
        lettre::detail::append_quoted_printable(got, text);
        ASSERT_EQ(got, "x" + want) << "round " << round;
        ASSERT_EQ(lettre::detail::quoted_printable_size(text), want.size()) << "round " << round;
    }
}

TEST(TextBodyEncoding, ChoiceAndBytesMatchTheReference) {
    std::mt19937 rng(7);
    int seen[4] = {0, 0, 0, 0};
    for (int round = 0; round < 600; ++round) {
        // Lengths around the 57 * 32-octet blocks the base64 path normalizes
        // in, so that a CRLF straddles a block's end now and then.
        const std::size_t n = round % 3 == 0 ? 57 * 32 - 3 + rng() % 8 : rng() % 5000;
        const std::string text = random_text(rng, n, round % 60);
        std::string want, got;
        const transfer_encoding want_enc = reference_text_body(want, text);
        const transfer_encoding got_enc = lettre::detail::append_text_body(got, text);
        ASSERT_EQ(got_enc, want_enc) << "round " << round;
        ASSERT_EQ(got, want) << "round " << round;
        ++seen[static_cast<int>(got_enc)];
    }
    // The random texts reach all three text encodings.
    EXPECT_GT(seen[static_cast<int>(transfer_encoding::seven_bit)], 0);
    EXPECT_GT(seen[static_cast<int>(transfer_encoding::quoted_printable)], 0);
    EXPECT_GT(seen[static_cast<int>(transfer_encoding::base64)], 0);
}

TEST(TextBodyEncoding, Base64OfTextWithCrlfAtEveryBlockEdge) {
    // All line breaks, of each kind, around the first block boundaries.
    for (const char* brk : {"\n", "\r", "\r\n"}) {
        for (std::size_t at = 57 * 32 - 3; at <= 57 * 32 + 2; ++at) {
            std::string text(at, '\xE4');  // 8-bit, QP three times as long
            text += brk;
            text += std::string(200, '\xE9');
            std::string want, got;
            ASSERT_EQ(reference_text_body(want, text), transfer_encoding::base64);
            lettre::detail::append_text_body(got, text);
            ASSERT_EQ(got, want) << "break "
                                 << (brk[0] == '\n' ? "LF"
                                     : brk[1]       ? "CRLF"
                                                    : "CR")
                                 << " at " << at;
        }
    }
}

}  // namespace
