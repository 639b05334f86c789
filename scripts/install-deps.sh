#!/usr/bin/env bash
# Installs what lettre needs on Debian 12: build tools and libraries, and,
# with --test, the test peers. Packages already present are not reinstalled.
set -euo pipefail

build_pkgs=(g++ cmake ninja-build pkg-config libssl-dev libboost1.81-dev libc-ares-dev
            libfmt-dev libidn2-dev)
test_pkgs=(libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev python3
           python3-aiosmtpd python3-dkim python3-dnspython postfix dnsmasq swaks msmtp
           openssl python3-jsonschema minisign python3-cryptography doxygen
           unbound nsd ldnsutils time iproute2)


want=("${build_pkgs[@]}")
if [[ "${1:-}" == "--test" ]]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then exit 0; fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# Postfix: no daemon, no configuration; the tests start smtpd/smtp-sink themselves.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
echo "lettre: installing ${missing[*]}"
# unbound, nsd and dnsmasq ship daemons that Debian starts on port 53 at
# install time. The tests start their own on 127.0.0.x high ports and never
# need those, so a temporary policy-rc.d refuses every service start during
# the install (exit 101: "action forbidden", the documented Debian way,
# /usr/share/doc/init-system-helpers/README.policy-rc.d). An existing
# policy-rc.d (a container's) is left alone.
policy=/usr/sbin/policy-rc.d
own_policy=""
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\n# lettre install-deps.sh: no service starts during the install\nexit 101\n' \
    | $SUDO tee "$policy" >/dev/null
  $SUDO chmod 755 "$policy"
  own_policy=1
  trap '$SUDO rm -f "$policy"' EXIT
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [[ -n $own_policy ]]; then
  $SUDO rm -f "$policy"
  trap - EXIT
fi
