// The floor under compose + format of one corpus message, measured in the
// same run as lettre's compose + format of it, and the ratio of the two.
//
//   lettre_compose_floor [small|typical] [seconds]     (default typical, 2 s)
//
// The floor is the work no composer can avoid: the base64 of the attachment
// (the faster of OpenSSL's EVP_EncodeBlock in one call, without line breaks,
// and lettre's own MIME encoder; the output says which), quoted-printable of
// the text parts (a plain table-driven encoder below, into a pre-sized
// buffer) and one copy of as many bytes as the formatted message has. Every
// floor step writes into buffers allocated and touched before timing, so
// the floor has no allocation and no page fault; lettre's figure is the
// whole compose + format of bench/corpus.cpp, as lettre_compose_rate times
// it.
//
// Times are CPU time of this thread (CLOCK_THREAD_CPUTIME_ID), per message,
// the median over batches of about 5 ms (the minimum is printed too), so a
// loaded machine disturbs them less than wall clock; they are still not
// results on a loaded machine. The run also counts, for lettre, allocations
// (a counting global operator new) and minor page faults (getrusage) per
// message. Output: a few lines of text, then one JSON line.
//
// lettre is measured twice: with glibc's malloc as it comes, then with the
// heap kept (mallopt M_TRIM_THRESHOLD and M_MMAP_THRESHOLD at 64 MB, what
// GLIBC_TUNABLES or a long-running sender can set). As it comes, glibc gives
// the top of the heap back to the kernel after each message (the message
// body and bench/corpus.cpp's copy of the attachment are freed together),
// and the next message faults those pages in again; on a VM each fault
// costs microseconds, and they can dominate the figure.
#include "corpus.hpp"

#include "detail/base64.hpp"

#include <malloc.h>
#include <openssl/evp.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <functional>
#include <new>
#include <string>
#include <string_view>
#include <vector>

namespace {

// --- allocation counting -----------------------------------------------------
std::size_t g_allocs = 0;
std::size_t g_alloc_bytes = 0;

void* counted_alloc(std::size_t n) {
    ++g_allocs;
    g_alloc_bytes += n;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}

}  // namespace

void* operator new(std::size_t n) {
    return counted_alloc(n);
}
void* operator new[](std::size_t n) {
    return counted_alloc(n);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

namespace {

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

long minor_faults() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

struct timing {
    double median_us = 0;
    double min_us = 0;
};

/// Runs `step` in batches of about 5 ms of CPU for `seconds` in all and
/// returns the median and the minimum of the batches' µs per call.
timing time_it(const std::function<void()>& step, double seconds) {
    step();  // warm
    long per_batch = 1;
    for (;;) {  // size a batch to ~5 ms
        const double t0 = thread_cpu_seconds();
        for (long i = 0; i < per_batch; ++i) step();
        if (thread_cpu_seconds() - t0 > 0.005 || per_batch > (1L << 24)) break;
        per_batch *= 2;
    }
    std::vector<double> us;
    const double end = thread_cpu_seconds() + seconds;
    while (thread_cpu_seconds() < end || us.size() < 5) {
        const double t0 = thread_cpu_seconds();
        for (long i = 0; i < per_batch; ++i) step();
        us.push_back((thread_cpu_seconds() - t0) * 1e6 / static_cast<double>(per_batch));
    }
    std::sort(us.begin(), us.end());
    return {us[us.size() / 2], us.front()};
}

// --- the floor's quoted-printable --------------------------------------------
// RFC 2045 §6.7 with CRLF line breaks from any of CR, LF, CRLF, soft breaks
// before column 76: the plainest encoder that does the job, one table look-up
// per byte, writing through a pointer into a buffer sized beforehand.
struct qp_table {
    bool literal[256];
    qp_table() {
        for (int c = 0; c < 256; ++c) literal[c] = (c >= 33 && c <= 126 && c != '=');
    }
};
const qp_table qp;
constexpr char hex_digits[] = "0123456789ABCDEF";

std::size_t qp_encode(char* out, std::string_view text) {
    char* o = out;
    std::size_t col = 0;
    const std::size_t n = text.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
            *o++ = '\r';
            *o++ = '\n';
            col = 0;
            continue;
        }
        const bool at_end = i + 1 == n || text[i + 1] == '\r' || text[i + 1] == '\n';
        const bool lit = qp.literal[c] || ((c == ' ' || c == '\t') && !at_end);
        const std::size_t w = lit ? 1 : 3;
        if (col + w > 75 && !(at_end && col + w == 76)) {
            *o++ = '=';
            *o++ = '\r';
            *o++ = '\n';
            col = 0;
        }
        if (lit) {
            *o++ = static_cast<char>(c);
        } else {
            *o++ = '=';
            *o++ = hex_digits[c >> 4];
            *o++ = hex_digits[c & 15];
        }
        col += w;
    }
    return static_cast<std::size_t>(o - out);
}

int usage() {
    std::fputs("usage: lettre_compose_floor [small|typical] [seconds]\n", stderr);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string_view which = argc > 1 ? argv[1] : "typical";
    if (which != "small" && which != "typical") return usage();
    const double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
    if (argc > 3 || seconds <= 0) return usage();

    try {
        const lettre_bench::message_spec spec = lettre_bench::load(which);
        const std::size_t out_size = lettre_bench::compose(spec).formatted().size();
        const std::string_view attachment =
            spec.attachment ? std::string_view(spec.attachment->bytes) : std::string_view();

        // Buffers for the floor, allocated and touched now.
        std::vector<unsigned char> b64_out(attachment.size() / 3 * 4 + 8, 1);
        std::string b64_mime;
        b64_mime.reserve(lettre::detail::base64_mime_size(attachment.size()));
        std::vector<char> qp_out(
            3 * (spec.text.size() + (spec.html ? spec.html->size() : 0)) + 1024, 1);
        const std::string copy_src(out_size, 'x');
        std::vector<char> copy_dst(out_size, 1);
        volatile std::size_t sink = 0;

        const double part = seconds / 8;  // the floor's three steps; lettre gets the rest
        timing b64_openssl{}, b64_lettre{};
        if (!attachment.empty()) {
            b64_openssl = time_it(
                [&] {
                    sink = static_cast<std::size_t>(EVP_EncodeBlock(
                        b64_out.data(), reinterpret_cast<const unsigned char*>(attachment.data()),
                        static_cast<int>(attachment.size())));
                },
                part);
            b64_lettre = time_it(
                [&] {
                    b64_mime.clear();
                    lettre::detail::append_base64_mime(b64_mime, attachment);
                    sink = b64_mime.size();
                },
                part);
        }
        const bool lettre_b64_faster = b64_lettre.median_us < b64_openssl.median_us;
        const timing b64 = lettre_b64_faster ? b64_lettre : b64_openssl;
        const timing qp_t = time_it(
            [&] {
                std::size_t n = qp_encode(qp_out.data(), spec.text);
                if (spec.html) n += qp_encode(qp_out.data() + n, *spec.html);
                sink = n;
            },
            part);
        const timing copy = time_it(
            [&] {
                std::memcpy(copy_dst.data(), copy_src.data(), out_size);
                sink = static_cast<std::size_t>(copy_dst[out_size / 2]);
            },
            part);
        const double floor_us = b64.median_us + qp_t.median_us + copy.median_us;
        const double floor_min_us = b64.min_us + qp_t.min_us + copy.min_us;

        // lettre: compose + format, as lettre_compose_rate times it.
        const auto compose_format = [&] { sink = lettre_bench::compose(spec).formatted().size(); };
        const timing lettre_t = time_it(compose_format, seconds - 3 * part);
        // Allocations and page faults per message over a separate run.
        constexpr int counted = 200;
        const std::size_t a0 = g_allocs, ab0 = g_alloc_bytes;
        long f0 = minor_faults();
        for (int i = 0; i < counted; ++i) compose_format();
        const double allocs = static_cast<double>(g_allocs - a0) / counted;
        const double alloc_kb = static_cast<double>(g_alloc_bytes - ab0) / counted / 1024.0;
        const double faults = static_cast<double>(minor_faults() - f0) / counted;
        // Again with the heap kept.
        mallopt(M_TRIM_THRESHOLD, 64 << 20);
        mallopt(M_MMAP_THRESHOLD, 64 << 20);
        const timing kept = time_it(compose_format, part * 2);
        f0 = minor_faults();
        for (int i = 0; i < counted; ++i) compose_format();
        const double faults_kept = static_cast<double>(minor_faults() - f0) / counted;

        double load[3] = {0, 0, 0};
        if (getloadavg(load, 3) != 3) load[0] = load[1] = load[2] = -1;
        const char* b64_impl = lettre_b64_faster ? "lettre append_base64_mime (76-column lines)"
                                                 : "OpenSSL EVP_EncodeBlock (one call, no lines)";
        std::printf("compose floor, %.*s (%zu bytes out), CPU µs per message, median [min]:\n",
                    static_cast<int>(which.size()), which.data(), out_size);
        if (!attachment.empty())
            std::printf(
                "  base64 of the %zu-byte attachment: OpenSSL %.1f [%.1f], lettre %.1f "
                "[%.1f]; the floor takes %s\n",
                attachment.size(), b64_openssl.median_us, b64_openssl.min_us, b64_lettre.median_us,
                b64_lettre.min_us, b64_impl);
        std::printf("  quoted-printable of the text parts: %.1f [%.1f]\n", qp_t.median_us,
                    qp_t.min_us);
        std::printf("  one copy of %zu bytes: %.1f [%.1f]\n", out_size, copy.median_us,
                    copy.min_us);
        std::printf("  floor: %.1f [%.1f]\n", floor_us, floor_min_us);
        std::printf("  lettre compose + format: %.1f [%.1f]; %.2fx the floor (target <= 2x)\n",
                    lettre_t.median_us, lettre_t.min_us, lettre_t.median_us / floor_us);
        std::printf("  lettre per message: %.1f allocations (%.1f KiB), %.1f minor page faults\n",
                    allocs, alloc_kb, faults);
        std::printf(
            "  lettre, heap kept (M_TRIM_THRESHOLD): %.1f [%.1f]; %.2fx the floor; %.1f "
            "minor page faults\n",
            kept.median_us, kept.min_us, kept.median_us / floor_us, faults_kept);
        std::printf("  load average %.2f %.2f %.2f\n", load[0], load[1], load[2]);
        std::printf(
            "{\"impl\": \"lettre-floor\", \"message\": \"%.*s\", \"bytes\": %zu, "
            "\"floor_us\": %.2f, \"floor_min_us\": %.2f, \"b64_us\": %.2f, \"b64_impl\": \"%s\", "
            "\"b64_openssl_us\": %.2f, \"b64_lettre_us\": %.2f, \"qp_us\": %.2f, "
            "\"copy_us\": %.2f, \"lettre_us\": %.2f, \"lettre_min_us\": %.2f, \"ratio\": %.3f, "
            "\"allocs\": %.1f, \"alloc_kib\": %.1f, \"minflt\": %.1f, \"kept_us\": %.2f, "
            "\"kept_ratio\": %.3f, \"kept_minflt\": %.1f, \"load\": [%.2f, %.2f, %.2f]}\n",
            static_cast<int>(which.size()), which.data(), out_size, floor_us, floor_min_us,
            b64.median_us, lettre_b64_faster ? "lettre" : "openssl", b64_openssl.median_us,
            b64_lettre.median_us, qp_t.median_us, copy.median_us, lettre_t.median_us,
            lettre_t.min_us, lettre_t.median_us / floor_us, allocs, alloc_kb, faults,
            kept.median_us, kept.median_us / floor_us, faults_kept, load[0], load[1], load[2]);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lettre_compose_floor: %s\n", e.what());
        return 1;
    }
}
