#!/usr/bin/env bash
# DKIM signing speed against the physical limit and against other signers:
# runs lettre's DKIM benchmark (bench/dkim_bench.cpp), `openssl speed
# -seconds 3 rsa2048 ed25519` and `openssl speed -evp sha256`, Nodemailer's
# DKIM signer (bench/dkim_nodemailer.js) and dkimpy (bench/dkim_dkimpy.py)
# in the same run, and prints lettre's signatures/s for each corpus message
# and key next to OpenSSL's raw private-key sign/s and the peers' rates, as
# ratios. A signature costs one private-key operation plus hashing the body
# and the header, so the ratio to OpenSSL is at most 1; how far below 1 it
# is shows what parsing, canonicalization, hashing and formatting cost on
# top.
#
# Before timing, one message signed by each implementation (lettre,
# Nodemailer, dkimpy; each corpus message, each key it supports) is
# verified with dkimpy (public keys from corpus/keys/dns_txt.json through
# its dnsfunc), so that the rates compare signatures that verify.
#
#   bench/dkim_speed.sh
#
# Environment:
#   BUILD_DIR      lettre build dir (default build-bench, relative to the
#                  checkout); configured with -DCMAKE_BUILD_TYPE=Release when
#                  it is not configured yet or not Release.
#   MIN_TIME       --benchmark_min_time per benchmark, seconds (default 2)
#   REPETITIONS    benchmark repetitions; medians are reported (default 3)
#   OPENSSL        openssl binary (default openssl)
#   SKIP_BUILD     1: use the lettre_bench_dkim already in BUILD_DIR as is
#   PEER_SECONDS   timed seconds per peer run (default 3)
#   PEERS          0 skips Nodemailer and dkimpy (default 1)
#   NODE           node binary (default node); Nodemailer comes from
#                  bench/node_modules (npm install nodemailer)
#   RESULTS        also write the raw Google Benchmark JSON to this file.
# Needs cmake, a C++20 compiler, Google Benchmark (libbenchmark-dev),
# openssl and /usr/bin/python3 with python3-dkim and python3-nacl; node
# for Nodemailer. About 3 minutes with the defaults.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
BUILD_DIR=${BUILD_DIR:-build-bench}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
MIN_TIME=${MIN_TIME:-2}
REPETITIONS=${REPETITIONS:-3}
OPENSSL=${OPENSSL:-openssl}
PEER_SECONDS=${PEER_SECONDS:-3}
PEERS=${PEERS:-1}
NODE=${NODE:-node}
PYTHON=/usr/bin/python3
export LETTRE_SHARED_DIR=${LETTRE_SHARED_DIR:-$(cd "$ROOT/../shared" && pwd)}

say() { printf '== %s\n' "$*" >&2; }

# --- lettre, Release -----------------------------------------------------------
build_type=""
if [ "${SKIP_BUILD:-0}" = 1 ]; then
  [ -x "$BUILD_DIR/bench/lettre_bench_dkim" ] || { echo "dkim_speed.sh: no $BUILD_DIR/bench/lettre_bench_dkim" >&2; exit 1; }
  build_type=Release
elif [ -f "$BUILD_DIR/CMakeCache.txt" ]; then
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
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "building lettre_bench_dkim"
  cmake --build "$BUILD_DIR" --target lettre_bench_dkim >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- the signatures verify, for every implementation -----------------------
LETTRE_BENCH="$BUILD_DIR/bench/lettre_bench_dkim"
say "checking that the signatures verify (dkimpy)"
mkdir -p "$tmp/signed"
for msg in small typical; do
  for key in rsa2048 ed25519; do
    "$LETTRE_BENCH" --print "$msg" "$key" >"$tmp/signed/lettre-$msg-$key.eml"
    if [ "$PEERS" != 0 ]; then
      "$PYTHON" "$BENCH_DIR/dkim_dkimpy.py" "$msg" "$key" --print >"$tmp/signed/dkimpy-$msg-$key.eml"
      "$NODE" "$BENCH_DIR/dkim_nodemailer.js" "$msg" "$key" --print >"$tmp/signed/nodemailer-$msg-$key.eml"
      # Nodemailer signs with RSA only: with the Ed25519 key it passes the
      # message through unsigned (reported as "n/a" below).
      if ! head -c 15 "$tmp/signed/nodemailer-$msg-$key.eml" | grep -q '^DKIM-Signature:'; then
        rm "$tmp/signed/nodemailer-$msg-$key.eml"
      fi
    fi
  done
done
if ! "$PYTHON" "$BENCH_DIR/dkim_dkimpy.py" --verify "$tmp"/signed/*.eml >"$tmp/verify.txt"; then
  cat "$tmp/verify.txt" >&2
  echo "dkim_speed.sh: a signature does not verify; not timing" >&2
  exit 1
fi
sed 's|^.*/signed/|   |' "$tmp/verify.txt" >&2

# --- the measurements, one after the other, same machine state ------------
say "lettre: dkim_bench (min_time ${MIN_TIME}s x ${REPETITIONS})"
"$LETTRE_BENCH" \
  --benchmark_min_time="$MIN_TIME" \
  --benchmark_repetitions="$REPETITIONS" \
  --benchmark_report_aggregates_only=true \
  --benchmark_format=json >"$tmp/lettre.json"
[ -z "${RESULTS:-}" ] || cp "$tmp/lettre.json" "$RESULTS"

say "openssl speed -seconds 3 rsa2048 ed25519"
"$OPENSSL" speed -seconds 3 rsa2048 ed25519 >"$tmp/openssl.txt" 2>"$tmp/openssl.err"
# SHA-256 throughput on large blocks through EVP: the floor for hashing a body.
say "openssl speed -seconds 3 -bytes 16384 -evp sha256"
"$OPENSSL" speed -seconds 3 -bytes 16384 -evp sha256 >>"$tmp/openssl.txt" 2>>"$tmp/openssl.err"

: >"$tmp/peers.jsonl"
if [ "$PEERS" != 0 ]; then
  for msg in small typical; do
    for key in rsa2048 ed25519; do
      say "nodemailer $msg $key (${PEER_SECONDS}s)"
      "$NODE" "$BENCH_DIR/dkim_nodemailer.js" "$msg" "$key" "$PEER_SECONDS" >>"$tmp/peers.jsonl"
      say "dkimpy $msg $key (${PEER_SECONDS}s)"
      "$PYTHON" "$BENCH_DIR/dkim_dkimpy.py" "$msg" "$key" "$PEER_SECONDS" >>"$tmp/peers.jsonl"
    done
  done
fi

# --- the table -------------------------------------------------------------------
"$PYTHON" - "$tmp/lettre.json" "$tmp/openssl.txt" "$("$OPENSSL" version)" "$tmp/peers.jsonl" <<'PY'
import json, re, sys

lettre_json, openssl_txt, openssl_version = sys.argv[1], sys.argv[2], sys.argv[3]
peers = {}
with open(sys.argv[4]) as f:
    for line in f:
        if line.strip():
            r = json.loads(line)
            peers[(r["impl"], r["message"], r["key"])] = r
with open(lettre_json) as f:
    doc = json.load(f)

rate = {}     # benchmark name -> items/s (median over repetitions)
per_sec = {}  # bytes/s
for b in doc["benchmarks"]:
    if b.get("aggregate_name") not in (None, "median"):
        continue
    name = b.get("run_name", b["name"])
    rate[name] = b.get("items_per_second", 0.0)
    per_sec[name] = b.get("bytes_per_second", 0.0)

# openssl speed prints, among its lines:
#   rsa 2048 bits 0.000723s 0.000021s   1383.6  47923.1
#    253 bits EdDSA (Ed25519)   0.0000s   0.0001s  30140.5  11106.9
text = open(openssl_txt).read()
limit = {}
m = re.search(r"^rsa\s+2048 bits\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", text, re.M)
if m:
    limit["rsa2048"] = float(m.group(1))
m = re.search(r"^\s*253 bits EdDSA \(Ed25519\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)", text, re.M)
if m:
    limit["ed25519"] = float(m.group(1))
m = re.search(r"^sha256\s+([\d.]+)k\s*$", text, re.M)
if len(limit) != 2 or not m:
    sys.exit("dkim_speed.sh: could not read `openssl speed` output:\n" + text)
sha_bytes_per_s = float(m.group(1)) * 1000.0
body_bytes = {}
for b in doc["benchmarks"]:
    if b.get("run_name", b["name"]).startswith("dkim_body_hash/") and \
            b.get("aggregate_name") in (None, "median"):
        body_bytes[b["run_name"].split("/")[1]] = b.get("msg_bytes", 0.0)

ctx = doc.get("context", {})
print("machine: %s CPUs @ %s MHz, load %s; %s; SHA-256 %.0f MB/s" % (
    ctx.get("num_cpus", "?"), ctx.get("mhz_per_cpu", "?"),
    "/".join("%.1f" % x for x in ctx.get("load_avg", [])) or "?", openssl_version,
    sha_bytes_per_s / 1e6))
print()
print("%-8s %-8s %13s %13s %13s %7s %13s %7s" % ("message", "key", "lettre sig/s", "EVP sign/s",
                                                 "openssl sign/s", "ratio", "sign+SHA256/s", "ratio2"))
for msg in ("small", "typical"):
    for key in ("rsa2048", "ed25519"):
        name = "dkim_sign/%s/%s" % (msg, key)
        if name not in rate:
            continue
        evp = rate.get("openssl_sign/%s" % key, 0.0)
        # The floor with the body hashed too: one signature + SHA-256 of the body.
        floor2 = 1.0 / (1.0 / limit[key] + body_bytes.get(msg, 0.0) / sha_bytes_per_s)
        print("%-8s %-8s %13.1f %13.1f %13.1f %7.3f %13.1f %7.3f" % (
            msg, key, rate[name], evp, limit[key], rate[name] / limit[key], floor2, rate[name] / floor2))
print()
print("ratio  = lettre signatures/s / `openssl speed` sign/s (1.0 = only the private-key")
print("         operation costs anything: the physical limit).")
print("ratio2 = lettre / (one private-key signature + SHA-256 of the raw body at")
print("         `openssl speed sha256` rate): what remains is canonicalization, parsing")
print("         and formatting. EVP sign/s = the key operation timed inside dkim_bench")
print("         through EVP_DigestSign. All rates are per CPU second.")
print()
if peers:
    def peer(impl, msg, key):
        r = peers.get((impl, msg, key))
        if not r or not r.get("supported"):
            return None
        return r["sig_per_cpu_s"]
    versions = sorted({"%s %s (%s)" % (r["impl"], r["version"], r["runtime"]) for r in peers.values()})
    print("peers: " + "; ".join(versions))
    print("%-8s %-8s %13s %13s %8s %13s %8s" % ("message", "key", "lettre sig/s",
                                             "nodemailer/s", "ratio", "dkimpy/s", "ratio"))
    for msg in ("small", "typical"):
        for key in ("rsa2048", "ed25519"):
            mine = rate.get("dkim_sign/%s/%s" % (msg, key))
            if mine is None:
                continue
            cells = []
            for impl in ("nodemailer", "dkimpy"):
                theirs = peer(impl, msg, key)
                if theirs:
                    cells.append("%13.1f %8.1f" % (theirs, mine / theirs))
                else:
                    cells.append("%13s %8s" % ("n/a", "-"))
            print("%-8s %-8s %13.1f %s %s" % (msg, key, mine, cells[0], cells[1]))
    print()
    print("ratio = lettre / peer, signatures per CPU second, each signing the corpus bytes")
    print("        and producing the signed message (Nodemailer: RSA only, no t=, no")
    print("        oversigning; dkimpy: t=, From oversigned; lettre: t=, 6 names oversigned).")
    print()
for msg in ("small", "typical"):
    dual = rate.get("dkim_sign_dual/%s" % msg)
    if dual:
        both = 1.0 / (1.0 / limit["rsa2048"] + 1.0 / limit["ed25519"])
        print("dual RSA+Ed25519 %-8s %10.1f messages/s (limit %.1f, ratio %.3f)" % (
            msg, dual, both, dual / both))
for msg in ("small", "typical"):
    for canon in ("relaxed", "simple"):
        name = "dkim_body_hash/%s/%s" % (msg, canon)
        if name in rate:
            print("body hash %-8s %-7s %12.1f /s  %8.1f MB/s  (SHA-256 alone / this: %.2fx)" % (
                msg, canon, rate[name], per_sec[name] / 1e6, sha_bytes_per_s / per_sec[name]))
PY
