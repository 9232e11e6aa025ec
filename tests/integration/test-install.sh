#!/usr/bin/env bash
# `meson install` into a temporary prefix: every file of the install layout
# (docs/operations.md, "Installing") is there and nothing lands outside the
# prefix; the installed lifeline finds the installed module by itself; and a
# host built only against the installed lifeline.pc forwards lines through the
# installed module to a collector.  Needs no root; writes only under $TL_DIR.
set -euo pipefail
here=$(dirname "$0")
source "$here/lib.sh"
tl_init

prefix="$TL_DIR/prefix"
build="$TL_DIR/build"
# A build of its own: the prefix is compiled in (the built-in module
# directory, the unit's ExecStart).  No tests: they need nothing installed.
meson setup "$build" "$TL_SOURCE_ROOT" --prefix "$prefix" -Dtests=disabled >"$TL_DIR/setup.err" 2>&1 ||
  tl_fail "meson setup: $(tail -n 20 "$TL_DIR/setup.err")"
ninja -C "$build" >"$TL_DIR/ninja.err" 2>&1 || tl_fail "ninja: $(tail -n 30 "$TL_DIR/ninja.err")"
meson install -C "$build" --no-rebuild >"$TL_DIR/install.err" 2>&1 || tl_fail "meson install: $(tail -n 20 "$TL_DIR/install.err")"

option() {
  meson introspect --buildoptions "$build" |
    python3 -c 'import json, sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == sys.argv[1]))' "$1"
}
libdir="$prefix/$(option libdir)"
sbindir="$prefix/$(option sbindir)"
datadir="$prefix/$(option datadir)"
mandir="$prefix/$(option mandir)"
moduledir="$libdir/lifeline/modules"

# Nothing outside the prefix (the systemd unit directory is re-rooted there).
outside=$(meson introspect --installed "$build" |
  python3 -c 'import json, sys; print("\n".join(d for d in json.load(sys.stdin).values() if not d.startswith(sys.argv[1] + "/")))' "$prefix")
[[ -z $outside ]] || tl_fail "installed outside the prefix: $outside"

expect=(
  "$sbindir/lifeline" "$sbindir/lifelinectl"
  "$moduledir/lifeline-network.so"
  "$prefix/include/lifeline/plugin.h"
  "$libdir/pkgconfig/lifeline.pc"
  "$mandir/man8/lifeline.8" "$mandir/man5/lifeline.conf.5" "$mandir/man8/lifelinectl.8"
  "$prefix/lib/systemd/system/lifeline.service"
)
for f in "$TL_SOURCE_ROOT"/conf-examples/*.conf; do
  expect+=("$datadir/doc/lifeline/conf-examples/${f##*/}")
done
for f in "${expect[@]}"; do
  [[ -s $f ]] || tl_fail "not installed: ${f#"$prefix"/}"
done
[[ -x $sbindir/lifeline && -x $sbindir/lifelinectl ]] || tl_fail "lifeline or lifelinectl is not executable"
tl_pass "${#expect[@]} files installed, none outside the prefix"

# The unit: what it runs, and Type=notify exactly when built with libsystemd.
unit="$prefix/lib/systemd/system/lifeline.service"
want_type=simple
if readelf -d "$sbindir/lifeline" | grep -q 'NEEDED.*libsystemd'; then
  want_type=notify
fi
for line in "Type=$want_type" \
  "ExecStart=$sbindir/lifeline -f $prefix/etc/lifeline/lifeline.conf --control /run/lifeline/lifeline.ctl" \
  'ExecReload=/bin/kill -HUP $MAINPID' 'RuntimeDirectory=lifeline' 'WantedBy=multi-user.target'; do
  grep -qxF -- "$line" "$unit" || tl_fail "lifeline.service has no line '$line': $(grep -v '^#' "$unit")"
done
tl_pass "lifeline.service: Type=$want_type, ExecStart runs the installed lifeline"

# pkg-config: the header's Cflags, the module directory, no libraries.
export PKG_CONFIG_PATH="$libdir/pkgconfig"
pc() { # one pkg-config answer, trailing blanks removed ('' if it prints nothing)
  local out
  out=$(pkg-config "$@") || tl_fail "pkg-config $* failed"
  echo "${out%"${out##*[! ]}"}"
}
[[ $(pc --cflags lifeline) == "-I$prefix/include" ]] || tl_fail "pkg-config --cflags lifeline: '$(pc --cflags lifeline)'"
[[ $(pc --variable=moduledir lifeline) == "$moduledir" ]] ||
  tl_fail "moduledir=$(pc --variable=moduledir lifeline), want $moduledir"
[[ -z $(pc --libs lifeline) ]] || tl_fail "pkg-config --libs lifeline: '$(pc --libs lifeline)'"
tl_pass "lifeline.pc: Cflags -I$prefix/include, moduledir, no Libs"

# The installed lifeline loads the installed module from its built-in
# directory (no --module-path, no LIFELINE_MODULE_PATH).
"$sbindir/lifeline" --version | grep -q '^lifeline ' || tl_fail "installed lifeline --version"
cat >"$TL_DIR/check.conf" <<'CONF'
@version: 4.0
source s_in { stdin(); };
destination d_net { network("127.0.0.1" port(514)); };
log { source(s_in); destination(d_net); };
CONF
env -u LIFELINE_MODULE_PATH "$sbindir/lifeline" -f "$TL_DIR/check.conf" --syntax-only >"$TL_DIR/check.out" 2>&1 ||
  tl_fail "installed lifeline does not find its module: $(cat "$TL_DIR/check.out")"
tl_pass "the installed lifeline finds the installed module"

# The minimal host, compiled against the installed header only (a copy of
# the source, so no include path can reach the source tree).
cp "$TL_SOURCE_ROOT/tests/minimal-host/minimal-host.c" "$TL_DIR/"
# shellcheck disable=SC2046 # pkg-config prints several words
${CC:-cc} -std=c11 -D_GNU_SOURCE -Wall -Werror $(pkg-config --cflags lifeline ivykis) \
  "$TL_DIR/minimal-host.c" $(pkg-config --libs ivykis) -ldl -o "$TL_DIR/minimal-host" 2>"$TL_DIR/cc.err" ||
  tl_fail "minimal host does not build against the installed header: $(cat "$TL_DIR/cc.err")"
tl_start_collector c 127.0.0.1
rc=0
"$TL_DIR/minimal-host" "$(pkg-config --variable=moduledir lifeline)/lifeline-network.so" "$TL_PORT_c" \
  "installed 1" "installed 2" >"$TL_DIR/host.out" 2>"$TL_DIR/host.err" || rc=$?
((rc == 0)) || tl_fail "minimal host exited $rc: $(cat "$TL_DIR/host.out" "$TL_DIR/host.err")"
tl_wait_stat c lines 2
printf 'installed 1\ninstalled 2\n' | cmp - "$TL_DIR/c.out.log" || tl_fail "collector got: $(cat "$TL_DIR/c.out.log")"
tl_pass "a host built with pkg-config --cflags lifeline forwards through the installed module"
