#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Mappings made before vmapview was loaded are adopted at load: the block
# from the kernel's vmap_blocks and page tables (slack pages attributed by
# the kernel's dirty count), large areas from the busy vmap_area list.
# Adopted allocations have no caller. Their boundaries come from the PTEs
# (an allocation's mapped pages come first, its slack last): y, 5 pages
# and 3 of slack, is provably one allocation; z's 16 fully mapped pages
# could be several, so its record says merged=1. Later unmaps of adopted
# allocations are tracked exactly.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

taskset -pc 0 $$ >/dev/null || fail "taskset"
load_testmod
load_vmapview
vmv fresh-block || fail "fresh-block"
rmmod vmapview
aliases0=
tctl map x 1
tctl map y 5
tctl map z 16
tctl map big 70
tctl unmap x
load_vmapview
P=$(vmv stat pages_per_block)
X=$(vmv addr y)
X=$(printf '0x%x' $((X - 4096)))
page() { printf '0x%x' $(($1 + $2 * 4096)); }

# x (dirty), y: 5 pages + 3 slack, z: 16 pages. From 6.5 the kernel may
# have reset the dirty range before the load (aliases0 is unknown then).
got=$(vmv block "$X")
same_but_range "$got" \
	"$X-$(page "$X" "$P") cpu=0 free=$((P - 25)) dirty=1 used=24 dirty_range=0-1 src=adopted map=d$(rep U 24)$(rep . $((P - 25)))" ||
	fail "adopted block: $got"
Y=$(vmv addr y)
Z=$(vmv addr z)
expect_eq "adopted allocation" "$(vmv area "$Y")" \
	"$Y-$(page "$Y" 8) 32768 pages=5 type=block src=adopted caller=?"
expect_eq "adopted run" "$(vmv area "$Z")" \
	"$Z-$(page "$Z" 16) 65536 pages=16 type=block src=adopted merged=1 caller=?"
B=$(vmv addr big)
expect_eq "adopted large area" "$(vmv area "$B")" \
	"$B-$(page "$B" 70) 286720 pages=70 type=area src=adopted caller=?"

# Unmapping y leaves z's record as it was.
tctl unmap y
expect_eq "block after unmap y" "$(vmv block "$X" | sed 's/.* map=//')" \
	"$(rep d 9)$(rep U 16)$(rep . $((P - 25)))"
expect_eq "rest of the run" "$(vmv area "$Z")" \
	"$Z-$(page "$Z" 16) 65536 pages=16 type=block src=adopted merged=1 caller=?"
vmv area "$Y" && fail "y still listed"
tctl unmap big
vmv area "$B" && fail "big still listed"
vmv check-pte || fail "used pages and PTEs disagree"
expect_eq "lost events" "$(vmv stat lost_events)" 0

# Fully mapped allocations side by side (z, two of 64 pages, then one of
# 3 pages and its page of slack) are one run of 148 pages: adoption splits
# it into records of at most 64 pages, all marked merged, whose mapped
# pages come first (check-pte), never into one impossible allocation.
rmmod vmapview
tctl map m1 64
tctl map m2 64
tctl map m3 3
load_vmapview
vmv check-pte || fail "adopted records and PTEs disagree"
vmv block "$Z" | grep -q " src=adopted " || fail "block not adopted: $(vmv block "$Z")"
merged=$(grep -c " type=block src=adopted merged=1 " "$VMV_DEBUGFS/areas")
[ "$merged" -ge 3 ] || fail "$merged merged records for the run, want 3 or more"
echo "adoption ok"
