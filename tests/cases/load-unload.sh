#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview loads from the DKMS install, creates its debugfs directory, and
# unloads without leaving it behind, several times in a row.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

file=$(modinfo -F filename vmapview) || fail "modinfo vmapview"
case $file in
*/updates/dkms/vmapview.ko*) ;;
*) fail "vmapview resolves to $file, not the DKMS-installed module" ;;
esac
dkms_src=$(modinfo -F srcversion "$file")

for i in 1 2 3; do
	load_vmapview
	[ -d "$VMV_DEBUGFS" ] || fail "load $i: $VMV_DEBUGFS missing"
	expect_eq "loaded srcversion" "$(cat /sys/module/vmapview/srcversion)" "$dkms_src"
	rmmod vmapview || fail "rmmod $i"
	[ -e "$VMV_DEBUGFS" ] && fail "unload $i: $VMV_DEBUGFS left behind"
done
echo "loaded and unloaded $file 3 times"
