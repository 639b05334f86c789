#!/usr/bin/env bash
# DKIM signing speed against the physical limit: runs lettre's DKIM
# benchmark (bench/dkim_bench.cpp) and `openssl speed -seconds 3 rsa2048
# ed25519` in the same run, and prints lettre's signatures/s for each corpus
# message and key next to OpenSSL's raw private-key sign/s, as a ratio.
# A signature costs one private-key operation plus hashing the body and the
# header, so the ratio is at most 1; how far below 1 it is shows what
# parsing, canonicalization, hashing and formatting cost on top.
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
#   RESULTS        also write the raw Google Benchmark JSON to this file.
# Needs cmake, a C++20 compiler, Google Benchmark (libbenchmark-dev),
# openssl and /usr/bin/python3.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
BUILD_DIR=${BUILD_DIR:-build-bench}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
MIN_TIME=${MIN_TIME:-2}
REPETITIONS=${REPETITIONS:-3}
OPENSSL=${OPENSSL:-openssl}
PYTHON=/usr/bin/python3
export LETTRE_SHARED_DIR=${LETTRE_SHARED_DIR:-$(cd "$ROOT/../shared" && pwd)}

say() { printf '== %s\n' "$*" >&2; }

# --- lettre, Release -----------------------------------------------------------
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
say "building lettre_bench_dkim"
cmake --build "$BUILD_DIR" --target lettre_bench_dkim >&2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- both measurements, one after the other, same machine state -----------
say "lettre: dkim_bench (min_time ${MIN_TIME}s x ${REPETITIONS})"
"$BUILD_DIR/bench/lettre_bench_dkim" \
  --benchmark_min_time="$MIN_TIME" \
  --benchmark_repetitions="$REPETITIONS" \
  --benchmark_report_aggregates_only=true \
  --benchmark_format=json >"$tmp/lettre.json"
[ -z "${RESULTS:-}" ] || cp "$tmp/lettre.json" "$RESULTS"

say "openssl speed -seconds 3 rsa2048 ed25519"
"$OPENSSL" speed -seconds 3 rsa2048 ed25519 >"$tmp/openssl.txt" 2>"$tmp/openssl.err"
# SHA-256 throughput on large blocks: the floor for hashing a body.
say "openssl speed -seconds 3 -bytes 16384 sha256"
"$OPENSSL" speed -seconds 3 -bytes 16384 sha256 >>"$tmp/openssl.txt" 2>>"$tmp/openssl.err"

# --- the table -------------------------------------------------------------------
"$PYTHON" - "$tmp/lettre.json" "$tmp/openssl.txt" "$("$OPENSSL" version)" <<'PY'
import json, re, sys

lettre_json, openssl_txt, openssl_version = sys.argv[1], sys.argv[2], sys.argv[3]
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
            print("body hash %-8s %-7s %12.1f /s  %8.1f MB/s" % (
                msg, canon, rate[name], per_sec[name] / 1e6))
PY
