#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview's memory follows the mappings: records come from per-CPU pools
# that grow while mappings are made, and a pool a quarter over its target
# gives what comes back beyond that to be freed (memory_bytes falls again
# once the mappings go).
# vmapview-timeout: 240
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview
m0=$(vmv stat memory_bytes)
tctl mapmany 3000 3
# A burst beyond the pools may lose events where slab allocation may sleep
# in probes (PREEMPT_RT): counted, then resynced. Then all are recorded.
wait_settled 60
vmv check-pte || fail "used pages and PTEs disagree with 3000 mappings"
m1=$(vmv stat memory_bytes)
tctl unmapmany
for i in $(seq 20); do
	m2=$(vmv stat memory_bytes)
	[ "$m2" -lt $((m0 + (m1 - m0) / 4)) ] && break
	sleep 0.5
done
echo "memory_bytes: $m0 at load, $m1 with 3000 mappings, $m2 after they went"
[ "$m1" -gt $((m0 + 3000 * 40)) ] || fail "3000 mappings cost only $((m1 - m0)) bytes"
[ "$m2" -lt $((m0 + (m1 - m0) / 4)) ] || fail "pools kept $((m2 - m0)) bytes after the mappings went"
echo "lost events: $(vmv stat lost_events)"
