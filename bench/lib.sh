# Shell helpers shared by the bench/*.sh comparison scripts; sourced, not
# run. Sets BENCH_DIR (this folder), ROOT (the checkout) and
# LETTRE_SHARED_DIR (the corpus beside the checkout) and defines:
#
#   say TEXT...                   progress on stderr, "== " in front
#   bench_build_dir NAME          BUILD_DIR, default NAME, made absolute
#                                 (relative paths are taken from ROOT)
#   require_postfix_tools         smtp-sink and smtp-source (Debian: postfix)
#   ensure_nodemailer             npm install --no-save nodemailer into
#                                 bench/node_modules when it is missing
#   build_release_targets DIR T.. configure DIR as Release (when it is not
#                                 configured yet or not Release) and build
#                                 the targets T.. (SKIP_BUILD=1: use what
#                                 is there, e.g. a build kept from before a
#                                 change)
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
export NODE=${NODE:-node}
export LETTRE_SHARED_DIR=${LETTRE_SHARED_DIR:-$(cd "$ROOT/../shared" && pwd)}

say() { printf '== %s\n' "$*" >&2; }

bench_build_dir() {
  BUILD_DIR=${BUILD_DIR:-$1}
  case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
}

require_postfix_tools() {
  local tool
  for tool in "${SMTP_SINK:-/usr/sbin/smtp-sink}" "${SMTP_SOURCE:-/usr/sbin/smtp-source}"; do
    [ -x "$tool" ] || { say "$tool not found (Debian: apt-get install postfix)"; exit 1; }
  done
}

ensure_nodemailer() {
  if [ ! -f "$BENCH_DIR/node_modules/nodemailer/package.json" ]; then
    say "installing nodemailer into $BENCH_DIR/node_modules"
    npm install --no-save --no-audit --no-fund --prefix "$BENCH_DIR" nodemailer >&2
  fi
}

build_release_targets() {
  local dir=$1 build_type="" generator=()
  shift
  if [ "${SKIP_BUILD:-0}" = 1 ]; then
    say "SKIP_BUILD=1: using the binaries in $dir as they are"
    return
  fi
  if [ -f "$dir/CMakeCache.txt" ]; then
    build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$dir/CMakeCache.txt")
  fi
  if [ "$build_type" != "Release" ]; then
    if [ ! -f "$dir/CMakeCache.txt" ] && command -v ninja >/dev/null; then
      generator=(-G Ninja)
    fi
    say "configuring $dir (Release)"
    cmake -S "$ROOT" -B "$dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >&2
  fi
  say "building $*"
  cmake --build "$dir" --target "$@" >&2
}
