#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What watching costs per event: a loop of 1-page vm_map_ram()/
# vm_unmap_ram() pairs (vmapview_test's bench: the time inside each call,
# summed) without probes, with empty probes on the same functions (the
# kprobes' own cost) and with vmapview, in that order in each round. Block
# creation and freeing happen every 256 pairs inside these calls, so their
# cost is in the figures, spread over the pairs.
#
# On 6.5+, where purge_fragmented_block() cannot be probed, vmapview
# watches vm_unmap_ram() with a kretprobe (its return half closes the
# _vm_unmap_aliases() window), not a kprobe: a fourth configuration there
# puts empty probes of those kinds, and a line compares vmapview with that
# floor too, so that what the handlers do and what the kind of probe costs
# are told apart. The target line keeps the kprobe floor it was set
# against. VMAPVIEW_BENCH_ARGS: module parameters for vmapview (a test
# build's fail_probe=purge_fragmented_block measures that fallback).
#
# Under the counted clock (make bench's first boot, QEMU -icount shift=0)
# a "ns" is one guest instruction: the figures are instruction counts and
# repeat exactly from run to run, so rounds agree and a 1% change shows.
# Under the wall clock they are TCG's nanoseconds, which wobble.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

clock=${VMAPVIEW_BENCH_CLOCK:-wall}
unit=ns
[ "$clock" = instructions ] && unit=instructions
taskset -pc 0 $$ >/dev/null
load_testmod
ITER=20000
ROUNDS=3

# field KEY: KEY=VALUE of the last bench (" ns=" is the elapsed time)
field() {
	sed -n "s/.* $1=\([0-9]*\).*/\1/p" "$VMVT_DEBUGFS/bench"
}

# One configuration's "MAP UNMAP" time for ITER pairs.
one() {
	tctl bench "$ITER" 1
	echo "$(field map_ns) $(field unmap_ns)"
}

# shellcheck disable=SC2086 # the arguments are words
bench_load() {
	if [ -n "${VMAPVIEW_BENCH_ARGS:-}" ]; then
		load_vmapview_testing $VMAPVIEW_BENCH_ARGS
	else
		load_vmapview
	fi
}

bench_load
kinds=0
# Before 6.5 there is no such probe (vmv stat finds no key).
ret=$(vmv stat probe.vm_unmap_ram.return) || ret=absent
[ "$ret" = absent ] || kinds=1
echo "vmapview's unmap probe: $([ "$kinds" = 1 ] && echo "a kretprobe (no purge_fragmented_block() probe)" || echo "a kprobe")"
rmmod vmapview
tctl bench 2000 1	# warm up: blocks, caches, the test module's pages
: >/tmp/events
for _ in $(seq "$ROUNDS"); do
	off=$(one)
	tctl probes 1
	empty=$(one)
	own="0 0"
	if [ "$kinds" = 1 ]; then
		tctl probes 2
		own=$(one)
	fi
	tctl probes 0
	bench_load
	on=$(one)
	rmmod vmapview
	echo "$off $empty $on $own" >>/tmp/events
done

# Columns of /tmp/events: map, unmap for off, empty, vmapview, and (6.5+)
# empty probes of vmapview's kinds.
awk -v iter="$ITER" -v unit="$unit" -v rounds="$ROUNDS" -v kinds="$kinds" '
function median(col,    i, j, n, t, v) {
	n = 0
	for (i = 1; i <= NR; i++)
		v[++n] = val[i, col]
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
	lo[col] = v[1]; hi[col] = v[n]
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
{ for (c = 1; c <= 8; c++) val[NR, c] = $c }
END {
	for (c = 1; c <= 8; c++) {
		m[c] = median(c) / iter
		spread[c] = m[c] ? (hi[c] - lo[c]) / iter / m[c] * 100 : 0
	}
	printf "per call, 1 page, median of %d rounds of %d calls (%s):\n", rounds, iter, unit
	split("vm_map_ram vm_unmap_ram", kind, " ")
	for (k = 1; k <= 2; k++) {
		off = m[k]; empty = m[k + 2]; on = m[k + 4]
		printf "  %-13s without probes %7.0f, empty probes %7.0f, vmapview %7.0f: handlers %+.0f, vmapview/empty %.3f\n",
			kind[k], off, empty, on, on - empty, on / empty
	}
	off = m[1] + m[2]; empty = m[3] + m[4]; on = m[5] + m[6]
	worst = 0
	for (c = 1; c <= (kinds ? 8 : 6); c++)
		if (spread[c] > worst)
			worst = spread[c]
	printf "  %-13s without probes %7.0f, empty probes %7.0f, vmapview %7.0f: handlers %+.0f\n",
		"pair", off, empty, on, on - empty
	printf "rounds agree within %.2f%% (the widest spread of the per-call figures)\n", worst
	printf "map/unmap (%s): vmapview/empty probes = %.3f (target <= 1.15)\n", unit, on / empty
	printf "map/unmap (%s): empty probes/without = %.3f (what kprobes alone cost)\n", unit, empty / off
	if (kinds) {
		own = m[7] + m[8]
		printf "  %-13s empty probes of vmapview'"'"'s kinds (a kretprobe on vm_unmap_ram()) %7.0f: vmapview handlers %+.0f\n",
			"pair", own, on - own
		printf "map/unmap (%s): vmapview/empty probes of its own kinds = %.3f (6.5+: the unmap kretprobe'"'"'s return half counted as probe cost)\n",
			unit, on / own
	}
}' /tmp/events
