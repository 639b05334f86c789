#!/usr/bin/env bash
# Every test on a fresh Debian machine: install dependencies and test peers,
# build everything (library, CLI, examples, benchmarks), run all tests once
# normally and once under AddressSanitizer + UndefinedBehaviorSanitizer, then
# run each fuzz target for a bounded time.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jobs="${JOBS:-$(nproc)}"

scripts/install-deps.sh --test

echo "== build and test (Debug)"
cmake -S . -B build-ci -G Ninja -DCMAKE_BUILD_TYPE=Debug
cmake --build build-ci -j "$jobs"
ctest --test-dir build-ci --output-on-failure -j "$jobs"

echo "== build and test (ASan + UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLETTRE_SANITIZE=ON \
      -DLETTRE_CONSUMER_TESTS=OFF -DLETTRE_BUILD_BENCH=OFF
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

echo "== fuzz (bounded)"
scripts/fuzz.sh "${FUZZ_SECONDS:-20}"

echo "== all tests passed"
