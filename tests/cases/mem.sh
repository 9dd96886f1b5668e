#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# mem reads vm_map_ram memory byte for byte: every page of every test
# mapping (several orders, large areas) reads back as written, dirty and
# free pages of the same blocks and the slack of each allocation read as
# zeros, also in reads that span mappings, blocks and areas, unaligned
# windows, and whole 1 MiB blocks in one call. /proc/kcore reads the same
# vm_map_ram addresses as zeros before 6.3 (the bug), a vmalloc() buffer right.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

taskset -pc 0 $$ >/dev/null || fail "taskset"
load_testmod
load_vmapview
tctl unmap_aliases
for m in "a 1" "b 3" "c 16" "d 2" "e 64" "f 5" "big1 65" "g 33" "big2 300" "h 8"; do
	tctl map $m
done
tctl vmalloc v 16
tctl unmap b
tctl unmap g
cat "$VMVT_DEBUGFS/maps"
vmv check-mem || fail "mem contents"
if [ "$(kcore_bug)" = zeros ]; then
	vmv kcore || fail "/proc/kcore no longer reads vm_map_ram as zeros: a fixed kernel?"
fi
tctl unmap_all
tctl unmap_aliases
vmv check-mem || fail "mem after unmap_all"
