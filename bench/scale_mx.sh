#!/usr/bin/env bash
# Scale of direct MX delivery: one message to 10,000 recipients, 10 at each
# of 1,000 domains (d0000.test ... d0999.test) whose MX records point at 10
# hosts (mx0.test ... mx9.test, domain i at host i mod 10), through
# `lettre send --mx`. The DNS server is dnsmasq (authoritative for .test:
# --mx-host / --host-record lines in a config file, every query logged); each
# MX host is a Postfix smtp-sink on its own loopback address (127.0.1.10 ...
# 127.0.1.19), all on the one port --mx-port names. Prints (markdown on
# stdout, progress on stderr):
#   - wall and CPU time, recipients/s, lettre's peak RSS (GNU time);
#   - connections (SMTP sessions) each sink saw (smtp-sink -c), and their
#     sum: one per domain without a connection cache, one per host (10) at
#     best;
#   - DNS queries the server received, per type, and how many of them
#     repeated a (type, name) asked before in the run: what a resolver cache
#     in lettre would answer (c-ares 1.18 has none);
#   - recipients the sinks accepted (the X-Rcpt-Args lines of their dumps):
#     every address exactly once, or the script fails; and the recipients
#     lettre reported delivered.
#
#   bench/scale_mx.sh
#
# Environment:
#   BUILD_DIR     lettre build dir with the CLI (default build-bench); built
#                 Release when it is not yet (SKIP_BUILD=1: use it as it is)
#   DOMAINS       recipient domains (default 1000)
#   PER_DOMAIN    recipients per domain (default 10)
#   HOSTS         MX hosts, 1 to 100 (default 10)
#   LETTRE_ARGS   extra options for lettre send --mx (e.g. "--no-dane
#                 --no-mta-sts": without their TLSA and TXT lookups)
#   RESULTS       also append one JSON record to this file
#   WRAPPER       a command put before lettre, e.g. "heaptrack -o /tmp/mx"
#                 to find where its memory goes (its RSS is then measured)
#   SMTP_SINK, DNSMASQ   (default /usr/sbin/smtp-sink, /usr/sbin/dnsmasq)
#
# Servers listen on 127.0.1.x high ports and are stopped by their PIDs;
# smtp-sink runs as nobody when run as root (it insists).
set -euo pipefail

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_build_dir build-bench
DOMAINS=${DOMAINS:-1000}
PER_DOMAIN=${PER_DOMAIN:-10}
HOSTS=${HOSTS:-10}
SMTP_SINK=${SMTP_SINK:-/usr/sbin/smtp-sink}
DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq}
DNS_IP=127.0.1.53
if [ "$HOSTS" -lt 1 ] || [ "$HOSTS" -gt 100 ]; then say "HOSTS=$HOSTS: give 1 to 100"; exit 2; fi
for tool in "$SMTP_SINK" "$DNSMASQ" /usr/bin/time; do
  [ -x "$tool" ] || { say "$tool not found (Debian: apt-get install postfix dnsmasq time)"; exit 1; }
done

build_release_targets "$BUILD_DIR" lettre-cli
LETTRE="$BUILD_DIR/src/cli/lettre"
[ -x "$LETTRE" ] || { say "$LETTRE not found (configure $BUILD_DIR with -DLETTRE_BUILD_CLI=ON)"; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"
mkdir -m 777 "$work/dumps"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  pids=()
}
trap 'cleanup; rm -rf "$work"' EXIT

host_ip() { echo "127.0.1.$((10 + $1))"; }
listening() { [ -n "$(ss -Hl"$1"n "src $2:$3")" ]; }
wait_listening() {
  for _ in $(seq 250); do listening "$@" && return; sleep 0.02; done
  say "nothing listens on $2:$3 ($1)"
  exit 1
}
free_port() {
  /usr/bin/python3 -c '
import socket, sys
for _ in range(50):
    s = socket.socket(); s.bind((sys.argv[1], 0)); port = s.getsockname()[1]; s.close()
    try:  # free on every MX address
        for ip in sys.argv[2:]:
            t = socket.socket(); t.bind((ip, port)); t.close()
    except OSError:
        continue
    print(port); break' "$@"
}

# The zone: domain i -> host i mod HOSTS; one A record per host (no AAAA:
# dnsmasq answers NODATA for it).
{
  for ((h = 0; h < HOSTS; h++)); do echo "host-record=mx$h.test,$(host_ip "$h")"; done
  for ((i = 0; i < DOMAINS; i++)); do printf 'mx-host=d%04d.test,mx%d.test,10\n' "$i" $((i % HOSTS)); done
} >"$work/zone.conf"

dns_port=$(free_port "$DNS_IP")
"$DNSMASQ" --no-daemon --port="$dns_port" --listen-address="$DNS_IP" --bind-interfaces \
  --no-resolv --no-hosts --conf-file="$work/zone.conf" --log-queries \
  --log-facility="$work/dns.log" --pid-file= --local=/test/ --local-ttl=300 \
  >/dev/null 2>"$work/dns.err" &
pids+=($!)
wait_listening u "$DNS_IP" "$dns_port"

ips=()
for ((h = 0; h < HOSTS; h++)); do ips+=("$(host_ip "$h")"); done
smtp_port=$(free_port "${ips[@]}")
sink_user=()
[ "$(id -u)" = 0 ] && sink_user=(-u nobody)
for ((h = 0; h < HOSTS; h++)); do
  "$SMTP_SINK" -c -D "$work/dumps/mx$h" "${sink_user[@]}" "${ips[h]}:$smtp_port" 256 \
    >"$work/sink.$h.out" 2>&1 &
  pids+=($!)
done
for ip in "${ips[@]}"; do wait_listening t "$ip" "$smtp_port"; done

# Recipients as --bcc lists of 1,000 (an argument stays far below the
# kernel's 128 KiB limit); the message has no To: and goes to everyone.
awk -v n="$DOMAINS" -v k="$PER_DOMAIN" \
  'BEGIN { for (d = 0; d < n; d++) for (r = 0; r < k; r++) printf "u%02d@d%04d.test\n", r, d }' |
  split -l 1000 - "$work/bcc."
bcc=()
for chunk in "$work"/bcc.*; do bcc+=(--bcc "$(paste -sd, "$chunk")"); done
total=$((DOMAINS * PER_DOMAIN))

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
say "$total recipients at $DOMAINS domains, $HOSTS MX hosts (load $load_before)"
# shellcheck disable=SC2086 # LETTRE_ARGS and WRAPPER are lists of words
/usr/bin/time -f '%e %U %S %M' -o "$work/time" ${WRAPPER:-} \
  "$LETTRE" send --mx --dns "$DNS_IP:$dns_port" --mx-port "$smtp_port" --mx-allow-local \
  --from 'Bench <bench@example.com>' --subject 'scale mx' \
  --text 'One message for ten thousand recipients.' "${bcc[@]}" ${LETTRE_ARGS:-} \
  >"$work/lettre.out" 2>"$work/lettre.err" || status=$?
sleep 0.3  # the sinks update their counters as the QUITs arrive
cleanup
read -r wall user sys rss_kb <"$work/time"
if [ "${status:-0}" != 0 ]; then
  say "lettre exited with ${status}: $(tail -n 5 "$work/lettre.err")"
  exit 1
fi

delivered=$(grep -c '^delivered' "$work/lettre.out" || true)
cat "$work"/dumps/mx* 2>/dev/null | sed -n 's/^X-Rcpt-Args: *<\{0,1\}\([^> ]*\).*/\1/p' >"$work/rcpts"
accepted=$(wc -l <"$work/rcpts")
distinct=$(sort -u "$work/rcpts" | wc -l)
sessions=()
conn_total=0
for ((h = 0; h < HOSTS; h++)); do
  s=$(tr '\r' '\n' <"$work/sink.$h.out" | sed -n 's/.*sess=\([0-9]*\).*/\1/p' | tail -n 1)
  sessions+=("${s:-0}")
  conn_total=$((conn_total + ${s:-0}))
done
grep -o 'query\[[A-Z0-9]*\] [^ ]*' "$work/dns.log" >"$work/queries" || true
queries=$(wc -l <"$work/queries")
repeats=$((queries - $(sort -u "$work/queries" | wc -l)))
by_type=$(sed 's/^query\[\([A-Z0-9]*\)\].*/\1/' "$work/queries" | sort | uniq -c |
  awk '{ printf "%s%s %d", sep, $2, $1; sep = ", " }')

echo
echo "lettre $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown):" \
     "\`lettre send --mx\` of one message to $total recipients ($PER_DOMAIN at each of" \
     "$DOMAINS domains, $HOSTS MX hosts)${LETTRE_ARGS:+ with $LETTRE_ARGS}; load average" \
     "before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "| wall s | CPU s (user+sys) | recipients/s | peak RSS MB | connections | DNS queries | repeated (cacheable) | accepted by the sinks | delivered (lettre) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '| %.2f | %.2f | %.0f | %.1f | %d | %d | %d | %d | %d |\n' "$wall" \
  "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" \
  "$(awk -v w="$wall" -v n="$total" 'BEGIN { print (w > 0 ? n / w : 0) }')" \
  "$(awk -v k="$rss_kb" 'BEGIN { print k / 1024 }')" "$conn_total" "$queries" "$repeats" \
  "$accepted" "$delivered"
echo
echo "Connections per MX host: ${sessions[*]} (one per domain without a connection" \
     "cache: $DOMAINS; one per host at best: $HOSTS). DNS queries by type: $by_type."
if [ -n "${RESULTS:-}" ]; then
  printf '{"bench": "scale_mx", "recipients": %d, "domains": %d, "hosts": %d, "wall_s": %s, "user_s": %s, "sys_s": %s, "peak_rss_kb": %d, "connections": %d, "connections_per_host": [%s], "dns_queries": %d, "dns_repeated": %d, "accepted": %d, "delivered": %d, "load": "%s"}\n' \
    "$total" "$DOMAINS" "$HOSTS" "$wall" "$user" "$sys" "$rss_kb" "$conn_total" \
    "$(IFS=,; echo "${sessions[*]}")" "$queries" "$repeats" "$accepted" "$delivered" \
    "$load_before" >>"$RESULTS"
fi

if [ "$accepted" != "$total" ] || [ "$distinct" != "$total" ] || [ "$delivered" != "$total" ]; then
  say "expected every one of $total recipients accepted once: the sinks took $accepted" \
      "($distinct distinct), lettre reported $delivered delivered"
  sort "$work/rcpts" | uniq -d | head -n 5 >&2
  exit 1
fi
