#!/usr/bin/env bash
# Dependency audit: the SBOM's dependency versions against the known
# vulnerable ranges in cmake/known-vulnerable.json. Exit 1 names the CVE and
# the dependency. docs/release.md.
#
#   scripts/audit.sh [SBOM] [TABLE]    (SBOM default: build/lettre.cdx.json)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sbom="${1:-$root/build/lettre.cdx.json}"
table="${2:-$root/cmake/known-vulnerable.json}"
[[ -f "$sbom" ]] || { echo "audit.sh: no SBOM at $sbom (configure with cmake first; it writes lettre.cdx.json in the build directory)" >&2; exit 2; }
exec /usr/bin/python3 "$root/scripts/audit.py" "$sbom" "$table"
