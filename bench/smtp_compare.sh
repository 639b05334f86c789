#!/usr/bin/env bash
# Side by side: lettre, Postfix's smtp-source (the C reference client) and
# Nodemailer send the same ~1 KB and ~100 KB messages to one Postfix
# smtp-sink on loopback, in the same run, over one connection and with a
# connection per message; prints messages/s, client CPU per message, peak
# RSS and lettre's ratios (markdown tables on stdout, progress on stderr).
#
#   bench/smtp_compare.sh
#
# Environment:
#   BUILD_DIR     lettre build dir (default build-bench, relative to the
#                 checkout); configured with -DCMAKE_BUILD_TYPE=Release when
#                 it is not configured yet or not Release.
#   ROUNDS        rounds of measurements (default 3); medians of the rounds,
#                 ratios taken within a round; the client order rotates.
#   RUN_SECONDS   length of each timed run (default 3); each client's
#                 message count is sized from an untimed probe.
#   MESSAGES      default "small 100k"; also "typical" (the corpus message,
#                 ~151 KB, two recipients).
#   MODES         default "one-connection per-message".
#   CLIENTS       default "lettre lettre-nopipe smtp-source nodemailer
#                 nodemailer-conn".
#   CHECK_TARGETS=1  exit 1 when lettre misses the one-connection target
#                 (>= 1.0x smtp-source's messages/s, <= 1.0x its CPU/message).
#   RESULTS       also append every raw JSON record to this file.
#   CANDIDATE     path of another lettre_smtp_bench (a build with a change to
#                 src/): measured in the same run as "lettre-candidate", with
#                 its ratios to smtp-source and to this build.
#   NODE, SMTP_SINK, SMTP_SOURCE   programs (default node,
#                 /usr/sbin/smtp-sink, /usr/sbin/smtp-source).
#
# Installs Nodemailer into bench/node_modules (npm install --no-save) when it
# is missing. Needs cmake, a C++20 compiler, node/npm, python3 and Postfix's
# smtp-sink/smtp-source (Debian: postfix). smtp-sink is started on a free
# loopback port (as nobody when run as root) and stopped by its PID.
set -euo pipefail

source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
bench_build_dir build-bench
require_postfix_tools

# --- Nodemailer ------------------------------------------------------------
ensure_nodemailer

# --- lettre, Release ---------------------------------------------------------
build_release_targets "$BUILD_DIR" lettre_smtp_bench
export LETTRE_SMTP_BENCH="$BUILD_DIR/bench/lettre_smtp_bench"

exec python3 "$BENCH_DIR/smtp_compare.py"
