#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# vmapview-timeout: 1200
# vmapview-kernels: 6.12-debug 5.10-rt 6.1-rt 6.12-rt 7.3-rt
# Everything at once, for the debug kernel (KASAN, lockdep, sleep-in-atomic
# checks, full preemption), where the harness fails the test on any report
# in the kernel log: four churn threads mapping and unmapping, a vm_map_ram
# kretprobe with one instance (map_maxactive=1: missed calls, losses,
# resyncs while blocks die), vm_unmap_aliases() in a loop (purges), readers
# of every debugfs file including mem (SEEK_DATA walks and reads), CPU 1
# taken offline and online again, and vmapview unloaded and loaded again;
# then a burst of maps that empties vmapview's record pools (pool_empty).
# Then, quiet, the mirror must agree with the page tables.
# It runs on the debug kernel and the PREEMPT_RT ones, which it is for.
# TORTURE_SECS (default 20) sets the length of phase 1; phase 2 is
# TORTURE_CYCLES (default 2) unload/load cycles, each followed by a quarter
# of TORTURE_SECS. On the debug kernel a cycle takes about 85 s: modprobe
# and rmmod wait on the hotplug loop's CPU offline and online operations,
# which is the race they are here for; churn-load-unload does more cycles.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

secs=${TORTURE_SECS:-20}
ncycles=${TORTURE_CYCLES:-2}
load_testmod
load_vmapview map_maxactive=1
# At nice 19: on the debug kernel modprobe and rmmod would otherwise wait
# minutes for a CPU.
churn_idle 4

pids=()
until_stop() {
	while [ ! -e /tmp/torture.stop ]; do "$@" || true; done
}
# The mem walker, paused while rmmod runs: it holds mem open for a whole
# walk, which pins the module (rmmod: in use). The cat loop goes on, so
# rmmod races its opens (as the churn, the purges and the hotplug go on).
until_stop_reading() {
	while [ ! -e /tmp/torture.stop ]; do
		if [ -e /tmp/torture.pause ]; then
			sleep 0.2
			continue
		fi
		"$@" || true
	done
}
rm -f /tmp/torture.stop /tmp/torture.pause
# Whatever ends the test ends the load too.
trap 'touch /tmp/torture.stop; kill "${pids[@]}" 2>/dev/null; tctl churn 0 2>/dev/null' EXIT
until_stop sh -c "echo unmap_aliases >$VMVT_DEBUGFS/ctl; sleep 0.05" &
pids+=($!)
until_stop sh -c "cat $VMV_DEBUGFS/blocks $VMV_DEBUGFS/areas $VMV_DEBUGFS/stats >/dev/null 2>&1" &
pids+=($!)
until_stop_reading python3 "$VMAPVIEW_SRC/tests/guest/vmv.py" walk-mem >/dev/null 2>&1 &
pids+=($!)
hotplug=0
if [ -w /sys/devices/system/cpu/cpu1/online ]; then
	until_stop sh -c "echo 0 >/sys/devices/system/cpu/cpu1/online; sleep 0.5;
		echo 1 >/sys/devices/system/cpu/cpu1/online; sleep 0.5" &
	pids+=($!)
	hotplug=1
fi
sleep "$secs"
cat "$VMV_DEBUGFS/stats" >/dev/null
lost=$(vmv stat lost_events)
resyncs=$(vmv stat resyncs)
echo "phase 1: lost_events=$lost resyncs=$resyncs maps=$(vmv stat maps) hotplug=$hotplug"

# Phase 2: unload and load again, the same load on.
t0=$SECONDS
for cycles in $(seq "$ncycles"); do
	# rmmod is tried until it finds a gap between the cat loop's files.
	touch /tmp/torture.pause
	for try in $(seq 600); do
		rmmod vmapview 2>/dev/null && break
		sleep 0.1
	done
	[ -d /sys/module/vmapview ] && fail "rmmod under torture: still in use after $try tries"
	load_vmapview map_maxactive=1
	rm -f /tmp/torture.pause
	sleep $((secs / 4))
done
echo "phase 2: $cycles unload/load cycles in $((SECONDS - t0))s, the last rmmod after $try tries"

touch /tmp/torture.stop
wait "${pids[@]}"
echo 1 >/sys/devices/system/cpu/cpu1/online 2>/dev/null
tctl churn 0
[ "$lost" -ge 1 ] || fail "map_maxactive=1 lost no event: the torture did not bite"
[ "$resyncs" -ge 1 ] || fail "no resync ran"

# Phase 3: a burst that empties the per-CPU record pools (512 allocation
# records per CPU) faster than their work items refill them: mapburst maps
# 2048 pages from a SCHED_FIFO thread on every CPU. Real-time throttling
# (and 6.12's fair server) still give the refill work a few per cent of
# each second, which on a fast enough emulator kept up with the burst (a
# CI run found no pool short), so the test build's pool_refill=0 holds the
# work back until the burst ends, as a burst on a busy machine does.
# Events then find their pool short and make records before taking any
# raw lock (lockdep's raw-lock nesting checks watch it here), or on
# PREEMPT_RT do without (lost.no_record). On a fresh load with the default
# kretprobe instances: with map_maxactive=1, a task preempted inside
# vm_map_ram() would keep the burst's maps unseen.
for try in $(seq 600); do
	rmmod vmapview 2>/dev/null && break
	sleep 0.1
done
[ -d /sys/module/vmapview ] && fail "rmmod before the burst: still in use after $try tries"
load_vmapview
echo 0 >/sys/module/vmapview/parameters/pool_refill
tctl mapburst 2048
echo 1 >/sys/module/vmapview/parameters/pool_refill
pool_empty=$(vmv stat pool_empty)
echo "phase 3: a burst of $(vmv stat maps) maps, pool_empty=$pool_empty lost.no_record=$(vmv stat lost.no_record)"
[ "$pool_empty" -ge 1 ] || fail "the burst never found a record pool short"

# Quiet: a pass settles everything, then the mirror matches the PTEs.
wait_settled 90
expect_eq "uncertain blocks when quiet" "$(vmv stat uncertain_blocks)" 0
vmv check-pte || fail "used pages and PTEs disagree after the torture"
vmv check-mem || fail "mem disagrees with the test mappings after the torture"
tctl unmap_all
tctl unmapmany
echo "torture: $secs s, lost $lost events, $resyncs resyncs, then $cycles reloads and a burst that emptied a pool $pool_empty times"
