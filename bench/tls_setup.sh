#!/usr/bin/env bash
# TLS setup cost: client CPU per connection with a full handshake and with
# a resumed session, for lettre (STARTTLS and implicit TLS, against the
# aiosmtpd test peer) and, as the limit, `openssl s_time -new` / `-reuse`
# (TLS only, against `openssl s_server -www`), on the same machine and
# certificates in one run. Prints a markdown table on stdout, progress on
# stderr.
#
#   bench/tls_setup.sh
#
# Environment:
#   BUILD_DIR     lettre build dir (default build-bench, relative to the
#                 checkout); configured Release when it is not yet.
#   CONNECTIONS   connections per lettre run (default 300)
#   TIME          seconds per s_time run (default 5)
#   SKIP_BUILD=1  use the lettre_tls_setup_bench that is there
#   PYTHON        the Python with aiosmtpd (default /usr/bin/python3)
#
# The server side runs on the same machine: what is compared is the
# client's own CPU (getrusage; s_time's "connections/user sec"), not the
# rate. Servers listen on 127.0.0.1 and are stopped by PID on exit.
set -euo pipefail

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_build_dir build-bench
CONNECTIONS=${CONNECTIONS:-300}
TIME=${TIME:-5}
PYTHON=${PYTHON:-/usr/bin/python3}
OPENSSL=${OPENSSL:-openssl}
PEERS="$ROOT/tests/integration/smtp/peers"

build_release_targets "$BUILD_DIR" lettre_tls_setup_bench
BENCH="$BUILD_DIR/bench/lettre_tls_setup_bench"

work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$PYTHON" "$PEERS/make_certs.py" "$work/certs" >/dev/null
# The peer exits when its stdin closes: a FIFO this script holds open.
mkfifo "$work/peer.in"
exec 3<>"$work/peer.in"
"$PYTHON" "$PEERS/aiosmtpd_peer.py" --outdir "$work/out" --certdir "$work/certs" \
  --listen starttls:starttls --listen implicit:implicit <"$work/peer.in" >"$work/peer.out" &
pids+=($!)
for _ in $(seq 100); do grep -q '^READY' "$work/peer.out" 2>/dev/null && break; sleep 0.1; done
port_of() { sed -n "s/^PORT $1 //p" "$work/peer.out"; }
starttls_port=$(port_of starttls)
implicit_port=$(port_of implicit)
[ -n "$starttls_port" ] && [ -n "$implicit_port" ] || { say "aiosmtpd peer did not start"; exit 1; }

s_port=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$OPENSSL" s_server -quiet -www -accept "127.0.0.1:$s_port" -cert "$work/certs/server-chain.pem" \
  -key "$work/certs/server.key" <"$work/peer.in" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do (exec 4<>"/dev/tcp/127.0.0.1/$s_port") 2>/dev/null && break; sleep 0.1; done

# "| client | handshake | µs CPU per connection (user + sys) | µs user | resumed |"
lettre_row() {
  local tls=$1 mode=$2 port=$3 extra=() json
  [ "$tls" = implicit ] && extra=(--implicit)
  say "lettre $tls $mode ($CONNECTIONS connections)"
  json=$("$BENCH" --port "$port" --ca "$work/certs/ca.pem" --connections "$CONNECTIONS" \
           --mode "$mode" "${extra[@]}")
  "$PYTHON" -c 'import json,sys; r=json.loads(sys.argv[1]); print("| lettre %s | %s | %.0f | %.0f | %d/%d |" % (r["tls"], r["mode"], r["cpu_us_per_connection"], r["user_us_per_connection"], r["resumed"], r["connections"]))' "$json"
}

s_time_row() {
  local flag=$1 out rate
  say "openssl s_time $flag (${TIME}s)"
  out=$("$OPENSSL" s_time -connect "127.0.0.1:$s_port" "$flag" -time "$TIME" -www / 2>&1)
  rate=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9.]*\) connections\/user sec.*/\1/p' | head -n1)
  [ -n "$rate" ] || { say "s_time gave no rate:"; printf '%s\n' "$out" >&2; exit 1; }
  "$PYTHON" -c 'import sys; r=float(sys.argv[1]); print("| openssl s_time (TLS only) | %s | - | %.0f | - |" % (sys.argv[2], 1e6 / r if r else 0))' \
    "$rate" "$([ "$flag" = -new ] && echo full || echo resumed)"
}

echo "| client | handshake | µs CPU per connection (user + sys) | µs user | resumed (client's view) |"
echo "|---|---|---|---|---|"
lettre_row starttls full "$starttls_port"
lettre_row starttls resumed "$starttls_port"
lettre_row implicit full "$implicit_port"
lettre_row implicit resumed "$implicit_port"
s_time_row -new
s_time_row -reuse
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg); $("$OPENSSL" version)"
