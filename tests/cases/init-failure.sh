#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# A load that fails after some probes were armed unwinds everything: the
# test build's fail_probe=vm_map_ram fails the last registration (the
# vm_map_ram kretprobe), as memory pressure or another ftrace user can,
# while churn threads hit the probes already armed and with a resync
# queued as their handlers may leave one (due half a second later). The
# load must fail with that error, leave nothing behind, and the queued
# work must be cancelled before the module's text and data are freed:
# before the fix its timer fired into freed memory (an oops, which the
# harness finds in the kernel log). vmapview then loads and works.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
tctl churn 2
for i in 1 2; do
	err=$(try_vmapview_testing fail_probe=vm_map_ram 2>&1) &&
		fail "load $i with a failing vm_map_ram probe succeeded"
	echo "load $i: ${err##*: }"
	case $err in
	*"Device or resource busy"*) ;;
	*) fail "load $i: want EBUSY, got: $err" ;;
	esac
	[ -e /sys/module/vmapview ] && fail "load $i: vmapview left loaded"
	[ -e "$VMV_DEBUGFS" ] && fail "load $i: $VMV_DEBUGFS left behind"
	# Past the queued resync's due time: its timer would fire now.
	sleep 1
done
dmesg | grep -c 'cannot probe vm_map_ram: -16' | grep -qx 2 ||
	fail "the refusal is not logged once per load"
tctl churn 0
load_vmapview
tctl map a 4
vmv block "$(vmv addr a)" >/dev/null || fail "vmapview does not work after the failed loads"
expect_eq "lost events after a clean load" "$(vmv stat lost_events)" 0
