#!/usr/bin/env bash
# lettre's container image without a registry or a base image: a `lettre`
# built with -DLETTRE_STATIC_CLI=ON, the root file system of
# scripts/container-rootfs.sh (the one the Dockerfile's final stage copies),
# packed as an OCI image with umoci; then, with podman, the image is loaded
# and `lettre --version` and `lettre send --demo --outbox out` run in it as
# the non-root user lettre (uid 10001). Where podman cannot run containers,
# the same two commands run in the image's root file system with
# chroot --userspec=10001:10001, and the script says what podman refused.
# docs/container.md. Run as root (chown to uid 10001, chroot, podman).
#
#   scripts/container-image.sh [--binary LETTRE] [--out DIR] [--no-run]
#     --binary  use this lettre instead of building build-static/
#     --out     where the OCI layout, the rootfs and the run's output go
#               (default build-image/)
#     --no-run  build the image only
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
die() { echo "container-image.sh: $*" >&2; exit 1; }

binary="" out="$root/build-image" run=1
while (($#)); do
  case "$1" in
    --binary) binary="$(realpath "${2:?--binary needs a file}")"; shift 2 ;;
    --out) out="$(realpath -m "${2:?--out needs a directory}")"; shift 2 ;;
    --no-run) run=0; shift ;;
    -h|--help) sed -n '12,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
command -v umoci >/dev/null || die "umoci not found: apt-get install umoci"
[[ $(id -u) -eq 0 ]] || die "run as root: the image's files are owned by root and uid 10001"
version="$(sed -n 's/^project(lettre VERSION \([0-9][0-9.]*\).*/\1/p' "$root/CMakeLists.txt")"
image="lettre:$version"

if [[ -z "$binary" ]]; then
  echo "== lettre with LETTRE_STATIC_CLI=ON (build-static/)"
  cmake -S "$root" -B "$root/build-static" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DLETTRE_STATIC_CLI=ON -DLETTRE_BUILD_TESTS=OFF -DLETTRE_BUILD_EXAMPLES=OFF \
        -DLETTRE_BUILD_BENCH=OFF -DLETTRE_INSTALL=OFF >/dev/null
  cmake --build "$root/build-static" --target lettre-cli -j "${JOBS:-$(nproc)}"
  binary="$root/build-static/src/cli/lettre"
fi
echo "== the binary: $(du -h "$binary" | cut -f1); it loads:"
ldd "$binary" | sed 's/^/   /'

echo "== root file system"
rm -rf "$out"
mkdir -p "$out"
# The SBOM of the build the binary came from, when it sits in its build dir.
sbom="$(dirname "$binary")/../../lettre.cdx.json"
[[ -f "$sbom" ]] || sbom=""
"$root/scripts/container-rootfs.sh" "$binary" "$out/rootfs" ${sbom:+"$sbom"}

echo "== OCI image $out/oci:$version (umoci)"
umoci init --layout "$out/oci"
umoci new --image "$out/oci:$version"
umoci unpack --image "$out/oci:$version" "$out/bundle" >/dev/null
cp -a "$out/rootfs/." "$out/bundle/rootfs/"
umoci repack --image "$out/oci:$version" "$out/bundle"
umoci config --image "$out/oci:$version" \
  --config.user 10001:10001 --config.workingdir /home/lettre \
  --config.entrypoint /usr/local/bin/lettre --config.cmd --help \
  --config.env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
  --config.label org.opencontainers.image.title=lettre \
  --config.label org.opencontainers.image.version="$version" \
  --config.label org.opencontainers.image.licenses=MIT
umoci gc --layout "$out/oci"
rm -rf "$out/bundle"
umoci unpack --image "$out/oci:$version" "$out/bundle" >/dev/null  # what the image holds
layers=$(du -cb "$out"/oci/blobs/sha256/* | tail -n 1 | cut -f1)
echo "image: $out/oci:$version, $((layers / 1024)) KiB compressed (all blobs)," \
     "$(du -sh "$out/bundle/rootfs" | cut -f1) unpacked"
umoci stat --image "$out/oci:$version" | sed -n '1,/^$/p' | head -n 8

((run)) || exit 0

mkdir -p "$out/run/out"
chown 10001:10001 "$out/run/out"
# Runs the two commands with podman, with the global options in
# podman_global and the run options in podman_opts. The outbox is a host
# directory owned by uid 10001, so the files' owner shows who wrote them.
podman_global=() podman_opts=()
podman_run() {
  podman "${podman_global[@]}" run --rm --network=none "${podman_opts[@]}" \
    "localhost/$image" --version &&
  podman "${podman_global[@]}" run --rm --network=none "${podman_opts[@]}" \
    -v "$out/run/out:/home/lettre/out" "localhost/$image" send --demo --outbox out
}
podman_error=""
if command -v podman >/dev/null; then
  echo "== podman: load the image and run it"
  podman rmi -f "localhost/$image" >/dev/null 2>&1 || true
  if ! id=$(podman pull -q "oci:$out/oci:$version" 2>"$out/podman.err") ||
     ! podman tag "$id" "localhost/$image" 2>>"$out/podman.err"; then
    podman_error="$(cat "$out/podman.err")"
  elif podman_run 2>"$out/podman.err"; then
    :
  else
    # Sandboxes without permission to raise rlimits or with hybrid cgroups
    # refuse crun's defaults; runc with the limits lowered below the
    # current ones runs there (docs/container.md).
    echo "   podman refused with its defaults: $(tail -n 1 "$out/podman.err")"
    echo "   again with --runtime runc and nofile/nproc limits of 1024"
    podman_global=(--runtime runc)
    podman_opts=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
    if ! command -v runc >/dev/null || ! podman_run 2>"$out/podman.err"; then
      podman_error="$(cat "$out/podman.err" 2>/dev/null)"
      command -v runc >/dev/null || podman_error+=" (runc is not installed: apt-get install runc)"
    fi
  fi
  [[ -n "$podman_error" ]] ||
    echo "podman image localhost/$image:" \
         "$(podman image inspect --format '{{.Size}}' "localhost/$image") bytes," \
         "runs as user $(podman image inspect --format '{{.Config.User}}' "localhost/$image")"
else
  podman_error="podman is not installed (apt-get install podman)"
fi

if [[ -n "$podman_error" ]]; then
  echo "== podman could not run the image:"
  echo "$podman_error" | sed 's/^/   /'
  echo "== instead: the image's root file system with chroot, as uid 10001"
  mkdir -p "$out/bundle/rootfs/home/lettre/out"
  chown 10001:10001 "$out/bundle/rootfs/home/lettre/out"
  in_image() {
    env -i SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
      /usr/sbin/chroot --userspec=10001:10001 "$out/bundle/rootfs" /usr/local/bin/lettre "$@"
  }
  in_image --version
  in_image send --demo --outbox /home/lettre/out
  cp -a "$out/bundle/rootfs/home/lettre/out/." "$out/run/out/"
fi

echo "== written by the container, owner uid:gid (10001 = lettre, not root):"
find "$out/run/out" -type f -printf '   %u:%g %p\n'
if find "$out/run/out" -type f ! -uid 10001 | grep -q .; then
  die "a file in the outbox is not owned by uid 10001"
fi
find "$out/run/out" -type f -name '*.eml' | grep -q . || die "no message in the outbox"
echo "container image: all checks passed"
