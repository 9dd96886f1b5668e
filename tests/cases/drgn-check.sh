#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 400
# vmapview-check (drgn, independent of the module) agrees with
# vmapview on the known layouts, adopted blocks and areas included, and
# compares the contents of every present page with --all; with addresses
# hidden (kptr_restrict=2) it says so and fails, without a traceback.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"
need_drgn

taskset -pc 0 $$ >/dev/null || fail "taskset"
load_testmod
tctl unmap_aliases
for m in "pre1 1" "pre2 5" "pre3 16" "prebig 70"; do	# adopted at load
	tctl map $m
done
tctl unmap pre1
load_vmapview
for m in "a 1" "b 3" "c 16" "d 2" "e 64" "big 65" "f 64" "g 64" "h 64"; do
	tctl map $m
done
tctl unmap b
tctl unmap d
grep -c . "$VMV_DEBUGFS/blocks"
vmapview_check --all 2>/tmp/drgn.err || {
	cat /tmp/drgn.err
	fail "vmapview-check disagrees"
}

# kernel.kptr_restrict=2 hides the addresses: the audit says so, no traceback.
kptr=$(cat /proc/sys/kernel/kptr_restrict)
echo 2 >/proc/sys/kernel/kptr_restrict
out=$(vmapview_check 2>&1)
rc=$?
echo "$kptr" >/proc/sys/kernel/kptr_restrict
echo "kptr_restrict=2: exit status $rc: $out"
[ "$rc" != 0 ] || fail "vmapview-check passed with hidden addresses"
echo "$out" | grep -q "Traceback" && fail "vmapview-check died with a traceback"
echo "$out" | grep -q "hides addresses (kernel.kptr_restrict=2)" ||
	fail "vmapview-check does not say that addresses are hidden"
