#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 300
# At its record cap (here max_areas=64, against 300 mappings of 3 pages,
# which a resync cannot merge: each has its page of slack) vmapview loses
# events honestly and does not retry forever: stats counts the cap
# (record_cap_hits, lost.no_record), says "degraded 1", blocks without
# their records show uncertain=1, and failed resync passes back off
# (100 ms, doubling) instead of running every 100 ms; readers do not
# force passes either. Once the mappings go, a pass succeeds and the
# mirror agrees with the page tables again.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview max_areas=64
tctl mapmany 300 3
cat "$VMV_DEBUGFS/stats" >/dev/null
[ "$(vmv stat record_cap_hits)" -ge 1 ] || fail "record cap not counted"
[ "$(vmv stat lost.no_record)" -ge 1 ] || fail "no lost.no_record at the cap"
expect_eq "degraded at the cap" "$(vmv stat degraded)" 1
grep -q " uncertain=1 " "$VMV_DEBUGFS/blocks" || fail "no block marked uncertain"

# Back-off: from 2 s on, the passes of 6 s are few (without it: 60).
sleep 2
r0=$(vmv stat resyncs)
for i in $(seq 20); do cat "$VMV_DEBUGFS/stats" >/dev/null; sleep 0.3; done
r1=$(vmv stat resyncs)
echo "resync passes in 6 s at the cap: $((r1 - r0)) (failures $(vmv stat resync_failures))"
[ $((r1 - r0)) -le 5 ] || fail "$((r1 - r0)) resync passes in 6 s: no back-off"
[ "$(vmv stat resync_failures)" -ge 1 ] || fail "failed passes not counted"

tctl unmapmany
wait_settled 60
expect_eq "degraded after the mappings went" "$(vmv stat degraded)" 0
expect_eq "uncertain blocks after recovery" "$(vmv stat uncertain_blocks)" 0
vmv check-pte || fail "used pages and PTEs disagree after recovery"
rmmod vmapview
# Bad caps are refused at load, with nothing left behind.
modprobe vmapview max_areas=0 2>/dev/null && fail "max_areas=0 accepted"
[ -d "$VMV_DEBUGFS" ] && fail "debugfs directory left by a refused load"
true
