#!/usr/bin/env bash
# Side by side: compose + format the corpus messages ("small", "typical")
# with lettre, Nodemailer (MailComposer) and Python's email package, in one
# run, and print messages/s and lettre's ratio to each.
#
#   bench/compare_compose.sh
#
# Environment:
#   BUILD_DIR       lettre build dir (default build-bench, relative to the
#                   checkout); configured with -DCMAKE_BUILD_TYPE=Release when
#                   it is not configured yet or not Release.
#   ROUNDS          rounds of measurements (default 3). Each round runs the
#                   three implementations back to back on each message (the
#                   order rotates every round); lettre's ratios are taken
#                   within a round, and the tables show medians over rounds
#                   with the min-max range.
#   RUN_SECONDS     length of each timed run (default 2).
#   NODE, PYTHON    interpreters (default node, /usr/bin/python3: Debian's
#                   Python, the one the corpus was built with).
#   NODEMAILER_NEWLINE  passed to compose_nodemailer.js (empty: line ends as
#                   given, Nodemailer's default; "win": CRLF like the others).
#   SKIP_BUILD=1    use the lettre_compose_rate already in BUILD_DIR as is.
#   CHECK_TARGETS=1 exit 1 when lettre misses a target (typical >= 10x and
#                   small >= 20x Nodemailer).
#   RESULTS         also append every raw JSON line to this file.
#
# Output: per-run JSON lines on stderr, then two tables on stdout: msg/s by
# wall clock (the target figure) and msg per CPU second of the process (all
# threads), which a busy machine disturbs less; then a third from
# lettre_compose_floor: CPU µs per message of lettre's compose + format
# against the floor (base64 of the attachment, quoted-printable of the text
# parts, one copy of the output), with allocations and page faults per
# message. Run it on an idle machine
# when you can: under heavy load Nodemailer (JIT and GC threads) slows down
# far more than lettre, which flatters lettre's ratios.
#
# Installs Nodemailer into bench/node_modules (npm install --no-save) when it
# is missing. Needs cmake, a C++20 compiler, node/npm and /usr/bin/python3.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
BUILD_DIR=${BUILD_DIR:-build-bench}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
ROUNDS=${ROUNDS:-3}
RUN_SECONDS=${RUN_SECONDS:-2}
NODE=${NODE:-node}
PYTHON=${PYTHON:-/usr/bin/python3}
export NODEMAILER_NEWLINE=${NODEMAILER_NEWLINE:-}
export LETTRE_SHARED_DIR=${LETTRE_SHARED_DIR:-$(cd "$ROOT/../shared" && pwd)}
MESSAGES=(small typical)

say() { printf '== %s\n' "$*" >&2; }

# --- (a) Nodemailer --------------------------------------------------------
if [ ! -f "$BENCH_DIR/node_modules/nodemailer/package.json" ]; then
  say "installing nodemailer into $BENCH_DIR/node_modules"
  npm install --no-save --no-audit --no-fund --prefix "$BENCH_DIR" nodemailer >&2
fi

# --- lettre, Release ---------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  build_type=""
  if [ -f "$BUILD_DIR/CMakeCache.txt" ]; then
    build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt")
  fi
  if [ "$build_type" != "Release" ]; then
    generator=()
    if [ ! -f "$BUILD_DIR/CMakeCache.txt" ] && command -v ninja >/dev/null; then
      generator=(-G Ninja)
    fi
    say "configuring $BUILD_DIR (Release)"
    cmake -S "$ROOT" -B "$BUILD_DIR" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >&2
  fi
  say "building lettre_compose_rate and lettre_compose_floor"
  cmake --build "$BUILD_DIR" --target lettre_compose_rate >&2
  # The floor program needs the static library (its own CMake check).
  cmake --build "$BUILD_DIR" --target lettre_compose_floor >&2 ||
    say "lettre_compose_floor not built (shared library build?): no floor table"
fi
RATE="$BUILD_DIR/bench/lettre_compose_rate"
FLOOR="$BUILD_DIR/bench/lettre_compose_floor"
if [ ! -x "$RATE" ]; then
  echo "compare_compose.sh: $RATE not found" >&2
  exit 1
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
RAW="$WORK/raw.jsonl"
: >"$RAW"

# --- same content check ------------------------------------------------------
# One message from each implementation, parsed back and compared with the
# corpus, so the rates below are for the same work.
say "checking that the three produce the same content"
check_failed=0
for m in "${MESSAGES[@]}"; do
  "$RATE" "$m" --print >"$WORK/lettre-$m.eml"
  (cd "$BENCH_DIR" && "$NODE" compose_nodemailer.js "$m" --print) >"$WORK/nodemailer-$m.eml"
  "$PYTHON" "$BENCH_DIR/compose_python.py" "$m" --print >"$WORK/python-$m.eml"
  lf=()
  [ "${NODEMAILER_NEWLINE}" = "" ] && lf=(--allow-lf)
  "$PYTHON" "$BENCH_DIR/check_message.py" "$m" "$WORK/lettre-$m.eml" lettre >&2 || check_failed=1
  "$PYTHON" "$BENCH_DIR/check_message.py" "${lf[@]}" "$m" "$WORK/nodemailer-$m.eml" nodemailer >&2 ||
    check_failed=1
  "$PYTHON" "$BENCH_DIR/check_message.py" "$m" "$WORK/python-$m.eml" python-email >&2 ||
    check_failed=1
done

# --- lettre iteration counts ---------------------------------------------------
# lettre_compose_rate takes a count: size it so one run lasts RUN_SECONDS.
declare -A LETTRE_N
for m in "${MESSAGES[@]}"; do
  probe=$("$RATE" "$m" 500)
  LETTRE_N[$m]=$("$PYTHON" -c '
import json, sys
r = json.loads(sys.argv[1])["msg_per_s"]
print(max(100, int(r * float(sys.argv[2]))))' "$probe" "$RUN_SECONDS")
done

run_one() {  # impl message
  case "$1" in
    lettre) "$RATE" "$2" "${LETTRE_N[$2]}" ;;
    nodemailer) (cd "$BENCH_DIR" && "$NODE" compose_nodemailer.js "$2" "$RUN_SECONDS") ;;
    python-email) "$PYTHON" "$BENCH_DIR/compose_python.py" "$2" "$RUN_SECONDS" ;;
  esac
}

# --- (b), (c), (d): interleaved rounds --------------------------------------------
IMPLS=(lettre nodemailer python-email)
for ((round = 1; round <= ROUNDS; round++)); do
  for m in "${MESSAGES[@]}"; do
    for ((k = 0; k < ${#IMPLS[@]}; k++)); do
      impl=${IMPLS[$(((k + round - 1) % ${#IMPLS[@]}))]}
      line=$(run_one "$impl" "$m")
      printf '{"round": %d, "result": %s}\n' "$round" "$line" >>"$RAW"
      say "round $round/$ROUNDS $m $impl: $line"
    done
  done
done

# --- the floor ----------------------------------------------------------------------
# lettre's compose + format against the work no composer avoids (base64 of
# the attachment, quoted-printable of the text parts, one copy of the
# output), CPU time, in one process; printed after the tables.
FLOOR_RAW="$WORK/floor.jsonl"
: >"$FLOOR_RAW"
if [ -x "$FLOOR" ]; then
  for m in "${MESSAGES[@]}"; do
    "$FLOOR" "$m" "$RUN_SECONDS" >"$WORK/floor-$m.txt"
    say "floor $m: $(tail -n 1 "$WORK/floor-$m.txt")"
    tail -n 1 "$WORK/floor-$m.txt" >>"$FLOOR_RAW"
  done
fi
if [ -n "${RESULTS:-}" ]; then cat "$RAW" "$FLOOR_RAW" >>"$RESULTS"; fi

# --- table ------------------------------------------------------------------------
"$PYTHON" - "$RAW" "$ROUNDS" "$check_failed" "${CHECK_TARGETS:-0}" "$FLOOR_RAW" <<'EOF'
import json, os, platform, statistics, sys

raw, rounds = sys.argv[1], int(sys.argv[2])
check_failed, check_targets = sys.argv[3] == "1", sys.argv[4] == "1"
floors = [json.loads(l) for l in open(sys.argv[5]) if l.strip()]
# data[(metric, impl, message)][round] = msg/s
data, sizes, versions = {}, {}, {}
with open(raw) as f:
    for line in f:
        rec = json.loads(line)
        r = rec["result"]
        for metric, field in (("wall", "msg_per_s"), ("cpu", "msg_per_cpu_s")):
            data.setdefault((metric, r["impl"], r["message"]), {})[rec["round"]] = r[field]
        sizes[(r["impl"], r["message"])] = r["bytes"]
        versions[r["impl"]] = r["version"] + (" (" + r["runtime"] + ")" if r.get("runtime") else "")

targets = {"small": 20.0, "typical": 10.0}
impls = ["lettre", "nodemailer", "python-email"]
messages = ["small", "typical"]

def rate(metric, impl, m):
    v = list(data[(metric, impl, m)].values())
    return statistics.median(v), min(v), max(v)

def ratio(metric, m, other):
    # lettre / other within each round (the same minutes of machine noise),
    # then the median over rounds.
    a, b = data[(metric, "lettre", m)], data[(metric, other, m)]
    v = [a[k] / b[k] for k in a if k in b]
    return statistics.median(v), min(v), max(v)

def fmt(x):
    return f"{x:,.0f}"

missed = False
for metric, title in (("wall", "msg/s, wall clock"),
                      ("cpu", "msg per CPU second (process CPU time, all threads)")):
    print()
    print(f"compose + format, {title}: median of {rounds} rounds [min-max]")
    print()
    hdr = (f"{'message':<8} | {'lettre':>25} | {'nodemailer':>21} | {'python email':>17} | "
           f"{'lettre/nodemailer':>22} | {'lettre/python':>20} | target")
    print(hdr)
    print("-" * len(hdr))
    for m in messages:
        cells = []
        for impl in impls:
            med, lo, hi = rate(metric, impl, m)
            cells.append(f"{fmt(med)} [{fmt(lo)}-{fmt(hi)}]")
        rn = ratio(metric, m, "nodemailer")
        rp = ratio(metric, m, "python-email")
        ok = rn[0] >= targets[m]
        if metric == "wall":
            missed |= not ok
        rn_s = f"{rn[0]:.1f}x [{rn[1]:.1f}-{rn[2]:.1f}]"
        rp_s = f"{rp[0]:.1f}x [{rp[1]:.1f}-{rp[2]:.1f}]"
        print(f"{m:<8} | {cells[0]:>25} | {cells[1]:>21} | {cells[2]:>17} | "
              f"{rn_s:>22} | {rp_s:>20} | >= {targets[m]:.0f}x: {'met' if ok else 'MISSED'}")
if floors:
    print()
    print("compose + format against the floor (bench/compose_floor.cpp): CPU µs per message,")
    print("median of ~5 ms batches; floor = base64 of the attachment + quoted-printable of")
    print("the text parts + one copy of the output, in the same process")
    print()
    hdr = (f"{'message':<8} | {'floor µs':>9} | {'base64 (by)':>19} | {'QP':>6} | {'copy':>6} | "
           f"{'lettre µs':>9} | {'lettre/floor':>12} | {'allocs':>6} | {'KiB alloc':>9} | "
           f"{'minflt':>6} | {'heap kept µs':>12} | {'kept/floor':>10} | load | target")
    print(hdr)
    print("-" * len(hdr))
    for f in floors:
        ok = f["ratio"] <= 2.0
        b64 = f"{f['b64_us']:.1f} ({f['b64_impl']})"
        target = ("<= 2x: " + ("met" if ok else "MISSED")) if f["message"] == "typical" else "-"
        if f["message"] == "typical":
            missed |= not ok
        print(f"{f['message']:<8} | {f['floor_us']:>9.1f} | {b64:>19} | {f['qp_us']:>6.1f} | "
              f"{f['copy_us']:>6.1f} | {f['lettre_us']:>9.1f} | {f['ratio']:>11.2f}x | "
              f"{f['allocs']:>6.1f} | {f['alloc_kib']:>9.1f} | {f['minflt']:>6.1f} | "
              f"{f['kept_us']:>12.1f} | {f['kept_ratio']:>9.2f}x | {f['load'][0]:.2f} | {target}")
    print("heap kept: the same run with mallopt(M_TRIM_THRESHOLD/M_MMAP_THRESHOLD, 64 MB), so")
    print("glibc does not give the heap top back after each message (no page faults)")
print()
print("targets: lettre >= 20x Nodemailer (small), >= 10x Nodemailer (typical), wall clock")
print("message size, bytes: " + "; ".join(
    f"{m}: " + ", ".join(f"{impl} {sizes[(impl, m)]}" for impl in impls) for m in messages))
for impl in impls:
    print(f"{impl}: {versions[impl]}")
cpu = platform.processor() or platform.machine()
try:
    with open("/proc/cpuinfo") as f:
        cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
except (OSError, StopIteration):
    pass
try:
    load = ", load average %.2f %.2f %.2f" % os.getloadavg()
except OSError:
    load = ""
print(f"machine: {cpu}, {os.cpu_count()} CPUs{load}")
if check_failed:
    print("WARNING: an implementation's output did not match the corpus (see above)")
if check_targets and missed:
    sys.exit(1)
EOF
