#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 600
# The opt-in /proc/kcore fix, read by crash's "rd" (crash --minimal on the
# live kernel through /proc/kcore, the release's own crash): the kernel's
# bug without the fix, the pages' real contents with it. (crash takes long
# to start under TCG: that turning the fix off restores the bug is left to
# kcore-fix-dd and kcore-fix-drgn.)
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

command -v crash >/dev/null || skip "crash is not installed in this root"
vmlinux=/usr/lib/debug/boot/vmlinux-$(uname -r)
[ -s "$vmlinux" ] || skip "no debug vmlinux for $(uname -r)"
crash_out=/tmp/crash.$$

# crash_read LO HI FILE: rd -64 of [LO, HI), its words written to FILE.
# crash takes long to start under TCG: the call for the block also reads
# the large area, which the next call (same phase) takes from its output.
crash_read() {
	if [ "$1" = "$BLK_LO" ]; then
		printf 'rd -64 %s %d\nrd -64 %s %d\nq\n' "$BLK_LO" $(((BLK_HI - BLK_LO) / 8)) \
			"$BIG_LO" $(((BIG_HI - BIG_LO) / 8)) |
			crash --minimal -s "$vmlinux" /proc/kcore >"$crash_out" 2>&1 ||
			skip "crash $(crash --version 2>/dev/null | awk 'NR == 1 { print $2 }') does not start on $(uname -r): $(grep -m1 -iE 'crash:|error' "$crash_out")"
	fi
	vmv crash-words "$1" "$2" "$crash_out" "$3" || { tail -5 "$crash_out"; return 1; }
}

KCORE_FIX_PHASES='' kcore_fix_readers crash crash_read
rm -f "$crash_out"
