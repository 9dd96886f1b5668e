#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Known layouts built with the test module, compared exactly with blocks,
# areas and stats: mixed orders in one block, unmaps that leave dirty runs,
# a block filled until a new one starts, a block freed when fully dirty,
# vm_unmap_aliases() purging, large areas and caller attribution. After each
# step every block's used pages, less the slack of its allocations, are
# exactly its present PTEs, and on kernels with used_map (6.3+) exactly the
# kernel's used_map (vmapview-check).
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

# One CPU, so every allocation goes through the same per-CPU block queue.
taskset -pc 0 $$ >/dev/null || fail "taskset"
load_vmapview
load_testmod
vmv fresh-block || fail "fresh-block"
P=$(vmv stat pages_per_block)
aliases0=$(vmv stat unmap_aliases)
page() { printf '0x%x' $(($1 + $2 * 4096)); }
# After each layout: used pages against the PTEs, and where the kernel keeps
# its own used_map (6.3+), the mirror against it bit for bit (drgn).
check_pte() {
	vmv check-pte || fail "used pages and PTEs disagree ($1)"
	if kernel_at_least 6 3 && can_audit; then
		vmapview_check 2>/dev/null ||
			fail "vmapview-check: mirror and kernel used_map disagree ($1)"
	fi
}

# Mixed orders: 1, 3 (reserves 4), 16, 2, 64 pages, one after the other.
for m in "a 1" "b 3" "c 16" "d 2" "e 64"; do
	tctl map $m
done
A=$(vmv addr a)
expect_eq "a starts a new block" "$(vmv block "$A" | cut -d- -f1)" "$A"
expect_eq "b offset" "$(vmv addr b)" "$(page "$A" 1)"
expect_eq "c offset" "$(vmv addr c)" "$(page "$A" 5)"
expect_eq "d offset" "$(vmv addr d)" "$(page "$A" 21)"
expect_eq "e offset" "$(vmv addr e)" "$(page "$A" 23)"
got=$(vmv block "$A")
same_but_range "$got" \
	"$A-$(page "$A" "$P") cpu=0 free=$((P - 87)) dirty=0 used=87 dirty_range=$P-0 src=probe map=$(rep U 87)$(rep . $((P - 87)))" ||
	fail "mixed orders: $got"
check_pte "mixed orders"

# Unmaps leave dirty runs and widen the dirty range.
tctl unmap b
tctl unmap d
got=$(vmv block "$A")
same_but_range "$got" \
	"$A-$(page "$A" "$P") cpu=0 free=$((P - 87)) dirty=6 used=81 dirty_range=1-23 src=probe map=U$(rep d 4)$(rep U 16)$(rep d 2)$(rep U 64)$(rep . $((P - 87)))" ||
	fail "dirty runs: $got"
check_pte "dirty runs"

# Fill the block until 64 pages no longer fit: the next map starts a block.
tctl map f 64
tctl map g 64
tctl map h 64
H=$(vmv addr h)
expect_eq "h starts a new block" "$(vmv block "$H" | cut -d- -f1)" "$H"
expect_eq "first block after f, g" "$(block_key_of a free) $(block_key_of a used)" \
	"$((P - 215)) 209"
expect_eq "new block" "$(block_map_of h)" "$(rep U 64)$(rep . $((P - 64)))"
check_pte "two blocks"

# A block with no free pages is freed by the unmap that makes it all dirty.
tctl map i 64
tctl map j 64
tctl map k 64
expect_eq "full block" "$(block_key_of h free) $(block_key_of h used)" "0 $P"
freed=$(vmv stat blocks_freed)
for m in h i j; do
	tctl unmap $m
done
expect_eq "all dirty but k" "$(vmv block "$H" | sed 's/.* map=//')" "$(rep d 192)$(rep U 64)"
tctl unmap k
vmv block "$H" && fail "block $H still listed when all dirty"
expect_eq "blocks_freed after full dirty" "$(vmv stat blocks_freed)" $((freed + 1))

# A block with nothing used is purge-eligible (from 6.5: with under a
# quarter free, as this one has); vm_unmap_aliases() purges it.
for m in a c e f g; do
	tctl unmap $m
done
got=$(vmv block "$A" | cut -d' ' -f3-6)
same_but_range "$got" "free=$((P - 215)) dirty=215 used=0 dirty_range=0-215" ||
	fail "purgeable block: $got"
[ "$(vmv stat purge_eligible_blocks)" -ge 1 ] || fail "no purge-eligible block"
calls=$(vmv stat unmap_aliases)
tctl unmap_aliases
vmv block "$A" && fail "block $A still listed after vm_unmap_aliases()"
[ "$(vmv stat unmap_aliases)" -gt "$calls" ] || fail "vm_unmap_aliases() not counted"
expect_eq "blocks_freed after purge" "$(vmv stat blocks_freed)" $((freed + 2))

# Large areas, and the caller of every allocation.
large=$(vmv stat large_areas)
tctl map L1 65
tctl map L2 300
tctl map s 3
L1=$(vmv addr L1)
caller='caller=vmvt_map\+0x[0-9a-f]+/0x[0-9a-f]+ \[vmapview_test\]$'
vmv area "$L1" | grep -qE "^$L1-$(page "$L1" 65) 266240 pages=65 type=area src=probe $caller" ||
	fail "L1: $(vmv area "$L1")"
S=$(vmv addr s)
vmv area "$S" | grep -qE "^$S-$(page "$S" 4) 16384 pages=3 type=block src=probe $caller" ||
	fail "s: $(vmv area "$S")"
expect_eq "large areas" "$(vmv stat large_areas)" $((large + 2))
tctl unmap L1
vmv area "$L1" && fail "L1 listed after unmap"
expect_eq "large areas after unmap" "$(vmv stat large_areas)" $((large + 1))
check_pte "large areas"
tctl unmap_all
check_pte "all unmapped"
expect_eq "lost events" "$(vmv stat lost_events)" 0
expect_eq "uncertain blocks" "$(vmv stat uncertain_blocks)" 0
echo "layouts ok"
