#!/usr/bin/env bash
# Source release: a tarball of HEAD, its SHA256SUMS, and minisign signatures
# of both, then a verification of what was written. docs/release.md.
#
#   scripts/release.sh sign --key SECRET_KEY [--out DIR]
#       DIR (default ./release) gets lettre-VERSION.tar.gz (git archive of
#       HEAD), SHA256SUMS, lettre-VERSION.tar.gz.minisig, SHA256SUMS.minisig;
#       then the public key derived from SECRET_KEY verifies them.
#   scripts/release.sh verify --pubkey PUBLIC_KEY [DIR]
#       exits 0 only when SHA256SUMS matches the tarball and both signatures
#       verify with PUBLIC_KEY.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

die() { echo "release.sh: $*" >&2; exit 1; }
usage() {
  sed -n '5,11p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 64
}
need() { command -v "$1" >/dev/null || die "$1 not found; install it: apt-get install $2"; }

project_version() {
  sed -n 's/^project(lettre VERSION \([0-9][0-9.]*\).*/\1/p' "$root/CMakeLists.txt"
}

# Every file in DIR that SHA256SUMS names must match; the sums file and the
# tarball must carry good signatures. minisign -V checks the trusted comment
# too, which names the file signed.
verify() {
  local pubkey="$1" dir="$2" tarball
  need minisign minisign
  [[ -f "$pubkey" ]] || die "no public key at $pubkey"
  [[ -f "$dir/SHA256SUMS" ]] || die "no SHA256SUMS in $dir"
  tarball="$(awk 'NR == 1 { print $2 }' "$dir/SHA256SUMS")"
  tarball="${tarball#\*}"
  [[ "$tarball" == lettre-*.tar.gz && "$tarball" != */* ]] ||
    die "SHA256SUMS names '$tarball', not a lettre-VERSION.tar.gz in its directory"
  (cd "$dir" && sha256sum --check --strict SHA256SUMS) ||
    die "checksum mismatch in $dir (above)"
  minisign -Vq -p "$pubkey" -m "$dir/SHA256SUMS" || die "bad signature on $dir/SHA256SUMS"
  minisign -Vq -p "$pubkey" -m "$dir/$tarball" || die "bad signature on $dir/$tarball"
  echo "verified: $dir/$tarball and $dir/SHA256SUMS (key $pubkey)"
}

sign() {
  local key="$1" out="$2" version name
  need minisign minisign
  [[ -f "$key" ]] || die "no secret key at $key (make one: minisign -G -s KEY -p KEY.pub)"
  version="$(project_version)"
  [[ -n "$version" ]] || die "no 'project(lettre VERSION x.y.z' in $root/CMakeLists.txt"
  grep -q "^## \[$version\]" "$root/CHANGELOG.md" ||
    die "CHANGELOG.md has no '## [$version]' section; add one before releasing $version"
  if [[ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]]; then
    echo "release.sh: note: uncommitted changes are not in the tarball (it is HEAD)" >&2
  fi
  name="lettre-$version"
  mkdir -p "$out"
  out="$(cd "$out" && pwd)"
  git -C "$root" archive --format=tar.gz --prefix="$name/" -o "$out/$name.tar.gz" HEAD
  (cd "$out" && sha256sum "$name.tar.gz" > SHA256SUMS)
  local commit
  commit="$(git -C "$root" rev-parse HEAD)"
  minisign -Sq -s "$key" -m "$out/$name.tar.gz" -t "$name.tar.gz (git $commit)"
  minisign -Sq -s "$key" -m "$out/SHA256SUMS" -t "SHA256SUMS of $name (git $commit)"
  # The public key is derived from the secret one, so the check below is
  # against the key that signed, not a file lying next to it.
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  minisign -Rq -s "$key" -p "$work/key.pub" ||
    die "could not derive the public key from $key"
  verify "$work/key.pub" "$out"
  echo "release: $out/$name.tar.gz, $out/SHA256SUMS and their .minisig signatures"
}

command="${1:-}"
[[ -n "$command" ]] || usage
shift
key="" pubkey="" out="$PWD/release" dir=""
while (($#)); do
  case "$1" in
    --key) key="${2:?--key needs a file}"; shift 2 ;;
    --pubkey) pubkey="${2:?--pubkey needs a file}"; shift 2 ;;
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    -h|--help) usage ;;
    -*) die "unknown option '$1' (see scripts/release.sh --help)" ;;
    *) [[ -z "$dir" ]] || die "one directory only, got '$dir' and '$1'"; dir="$1"; shift ;;
  esac
done
case "$command" in
  sign)
    [[ -n "$key" ]] || die "sign needs --key SECRET_KEY"
    [[ -z "$pubkey" && -z "$dir" ]] || die "sign takes --key and --out only"
    sign "$key" "$out" ;;
  verify)
    [[ -n "$pubkey" ]] || die "verify needs --pubkey PUBLIC_KEY"
    [[ -z "$key" ]] || die "verify takes no --key (a public key is enough: --pubkey)"
    verify "$pubkey" "${dir:-$out}" ;;
  -h|--help) usage ;;
  *) die "unknown command '$command': sign or verify" ;;
esac
