#!/usr/bin/env bash
# Builds lettre's libFuzzer targets with clang (ASan + UBSan, the library
# instrumented too) and runs them; exits non-zero if any target crashes,
# leaks, trips a sanitizer or breaks one of its invariants.
#
#   scripts/fuzz.sh [SECONDS] [target...]     explore SECONDS per target (default 30)
#   scripts/fuzz.sh --minutes N [target...]   the long campaign: N minutes per target
#   scripts/fuzz.sh --replay [SECONDS] [target...]
#       every committed input of tests/fuzz/corpus/<target>/ once (-runs=0: a
#       regression test that cannot fail by chance), then SECONDS of
#       exploration per target (default 10; 0 for the replay alone). CI runs this.
#   scripts/fuzz.sh --minimize target...
#       merges the committed seeds and what exploration found
#       (<build>/fuzz-corpus/<target>/) into a minimal set (-merge=1 into a
#       fresh dir) and replaces tests/fuzz/corpus/<target>/ with it; regress-*
#       inputs are kept as they are.
#
# The targets are those tests/fuzz/CMakeLists.txt lists (LETTRE_FUZZ_TARGETS);
# the configured list is read from <build>/tests/fuzz/fuzz-targets.txt.
# Environment: LETTRE_FUZZ_SECONDS (default 30), LETTRE_FUZZ_BUILD_DIR
# (default build-fuzz), LETTRE_FUZZ_JOBS (parallel build jobs), LETTRE_FUZZ_MAX_LEN
# (longest input, default 4096), LETTRE_FUZZ_CONFIGURED=1 (use
# LETTRE_FUZZ_BUILD_DIR as it is configured: scripts/test.sh points it at its
# clang ASan + UBSan test build, which has the targets and the library
# instrumented, so CI compiles lettre once for both; -O0 there, so fewer
# executions per second than this script's own -O2 build).
# Needs clang/clang++ and libFuzzer's runtime (Debian 12: apt packages clang
# and libclang-rt-14-dev, both in scripts/install-deps.sh --test).
# Crash inputs land in <build>/fuzz-artifacts/; reproduce one with
#   <build>/tests/fuzz/<target> <artifact>
# New interesting inputs go to <build>/fuzz-corpus/<target>/, never into the
# seed corpus (--minimize does that, on request). Each run's output, final
# stats included, is kept in <build>/fuzz-logs/<target>.log.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LETTRE_FUZZ_BUILD_DIR:-$root/build-fuzz}
mode=explore
replay=0
seconds=${LETTRE_FUZZ_SECONDS:-30}
case "${1:-}" in
    --minutes)
        [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --minutes takes a number of minutes" >&2; exit 2; }
        seconds=$(( $2 * 60 )); shift 2 ;;
    --replay)
        replay=1; seconds=10; shift
        if [[ "${1:-}" =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi ;;
    --minimize)
        mode=minimize; shift
        [ $# -gt 0 ] || { echo "fuzz.sh: --minimize needs the targets to minimize" >&2; exit 2; } ;;
    -*)
        echo "fuzz.sh: unknown option $1 (see the top of scripts/fuzz.sh)" >&2; exit 2 ;;
    *)
        if [[ "${1:-}" =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi ;;
esac

for tool in clang clang++ cmake; do
    command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool not found" >&2; exit 2; }
done
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

sanitize="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
if [ "${LETTRE_FUZZ_CONFIGURED:-0}" = 1 ]; then
    [ -f "$build/tests/fuzz/fuzz-targets.txt" ] || {
        echo "fuzz.sh: LETTRE_FUZZ_CONFIGURED=1 but $build was not configured with LETTRE_BUILD_FUZZ=ON" >&2
        exit 2
    }
else
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
        -DLETTRE_INSTALL=OFF >/dev/null
fi

mapfile -t all_targets < "$build/tests/fuzz/fuzz-targets.txt"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
    [[ " ${all_targets[*]} " == *" $t "* ]] ||
        { echo "fuzz.sh: unknown target $t (targets: ${all_targets[*]})" >&2; exit 2; }
done
cmake --build "$build" --target "${targets[@]}" ${LETTRE_FUZZ_JOBS:+--parallel "$LETTRE_FUZZ_JOBS"}

mkdir -p "$build/fuzz-artifacts" "$build/fuzz-logs"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# -timeout is wall-clock time: on a loaded machine (the session-6 campaign ran
# at nice 19 with a load of 16 on 2 cores) a 12 ms input once took 11 s. 60 s
# still catches a hang without failing by chance.
common=(-timeout=60 -rss_limit_mb=2048 -max_len="${LETTRE_FUZZ_MAX_LEN:-4096}")

if [ "$mode" = minimize ]; then
    for t in "${targets[@]}"; do
        seeds="$root/tests/fuzz/corpus/$t"
        fresh="$build/fuzz-minimized/$t"
        rm -rf "$fresh"; mkdir -p "$fresh" "$seeds" "$build/fuzz-corpus/$t"
        "$build/tests/fuzz/$t" "${common[@]}" -merge=1 "$fresh" "$seeds" "$build/fuzz-corpus/$t" \
            >"$build/fuzz-logs/$t-minimize.log" 2>&1
        find "$seeds" -type f ! -name 'regress-*' -delete
        for f in "$fresh"/*; do
            [ -e "$f" ] && cp "$f" "$seeds/seed-$(sha1sum <"$f" | cut -c1-16)"
        done
        for f in "$seeds"/regress-*; do  # kept under their own name only
            [ -e "$f" ] && rm -f "$seeds/seed-$(sha1sum <"$f" | cut -c1-16)"
        done
        echo "== $t: $(find "$seeds" -type f | wc -l) inputs in tests/fuzz/corpus/$t"
    done
    exit 0
fi

failed=()
for t in "${targets[@]}"; do
    seeds="$root/tests/fuzz/corpus/$t"
    work="$build/fuzz-corpus/$t"
    log="$build/fuzz-logs/$t.log"
    mkdir -p "$work"
    if [ "$replay" = 1 ]; then
        echo "== $t: replay of $(find "$seeds" -type f | wc -l) committed inputs"
        if ! "$build/tests/fuzz/$t" "${common[@]}" -runs=0 \
            -artifact_prefix="$build/fuzz-artifacts/$t-" "$seeds" >"$log" 2>&1; then
            tail -n 40 "$log" >&2
            echo "== $t: REPLAY FAILED (a committed input fails; see $log)" >&2
            failed+=("$t")
            continue
        fi
        [ "$seconds" -gt 0 ] || { echo "== $t: ok"; continue; }
    fi
    echo "== $t: ${seconds}s"
    # The first corpus dir receives new inputs; the seeds are read only.
    if "$build/tests/fuzz/$t" "${common[@]}" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="$build/fuzz-artifacts/$t-" "$work" "$seeds" >"$log" 2>&1; then
        echo "== $t: ok ($(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1);" \
             "$(grep -Eo 'number_of_executed_units: [0-9]+' "$log" | grep -Eo '[0-9]+') runs)"
    else
        tail -n 40 "$log" >&2
        echo "== $t: FAILED (see $log and $build/fuzz-artifacts/$t-*)" >&2
        failed+=("$t")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: failed: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz.sh: all ${#targets[@]} targets ran without a crash"
