#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 400
# tools/vmapview-check (drgn, independent of the module) agrees with
# vmapview on the known layouts, adopted blocks and areas included, and
# compares the contents of every present page with --all.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"
need_drgn

taskset -pc 0 $$ >/dev/null || fail "taskset"
load_testmod
tctl unmap_aliases
for m in "pre1 1" "pre2 5" "pre3 16" "prebig 70"; do	# adopted at load
	tctl map $m
done
tctl unmap pre1
load_vmapview
for m in "a 1" "b 3" "c 16" "d 2" "e 64" "big 65" "f 64" "g 64" "h 64"; do
	tctl map $m
done
tctl unmap b
tctl unmap d
grep -c . "$VMV_DEBUGFS/blocks"
drgn "$VMAPVIEW_SRC/tools/vmapview-check" --all 2>/tmp/drgn.err || {
	cat /tmp/drgn.err
	fail "vmapview-check disagrees"
}
