#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Without CONFIG_KPROBES, CONFIG_KRETPROBES or CONFIG_DEBUG_FS, vmapview
# refuses to build with an #error naming the option. The kernel's own config
# is forced off by an -include that runs after kconfig.h.
set -u
. "$VMAPVIEW_SRC/tests/host/lib.sh"
tmp=$(ktmp)
trap 'rm -rf "$tmp"' EXIT
cd "$VMAPVIEW_SRC"
status=0
for opt in CONFIG_KPROBES CONFIG_KRETPROBES CONFIG_DEBUG_FS; do
	rm -rf "$tmp/src" && mkdir "$tmp/src"
	cp -r Kbuild Makefile dkms.conf module "$tmp/src/"
	printf '#undef %s\n' "$opt" >"$tmp/undef.h"
	if kmake "$tmp/src" KCFLAGS="-include $(root_path "$tmp")/undef.h" \
		>"$tmp/log" 2>&1; then
		echo "$opt: build succeeded without it"
		status=1
	elif grep -q "error: #error \"vmapview: the kernel lacks $opt=y" "$tmp/log"; then
		echo "$opt: refused with: $(grep -m1 "lacks $opt" "$tmp/log")"
	else
		echo "$opt: build failed, but not with vmapview's #error:"
		tail -20 "$tmp/log"
		status=1
	fi
done
exit $status
