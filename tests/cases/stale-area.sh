#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A large-area record whose area the kernel frees goes with it: before 6.3
# adoption can take a vmalloc area caught between its allocation and its
# vm_struct for a vm_map_ram() area, and no unmap will ever come for it.
# The test build plants such a record over a live vmalloc() buffer; vfree()
# of the buffer hits the probe on free_vmap_area_noflush(), whose O(1)
# filter of adopted starts asks for a large-area rescan (va_free_rescans),
# and the rescan drops the record (stale_areas_dropped), so mem never reads
# that address as vm_map_ram memory once it is reused. A real large
# vm_map_ram() area is dropped by its unmap, not counted.
# From 6.3 (VMAP_RAM) no such record can arise, and the probe, which would
# run on every vfree() in the system, must not be installed: stats has no
# probe.free_vmap_area_noflush line there.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview_testing
if kernel_at_least 6 3; then
	grep '^probe\.free_vmap_area_noflush' "$VMV_DEBUGFS/stats" &&
		fail "free_vmap_area_noflush is probed on a kernel with VMAP_RAM"
	expect_eq "va_free_rescans" "$(vmv stat va_free_rescans)" 0
	echo "not probed: free_vmap_area_noflush (vfree path) on $(uname -r)"
	exit 0
fi
[ "$(vmv stat probe.free_vmap_area_noflush)" != absent ] ||
	skip "free_vmap_area_noflush is not a probe-able symbol on this kernel"
tctl vmalloc v 80
V=$(vmv addr v)
echo "area $V 80" >"$VMV_DEBUGFS/inject" || fail "inject area"
grep "^$V-" "$VMV_DEBUGFS/areas" || fail "planted record not shown"
expect_eq "stale areas before" "$(vmv stat stale_areas_dropped)" 0
tctl unmap v
[ "$(vmv stat va_free_rescans)" -ge 1 ] || fail "vfree() of the planted area asked for no rescan"
# Readers run the rescan, once its back-off (50 ms after a pass) is over.
for i in $(seq 50); do
	grep -q "^$V-" "$VMV_DEBUGFS/areas" || break
	sleep 0.1
done
grep "^$V-" "$VMV_DEBUGFS/areas" && fail "record of the freed vmalloc area stays"
expect_eq "stale areas after vfree" "$(vmv stat stale_areas_dropped)" 1

tctl map big 80
B=$(vmv addr big)
grep -q "^$B-.* type=area src=probe" "$VMV_DEBUGFS/areas" || fail "large area not shown"
tctl unmap big
grep "^$B-" "$VMV_DEBUGFS/areas" && fail "large area stays after its unmap"
expect_eq "stale areas after a real unmap" "$(vmv stat stale_areas_dropped)" 1
expect_eq "lost events" "$(vmv stat lost_events)" 0
echo "inject: bad input is refused"
for bad in "area" "area $V" "area $V 0" "area $V 64" "area nothex 4" "area $V 4 x" "flop $V"; do
	echo "$bad" >"$VMV_DEBUGFS/inject" 2>/dev/null && fail "inject accepted '$bad'"
done
true
