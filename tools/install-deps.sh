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
((${#missing[@]} == 0)) && exit 0

sudo=
if ((EUID != 0)); then
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
