#!/usr/bin/env bash
# The root file system of lettre's container image, from a built `lettre`
# (best built with -DLETTRE_STATIC_CLI=ON): the tool, the shared libraries
# it still needs (glibc only, for a static build), the CA bundle, and an
# /etc/passwd with the non-root user `lettre` (uid/gid 10001) whose home,
# /home/lettre, is the working directory. Used by the Dockerfile's build
# stage and by scripts/container-image.sh, so both images hold the same
# files. With SBOM (the build's lettre.cdx.json), the image carries it in
# /usr/local/share/lettre/, for scanners. docs/container.md.
#
#   scripts/container-rootfs.sh LETTRE_BINARY ROOTFS_DIR [SBOM]
set -euo pipefail

die() { echo "container-rootfs.sh: $*" >&2; exit 1; }
(($# == 2 || $# == 3)) || die "usage: container-rootfs.sh LETTRE_BINARY ROOTFS_DIR [SBOM]"
binary="$1" rootfs="$2" sbom="${3:-}"
ca_bundle=/etc/ssl/certs/ca-certificates.crt
uid=10001

[[ -x "$binary" ]] || die "no executable at $binary"
[[ -f "$ca_bundle" ]] || die "no CA bundle at $ca_bundle (apt-get install ca-certificates)"
[[ ! -e "$rootfs" || -z "$(ls -A "$rootfs")" ]] || die "$rootfs exists and is not empty"

mkdir -p "$rootfs"/{usr/local/bin,etc/ssl/certs,usr/lib/ssl,tmp,home/lettre}
install -m 0755 "$binary" "$rootfs/usr/local/bin/lettre"
strip "$rootfs/usr/local/bin/lettre" 2>/dev/null || true

# Each shared library the loader resolves for the binary, at the same path
# (the dynamic loader itself included). A static build needs glibc only.
while read -r lib; do
  [[ -n "$lib" ]] || continue
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done < <(ldd "$binary" | awk '/=> \// { print $3 } /^[ \t]*\/[^ ]+ \(0x/ { print $1 }')

# OpenSSL looks in its OPENSSLDIR (/usr/lib/ssl on Debian); SSL_CERT_FILE
# in the image config points at the bundle too.
cp -L "$ca_bundle" "$rootfs/etc/ssl/certs/ca-certificates.crt"
ln -s /etc/ssl/certs "$rootfs/usr/lib/ssl/certs"
ln -s /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/lib/ssl/cert.pem"

cat > "$rootfs/etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
lettre:x:$uid:$uid:lettre:/home/lettre:/sbin/nologin
EOF
cat > "$rootfs/etc/group" <<EOF
root:x:0:
lettre:x:$uid:
EOF
# glibc's getaddrinfo (SMTP relay host names) reads these; a container
# runtime mounts its own /etc/hosts and /etc/resolv.conf over them.
echo "hosts: files dns" > "$rootfs/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$rootfs/etc/hosts"
: > "$rootfs/etc/resolv.conf"

if [[ -n "$sbom" ]]; then
  [[ -f "$sbom" ]] || die "no SBOM at $sbom"
  install -D -m 0644 "$sbom" "$rootfs/usr/local/share/lettre/lettre.cdx.json"
fi

chmod 1777 "$rootfs/tmp"
chown "$uid:$uid" "$rootfs/home/lettre" 2>/dev/null ||
  echo "container-rootfs.sh: note: not root, /home/lettre is not owned by $uid here" >&2
chmod 0755 "$rootfs/home/lettre"
echo "rootfs: $rootfs ($(du -sh "$rootfs" | cut -f1)), $(find "$rootfs" -type f | wc -l) files"
