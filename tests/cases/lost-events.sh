#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 300
# When the vm_map_ram kretprobe misses calls (here: one instance for four
# kernel threads mapping at once on two CPUs), vmapview counts lost events,
# marks blocks uncertain and resyncs from the kernel, ending in agreement
# with the page tables once the churn stops, not in silently wrong state.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview map_maxactive=1
tctl churn 4
for i in $(seq 40); do
	tctl map keep$i $((i * 7 % 90 + 1))
done
sleep 3
tctl churn 0
# Resyncs that failed while the churn ran back off (at most a minute, far
# less here): recovery comes within that bound, not at once.
wait_settled 120 || fail "vmapview did not settle within 120 s of the churn's end"

missed=$(vmv stat probe.vm_map_ram.nmissed)
[ "$missed" -gt 0 ] || skip "no kretprobe miss happened in 5 s of churn"
[ "$(vmv stat lost_events)" -gt 0 ] || fail "$missed misses, no lost event counted"
[ "$(vmv stat resyncs)" -gt 0 ] || fail "$missed misses, no resync"
expect_eq "uncertain blocks after the resync" "$(vmv stat uncertain_blocks)" 0
grep -q 'uncertain=1' "$VMV_DEBUGFS/blocks" && fail "a block is still uncertain"
vmv check-pte || fail "used pages and PTEs disagree after recovery (lines above)"
# Every live test mapping, missed or not, has an areas line.
expect_eq "live test mappings" "$(wc -l <"$VMVT_DEBUGFS/maps")" 40
while read -r range name _; do
	vmv cover "${range%-*}" || fail "mapping $name has no areas line"
done <"$VMVT_DEBUGFS/maps"
echo "recovered from $missed missed vm_map_ram calls"
