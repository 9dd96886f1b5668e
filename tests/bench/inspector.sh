#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmarks of the inspector, each a ratio measured in this one boot:
# - a tight vm_map_ram()/vm_unmap_ram() loop with empty probes on the same
#   functions and with vmapview, one after the other in each round; the
#   median of the rounds' ratios, with their spread (target <= 1.15);
# - the same from two threads on two vCPUs at once, as throughput
#   (target >= 0.85);
# - reading blocks with 100 and with 10,000 blocks alive: per-block time
#   should stay flat (linear growth);
# - vmapview's memory per block.
# The first two are wall-clock ratios, for make bench's second boot
# (events.sh counts the per-call cost in instructions in the first); the
# last two run in the first boot, counted, where they repeat exactly.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

taskset -pc 0 $$ >/dev/null
load_testmod
ITER=20000
ROUNDS=9

# ns of the last bench
bench_ns() {
	sed 's/.*ns=//' "$VMVT_DEBUGFS/bench"
}

ratio() {
	awk "BEGIN { printf \"%.3f\", $1 / $2 }"
}

# median and spread of numbers on stdin: "MEDIAN (MIN-MAX)"
median_spread() {
	sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f (%.3f-%.3f over %d rounds)", m, v[1], v[NR], NR }'
}

# One round: the same command with empty probes, then with vmapview, in
# that order, one after the other; the ratio of the two is one sample.
round() {
	local cmd=$1 empty on

	tctl probes 1
	tctl "$cmd"
	empty=$(bench_ns)
	tctl probes 0
	load_vmapview
	tctl "$cmd"
	on=$(bench_ns)
	rmmod vmapview
	echo "$empty $on"
}

# The loop with empty probes and with vmapview, one after the other in each
# round; and the same in two threads.
wall_ratios() {
	tctl bench 2000 1	# warm up
	tctl bench "$ITER" 1
	off=$(bench_ns)
	: >/tmp/pairs
	for r in $(seq "$ROUNDS"); do
		round "bench $ITER 1" >>/tmp/pairs
	done
	awk '{ printf "round %d: empty probes %d ns/pair, vmapview %d ns/pair\n", NR, $1 / '"$ITER"', $2 / '"$ITER"' }' /tmp/pairs
	echo "map/unmap: vmapview/empty probes = $(awk '{ print $2 / $1 }' /tmp/pairs | median_spread) (target <= 1.15)"
	echo "map/unmap: empty probes/without = $(awk '{ print $1 / '"$off"' }' /tmp/pairs | median_spread) (what kprobes alone cost)"

	# Two threads on two vCPUs, mapping and unmapping at once: throughput.
	: >/tmp/pairs
	for r in $(seq 5); do
		round "pbench 2 $((ITER / 2)) 1" >>/tmp/pairs
	done
	awk '{ printf "parallel round %d: empty probes %d ms, vmapview %d ms\n", NR, $1 / 1e6, $2 / 1e6 }' /tmp/pairs
	echo "parallel churn 2 threads: vmapview/empty probes = $(awk '{ print $1 / $2 }' /tmp/pairs | median_spread) (target >= 0.85)"
}

# ns to read the blocks file once (best of 3), timed inside one process.
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

# Reading blocks with 100 and 10,000 alive (4 mappings of 64 pages fill
# one), and the memory vmapview holds for them.
scale() {
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
}

if [ "${VMAPVIEW_BENCH_CLOCK:-wall}" = wall ]; then
	wall_ratios
else
	scale
fi
