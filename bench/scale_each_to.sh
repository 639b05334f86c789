#!/usr/bin/env bash
# Scale of `lettre send --each-to`: one copy of a small message to each of
# 10,000, 100,000 and 1,000,000 recipients (one address per line of a
# generated file) against Postfix's smtp-sink on loopback. Prints, per size,
# wall and CPU time, peak RSS, the RSS beyond a 1-recipient run of the same
# command (what the recipients cost, the message and the program left out),
# recipients/s, the sink's count of messages taken (one per recipient: it
# must equal the size, or the script fails), the sessions it saw (the pool
# opens a new connection after 100 messages on one,
# smtp::pool_config::max_messages_per_connection) and the load average;
# then two verdicts: "linear" (wall time per recipient at the largest size within
# 1.5x of the smallest's) and "flat" (RSS beyond the baseline at the
# largest size within 2x of the smallest's; differences under 1 MB count
# as flat, the page-granular noise of RSS). Markdown on stdout, progress on
# stderr.
#
#   bench/scale_each_to.sh
#
# Environment:
#   BUILD_DIR     lettre build dir with the CLI (default build-bench); built
#                 Release when it is not yet (SKIP_BUILD=1: use it as it is)
#   SIZES         recipient counts (default "10000 100000 1000000")
#   CONNECTIONS   --connections (default 4)
#   PER_RECIPIENT=1  no --to: each copy is built with To: its recipient
#                 (default: the message is built once, To: a list address)
#   CHECK_TARGETS=1  exit 1 when the verdict is not "linear" and "flat"
#   RESULTS       also append one JSON record per size to this file
#   SMTP_SINK     (default /usr/sbin/smtp-sink)
#
# smtp-sink runs as nobody when run as root (it insists), on a free high
# port of 127.0.0.61, restarted for every size so that its count starts at
# zero (-c: its running counters, parsed after the run), and is stopped by
# its PID. GNU time gives the peak RSS and CPU times.
set -euo pipefail

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_build_dir build-bench
SIZES=${SIZES:-10000 100000 1000000}
CONNECTIONS=${CONNECTIONS:-4}
SMTP_SINK=${SMTP_SINK:-/usr/sbin/smtp-sink}
SINK_IP=127.0.0.61
[ -x "$SMTP_SINK" ] || { say "$SMTP_SINK not found (Debian: apt-get install postfix)"; exit 1; }
[ -x /usr/bin/time ] || { say "/usr/bin/time not found (Debian: apt-get install time)"; exit 1; }

build_release_targets "$BUILD_DIR" lettre-cli
LETTRE="$BUILD_DIR/src/cli/lettre"
[ -x "$LETTRE" ] || { say "$LETTRE not found (configure $BUILD_DIR with -DLETTRE_BUILD_CLI=ON)"; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"
sink_pid=""
stop_sink() {
  if [ -n "$sink_pid" ]; then
    kill "$sink_pid" 2>/dev/null || true
    wait "$sink_pid" 2>/dev/null || true
    sink_pid=""
  fi
}
trap 'stop_sink; rm -rf "$work"' EXIT

free_port() {
  /usr/bin/python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1],0)); print(s.getsockname()[1])' "$1"
}
listening() { [ -n "$(ss -Hltn "src $1:$2")" ]; }
sink_user=()
[ "$(id -u)" = 0 ] && sink_user=(-u nobody)

# A fresh sink whose counters start at zero; sets port and sink_out.
start_sink() {
  port=$(free_port "$SINK_IP")
  sink_out="$work/sink.$1.out"
  "$SMTP_SINK" -c "${sink_user[@]}" "$SINK_IP:$port" 256 >"$sink_out" 2>&1 &
  sink_pid=$!
  for _ in $(seq 250); do listening "$SINK_IP" "$port" && return; sleep 0.02; done
  say "smtp-sink did not start on $SINK_IP:$port: $(cat "$sink_out")"
  exit 1
}
# One of the sink's counters (mesg: messages, sess: sessions ended) from
# the last of its \r-separated counter lines.
sink_counter() { tr '\r' '\n' <"$sink_out" | sed -n "s/.*$1=\\([0-9]*\\).*/\\1/p" | tail -n 1; }

message_args=(--from 'Bench <bench@example.com>' --subject 'scale each-to'
              --text 'A short message, the same for every recipient.')
[ "${PER_RECIPIENT:-0}" = 1 ] || message_args+=(--to 'list@example.com')

# Runs lettre for a file of N addresses; sets wall, user, sys, rss_kb, sink,
# sessions.
run_size() {
  local n=$1 file="$work/rcpt.$1.txt" out="$work/lettre.$1.out"
  awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "r%07d@example.net\n", i }' >"$file"
  start_sink "$n"
  /usr/bin/time -f '%e %U %S %M' -o "$work/time.$n" \
    "$LETTRE" send --smtp "smtp://$SINK_IP:$port?tls=none" "${message_args[@]}" \
    --each-to "$file" --connections "$CONNECTIONS" >"$out" 2>"$work/lettre.$n.err" || {
      say "lettre failed for $n recipients: $(tail -n 5 "$work/lettre.$n.err")"; exit 1; }
  sleep 0.2  # the sink updates its counters as the QUITs arrive
  sink=$(sink_counter mesg)
  sessions=$(sink_counter sess)
  stop_sink
  read -r wall user sys rss_kb <"$work/time.$n"
  rm -f "$file"
  if ! grep -q "^sent $n, failed 0," "$out"; then
    say "lettre did not send all $n: $(cat "$out")"; exit 1
  fi
  if [ "$sink" != "$n" ]; then
    say "smtp-sink counted ${sink:-nothing} messages for $n recipients"; exit 1
  fi
}

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

say "baseline: 1 recipient"
run_size 1
base_kb=$rss_kb

mode="message built once (--to list@example.com)"
[ "${PER_RECIPIENT:-0}" = 1 ] && mode="each copy built with To: its recipient"
echo
echo "lettre $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)," \
     "--connections $CONNECTIONS, $mode; baseline (1 recipient): peak RSS $(mb "$base_kb") MB."
echo
echo "| recipients | wall s | CPU s (user+sys) | peak RSS MB | beyond baseline MB | recipients/s | µs wall/recipient | sink count | sessions | load average |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
first_per="" first_beyond="" last_per="" last_beyond=""
for n in $SIZES; do
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  say "$n recipients (load $load)"
  run_size "$n"
  beyond_kb=$((rss_kb > base_kb ? rss_kb - base_kb : 0))
  per_us=$(awk -v w="$wall" -v n="$n" 'BEGIN { printf "%.2f", w * 1e6 / n }')
  rate=$(awk -v w="$wall" -v n="$n" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
  printf '| %d | %.2f | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$n" "$wall" "$cpu" \
    "$(mb "$rss_kb")" "$(mb "$beyond_kb")" "$rate" "$per_us" "$sink" "$sessions" "$load"
  if [ -n "${RESULTS:-}" ]; then
    printf '{"bench": "scale_each_to", "recipients": %d, "wall_s": %s, "user_s": %s, "sys_s": %s, "peak_rss_kb": %d, "baseline_rss_kb": %d, "sink_messages": %d, "sink_sessions": %d, "connections": %d, "per_recipient": %s, "load": "%s"}\n' \
      "$n" "$wall" "$user" "$sys" "$rss_kb" "$base_kb" "$sink" "$sessions" "$CONNECTIONS" \
      "$([ "${PER_RECIPIENT:-0}" = 1 ] && echo true || echo false)" "$load" >>"$RESULTS"
  fi
  cpu_us=$(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.2f", c * 1e6 / n }')
  [ -n "$first_per" ] || { first_per=$per_us first_cpu=$cpu_us first_beyond=$beyond_kb; }
  last_per=$per_us last_cpu=$cpu_us last_beyond=$beyond_kb
done

cpu_ratio=$(awk -v a="$first_cpu" -v b="$last_cpu" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
time_ratio=$(awk -v a="$first_per" -v b="$last_per" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
linear=$(awk -v r="$time_ratio" 'BEGIN { print (r <= 1.5) ? "linear" : "NOT linear" }')
flat=$(awk -v a="$first_beyond" -v b="$last_beyond" \
  'BEGIN { print (b <= 2 * a || b - a < 1024) ? "flat" : "NOT flat" }')
echo
echo "Verdict: **$linear** (wall per recipient, largest size / smallest: ${time_ratio}x;" \
     "target <= 1.5x; CPU per recipient: $first_cpu µs -> $last_cpu µs, ${cpu_ratio}x)," \
     "**$flat** (beyond the baseline: $(mb "$first_beyond") MB ->" \
     "$(mb "$last_beyond") MB; target <= 2x). Load average at the end:" \
     "$(cut -d' ' -f1-3 /proc/loadavg)."
if [ "${CHECK_TARGETS:-0}" = 1 ] && [ "$linear$flat" != linearflat ]; then
  exit 1
fi
