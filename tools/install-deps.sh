#!/usr/bin/env bash
# Installs what lifeline needs to build and test on Debian 12, only what is
# missing.  Runs as root or through sudo.  Nothing is downloaded at build time.
set -euo pipefail

packages=(
  gcc clang pkg-config meson ninja-build python3
  libglib2.0-dev libivykis-dev libssl-dev libcriterion-dev libsystemd-dev
  valgrind
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
sudo=
if ((EUID != 0)); then
  sudo=sudo
fi

# test-interop-syslog.sh fetches syslog-ng-core and rsyslog with
# `apt-get download` (never installed: they conflict and would start
# services); that needs apt's package lists.
if ! apt-cache show syslog-ng-core rsyslog >/dev/null 2>&1; then
  $sudo apt-get update -qq || true
fi

((${#missing[@]} == 0)) && exit 0
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
