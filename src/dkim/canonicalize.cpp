#include "dkim/canonicalize.hpp"

#include "dkim/key_impl.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <memory>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace lettre::dkim::detail {
namespace {

constexpr bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t';
}
constexpr bool is_break(char c) noexcept {
    return c == '\r' || c == '\n';
}

constexpr char crlfs[] =
    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
    "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";

// The scanners skip bytes that need no decision: 32 or 16 at a time with
// SSE2 (every x86-64 has it), a byte loop elsewhere and for the tail.
#if defined(__SSE2__)
inline unsigned mask16(__m128i m) noexcept {
    return static_cast<unsigned>(_mm_movemask_epi8(m));
}
#endif

/// First byte at or after `p` that is a control character or SP (so also
/// WSP, CR and LF: what relaxed canonicalization looks at), or `end`.
const char* find_space_or_control(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
    // A byte is plain when max(byte, 0x21) == byte (unsigned: UTF-8 too).
    const __m128i k = _mm_set1_epi8(0x21);
    while (end - p >= 32) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
        const __m128i pa = _mm_cmpeq_epi8(_mm_max_epu8(a, k), a);
        const __m128i pb = _mm_cmpeq_epi8(_mm_max_epu8(b, k), b);
        if (mask16(_mm_and_si128(pa, pb)) != 0xFFFF) {
            const unsigned ma = ~mask16(pa) & 0xFFFF;
            if (ma != 0) return p + __builtin_ctz(ma);
            return p + 16 + __builtin_ctz(~mask16(pb) & 0xFFFF);
        }
        p += 32;
    }
    if (end - p >= 16) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const unsigned ma = ~mask16(_mm_cmpeq_epi8(_mm_max_epu8(a, k), a)) & 0xFFFF;
        if (ma != 0) return p + __builtin_ctz(ma);
        p += 16;
    }
#endif
    while (p<end&& static_cast<unsigned char>(*p)> 0x20) ++p;
    return p;
}

// Lines of the same length (base64 and most encoded parts: 76 characters
// and CRLF) are skipped whole: after a line of n bytes, the next n bytes are
// checked at once (a loop of fixed length the branch predictor learns) and
// must be followed by CRLF. Saves the mispredicted exit of the scan on
// every line.
constexpr std::size_t min_repeat = 16;

/// True when the n >= min_repeat bytes at `p` are all above SP (relaxed
/// keeps such a line as it is).
bool all_plain(const char* p, std::size_t n) noexcept {
#if defined(__SSE2__)
    const __m128i k = _mm_set1_epi8(0x21);
    __m128i acc = _mm_set1_epi8(-1);
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        acc = _mm_and_si128(acc, _mm_cmpeq_epi8(_mm_max_epu8(v, k), v));
    }
    if (i < n) {  // the last 16 bytes, overlapping
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16));
        acc = _mm_and_si128(acc, _mm_cmpeq_epi8(_mm_max_epu8(v, k), v));
    }
    return mask16(acc) == 0xFFFF;
#else
    for (std::size_t i = 0; i < n; ++i)
        if (static_cast<unsigned char>(p[i]) <= 0x20) return false;
    return true;
#endif
}

/// True when the n >= min_repeat bytes at `p` hold no CR or LF.
bool no_break(const char* p, std::size_t n) noexcept {
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i lf = _mm_set1_epi8('\n');
    __m128i acc = _mm_setzero_si128();
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        acc = _mm_or_si128(acc, _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
    }
    if (i < n) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16));
        acc = _mm_or_si128(acc, _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
    }
    return mask16(acc) == 0;
#else
    for (std::size_t i = 0; i < n; ++i)
        if (is_break(p[i])) return false;
    return true;
#endif
}

/// Past the lines at `p` that are, like the one before, `n` bytes long
/// and end CRLF, and pass `check`.
template <bool (*check)(const char*, std::size_t) noexcept>
const char* skip_repeated_lines(const char* p, const char* end, std::size_t n) noexcept {
    if (n < min_repeat) return p;
    while (static_cast<std::size_t>(end - p) >= n + 2 && p[n] == '\r' && p[n + 1] == '\n' &&
           check(p, n))
        p += n + 2;
    return p;
}

/// Relaxed, inside a line with content: the first byte at or after `p`
/// that needs a decision, skipping plain bytes and single SPs between two
/// plain bytes (the spaces of running text, which stay as they are).
/// p[-1] must be content (not WSP, CR or LF).
const char* skip_content(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
    const __m128i k = _mm_set1_epi8(0x21);
    const __m128i sp = _mm_set1_epi8(' ');
    while (end - p >= 17) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const unsigned special = ~mask16(_mm_cmpeq_epi8(_mm_max_epu8(a, k), a)) & 0xFFFF;
        if (special != 0) {
            // Bit i: p[i + 1] is SP or a control character.
            const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
            const unsigned next = ~mask16(_mm_cmpeq_epi8(_mm_max_epu8(b, k), b)) & 0xFFFF;
            // A SP with plain bytes on both sides (p[-1] is content: bit 0
            // has no left neighbour to check; a SP at bit 15 that passes
            // leaves a plain p[16] for the next round).
            const unsigned lone_sp =
                mask16(_mm_cmpeq_epi8(a, sp)) & ~next & ~(special << 1) & 0xFFFF;
            if (const unsigned stop = special & ~lone_sp; stop != 0) return p + __builtin_ctz(stop);
        }
        p += 16;
    }
#endif
    return find_space_or_control(p, end);
}
}  // namespace

const char* find_line_break(const char* p, const char* end) noexcept {
#if defined(__SSE2__)
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i lf = _mm_set1_epi8('\n');
    while (end - p >= 32) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
        const __m128i ba = _mm_or_si128(_mm_cmpeq_epi8(a, cr), _mm_cmpeq_epi8(a, lf));
        const __m128i bb = _mm_or_si128(_mm_cmpeq_epi8(b, cr), _mm_cmpeq_epi8(b, lf));
        if (mask16(_mm_or_si128(ba, bb)) != 0) {
            const unsigned ma = mask16(ba);
            if (ma != 0) return p + __builtin_ctz(ma);
            return p + 16 + __builtin_ctz(mask16(bb));
        }
        p += 32;
    }
    if (end - p >= 16) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const unsigned ma = mask16(_mm_or_si128(_mm_cmpeq_epi8(a, cr), _mm_cmpeq_epi8(a, lf)));
        if (ma != 0) return p + __builtin_ctz(ma);
        p += 16;
    }
#endif
    while (p < end && !is_break(*p)) ++p;
    return p;
}

namespace {

/// Feeds SHA-256; pieces shorter than `small` are gathered first, since
/// each EVP_DigestUpdate call has a fixed cost.
class sha256_sink {
public:
    explicit sha256_sink(EVP_MD_CTX* ctx) noexcept : ctx_(ctx) {}
    static void put(void* self, const char* p, std::size_t n) {
        auto& s = *static_cast<sha256_sink*>(self);
        if (n < small) {
            if (s.used_ + n > sizeof s.buf_) s.flush();
            std::memcpy(s.buf_ + s.used_, p, n);
            s.used_ += n;
        } else {
            s.flush();
            EVP_DigestUpdate(s.ctx_, p, n);
        }
    }
    void flush() {
        if (used_ != 0) EVP_DigestUpdate(ctx_, buf_, used_);
        used_ = 0;
    }

private:
    static constexpr std::size_t small = 256;
    EVP_MD_CTX* ctx_;
    std::size_t used_ = 0;
    char buf_[4096];
};

}  // namespace

void canonicalize_header(canonicalization c, std::string_view text, std::string& out) {
    if (c == canonicalization::simple) {
        out += text;
        return;
    }
    const std::size_t colon = text.find(':');
    std::string_view name = text.substr(0, colon);
    while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
    std::size_t o = out.size();
    // At most: the name, ':', the value, CRLF.
    out.resize(o + text.size() + 3);
    char* d = out.data();
    for (char ch : name) d[o++] = (ch >= 'A' && ch <= 'Z') ? static_cast<char>(ch + 32) : ch;
    d[o++] = ':';
    // Unfold, reduce WSP runs to one SP, drop WSP at both ends of the value.
    const std::size_t start = o;
    bool pending_space = false;
    for (std::size_t i = colon + 1; i < text.size(); ++i) {
        const char ch = text[i];
        if (is_break(ch)) continue;
        if (is_wsp(ch)) {
            pending_space = true;
            continue;
        }
        if (pending_space && o > start) d[o++] = ' ';
        pending_space = false;
        d[o++] = ch;
    }
    d[o++] = '\r';
    d[o++] = '\n';
    out.resize(o);
}

void body_canonicalizer::emit_held() {
    while (held_ != 0) {
        const std::size_t n = std::min<std::size_t>(held_, (sizeof crlfs - 1) / 2);
        emit(crlfs, 2 * n);
        held_ -= n;
    }
}

void body_canonicalizer::update(std::string_view chunk) {
    if (chunk.empty()) return;
    const char* p = chunk.data();
    const char* const end = p + chunk.size();
    if (after_cr_) {  // the previous chunk ended with a CR, already a line break
        after_cr_ = false;
        if (*p == '\n' && ++p == end) return;
    }
    if (relaxed_)
        update_relaxed(p, end);
    else
        update_simple(p, end);
}

// Invariant of both loops: [run, p) is input to emit as is, after everything
// emitted so far; anything else to emit (held CRLFs, a SP for a WSP run, a
// CRLF for a bare CR or LF) first flushes it.

void body_canonicalizer::update_simple(const char* p, const char* const end) {
    const char* run = p;
    const char* line = p;  // where the current line started (or this chunk)
    while (p < end) {
        if (!content_) {
            if (is_break(*p)) {  // an empty line: held back
                emit(run, static_cast<std::size_t>(p - run));
                ++held_;
                if (*p == '\r' && p + 1 == end) after_cr_ = true;
                p += (*p == '\r' && p + 1 < end && p[1] == '\n') ? 2 : 1;
                run = line = p;
                continue;
            }
            if (held_ != 0) {
                emit(run, static_cast<std::size_t>(p - run));
                emit_held();
                run = p;
            }
            content_ = true;
            any_ = true;
        }
        p = find_line_break(p, end);
        if (p == end) break;
        content_ = false;
        if (*p == '\r' && p + 1 < end && p[1] == '\n') {
            // CRLF: stays in the run, and so do the lines of the same length.
            const auto n = static_cast<std::size_t>(p - line);
            p = line = skip_repeated_lines<no_break>(p + 2, end, n);
            continue;
        }
        // A bare CR or LF (or a CR at the end of the chunk) becomes CRLF.
        emit(run, static_cast<std::size_t>(p - run));
        emit(crlfs, 2);
        if (*p == '\r' && p + 1 == end) after_cr_ = true;
        run = line = ++p;
    }
    emit(run, static_cast<std::size_t>(end - run));
}

void body_canonicalizer::update_relaxed(const char* p, const char* const end) {
    const char* run = p;
    const char* line = p;  // where the current line started (or this chunk)
    while (p < end) {
        const char c = *p;
        if (is_wsp(c)) {
            const char* const q = p;
            const char* r = p + 1;
            while (r < end && is_wsp(*r)) ++r;
            if (r == end) {  // the run may go on in the next chunk
                emit(run, static_cast<std::size_t>(q - run));
                run = end;
                wsp_ = true;
                break;
            }
            p = r;
            if (is_break(*r)) {  // WSP at the end of a line: dropped
                emit(run, static_cast<std::size_t>(q - run));
                run = r;
                wsp_ = false;
                continue;
            }
            // WSP then content: one SP. A single SP is that SP already.
            const bool single_sp = !wsp_ && r - q == 1 && c == ' ';
            wsp_ = false;
            if (single_sp && (content_ || held_ == 0)) {
                content_ = true;
                any_ = true;
                continue;
            }
            emit(run, static_cast<std::size_t>(q - run));
            if (!content_) {
                emit_held();
                content_ = true;
                any_ = true;
            }
            if (single_sp) {
                run = q;
            } else {
                emit(" ", 1);
                run = r;
            }
            continue;
        }
        if (is_break(c)) {
            wsp_ = false;  // WSP cut by the chunk end, then the break: dropped
            const bool crlf = c == '\r' && p + 1 < end && p[1] == '\n';
            if (c == '\r' && p + 1 == end) after_cr_ = true;
            if (!content_) {  // an empty line: held back
                emit(run, static_cast<std::size_t>(p - run));
                ++held_;
                p += crlf ? 2 : 1;
                run = line = p;
            } else if (crlf) {
                // Stays in the run, and so do the lines of the same length
                // without WSP.
                const auto n = static_cast<std::size_t>(p - line);
                p = line = skip_repeated_lines<all_plain>(p + 2, end, n);
            } else {
                emit(run, static_cast<std::size_t>(p - run));
                emit(crlfs, 2);
                run = line = ++p;
            }
            content_ = false;
            continue;
        }
        // Content (any other byte, control characters included).
        if (!content_ || wsp_) {
            if (held_ != 0 || wsp_) {
                emit(run, static_cast<std::size_t>(p - run));
                if (!content_) emit_held();
                if (wsp_) emit(" ", 1);
                run = p;
                wsp_ = false;
            }
            content_ = true;
            any_ = true;
        }
        p = skip_content(p + 1, end);
    }
    emit(run, static_cast<std::size_t>(end - run));
}

void body_canonicalizer::finish() {
    // relaxed: a WSP run waiting at the end of the body is trailing: dropped.
    if (content_) emit(crlfs, 2);  // the last line had no line break
    // simple: an empty body (or one of empty lines only) is one CRLF
    // (RFC 6376 §3.4.3); relaxed: nothing (§3.4.4).
    if (!any_ && !relaxed_) emit(crlfs, 2);
    held_ = 0;
    content_ = wsp_ = after_cr_ = false;
}

void canonicalize_body(canonicalization c, std::string_view body,
                       const std::function<void(std::string_view)>& sink) {
    body_canonicalizer canon(
        c,
        [](void* ctx, const char* p, std::size_t n) {
            (*static_cast<const std::function<void(std::string_view)>*>(ctx))(
                std::string_view(p, n));
        },
        const_cast<std::function<void(std::string_view)>*>(&sink));
    canon.update(body);
    canon.finish();
}

std::string canonical_body(canonicalization c, std::string_view body) {
    std::string out;
    out.reserve(body.size() + 2);
    body_canonicalizer canon(
        c,
        [](void* ctx, const char* p, std::size_t n) {
            static_cast<std::string*>(ctx)->append(p, n);
        },
        &out);
    canon.update(body);
    canon.finish();
    return out;
}

bool body_sha256(canonicalization c, std::string_view body, std::array<unsigned char, 32>& digest) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), key_access::impl::sha256(), nullptr) != 1)
        return false;
    sha256_sink sink(ctx.get());
    body_canonicalizer canon(c, &sha256_sink::put, &sink);
    canon.update(body);
    canon.finish();
    sink.flush();
    unsigned int len = 0;
    return EVP_DigestFinal_ex(ctx.get(), digest.data(), &len) == 1 && len == digest.size();
}

}  // namespace lettre::dkim::detail
