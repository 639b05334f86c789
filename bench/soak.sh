#!/usr/bin/env bash
# Soak: N messages (default 100,000) through lettre's SMTP pool, one pooled
# blocking transport shared by several sender threads (bench/soak_driver.cpp),
# against tests/integration/smtp/peers/chaos_server.py faulting about 1% of
# its replies at every phase (greeting, EHLO, MAIL, RCPT, DATA, final dot:
# dropped, 421, or cut in the middle) and killed (SIGKILL) and restarted on
# the same port several times during the run. docs/soak.md has the figures.
#
#   bench/soak.sh [--count N] [--restarts R] [--senders S] [--connections C]
#                 [--fault-rate F] [--build-dir DIR] [--keep]
#
# It reports, from the driver's results and the server's events.log:
#   sent        success reported by lettre
#   failed      error reported (of which "unknown": outcome_unknown)
#   lost        success reported, but the server has no record: must be 0
#   twice       the same message id taken twice by the server: must be 0
#   unknown+kept  outcome_unknown, and the server did take it (the reply was
#               lost): expected, that is what outcome_unknown means
# and the client's RSS and open descriptors sampled every second. Exit 1 when
# lost > 0, twice > 0, or RSS or descriptors grow (the mean of the last
# quarter of the samples against the second quarter: more than 10% + 2 MB of
# RSS, or more descriptors at the end than the pool can explain).
#
# Run it under `nice -n 19` on a shared machine. BUILD_DIR (default build)
# must have lettre_soak_driver (LETTRE_BUILD_BENCH=ON); it is built when
# missing or stale.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

count=100000 restarts=5 senders=8 connections=4 fault_rate=0.01 keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2; shift 2 ;;
    --restarts) restarts=$2; shift 2 ;;
    --senders) senders=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --fault-rate) fault_rate=$2; shift 2 ;;
    --build-dir) BUILD_DIR=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--count N] [--restarts R] [--senders S] [--connections C]" \
            "[--fault-rate F] [--build-dir DIR] [--keep]" >&2; exit 2 ;;
  esac
done
bench_build_dir build
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "building lettre_soak_driver in $BUILD_DIR"
  cmake --build "$BUILD_DIR" --target lettre_soak_driver >&2
fi
driver="$BUILD_DIR/bench/lettre_soak_driver"
[ -x "$driver" ] || { say "$driver not found (configure $BUILD_DIR with -DLETTRE_BUILD_BENCH=ON)"; exit 1; }
python=${PYTHON:-/usr/bin/python3}
chaos="$ROOT/tests/integration/smtp/peers/chaos_server.py"

work=$(mktemp -d)
server_pid="" driver_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null || true
  [ -n "$driver_pid" ] && kill -9 "$driver_pid" 2>/dev/null || true
  if [ "$keep" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# A free port, then the server on it (again after each kill), each instance
# with a folder of its own (events.log, stats.txt). The server stops when its
# standard input closes: a FIFO this script holds open, so that a server
# left behind goes when the script does.
mkfifo "$work/stdin"
exec 3<>"$work/stdin"
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_server() {
  local seed=$1
  mkdir -p "$work/s$seed"
  "$python" "$chaos" --outdir "$work/s$seed" --port "$port" --seed "$seed" \
    --reply-fault-rate "$fault_rate" --idle-close-ms 2000 \
    < "$work/stdin" > "$work/server.$seed.out" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    grep -q READY "$work/server.$seed.out" 2>/dev/null && return
    sleep 0.05
  done
  say "the chaos server did not start (seed $seed):"; cat "$work/server.$seed.out" >&2; exit 1
}

say "soak: $count messages, $senders senders, $connections connections, reply fault rate" \
    "$fault_rate, $restarts restarts, port $port"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start_server 1
start=$(date +%s)
"$driver" --port "$port" --count "$count" --senders "$senders" --connections "$connections" \
  --results "$work/results.txt" > "$work/driver.json" &
driver_pid=$!

# Every second: the client's RSS (kB) and descriptors; the server is killed
# and restarted when the results file passes each of R evenly spaced marks.
: > "$work/samples.txt"
next_restart=1
while kill -0 "$driver_pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$driver_pid/status" 2>/dev/null || true)
  fds=$( (ls "/proc/$driver_pid/fd" 2>/dev/null || true) | wc -l)
  [ -n "$rss" ] && echo "$(($(date +%s) - start)) $rss $fds" >> "$work/samples.txt"
  done_now=$(wc -l < "$work/results.txt" 2>/dev/null || echo 0)
  if [ "$next_restart" -le "$restarts" ] &&
     [ "$done_now" -ge $((count * next_restart / (restarts + 1))) ]; then
    say "after $done_now messages: kill -9 the server (restart $next_restart of $restarts)"
    kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
    sleep 0.3
    start_server $((next_restart + 1))
    next_restart=$((next_restart + 1))
  fi
  sleep 1
done
wait "$driver_pid" || { say "the driver failed"; exit 1; }
driver_pid=""
end=$(date +%s)
kill -9 "$server_pid"; wait "$server_pid" 2>/dev/null || true
server_pid=""
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

"$python" - "$work" "$count" "$restarts" "$connections" "$((end - start))" \
  "$load_before" "$load_after" <<'EOF'
import collections, sys
work, count, restarts, connections, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
load_before, load_after = sys.argv[6], sys.argv[7]

taken = collections.Counter()      # ACK or PARTIAL: the server has it
events = collections.Counter()
import glob
for path in sorted(glob.glob(work + "/s*/events.log")):
    for line in open(path):
        what, _, tok = line.strip().partition(" ")
        events[what] += 1
        if what in ("ACK", "PARTIAL"):
            taken[tok] += 1
ok, failed, unknown, reasons = set(), set(), set(), collections.Counter()
for line in open(work + "/results.txt"):
    parts = line.rstrip("\n").split(" ", 3)
    if parts[0] == "OK":
        ok.add(parts[1])
    else:
        failed.add(parts[1])
        if parts[2] == "unknown":
            unknown.add(parts[1])
        reasons[parts[3]] += 1
lost = sorted(t for t in ok if taken[t] == 0)
twice = sorted(t for t, n in taken.items() if n > 1)
failed_but_taken = sorted(t for t in failed if taken[t] > 0)
unknown_kept = [t for t in failed_but_taken if t in unknown]
known_failed_but_taken = [t for t in failed_but_taken if t not in unknown]
missing = count - len(ok) - len(failed)

samples = [tuple(map(int, l.split())) for l in open(work + "/samples.txt") if l.strip()]
rss = [s[1] for s in samples]
fds = [s[2] for s in samples]
growth = []
if len(samples) >= 8:
    q = len(samples) // 4
    mean = lambda xs: sum(xs) / len(xs)
    rss2, rss4 = mean(rss[q:2 * q]), mean(rss[3 * q:])
    if rss4 > rss2 * 1.10 + 2048:
        growth.append("RSS grew: %.0f kB (second quarter) -> %.0f kB (last quarter)" % (rss2, rss4))
    # Descriptors: the process's own plus at most one per pooled connection
    # (and one opening beside a closing one).
    if max(fds[3 * q:]) > max(fds[q:2 * q]) + connections:
        growth.append("descriptors grew: %d -> %d" % (max(fds[q:2 * q]), max(fds[3 * q:])))

stats = collections.Counter()
for path in glob.glob(work + "/s*/stats.txt"):
    for l in open(path):
        k, v = l.split()
        stats[k] += int(v)

row = lambda k, v: print("  %-34s %s" % (k, v))
print("soak summary")
row("messages", count)
row("duration", "%d s (%.0f msg/s)" % (secs, count / max(secs, 1)))
row("load average before / after", "%s / %s" % (load_before, load_after))
row("server restarts (kill -9)", restarts)
row("sent (success reported)", len(ok))
row("failed (error reported)", len(failed))
row("  of which outcome unknown", len(unknown))
row("  outcome unknown, server has it", len(unknown_kept))
row("  other failure, server has it", len(known_failed_but_taken))
row("lost (sent, no server record)", len(lost))
row("delivered twice", len(twice))
row("no result from the driver", missing)
row("server events", " ".join("%s=%d" % kv for kv in sorted(events.items())))
if rss:
    row("client RSS kB min / peak / last", "%d / %d / %d" % (min(rss), max(rss), rss[-1]))
    row("client open fds min / peak / last", "%d / %d / %d" % (min(fds), max(fds), fds[-1]))
    row("samples", len(samples))
    if len(samples) >= 8:
        q = len(samples) // 4
        quarters = [samples[i * q:(i + 1) * q if i < 3 else len(samples)] for i in range(4)]
        row("RSS kB mean by quarter", " / ".join("%.0f" % (sum(x[1] for x in qs) / len(qs)) for qs in quarters))
        row("fds max by quarter", " / ".join("%d" % max(x[2] for x in qs) for qs in quarters))
print("server faults (summed over the instances):")
for k, v in sorted(stats.items()):
    if v: print("  %7d  %s" % (v, k))
print("failure reasons:")
for r, n in reasons.most_common(12):
    print("  %7d  %s" % (n, r))
bad = []
if lost: bad.append("%d lost, e.g. %s" % (len(lost), lost[:5]))
if twice: bad.append("%d delivered twice, e.g. %s" % (len(twice), twice[:5]))
if known_failed_but_taken: bad.append("%d reported failed (not unknown) although the server took them, e.g. %s"
                                      % (len(known_failed_but_taken), known_failed_but_taken[:5]))
if missing: bad.append("%d messages without a result" % missing)
bad += growth
for b in bad:
    print("FAIL: " + b)
print("PASS" if not bad else "FAILED")
sys.exit(1 if bad else 0)
EOF
