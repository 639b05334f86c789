#!/usr/bin/env bash
# Every side-by-side benchmark in one go, then the "Latest run" section of
# docs/benchmarks.md is rewritten with their tables (each keeps its targets
# and says met or missed), the date, the machine, the load average before
# and after each benchmark, the compiler and the peers' versions.
#
#   bench/run_all.sh [benchmark...]
#
# Benchmarks (default: all, in this order): compose (compare_compose.sh),
# dkim (dkim_speed.sh), smtp (smtp_compare.sh), pool (pool_compare.sh), rtt
# (rtt_compare.sh), and those added since that exist in bench/ (tls_setup.sh;
# scale_each_to.sh and scale_mx.sh as each-to and mx: lettre at scale, no
# side-by-side peer, but their tables belong with the others).
#
# A figure taken on a loaded machine is not a result (load slows Node and
# Python more than C++ and flatters lettre's ratios): the run refuses to
# start when the 1-minute load average is above MAX_LOAD (default 0.5 x the
# CPUs) and says so in the section when FORCE=1 overrides it.
#
# Environment: BUILD_DIR (default build-bench, one Release build shared by
# every benchmark), MAX_LOAD, FORCE=1, DOC (default docs/benchmarks.md),
# RESULTS (raw JSON lines, default bench-results-<date>.jsonl in BUILD_DIR).
# Each script's own knobs (ROUNDS, RUN_SECONDS, ...) pass through.
set -euo pipefail

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_build_dir build-bench
export BUILD_DIR
DOC=${DOC:-$ROOT/docs/benchmarks.md}
cpus=$(nproc)
MAX_LOAD=${MAX_LOAD:-$(awk -v c="$cpus" 'BEGIN { print c * 0.5 }')}

all=(compose dkim smtp pool rtt)
[ -x "$BENCH_DIR/tls_setup.sh" ] && all+=(tls)
[ -x "$BENCH_DIR/scale_each_to.sh" ] && all+=(each-to)
[ -x "$BENCH_DIR/scale_mx.sh" ] && all+=(mx)
script_of() {
  case $1 in
    compose) echo compare_compose.sh ;; dkim) echo dkim_speed.sh ;;
    smtp) echo smtp_compare.sh ;; pool) echo pool_compare.sh ;;
    rtt) echo rtt_compare.sh ;; tls) echo tls_setup.sh ;;
    each-to) echo scale_each_to.sh ;; mx) echo scale_mx.sh ;;
    *) say "unknown benchmark $1 (known: ${all[*]})"; exit 2 ;;
  esac
}
chosen=("$@")
[ ${#chosen[@]} -gt 0 ] || chosen=("${all[@]}")
for b in "${chosen[@]}"; do script_of "$b" >/dev/null; done

load1() { cut -d' ' -f1 /proc/loadavg; }
if awk -v l="$(load1)" -v m="$MAX_LOAD" 'BEGIN { exit !(l > m) }'; then
  if [ "${FORCE:-0}" != 1 ]; then
    say "load average $(load1) is above $MAX_LOAD: figures would not be results." \
        "Wait for an idle machine, or FORCE=1 (the section then says so)."
    exit 1
  fi
  forced=1
fi

stamp=$(date -u +%Y-%m-%dT%H:%MZ)
export RESULTS=${RESULTS:-$BUILD_DIR/bench-results-${stamp//:/}.jsonl}
mkdir -p "$BUILD_DIR"
section=$(mktemp)
trap 'rm -f "$section"' EXIT
{
  echo "## Latest run (bench/run_all.sh)"
  echo
  echo "Written by \`bench/run_all.sh\` on $stamp; do not edit by hand (the"
  echo "sections above explain each benchmark and keep the earlier figures)."
  echo
  echo "- machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
       "$cpus CPUs, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
       "$(uname -sr)"
  echo "- lettre: $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)," \
       "$(${CXX:-c++} --version | head -n 1)"
  echo "- peers: Node $(${NODE} --version 2>/dev/null || echo -)," \
       "$(/usr/bin/python3 --version 2>&1), $(/usr/sbin/postconf -h mail_version 2>/dev/null |
          sed 's/^/Postfix /' || echo 'Postfix -'), $(openssl version 2>/dev/null | cut -d' ' -f1-2)"
  echo "- load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" \
       "${forced:+(**above $MAX_LOAD: FORCE=1; these figures are not results**)}"
  echo "- raw records: \`$RESULTS\`"
} >"$section"

failed=()
for b in "${chosen[@]}"; do
  script=$(script_of "$b")
  say "$b: bench/$script (load $(cut -d' ' -f1-3 /proc/loadavg))"
  before=$(cut -d' ' -f1-3 /proc/loadavg)
  out=$(mktemp)
  if CHECK_TARGETS=0 "$BENCH_DIR/$script" >"$out"; then status=ok; else status="FAILED ($?)"; failed+=("$b"); fi
  {
    echo
    echo "### $b: \`bench/$script\`"
    echo
    echo "Load average before $before, after $(cut -d' ' -f1-3 /proc/loadavg); $status."
    cat "$out"
  } >>"$section"
  rm -f "$out"
done

# Replace the section between the markers (added at the end the first time).
begin='<!-- run_all: begin -->' end='<!-- run_all: end -->'
if ! grep -qF "$begin" "$DOC"; then
  printf '\n%s\n%s\n' "$begin" "$end" >>"$DOC"
fi
awk -v begin="$begin" -v end="$end" -v file="$section" '
  $0 == begin { print; while ((getline line < file) > 0) print line; skip = 1; next }
  $0 == end { skip = 0 }
  !skip' "$DOC" >"$DOC.new"
mv "$DOC.new" "$DOC"
say "rewrote the latest-run section of $DOC"
if [ ${#failed[@]} -gt 0 ]; then
  say "failed: ${failed[*]}"
  exit 1
fi
