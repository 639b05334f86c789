#!/usr/bin/env bash
# Proves the Conan recipe and the vcpkg port on Debian 12, offline, with
# Debian's libraries standing in for the packages a registry would build.
# Neither tool is in Debian, so this is not part of CI; docs/packaging.md
# has the recorded run.
#
#   scripts/check-packaging.sh [conan|vcpkg|all]      (default: all)
#
# Conan:  CONAN_SOURCE  a Conan 2 source checkout (2.0.15 or later), run as
#                       PYTHONPATH=$CONAN_SOURCE python3 -m conans.conan
# vcpkg:  VCPKG_ROOT    a microsoft/vcpkg checkout (scripts/ and ports/)
#         VCPKG_TOOL    the vcpkg executable, or a microsoft/vcpkg-tool source
#                       checkout to build it from; then also
#                       VCPKG_TOOL_FMT_SOURCE   {fmt} 12.1.0 source
#                       VCPKG_TOOL_CMRC_SOURCE  vector-of-bool/cmrc 2.0.1 source
# Both:   PACKAGING_SCRATCH  where everything is built (outside the checkout;
#                       default ${TMPDIR:-/tmp}/lettre-packaging)
#         PACKAGING_SHARED=0 skips the Conan shared-library build
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
scratch=${PACKAGING_SCRATCH:-${TMPDIR:-/tmp}/lettre-packaging}
what=${1:-all}
case "$what" in conan|vcpkg|all) ;; *)
  echo "usage: $0 [conan|vcpkg|all] (got '$what')" >&2; exit 2 ;;
esac
case "$scratch/" in "$repo"/*)
  echo "PACKAGING_SCRATCH=$scratch is inside the checkout; choose a directory outside $repo" >&2
  exit 2 ;;
esac
mkdir -p "$scratch"

missing=()
need() { # need <VAR> <what it is>: records a missing setting
  if [[ -z "${!1:-}" ]]; then missing+=("$1: $2"); fi
}
if [[ $what != vcpkg ]]; then
  need CONAN_SOURCE "a Conan 2 (>= 2.0.15) source checkout, e.g. conan-io/conan at tag 2.8.1"
fi
if [[ $what != conan ]]; then
  need VCPKG_ROOT "a microsoft/vcpkg checkout (the registry: scripts/, ports/)"
  need VCPKG_TOOL "the vcpkg executable or a microsoft/vcpkg-tool source checkout"
  if [[ -n "${VCPKG_TOOL:-}" && -d "${VCPKG_TOOL:-}" ]]; then
    need VCPKG_TOOL_FMT_SOURCE "{fmt} 12.1.0 source (fmtlib/fmt at tag 12.1.0), to build vcpkg-tool"
    need VCPKG_TOOL_CMRC_SOURCE "cmrc 2.0.1 source (vector-of-bool/cmrc at tag 2.0.1), to build vcpkg-tool"
  fi
fi
if ((${#missing[@]})); then
  echo "check-packaging: missing settings (docs/packaging.md says where to get each):" >&2
  printf '  %s\n' "${missing[@]}" >&2
  exit 2
fi

# Debian's upstream version of a package: 1:3.0.19-1~deb12u2 -> 3.0.19.
debian_version() {
  local v
  v=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null) || {
    echo "check-packaging: Debian package $1 is not installed (scripts/install-deps.sh)" >&2
    exit 2
  }
  v=${v#*:}
  echo "${v%%[-+~]*}"
}
# name (Conan Center / vcpkg) -> Debian package
declare -A debian_pkg=([openssl]=libssl-dev [boost]=libboost1.81-dev [c-ares]=libc-ares-dev
                       [fmt]=libfmt-dev [libidn2]=libidn2-dev)
declare -A version
for name in "${!debian_pkg[@]}"; do version[$name]=$(debian_version "${debian_pkg[$name]}"); done

step() { printf '\n=== %s\n' "$*"; }

# --- Conan -----------------------------------------------------------------
check_conan() {
  local modules=(requests urllib3 colorama yaml patch_ng fasteners distro jinja2 dateutil)
  local imports
  imports=$(IFS=,; echo "${modules[*]}")
  if ! /usr/bin/python3 -c "import $imports" 2>/dev/null; then
    echo "check-packaging: Conan needs Debian's python3-requests python3-urllib3 python3-colorama" \
         "python3-yaml python3-patch-ng python3-fasteners python3-distro python3-jinja2" \
         "python3-dateutil (apt-get install them)" >&2
    exit 2
  fi
  [[ -f "$CONAN_SOURCE/conans/conan.py" ]] || {
    echo "check-packaging: CONAN_SOURCE=$CONAN_SOURCE is not a Conan source checkout (no conans/conan.py)" >&2
    exit 2
  }
  export CONAN_HOME="$scratch/conan-home"
  conan() { PYTHONPATH="$CONAN_SOURCE" /usr/bin/python3 -m conans.conan "$@"; }
  local profile="$scratch/debian12.profile"
  cat >"$profile" <<EOF
# Debian 12's compiler and libraries; the libraries come from the system.
[settings]
os=Linux
arch=x86_64
build_type=Release
compiler=gcc
compiler.version=12
compiler.libcxx=libstdc++11
compiler.cppstd=20
[platform_requires]
openssl/${version[openssl]}
boost/${version[boost]}
c-ares/${version[c-ares]}
fmt/${version[fmt]}
libidn2/${version[libidn2]}
[conf]
tools.cmake.cmaketoolchain:generator=Ninja
tools.build:jobs=2
[buildenv]
CMAKE_CXX_COMPILER_LAUNCHER=ccache
EOF
  step "conan $(conan --version)"
  cat "$profile"
  local variants=("" "-o lettre/*:with_smtp=False -o lettre/*:with_mx=False")
  if [[ ${PACKAGING_SHARED:-1} != 0 ]]; then variants+=("-o lettre/*:shared=True"); fi
  # A copy of test_package, so that its build folder stays out of the checkout.
  rm -rf "$scratch/test_package"
  cp -r "$repo/test_package" "$scratch/test_package"
  local options
  for options in "${variants[@]}"; do
    step "conan create . -nr ${options:-(default options)}"
    # shellcheck disable=SC2086  # options are separate words
    conan create "$repo" -nr -pr:h "$profile" -pr:b "$profile" -tf "$scratch/test_package" $options
  done
}

# --- vcpkg -----------------------------------------------------------------
# An overlay port per system library: it installs nothing, and the library
# is found where Debian put it (find_package / pkg-config on system paths).
write_system_port() { # <port> <version> <debian package>
  local dir="$scratch/vcpkg-system-ports/$1"
  mkdir -p "$dir"
  cat >"$dir/vcpkg.json" <<EOF
{
  "name": "$1",
  "version": "$2",
  "description": "Debian's $3 $2 (a system package; this port installs nothing)"
}
EOF
  cat >"$dir/portfile.cmake" <<EOF
# $1 comes from Debian's $3 $2, installed on the system.
set(VCPKG_POLICY_EMPTY_PACKAGE enabled)
EOF
}

vcpkg_executable() {
  if [[ -f "$VCPKG_TOOL" && -x "$VCPKG_TOOL" ]]; then
    echo "$VCPKG_TOOL"
    return
  fi
  [[ -f "$VCPKG_TOOL/CMakeLists.txt" && -d "$VCPKG_TOOL/src/vcpkg" ]] || {
    echo "check-packaging: VCPKG_TOOL=$VCPKG_TOOL is neither an executable nor a vcpkg-tool checkout" >&2
    exit 2
  }
  local build="$scratch/vcpkg-tool-build"
  if [[ ! -x "$build/vcpkg" ]]; then
    step "building vcpkg-tool from $VCPKG_TOOL" >&2
    cmake -S "$VCPKG_TOOL" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DBUILD_TESTING=OFF -DVCPKG_DEVELOPMENT_WARNINGS=OFF -DVCPKG_LIBCURL_DLSYM=OFF \
      -DFETCHCONTENT_SOURCE_DIR_FMT="$VCPKG_TOOL_FMT_SOURCE" \
      -DFETCHCONTENT_SOURCE_DIR_CMAKERC="$VCPKG_TOOL_CMRC_SOURCE" \
      -DFETCHCONTENT_FULLY_DISCONNECTED=ON >&2
    cmake --build "$build" -j2 --target vcpkg >&2
  fi
  touch "$build/vcpkg.disable_metrics"
  echo "$build/vcpkg"
}

check_vcpkg() {
  [[ -f "$VCPKG_ROOT/scripts/buildsystems/vcpkg.cmake" && -d "$VCPKG_ROOT/ports/vcpkg-cmake" ]] || {
    echo "check-packaging: VCPKG_ROOT=$VCPKG_ROOT is not a vcpkg registry checkout" \
         "(no scripts/buildsystems/vcpkg.cmake or ports/vcpkg-cmake)" >&2
    exit 2
  }
  local vcpkg
  vcpkg=$(vcpkg_executable)
  rm -rf "$scratch/vcpkg-system-ports"
  local p
  for p in openssl fmt libidn2 c-ares; do write_system_port "$p" "${version[$p]}" "${debian_pkg[$p]}"; done
  for p in boost-asio boost-beast boost-system; do
    write_system_port "$p" "${version[boost]}" "${debian_pkg[boost]}"
  done
  # For the developer manifest (vcpkg.json) only.
  write_system_port gtest "$(debian_version libgtest-dev)" libgtest-dev
  write_system_port benchmark "$(debian_version libbenchmark-dev)" libbenchmark-dev

  # x64-linux, release only (half the build time), with ccache when there is one.
  local triplet=x64-linux-lettre-check
  mkdir -p "$scratch/vcpkg-triplets"
  {
    echo "set(VCPKG_TARGET_ARCHITECTURE x64)"
    echo "set(VCPKG_CRT_LINKAGE dynamic)"
    echo "set(VCPKG_LIBRARY_LINKAGE static)"
    echo "set(VCPKG_CMAKE_SYSTEM_NAME Linux)"
    echo "set(VCPKG_BUILD_TYPE release)"
    # Static libraries only: no RPATH to fix, and fixing it would download patchelf.
    echo "set(VCPKG_FIXUP_ELF_RPATH OFF)"
    if command -v ccache >/dev/null; then
      echo "set(VCPKG_CMAKE_CONFIGURE_OPTIONS -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)"
    fi
  } >"$scratch/vcpkg-triplets/$triplet.cmake"

  export VCPKG_ROOT VCPKG_FORCE_SYSTEM_BINARIES=1 VCPKG_DISABLE_METRICS=1
  export VCPKG_BINARY_SOURCES=clear  # the port builds a checkout: never a cached binary
  export VCPKG_DOWNLOADS="$scratch/vcpkg-downloads"
  export LETTRE_SOURCE_DIR="$repo" VCPKG_KEEP_ENV_VARS=LETTRE_SOURCE_DIR
  mkdir -p "$VCPKG_DOWNLOADS"
  local installed="$scratch/vcpkg-installed"
  rm -rf "$installed" "$scratch/vcpkg-packages" "$scratch/vcpkg-buildtrees"
  step "vcpkg $("$vcpkg" version | head -n1)"
  step "vcpkg install lettre[core,smtp,mx]"
  "$vcpkg" install "lettre[core,smtp,mx]" --classic --triplet "$triplet" \
    --overlay-triplets="$scratch/vcpkg-triplets" --overlay-ports="$repo/ports" --overlay-ports="$scratch/vcpkg-system-ports" \
    --x-install-root="$installed" --x-packages-root="$scratch/vcpkg-packages" \
    --x-buildtrees-root="$scratch/vcpkg-buildtrees"
  step "installed files"
  (cd "$installed/$triplet" && find . -path ./share/vcpkg -prune -o -type f -print |
     grep -v '^./include/lettre/.*/' | sort)
  step "lettre.pc (vcpkg_fixup_pkgconfig)"
  cat "$installed/$triplet/lib/pkgconfig/lettre.pc"

  step "consumer with the vcpkg toolchain file (test_package's programs)"
  local consumer="$scratch/vcpkg-consumer"
  rm -rf "$consumer"
  cmake -S "$repo/test_package" -B "$consumer" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_TOOLCHAIN_FILE="$VCPKG_ROOT/scripts/buildsystems/vcpkg.cmake" \
    -DVCPKG_MANIFEST_MODE=OFF -DVCPKG_TARGET_TRIPLET="$triplet" \
    -DVCPKG_INSTALLED_DIR="$installed" "-DLETTRE_TEST_COMPONENTS=message;smtp;mx"
  cmake --build "$consumer" -j2 -v | grep -E -- '-o test_[a-z]+ ' || true
  for p in message smtp mx; do "$consumer/test_$p"; done

  step "vcpkg install in manifest mode: the top-level vcpkg.json (lettre's own dependencies)"
  "$vcpkg" install --x-manifest-root="$repo" --triplet "$triplet" --x-feature=bench \
    --overlay-triplets="$scratch/vcpkg-triplets" \
    --overlay-ports="$scratch/vcpkg-system-ports" \
    --x-install-root="$scratch/vcpkg-manifest-installed" \
    --x-packages-root="$scratch/vcpkg-packages" --x-buildtrees-root="$scratch/vcpkg-buildtrees"
}

if [[ $what != vcpkg ]]; then check_conan; fi
if [[ $what != conan ]]; then check_vcpkg; fi
step "check-packaging: $what passed"
