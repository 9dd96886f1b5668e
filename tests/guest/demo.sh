#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The README's main job, run inside the guest: load vmapview and the test
# module, make some vm_map_ram() mappings, and print the debugfs files.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

show() {
	local f

	for f in "$@"; do
		echo "### $f"
		cat "$f"
	done
}

demo() {
echo "### uname -r: $(uname -r)"
load_vmapview
load_testmod
tctl map demo1 1
tctl map demo4 4
tctl map demo16 16
tctl map demo64 64
tctl map demo300 300
tctl unmap demo4
show "$VMVT_DEBUGFS/maps"
echo "### ls -l $VMV_DEBUGFS"
ls -l "$VMV_DEBUGFS"
for f in "$VMV_DEBUGFS"/*; do
	[ -f "$f" ] && [ -r "$f" ] && [ "$(basename "$f")" != mem ] && show "$f"
done
unload_all
}

demo 2>&1 | tee "$VMAPVIEW_OUT/demo.txt"
exit "${PIPESTATUS[0]}"
