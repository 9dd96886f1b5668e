#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 300
# vmapview is loaded, read and unloaded repeatedly while four kernel threads
# of the test module map and unmap without pause; no kernel warning (the
# harness checks the log). An open file keeps it loaded. Then, loaded for
# a whole churn run, it loses no event (on PREEMPT_RT: none but those an
# empty record pool explains) and agrees with the page tables once the
# churn stops.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
# At nice 19, so that the cycles' modprobe, cat and rmmod get CPU time.
start_churn() {
	churn_idle 4
}
stop_churn() {
	tctl churn 0
}

start_churn
for i in $(seq 8); do
	load_vmapview
	cat "$VMV_DEBUGFS/blocks" "$VMV_DEBUGFS/areas" "$VMV_DEBUGFS/stats" >/dev/null ||
		fail "read $i"
	rmmod vmapview || fail "rmmod $i"
done
# An open file pins the module: rmmod refuses, the reader goes on.
load_vmapview
exec 3<"$VMV_DEBUGFS/blocks"
rmmod vmapview 2>/dev/null && fail "rmmod succeeded with a file open"
[ "$(wc -l <&3)" -ge 1 ] || fail "read after refused rmmod"
exec 3<&-
rmmod vmapview || fail "rmmod after close"
stop_churn
echo "8 load/read/unload cycles under churn"

tctl unmap_all
load_vmapview
start_churn
sleep 5
stop_churn
cat "$VMV_DEBUGFS/stats"
# On PREEMPT_RT a probe handler cannot allocate (pool.c): where the churn
# drains a CPU's record pool before its refill work runs, the events that
# found it empty are lost by design. Every loss must then be one of those
# (pool_empty counted, records missing, the unmaps of the blocks they
# left out) and repaired by the resync; anywhere else, none at all.
lost=$(vmv stat lost_events)
if uname -v | grep -q PREEMPT_RT && [ "$(vmv stat pool_empty)" -gt 0 ]; then
	expect_eq "lost events (PREEMPT_RT: only those an empty pool explains)" \
		"$lost" "$(($(vmv stat lost.no_record) + $(vmv stat lost.unmap_unknown_block)))"
	expect_eq "lost events by a missed probe" "$(vmv stat lost.missed_probe)" 0
	[ "$(vmv stat lost.no_record)" -le "$(vmv stat pool_empty)" ] ||
		fail "more records missing than empty pools found"
	echo "PREEMPT_RT: $lost events lost to $(vmv stat pool_empty) empty pools, repaired by $(vmv stat resyncs) resyncs"
else
	expect_eq "lost events" "$lost" 0
fi
expect_eq "uncertain blocks" "$(vmv stat uncertain_blocks)" 0
[ "$(vmv stat maps)" -gt 1000 ] || fail "churn made too few mappings"
vmv check-pte || fail "used pages and PTEs disagree after churn"
tctl unmap_all
vmv check-pte || fail "used pages and PTEs disagree after unmap_all"
