#!/usr/bin/env bash
# The main job on a fresh Debian machine: install, build the `lettre` tool,
# compose the built-in demo message and deliver it into ./outbox. As a user
# would: warnings stay warnings (LETTRE_WERROR is off by default).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DLETTRE_WERROR=OFF \
      -DLETTRE_BUILD_TESTS=OFF -DLETTRE_BUILD_BENCH=OFF -DLETTRE_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-release --target lettre-cli
./build-release/src/cli/lettre send --demo --outbox "${OUTBOX:-outbox}"
