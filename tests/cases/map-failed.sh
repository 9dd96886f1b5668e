#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# vmapview-timeout: 300
# vm_map_ram()'s own failure path: when mapping the pages fails, it calls
# vm_unmap_ram() on the area it allocated and never returned, then returns
# NULL. vmapview tells that call from a caller's by its return address
# (inside vm_map_ram()): it is no lost event, and the block or large area
# it frees is taken as the kernel leaves it. The test module makes the
# page-table step fail for one call at a time (a kretprobe that returns
# -ENOMEM); nothing else in a guest makes it fail. Before c921e58, on 6.5+
# the unmap kprobe read the return address after the vm_unmap_ram
# kretprobe had replaced it with its trampoline: every such unmap of a
# large area counted lost.unmap_unknown_area.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

# The function vm_map_ram() maps the pages through, as the -dbg vmlinux
# of every supported kernel shows (vmap_pages_range() is inlined); 5.10's
# is map_kernel_range_noflush().
sym=vmap_small_pages_range_noflush
kernel_at_least 6 1 || sym=map_kernel_range_noflush
load_testmod
load_vmapview
wait_settled 60 || fail "vmapview did not settle after loading"
lost=$(vmv stat lost_events)
unmaps=$(vmv stat unmaps)
# Large areas (more than 64 pages): one record per area, none made here.
tctl mapfail "$sym" 65 3
# Block allocations of 64 pages on one CPU: 40 of them fill more blocks
# than a CPU's free list holds, so some start a block the failed map made
# and the mirror never heard of.
taskset -c 0 sh -c "echo mapfail $sym 64 40 >$VMVT_DEBUGFS/ctl" ||
	fail "mapfail $sym 64 40 failed"
seen=$(($(vmv stat unmaps) - unmaps))
echo "unmaps seen $seen, blocks_freed $(vmv stat blocks_freed), lost_events $(vmv stat lost_events) (before: $lost)"
[ "$seen" -ge 43 ] || fail "vmapview saw $seen of the 43 failure paths' vm_unmap_ram() calls"
if [ "$(vmv stat lost_events)" != "$lost" ]; then
	grep '^lost' "$VMV_DEBUGFS/stats"
	fail "a failed vm_map_ram()'s own unmap was counted as a lost event"
fi
# The failed maps filled blocks with dirty pages, which the kernel frees:
# the mirror knew those blocks, the ones the failed maps started too.
[ "$(vmv stat blocks_freed)" -ge 1 ] || fail "no block the failed maps filled was seen freed"
wait_settled 60 || fail "vmapview did not settle"
vmv check-pte || fail "used pages and PTEs disagree (lines above)"
if can_audit; then
	vmapview_check || fail "vmapview-check disagrees"
fi
