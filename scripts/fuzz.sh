#!/usr/bin/env bash
# Builds lettre's libFuzzer targets with clang and runs each for a bounded
# time; exits non-zero if any target crashes, leaks, trips a sanitizer or
# breaks one of its invariants.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#
# Environment: LETTRE_FUZZ_SECONDS (default 30), LETTRE_FUZZ_BUILD_DIR
# (default build-fuzz), LETTRE_FUZZ_JOBS (parallel build jobs), LETTRE_FUZZ_MAX_LEN
# (longest input, default 4096).
# Needs clang/clang++ and libFuzzer's runtime (Debian 12: apt packages clang
# and libclang-rt-14-dev, both in scripts/install-deps.sh --test).
# Crash inputs land in <build>/fuzz-artifacts/; reproduce one with
#   <build>/tests/fuzz/<target> <artifact>
# New interesting inputs go to <build>/fuzz-corpus/<target>/, never into the
# seed corpus under tests/fuzz/corpus/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LETTRE_FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${1:-${LETTRE_FUZZ_SECONDS:-30}}
shift $(( $# > 0 ? 1 : 0 ))
all_targets=(fuzz_address_list fuzz_encoded_word fuzz_dkim fuzz_smtp_reply)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")

for tool in clang clang++ cmake; do
    command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool not found" >&2; exit 2; }
done
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" "${generator[@]}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DBUILD_SHARED_LIBS=OFF \
    -DCMAKE_CXX_FLAGS="$sanitize" \
    -DLETTRE_BUILD_FUZZ=ON \
    -DLETTRE_WERROR=ON \
    -DLETTRE_BUILD_TESTS=OFF \
    -DLETTRE_BUILD_BENCH=OFF \
    -DLETTRE_BUILD_EXAMPLES=OFF \
    -DLETTRE_BUILD_CLI=OFF \
    -DLETTRE_INSTALL=OFF
cmake --build "$build" --target "${targets[@]}" ${LETTRE_FUZZ_JOBS:+--parallel "$LETTRE_FUZZ_JOBS"}

mkdir -p "$build/fuzz-artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
    seeds="$root/tests/fuzz/corpus/$t"
    work="$build/fuzz-corpus/$t"
    mkdir -p "$work"
    echo "== $t: ${seconds}s"
    # The first corpus dir receives new inputs; the seeds are read only.
    if "$build/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len="${LETTRE_FUZZ_MAX_LEN:-4096}" -print_final_stats=1 \
        -artifact_prefix="$build/fuzz-artifacts/$t-" "$work" "$seeds"; then
        echo "== $t: ok"
    else
        echo "== $t: FAILED (see $build/fuzz-artifacts/$t-*)" >&2
        failed+=("$t")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz.sh: all ${#targets[@]} targets ran ${seconds}s without a crash"
