#!/usr/bin/env bash
# Many messages over several connections, side by side in one run against
# one Postfix smtp-sink on loopback: lettre's pooled async transport with 1
# and 10 connections, Postfix's smtp-source -s 1 and -s 10, Nodemailer's
# pooled transport with 1 and 10 connections, and Python's smtplib over one
# connection, for ~1 KB and ~100 KB messages (the same bytes for every
# client). Prints messages/s, client CPU per message, peak RSS and lettre's
# ratios (markdown on stdout, progress on stderr), lettre's peak RSS with
# 10,000 1 KB messages queued at once, and draws docs/pool-benchmark.svg.
#
#   bench/pool_compare.sh
#
# Environment:
#   BUILD_DIR     lettre build dir (default build-bench-pool, relative to the
#                 checkout); configured with -DCMAKE_BUILD_TYPE=Release when
#                 it is not configured yet or not Release.
#   ROUNDS        rounds (default 1); medians over rounds, ratios within one.
#   RUN_SECONDS   length of each timed run (default 3); each client's count
#                 is sized from an untimed probe.
#   MESSAGES      default "small 100k" (also "typical", ~151 KB).
#   QUEUED        messages queued at once for the RSS figure (default 10000).
#   CHART         SVG to write (default docs/pool-benchmark.svg; "none").
#   CHECK_TARGETS=1  exit 1 when a target is missed (10 connections >= 0.9x
#                 smtp-source -s 10 and >= 5x Nodemailer pool10; <= 16 MB
#                 beyond the queued messages).
#   RESULTS       also append every raw JSON record to this file.
#   NODE, SMTP_SINK, SMTP_SOURCE, PYTHON   programs (default node,
#                 /usr/sbin/smtp-sink, /usr/sbin/smtp-source, /usr/bin/python3).
#
# Needs what bench/smtp_compare.sh needs (cmake, a C++20 compiler, node/npm,
# python3, Postfix's smtp-sink/smtp-source, GNU time for peak RSS).
# smtp-sink is started on a free loopback port (as nobody when run as root)
# and stopped by its PID.
set -euo pipefail

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_build_dir build-bench-pool
require_postfix_tools
ensure_nodemailer

# lettre_smtp_bench formats the corpus messages every client sends.
build_release_targets "$BUILD_DIR" lettre_pool_bench lettre_smtp_bench
export LETTRE_POOL_BENCH="$BUILD_DIR/bench/lettre_pool_bench"
export LETTRE_SMTP_BENCH="$BUILD_DIR/bench/lettre_smtp_bench"

exec python3 "$BENCH_DIR/pool_compare.py"
