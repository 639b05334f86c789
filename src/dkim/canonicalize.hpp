// RFC 6376 §3.4 canonicalization. Internal; the body canonicalizer streams
// into a sink so that the body is never copied: runs of input that need no
// change are passed to the sink straight from the input.
#pragma once

#include <lettre/dkim/signer.hpp>

#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace lettre::dkim::detail {

/// First CR or LF in [p, end), or `end` (vectorized where possible).
const char* find_line_break(const char* p, const char* end) noexcept;

/// Appends the canonical form of one header field (`text` is the whole
/// field with folds and final CRLF) to `out`, ending CRLF.
void canonicalize_header(canonicalization c, std::string_view text, std::string& out);

/// Body canonicalization (RFC 6376 §3.4.3 simple, §3.4.4 relaxed) fed in
/// chunks of any size, cut anywhere (inside a CRLF or a WSP run too). Line
/// breaks are CRLF, LF or CR (each becomes CRLF, as SMTP sends it). The
/// output goes to `sink` in pieces: spans of the input itself wherever the
/// canonical form equals it (most lines), short literals elsewhere. Empty
/// lines are held back until a non-empty line follows, so that trailing
/// ones are dropped.
class body_canonicalizer {
public:
    using sink_fn = void (*)(void* context, const char* data, std::size_t size);

    body_canonicalizer(canonicalization c, sink_fn sink, void* context) noexcept
        : sink_(sink), context_(context), relaxed_(c == canonicalization::relaxed) {}

    void update(std::string_view chunk);
    /// Ends the body (adds the CRLF of an unterminated last line, the CRLF of
    /// an empty simple body). Call once, after the last update().
    void finish();

private:
    void emit(const char* p, std::size_t n) {
        if (n != 0) sink_(context_, p, n);
    }
    void emit_held();
    void update_simple(const char* p, const char* end);
    void update_relaxed(const char* p, const char* end);

    sink_fn sink_;
    void* context_;
    std::size_t held_ = 0;   ///< CRLFs of empty lines not yet emitted
    bool relaxed_;           ///< else simple
    bool content_ = false;   ///< the current line has content (relaxed: non-WSP)
    bool wsp_ = false;       ///< relaxed: a WSP run cut by the end of a chunk waits
    bool after_cr_ = false;  ///< the last chunk ended with a CR: an LF next is its pair
    bool any_ = false;       ///< a non-empty line was emitted
};

/// Feeds the canonical body to `sink` in pieces.
void canonicalize_body(canonicalization c, std::string_view body,
                       const std::function<void(std::string_view)>& sink);

/// The canonical body as one string (tests, small bodies).
std::string canonical_body(canonicalization c, std::string_view body);

/// SHA-256 of the canonical body (the bh= value before base64); false when
/// OpenSSL fails (out of memory).
bool body_sha256(canonicalization c, std::string_view body, std::array<unsigned char, 32>& digest);

}  // namespace lettre::dkim::detail
