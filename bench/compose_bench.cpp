// Google Benchmark: composing and formatting the corpus messages.
//
//   compose_format/<msg>  builder ... .build() then .formatted()  (the figure)
//   build/<msg>           builder ... .build() only
//   format/<msg>          .formatted() of an already built message
//
// <msg> is "small" (text only) or "typical" (UTF-8 names and subject, text +
// HTML alternative + 100 KB attachment). The corpus is read once in main(),
// outside every timed loop. bytes_per_second counts formatted output bytes.
#include "corpus.hpp"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

namespace {

lettre_bench::message_spec g_small;
lettre_bench::message_spec g_typical;

const lettre_bench::message_spec& spec_for(const char* which) {
    return std::string_view(which) == "small" ? g_small : g_typical;
}

void report(benchmark::State& state, std::size_t message_bytes) {
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(message_bytes));
    state.counters["msg_bytes"] = static_cast<double>(message_bytes);
}

void bm_compose_format(benchmark::State& state, const char* which) {
    const auto& spec = spec_for(which);
    std::size_t size = 0;
    for (auto _ : state) {
        const lettre::message msg = lettre_bench::compose(spec);
        std::string out = msg.formatted();
        size = out.size();
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report(state, size);
}

void bm_build(benchmark::State& state, const char* which) {
    const auto& spec = spec_for(which);
    std::size_t size = 0;
    for (auto _ : state) {
        lettre::message msg = lettre_bench::compose(spec);
        benchmark::DoNotOptimize(&msg);
        size = msg.formatted_size();
    }
    report(state, size);
}

void bm_format(benchmark::State& state, const char* which) {
    const lettre::message msg = lettre_bench::compose(spec_for(which));
    std::size_t size = 0;
    for (auto _ : state) {
        std::string out = msg.formatted();
        size = out.size();
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    report(state, size);
}

BENCHMARK_CAPTURE(bm_compose_format, small, "small");
BENCHMARK_CAPTURE(bm_compose_format, typical, "typical");
BENCHMARK_CAPTURE(bm_build, small, "small");
BENCHMARK_CAPTURE(bm_build, typical, "typical");
BENCHMARK_CAPTURE(bm_format, small, "small");
BENCHMARK_CAPTURE(bm_format, typical, "typical");

}  // namespace

int main(int argc, char** argv) {
    try {
        g_small = lettre_bench::load("small");
        g_typical = lettre_bench::load("typical");
        // Fail here, not inside a timed loop, if lettre rejects the corpus.
        (void)lettre_bench::compose(g_small).formatted();
        (void)lettre_bench::compose(g_typical).formatted();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "lettre_bench_compose: %s\n", e.what());
        return 1;
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::AddCustomContext("lettre_shared_dir", lettre_bench::shared_dir().string());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
