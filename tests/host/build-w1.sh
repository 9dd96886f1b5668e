#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview (as shipped, and with the test-only knobs) and the test modules
# build without a single warning at W=1.
set -u
. "$VMAPVIEW_SRC/tests/host/lib.sh"
tmp=$(ktmp)
trap 'rm -rf "$tmp"' EXIT
cd "$VMAPVIEW_SRC"
git ls-files -co --exclude-standard | grep -v '\.\(o\|ko\|cmd\)$' |
	while read -r f; do [ -f "$f" ] && echo "$f"; done | cpio -pdm --quiet "$tmp"

status=0
kmake "$tmp" W=1 >"$tmp/main.log" 2>&1 || status=1
[ -f "$tmp/vmapview.ko" ] || { echo "vmapview.ko not built"; status=1; }
kmake "$tmp" clean >/dev/null 2>&1
kmake "$tmp" W=1 VMAPVIEW_TESTING=y >"$tmp/testing.log" 2>&1 || status=1
[ -f "$tmp/vmapview.ko" ] || { echo "testing vmapview.ko not built"; status=1; }
kmake "$tmp/tests/kmod" W=1 >"$tmp/kmod.log" 2>&1 || status=1
cat "$tmp/main.log" "$tmp/testing.log" "$tmp/kmod.log"
if grep -E 'warning:|error:' "$tmp/main.log" "$tmp/testing.log" "$tmp/kmod.log"; then
	echo "W=1 build is not clean"
	status=1
fi
exit $status
