// Composes and formats one corpus message N times with lettre and prints the
// rate as one JSON line, the same shape compose_nodemailer.js and
// compose_python.py print (see compare_compose.sh).
//
//   lettre_compose_rate <small|typical> <N>        time N compose+format runs
//   lettre_compose_rate <small|typical> --print    write one message to stdout
//
// The corpus is read once before timing; N/10 untimed runs warm caches first.
#include "corpus.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <string>
#include <string_view>

#ifndef LETTRE_BENCH_VERSION
#define LETTRE_BENCH_VERSION "unknown"
#endif

namespace {

int usage() {
    std::fputs(
        "usage: lettre_compose_rate <small|typical> <N>\n"
        "       lettre_compose_rate <small|typical> --print\n",
        stderr);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 3) return usage();
    const std::string_view which = argv[1];
    if (which != "small" && which != "typical") return usage();
    const std::string_view arg = argv[2];
    const bool print = arg == "--print";
    long long n = 0;
    if (!print) {
        char* end = nullptr;
        n = std::strtoll(argv[2], &end, 10);
        if (end == argv[2] || *end != '\0' || n <= 0) return usage();
    }

    try {
        const lettre_bench::message_spec spec = lettre_bench::load(which);
        if (print) {
            const std::string out = lettre_bench::compose(spec).formatted();
            std::fwrite(out.data(), 1, out.size(), stdout);
            return 0;
        }

        std::size_t size = 0;
        const long long warm = n / 10 > 0 ? n / 10 : 1;
        for (long long i = 0; i < warm; ++i) size += lettre_bench::compose(spec).formatted().size();

        using clock = std::chrono::steady_clock;
        const std::clock_t cpu_start = std::clock();
        const auto start = clock::now();
        for (long long i = 0; i < n; ++i) size = lettre_bench::compose(spec).formatted().size();
        const std::chrono::duration<double> elapsed = clock::now() - start;
        const double cpu_seconds =
            static_cast<double>(std::clock() - cpu_start) / static_cast<double>(CLOCKS_PER_SEC);

        const double seconds = elapsed.count();
        std::printf(
            "{\"impl\": \"lettre\", \"version\": \"%s\", \"runtime\": \"C++ (%s)\", "
            "\"message\": \"%s\", \"iterations\": %lld, \"seconds\": %.6f, "
            "\"msg_per_s\": %.1f, \"cpu_seconds\": %.6f, \"msg_per_cpu_s\": %.1f, "
            "\"bytes\": %zu}\n",
            LETTRE_BENCH_VERSION, __VERSION__, argv[1], n, seconds,
            static_cast<double>(n) / seconds, cpu_seconds, static_cast<double>(n) / cpu_seconds,
            size);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lettre_compose_rate: %s\n", e.what());
        return 1;
    }
}
