#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmarks of the inspector, each a ratio measured in this one boot:
# - a tight vm_map_ram()/vm_unmap_ram() loop without and with vmapview
#   (rounds alternate; the fastest of each side counts), target <= 1.05x,
#   and with empty probes on the same functions: what kprobes alone cost;
# - reading blocks with 100 and with 10,000 blocks alive: per-block time
#   should stay flat (linear growth);
# - vmapview's memory per block.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

taskset -pc 0 $$ >/dev/null
load_testmod
ITER=20000

bench_ns() {
	tctl bench "$ITER" 1
	sed 's/.*ns=//' "$VMVT_DEBUGFS/bench"
}

ratio() {
	awk "BEGIN { printf \"%.3f\", $1 / $2 }"
}

tctl bench 2000 1	# warm up
best_off= best_on= best_empty=
for round in 1 2 3; do
	off=$(bench_ns)
	tctl probes 1
	empty=$(bench_ns)
	tctl probes 0
	load_vmapview
	on=$(bench_ns)
	rmmod vmapview
	echo "round $round: without $((off / ITER)) ns/pair, empty probes $((empty / ITER)) ns/pair, vmapview $((on / ITER)) ns/pair"
	[ -z "$best_off" ] || [ "$off" -lt "$best_off" ] && best_off=$off
	[ -z "$best_empty" ] || [ "$empty" -lt "$best_empty" ] && best_empty=$empty
	[ -z "$best_on" ] || [ "$on" -lt "$best_on" ] && best_on=$on
done
echo "map/unmap loop: with/without vmapview = $(ratio "$best_on" "$best_off")x (target <= 1.05)"
echo "map/unmap loop: empty probes/without = $(ratio "$best_empty" "$best_off")x (the kprobe floor), vmapview/empty probes = $(ratio "$best_on" "$best_empty")x"

# Reading blocks: 4 mappings of 64 pages fill a block.
# ns to read the whole file once (best of 3), timed inside one process.
ns_to_read() {
	python3 -c '
import sys, time
best = None
for _ in range(3):
    t = time.perf_counter_ns()
    with open(sys.argv[1], "rb") as f:
        while f.read(1 << 16):
            pass
    t = time.perf_counter_ns() - t
    best = t if best is None else min(best, t)
print(best)' "$VMV_DEBUGFS/blocks"
}
load_vmapview
tctl unmap_aliases
tctl mapmany 400 64
n1=$(vmv stat blocks)
t1=$(ns_to_read)
tctl mapmany 39600 64
n2=$(vmv stat blocks)
t2=$(ns_to_read)
echo "blocks read: $n1 blocks in $((t1 / 1000)) us, $n2 blocks in $((t2 / 1000)) us"
echo "blocks read: per-block time at $n2 / at $n1 = $(awk "BEGIN { printf \"%.2f\", ($t2 / $n2) / ($t1 / $n1) }")x (linear: about 1)"
mem=$(vmv stat memory_bytes)
areas=$(vmv stat areas)
echo "memory: $mem bytes for $n2 blocks and $areas areas, $((mem / n2)) bytes per block (with its 4 areas)"
echo "lost events during the benchmark: $(vmv stat lost_events)"
tctl unmapmany
