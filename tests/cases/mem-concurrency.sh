#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 240
# While four kernel threads map, fill and unmap without pause, reading their
# blocks through mem for a bounded time never oopses or warns (the harness
# checks the log), every word read is either zero or their pattern, and
# two mappings that stay among them read as their pattern.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview
tctl churn 4
sleep 1
# Mappings that stay, among the churn's blocks: mem must read their pattern.
tctl map keep1 16
tctl map keep2 64
vmv mem-vs-churn 8
rc=$?
tctl churn 0
if [ $rc != 0 ]; then
	# Which is wrong: the mirror (against the page tables) or mem (now
	# that the churn stopped, its live mappings hold the pattern)?
	cut -c1-120 "$VMV_DEBUGFS/blocks"
	grep -E 'blocks|areas|lost|uncertain|resync|maps' "$VMV_DEBUGFS/stats"
	vmv check-pte && echo "check-pte: the mirror agrees with the page tables"
	vmv mem-vs-churn 2
fi
[ $rc = 0 ] || fail "mem returned something other than zeros or the pattern"
