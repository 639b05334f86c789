#!/usr/bin/env bash
# Messages per second against the round-trip time, side by side in one run:
# lettre's pooled async transport (1 and 10 connections), Postfix's
# smtp-source -s 1 / -s 10 (-d: one connection each), Nodemailer's pool (1
# and 10 connections) and Python's smtplib, each sending the same small
# message to one smtp-sink through lettre_rtt_proxy, which adds the RTT
# (the kernel here has no netem). Prints msg/s per RTT, the round trips per
# message the client waited for (counted by the proxy), lettre's ratios to
# smtp-source at 20 ms against the targets, and draws docs/rtt-benchmark.svg.
#
#   bench/rtt_compare.sh
#
# Environment:
#   BUILD_DIR     lettre build dir (default build-bench-pool, relative to the
#                 checkout); configured Release when it is not.
#   RTTS          round-trip times in ms (default "0 5 20 50").
#   CLIENTS       default "lettre-10 lettre-1 smtp-source-10 smtp-source-1
#                 nodemailer-10 nodemailer-1 smtplib-1".
#   RUN_SECONDS   length of each timed run (default 5), sized from a probe.
#   ROUNDS        rounds (default 1); medians over rounds.
#   CHART         SVG to write (default docs/rtt-benchmark.svg; "none").
#   CHECK_TARGETS=1  exit 1 when a target is missed (at 20 ms: 1 connection
#                 >= 3.5x smtp-source -s 1, 10 connections >= 3x -s 10).
#   RESULTS       also append every raw JSON record to this file.
#
# Needs what bench/pool_compare.sh needs. smtp-sink and the proxy are
# started on free loopback ports and stopped by their PIDs.
set -euo pipefail

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_build_dir build-bench-pool
require_postfix_tools
ensure_nodemailer

build_release_targets "$BUILD_DIR" lettre_pool_bench lettre_smtp_bench lettre_rtt_proxy
export LETTRE_POOL_BENCH="$BUILD_DIR/bench/lettre_pool_bench"
export LETTRE_SMTP_BENCH="$BUILD_DIR/bench/lettre_smtp_bench"
export LETTRE_RTT_PROXY="$BUILD_DIR/bench/lettre_rtt_proxy"

exec python3 "$BENCH_DIR/rtt_compare.py"
