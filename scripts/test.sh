#!/usr/bin/env bash
# Every test on a fresh Debian machine: install dependencies and test peers,
# build everything (library, CLI, tests, examples, benchmarks) in Release
# (-O3), build the API reference (Doxygen; fails on an undocumented public
# declaration), run all tests once in that build and once in a Debug build
# under AddressSanitizer + UndefinedBehaviorSanitizer (clang, which also
# builds the fuzz targets there, run at the end), run the tests that
# share one transport between threads under ThreadSanitizer, audit the
# dependency versions in the SBOM, build the shared libraries (Debug) with
# the tool and the examples and run them, build the message layer alone
# with Boost and c-ares hidden, then run each fuzz target over its corpus
# and for a bounded time. Warnings are errors here (LETTRE_WERROR=ON);
# they are not for users (the option is off by default).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jobs="${JOBS:-$(nproc)}"

# Each step prints its duration when the next begins, and the list at the
# end: the whole run must stay well under an hour on 2 cores (docs/testing.md
# has the figures and what was cut to keep it there).
step_times=()
step_name="" step_start=$SECONDS
step() {
  if [ -n "$step_name" ]; then
    step_times+=("$(printf '%5d s  %s' $((SECONDS - step_start)) "$step_name")")
    echo "== ($step_name: $((SECONDS - step_start)) s)"
  fi
  step_name=$1 step_start=$SECONDS
  [ -z "$1" ] || echo "== $1"
}

step "install dependencies"
scripts/install-deps.sh --test

step "build everything (Release, -O3)"
# The library, the tool, the tests, the examples and the benchmarks, at -O3
# (GCC warns about more there). Debug is built by the sanitizer, shared and
# message steps below, with warnings as errors too. Every part is asked for
# explicitly: scripts/run.sh shares this directory with the extras off.
# The test programs compile in batches (LETTRE_UNITY_TESTS; docs/testing.md):
# about half the CPU time of compiling them file by file.
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DLETTRE_WERROR=ON \
      -DLETTRE_UNITY_TESTS=ON -DLETTRE_BUILD_DOCS=ON -DLETTRE_BUILD_TESTS=ON -DLETTRE_BUILD_EXAMPLES=ON \
      -DLETTRE_BUILD_BENCH=ON -DLETTRE_BUILD_CLI=ON -DLETTRE_CONSUMER_TESTS=ON
cmake --build build-release -j "$jobs"

step "API reference (Doxygen: a public declaration without a comment fails)"
# Runs doxygen only (no compiling); it prints the warnings it fails on.
cmake --build build-release --target lettre_docs

step "test (Release)"
# Everything but the load tests (label "load": 10,000 messages through the
# pool, thousands of random faults), which run once, under ASan below, where
# they also check memory. The unit tests run one process per test here. The
# tool and the consumer builds are tested as users build them (Release).
ctest --test-dir build-release --output-on-failure -j "$jobs" -LE load

step "dependency audit (the SBOM this build's configure step wrote)"
# Fails when a dependency found is in a known vulnerable range (docs/release.md).
scripts/audit.sh build-release/lettre.cdx.json

step "build (ASan + UBSan, clang, with the fuzz targets)"
# clang, with the library instrumented for libFuzzer too (fuzzer-no-link
# only adds coverage counters): the fuzz step at the end runs its targets
# from this directory, so lettre is compiled once for both (a separate -O2
# fuzz build cost ~400 s). The GCC Debug warnings are still checked, as
# errors, by the TSan, shared and message steps; GCC's -O3 ones by the
# Release build above; this step adds clang's.
CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
      -DLETTRE_SANITIZE=ON -DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link -DLETTRE_BUILD_FUZZ=ON \
      -DLETTRE_WERROR=ON -DLETTRE_UNITY_TESTS=ON -DLETTRE_CONSUMER_TESTS=OFF -DLETTRE_BUILD_BENCH=OFF
cmake --build build-asan -j "$jobs"

step "test (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The unit tests run as one process (label "unit" left out of ctest): started
# once per test, the 250 MB sanitized program took ~0.8 s to start, 622 s for
# ~750 tests, against ~75 s in one process, most of it waiting (timers, child
# processes), so that process runs beside ctest, which runs everything else.
# The Release step above ran the unit tests one process per test.
unit_log=$(mktemp)
build-asan/tests/unit/lettre_unit_tests --gtest_brief=1 >"$unit_log" 2>&1 &
unit_pid=$!
ctest_status=0
ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE unit || ctest_status=$?
unit_status=0
wait "$unit_pid" || unit_status=$?
cat "$unit_log"
rm -f "$unit_log"
[ "$unit_status" = 0 ] || { echo "the unit tests failed under ASan + UBSan (above)" >&2; exit 1; }
[ "$ctest_status" = 0 ] || exit 1
unset ASAN_OPTIONS UBSAN_OPTIONS

step "build and test (ThreadSanitizer): one transport shared between threads"
# Only the tests that share one transport between threads (stub, sendmail,
# the blocking SMTP transport, the async pool run by several threads), in two
# small programs that LETTRE_SANITIZE=thread adds; the library without
# lettre::mx, which they do not use. docs/testing.md.
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLETTRE_SANITIZE=thread \
      -DLETTRE_WERROR=ON -DLETTRE_WITH_MX=OFF -DLETTRE_CONSUMER_TESTS=OFF \
      -DLETTRE_BUILD_BENCH=OFF -DLETTRE_BUILD_EXAMPLES=OFF
cmake --build build-tsan -j "$jobs" --target lettre_unit_thread_tests lettre_smtp_thread_tests
# tests/tsan.supp: one false positive inside libstdc++, explained there.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp"
build-tsan/tests/unit/lettre_unit_thread_tests --gtest_brief=1
build-tsan/tests/integration/smtp/lettre_smtp_thread_tests --gtest_brief=1 \
  --gtest_filter='SharedTransport.*:Async.*:PoolChaos.ShutdownFromAnotherThread'
unset TSAN_OPTIONS

step "shared libraries (BUILD_SHARED_LIBS=ON): library, CLI and examples"
# Symbols are hidden unless exported (LETTRE_EXPORT): a public function that
# forgot its export links in the static builds above and fails here. The
# tests use internal symbols, so they are not built; the tool and the
# examples run against the shared libraries instead.
cmake -S . -B build-shared -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLETTRE_WERROR=ON \
      -DBUILD_SHARED_LIBS=ON -DLETTRE_BUILD_TESTS=OFF -DLETTRE_BUILD_EXAMPLES=ON \
      -DLETTRE_BUILD_BENCH=OFF -DLETTRE_BUILD_CLI=ON
cmake --build build-shared -j "$jobs"
ldd build-shared/src/cli/lettre | grep -q 'liblettre_smtp' ||
  { echo "the lettre tool is not linked against the shared liblettre_smtp" >&2; exit 1; }
build-shared/examples/example_stub_in_tests
build-shared/examples/example_build_message examples/build_message.cpp >/dev/null
shared_out=$(mktemp -d)
build-shared/src/cli/lettre send --demo --outbox "$shared_out" >/dev/null
ls "$shared_out"/*.eml >/dev/null
rm -rf "$shared_out"

step "lettre::message alone (no SMTP, no MX; Boost and c-ares hidden)"
# Anything in the message layer that reaches for Boost or c-ares fails here.
cmake -S . -B build-message -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLETTRE_WERROR=ON \
      -DLETTRE_WITH_SMTP=OFF -DLETTRE_WITH_MX=OFF \
      -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON -DCMAKE_DISABLE_FIND_PACKAGE_CAres=ON \
      -DLETTRE_BUILD_BENCH=OFF -DLETTRE_BUILD_EXAMPLES=OFF -DLETTRE_CONSUMER_TESTS=OFF \
      -DLETTRE_UNITY_TESTS=OFF
cmake --build build-message -j "$jobs" --target lettre_message lettre_unit_tests
# Boost's headers sit in /usr/include, so compiling is not proof enough: no
# object of lettre_message may have read a Boost or c-ares header.
if ninja -C build-message -t deps | awk '/^[^ ]/ { keep = ($0 ~ /lettre_message\.dir/) } keep' |
    grep -E '/boost/|/ares[^/]*\.h$'; then
  echo "lettre_message includes Boost or c-ares headers (above)" >&2
  exit 1
fi
build-message/tests/unit/lettre_unit_tests --gtest_brief=1
# Its SBOM lists only what lettre::message links.
/usr/bin/python3 tests/release/validate_sbom.py cmake/cyclonedx build-message/lettre.cdx.json
if grep -Eq '"name" *: *"(boost|c-ares)"' build-message/lettre.cdx.json; then
  echo "build-message/lettre.cdx.json lists Boost or c-ares, which lettre::message does not use" >&2
  exit 1
fi

# Every committed corpus input once (a regression test that cannot fail by
# chance), then a short exploration per target (about 11 targets x 10 s),
# with the targets the ASan step built.
step "fuzz (replay + bounded exploration)"
LETTRE_FUZZ_BUILD_DIR="$root/build-asan" LETTRE_FUZZ_CONFIGURED=1 \
  scripts/fuzz.sh --replay "${FUZZ_SECONDS:-10}"

step ""
printf '%s\n' "${step_times[@]}"
echo "== all tests passed ($SECONDS s)"
