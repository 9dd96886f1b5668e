#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# vmapview-timeout: 300
# 6.5+: a _vm_unmap_aliases() call that overlaps a vm_unmap_ram() may reset
# the block's dirty range before or after vb_free() widens it, and the
# probes cannot tell which. vmapview counts such unmaps
# (unmap_alias_overlaps), marks the block uncertain and takes the kernel's
# range at its resync: with vm_unmap_aliases() called in a loop (100 calls
# or 20 s) while four threads map and unmap, overlaps are counted, and once
# quiet every block's dirty range is the kernel's (vmapview-check).
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

kernel_at_least 6 5 || skip "before 6.5 _vm_unmap_aliases() leaves dirty ranges alone"
load_testmod
load_vmapview
tctl churn 4
# Up to 100 calls, for at most 20 s (a call takes seconds on the KASAN kernel).
t0=$SECONDS
for i in $(seq 100); do
	tctl unmap_aliases
	[ $((SECONDS - t0)) -lt 20 ] || break
	sleep 0.02
done
tctl map keep1 5
tctl map keep2 9
tctl unmap keep1
tctl churn 0
overlaps=$(vmv stat unmap_alias_overlaps)
echo "unmap_alias_overlaps=$overlaps unmaps=$(vmv stat unmaps) unmap_aliases=$(vmv stat unmap_aliases)"
[ "$overlaps" -ge 1 ] || fail "no overlap seen in $i vm_unmap_aliases() calls during churn"
wait_settled 60 || fail "vmapview did not settle"
if can_audit; then
	vmapview_check || fail "vmapview-check disagrees once quiet"
else
	echo "no drgn audit here: the dirty ranges are not compared with the kernel's"
fi
