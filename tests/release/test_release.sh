#!/usr/bin/env bash
# scripts/release.sh with a throwaway minisign key: sign and verify pass; a
# tampered tarball fails, and so does one whose SHA256SUMS was rewritten to
# match (only the signature can catch that).
set -euo pipefail
release="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

minisign -G -W -s throwaway.key -p throwaway.pub >/dev/null
"$release" sign --key throwaway.key --out out
"$release" verify --pubkey throwaway.pub out

expect_failure() {
  local what="$1"
  if "$release" verify --pubkey throwaway.pub out 2>"$work/err"; then
    echo "FAIL: verify accepted $what" >&2
    exit 1
  fi
  echo "refused as it should: $what ($(tail -n 1 "$work/err"))"
}

tarball="$(ls out/lettre-*.tar.gz)"
cp "$tarball" pristine.tar.gz
cp out/SHA256SUMS pristine.sums
printf 'x' >> "$tarball"
expect_failure "a tarball with a byte appended"

(cd out && sha256sum "$(basename "$tarball")" > SHA256SUMS)
expect_failure "a tampered tarball with SHA256SUMS rewritten to match"

cp pristine.tar.gz "$tarball"
cp pristine.sums out/SHA256SUMS
minisign -G -W -s other.key -p other.pub >/dev/null
"$release" verify --pubkey other.pub out 2>"$work/err" &&
  { echo "FAIL: verify accepted another key" >&2; exit 1; }
echo "refused as it should: the right files checked with another key ($(tail -n 1 "$work/err"))"
echo "release signing: all checks passed"
