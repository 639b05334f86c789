#!/usr/bin/env bash
# Every test on a fresh Debian machine: install dependencies and test peers,
# build everything (library, CLI, examples, benchmarks), build the API
# reference (Doxygen; fails on an undocumented public declaration), run all tests once

# normally and once under AddressSanitizer + UndefinedBehaviorSanitizer,
# audit the dependency versions in the SBOM, build everything again in
# Release (-O3) and run the unit tests, build the shared libraries with the
# tool and the examples and run them, build the message layer alone with
# Boost and c-ares hidden, then run each fuzz
# target for a bounded time. Warnings are errors here (LETTRE_WERROR=ON);
# they are not for users (the option is off by default).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
jobs="${JOBS:-$(nproc)}"

scripts/install-deps.sh --test

echo "== build and test (Debug)"
cmake -S . -B build-ci -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLETTRE_WERROR=ON -DLETTRE_BUILD_DOCS=ON
cmake --build build-ci -j "$jobs"

echo "== API reference (Doxygen: a public declaration without a comment fails)"
# Runs doxygen only (no compiling); it prints the warnings it fails on.
cmake --build build-ci --target lettre_docs

ctest --test-dir build-ci --output-on-failure -j "$jobs"

echo "== dependency audit (the SBOM this build's configure step wrote)"
# Fails when a dependency found is in a known vulnerable range (docs/release.md).
scripts/audit.sh build-ci/lettre.cdx.json

echo "== build and test (ASan + UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLETTRE_SANITIZE=ON -DLETTRE_WERROR=ON \
      -DLETTRE_CONSUMER_TESTS=OFF -DLETTRE_BUILD_BENCH=OFF
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs"

echo "== build everything (Release, -O3) and run the unit tests"
# GCC's optimiser warns about things the Debug build never sees. The whole
# ctest suite already ran twice above: the unit tests are enough here.
# Every part is asked for explicitly: scripts/run.sh shares this directory
# with the extras off.
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DLETTRE_WERROR=ON \
      -DLETTRE_BUILD_TESTS=ON -DLETTRE_BUILD_EXAMPLES=ON -DLETTRE_BUILD_BENCH=ON \
      -DLETTRE_BUILD_CLI=ON -DLETTRE_CONSUMER_TESTS=OFF
cmake --build build-release -j "$jobs"
build-release/tests/unit/lettre_unit_tests --gtest_brief=1

echo "== shared libraries (BUILD_SHARED_LIBS=ON): library, CLI and examples"
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

echo "== lettre::message alone (no SMTP, no MX; Boost and c-ares hidden)"
# Anything in the message layer that reaches for Boost or c-ares fails here.
cmake -S . -B build-message -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLETTRE_WERROR=ON \
      -DLETTRE_WITH_SMTP=OFF -DLETTRE_WITH_MX=OFF \
      -DCMAKE_DISABLE_FIND_PACKAGE_Boost=ON -DCMAKE_DISABLE_FIND_PACKAGE_CAres=ON \
      -DLETTRE_BUILD_BENCH=OFF -DLETTRE_BUILD_EXAMPLES=OFF -DLETTRE_CONSUMER_TESTS=OFF
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
# chance), then a short exploration per target (about 10 targets x 10 s).
echo "== fuzz (replay + bounded exploration)"
scripts/fuzz.sh --replay "${FUZZ_SECONDS:-10}"

echo "== all tests passed"
