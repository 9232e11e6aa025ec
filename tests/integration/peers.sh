# shellcheck shell=bash disable=SC2034  # PEERS_*: results for the sourcing script
# Real syslog-ng and rsyslog for interop tests, without installing them.
#
#   peers_fetch CACHE_DIR   makes sure CACHE_DIR/root holds syslog-ng-core and
#                           rsyslog (and the libraries they need that are not
#                           installed), unpacked with `dpkg -x`.  Returns 1 with
#                           the reason in PEERS_SKIP when they cannot be had.
#                           Sets PEERS_ROOT and PEERS_LIBPATH.
#   peers_syslog_ng ARGS... / peers_rsyslogd ARGS...
#                           the command lines to run them (in PEERS_CMD, an array)
#
# Why unpack: the two Debian packages conflict (both provide
# system-log-daemon), and installing either may start a system service (their maintainer
# scripts enable and start syslog-ng or rsyslog).  Nothing here runs a maintainer
# script, touches /etc or starts a service.
#
# Needs apt's package lists (`apt-get update` once, which tools/install-deps.sh
# does) and access to the archive the first time; afterwards the cache is used
# as it is.  Works as any user: `apt-get download` and `dpkg -x` need no root.
# Can also be run as a script: `bash peers.sh CACHE_DIR`.

PEERS_PACKAGES=(syslog-ng-core rsyslog)
PEERS_SKIP=
PEERS_ROOT=
PEERS_LIBPATH=
PEERS_MULTIARCH=

_peers_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# The packages to download: the peers, and (transitively) the libraries they
# depend on that are not installed.  Of alternatives ("a | b") only the first
# is followed; packages that are not libraries (lsb-base, sgml-base: scripts
# and data) are not needed to run the daemons.
_peers_closure() {
  local -A seen=()
  local queue=("${PEERS_PACKAGES[@]}") p dep
  while ((${#queue[@]})); do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    [[ -n ${seen[$p]:-} ]] && continue
    seen[$p]=1
    echo "$p"
    while read -r dep; do
      [[ $dep == lib* && -z ${seen[$dep]:-} ]] || continue
      _peers_installed "$dep" || queue+=("$dep")
    done < <(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks \
      --no-replaces --no-enhances "$p" 2>/dev/null | sed -n 's/^ *|\{0,1\}Depends: \([^<>]*\)$/\1/p')
  done
}

peers_fetch() {
  local cache=$1 tmp pkgs deb log
  local multiarch
  PEERS_ROOT=$cache/root
  multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
  PEERS_LIBPATH=$PEERS_ROOT/usr/lib/syslog-ng:$PEERS_ROOT/usr/lib/$multiarch
  PEERS_MULTIARCH=$multiarch
  [[ -e $PEERS_ROOT/.complete ]] && return 0
  local cmd
  for cmd in apt-get apt-cache dpkg-deb dpkg-query; do
    command -v "$cmd" >/dev/null || {
      PEERS_SKIP="no $cmd (not a Debian system?)"
      return 1
    }
  done
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/fetch.XXXXXX")
  log=$tmp/apt.log
  mapfile -t pkgs < <(_peers_closure)
  if ! apt-cache show "${PEERS_PACKAGES[@]}" >/dev/null 2>"$log"; then
    PEERS_SKIP="apt does not know ${PEERS_PACKAGES[*]} (no apt-get update?): $(tail -n 1 "$log")"
    rm -rf "$tmp"
    return 1
  fi
  mkdir -p "$tmp/debs" "$tmp/root"
  # apt warns (W:) when its _apt sandbox user cannot write to the directory.
  if ! (cd "$tmp/debs" && apt-get download -q "${pkgs[@]}") >"$log" 2>&1; then
    PEERS_SKIP="apt-get download ${pkgs[*]} failed: $(grep -v '^W:' "$log" | tail -n 1)"
    rm -rf "$tmp"
    return 1
  fi
  for deb in "$tmp"/debs/*.deb; do
    dpkg-deb -x "$deb" "$tmp/root" || {
      PEERS_SKIP="dpkg-deb -x $deb failed"
      rm -rf "$tmp"
      return 1
    }
  done
  printf '%s\n' "${pkgs[@]}" >"$tmp/root/.packages"
  touch "$tmp/root/.complete"
  rm -rf "$PEERS_ROOT" "$cache/debs"
  mv "$tmp/root" "$PEERS_ROOT"
  mv "$tmp/debs" "$cache/debs"
  rm -rf "$tmp"
}

# Version of the unpacked package NAME (from its .deb file name).
peers_version() {
  local f
  for f in "${PEERS_ROOT%/root}"/debs/"$1"_*.deb; do
    f=${f##*/}
    f=${f#"$1"_}
    echo "${f%_*.deb}"
    return 0
  done
  echo unknown
}

# PEERS_CMD: syslog-ng from the cache, with its modules, and ARGS.
peers_syslog_ng() {
  PEERS_CMD=(env "LD_LIBRARY_PATH=$PEERS_LIBPATH" "$PEERS_ROOT/usr/sbin/syslog-ng"
    --module-path "$(echo "$PEERS_ROOT"/usr/lib/syslog-ng/3.*)" "$@")
}

# PEERS_CMD: rsyslogd from the cache, modules from the cache (-M), and ARGS.
peers_rsyslogd() {
  PEERS_CMD=(env "LD_LIBRARY_PATH=$PEERS_LIBPATH" "$PEERS_ROOT/usr/sbin/rsyslogd"
    -M "$PEERS_ROOT/usr/lib/$PEERS_MULTIARCH/rsyslog" "$@")
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  set -euo pipefail
  (($# == 1)) || {
    echo "usage: $0 CACHE_DIR" >&2
    exit 2
  }
  if peers_fetch "$1"; then
    echo "peers in $PEERS_ROOT: syslog-ng-core $(peers_version syslog-ng-core), rsyslog $(peers_version rsyslog)"
  else
    echo "SKIP: $PEERS_SKIP"
    exit 77
  fi
fi
