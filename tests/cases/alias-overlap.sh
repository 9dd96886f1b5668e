#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# vmapview-timeout: 420
# 6.5+: a _vm_unmap_aliases() call resets the dirty range of the blocks it
# walks, and one that walks a block between an unmap's vm_unmap_ram() entry
# (where the mirror records it) and vb_free() (where the kernel widens the
# range) resets the range without that unmap's pages, which come after.
# vmapview follows the walk with a kprobe on purge_fragmented_block(),
# called for each block under its lock: where it counts more dirty pages
# than the kernel, an unmap is in flight, so it counts the overlap
# (unmap_alias_overlaps), marks the block uncertain and takes the kernel's
# range at the resync. Where that probe cannot be installed (the test
# build's fail_probe= stands in for a kernel that inlined the function) it
# falls back to generations and a kretprobe on vm_unmap_ram(), whose return
# half sees the calls that overlap an unmap. Both, in turn: vm_unmap_aliases()
# in a loop (100 calls or 20 s) while four threads map and unmap; with the
# walk probe a test kprobe holds every __vunmap_range_noflush() caller 2 ms,
# inside vb_free() between the two, so that walks find unmaps in flight.
# Then, quiet, one such overlap made to happen (the test module's
# aliasrace: an unmap held inside vb_free() on CPU 1 while CPU 0 calls
# vm_unmap_aliases()) in a block that stays, with a dirty range the walk
# resets. Overlaps are counted, and every block's dirty range is then the
# kernel's (vmapview-check): a mirror that reset that block's range as if
# no unmap were in flight keeps an empty range where the kernel's holds
# the held unmap's pages.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

kernel_at_least 6 5 || skip "before 6.5 _vm_unmap_aliases() leaves dirty ranges alone"
taskset -pc 0 $$ >/dev/null	# the test's own mappings in CPU 0's block
load_testmod

# overlap MODE: one round; MODE is walk or window.
overlap() {
	local mode=$1 t0 i overlaps walk ret

	if [ "$mode" = walk ]; then
		load_vmapview_testing
	else
		load_vmapview_testing fail_probe=purge_fragmented_block
	fi
	walk=$(vmv stat probe.purge_fragmented_block)
	ret=$(vmv stat probe.vm_unmap_ram.return)
	echo "$mode: probe.purge_fragmented_block=$walk probe.vm_unmap_ram.return=$ret"
	if [ "$mode" = walk ]; then
		[ "$walk" = purge_fragmented_block ] || fail "walk: purge_fragmented_block not probed"
		[ "$ret" = absent ] || fail "walk: the vm_unmap_ram() kretprobe is installed too"
		tctl hold __vunmap_range_noflush 2000
	else
		[ "$walk" = absent ] || fail "window: purge_fragmented_block probed despite fail_probe"
		[ "$ret" = vm_unmap_ram ] || fail "window: no vm_unmap_ram() kretprobe"
	fi
	tctl churn 4
	# Up to 100 calls, for at most 20 s (a call takes seconds on the KASAN kernel).
	t0=$SECONDS
	for i in $(seq 100); do
		tctl unmap_aliases
		[ $((SECONDS - t0)) -lt 20 ] || break
		sleep 0.02
	done
	[ "$mode" = walk ] && tctl nohold
	tctl map keep1 5
	tctl map keep2 9
	tctl unmap keep1
	tctl churn 0
	overlaps=$(vmv stat unmap_alias_overlaps)
	echo "$mode: unmap_alias_overlaps=$overlaps unmaps=$(vmv stat unmaps) unmap_aliases=$(vmv stat unmap_aliases)"
	[ "$overlaps" -ge 1 ] || fail "$mode: no overlap seen in $i vm_unmap_aliases() calls during churn"
	# keep2 keeps the block; race_a gives it a dirty range to reset. A
	# vm_unmap_aliases() from elsewhere (a kprobe's instruction page
	# freed, say) may reset that range before the race, and the walk then
	# has nothing to reset: up to 5 tries, each a new range.
	for t in 1 2 3 4 5; do
		calls=$(vmv stat unmap_aliases)
		tctl map "race_a$t" 1
		tctl unmap "race_a$t"
		tctl map "race$t" 2
		tctl aliasrace "race$t" || fail "$mode: aliasrace did not hold the unmap"
		[ "$(vmv stat unmap_alias_overlaps)" -gt "$overlaps" ] && break
		echo "$mode: try $t: no overlap counted; _vm_unmap_aliases() calls meanwhile: $(($(vmv stat unmap_aliases) - calls)) (the race's own: 1)"
	done
	[ "$(vmv stat unmap_alias_overlaps)" -gt "$overlaps" ] ||
		fail "$mode: an unmap held inside vb_free() during vm_unmap_aliases() was not counted in $t tries"
	wait_settled 60 || fail "$mode: vmapview did not settle"
	if can_audit; then
		vmapview_check || fail "$mode: vmapview-check disagrees once quiet"
	else
		echo "no drgn audit here: the dirty ranges are not compared with the kernel's"
	fi
	tctl unmap keep2
	rmmod vmapview || fail "rmmod vmapview"
}

overlap walk
overlap window
