#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 300
# The opt-in /proc/kcore fix (vmapview_kcore, a livepatch), read with dd at
# the ELF offsets of a block and of a large vm_map_ram() area: the kernel's
# bug without it (zeros before 6.3, the block's first used page from 6.3),
# the pages' real contents with it, the bug again once it is turned off and
# unloaded. Loading it taints the kernel K and shows in stats.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

dd_read() {
	local off

	off=$(vmv kcore-offset "$1") || return 1
	dd if=/proc/kcore of="$3" iflag=skip_bytes,count_bytes skip="$off" \
		count=$(($2 - $1)) bs=64K status=none
}

kcore_fix_readers dd dd_read
kcore_fix_on
taint=$(cat /proc/sys/kernel/tainted)
[ $((taint >> 15 & 1)) = 1 ] || fail "the livepatch did not taint the kernel K ($taint)"
kcore_fix_off || fail "turning the fix off"
expect_eq "stats kcore_fix after it is unloaded" "$(vmv stat kcore_fix)" 0
