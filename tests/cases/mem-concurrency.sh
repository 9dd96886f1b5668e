#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 240
# While four kernel threads map, fill and unmap without pause, reading their
# blocks through mem for a bounded time never oopses or warns (the harness
# checks the log), and every word read is either zero or their pattern.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview
tctl churn 4
sleep 1
vmv mem-vs-churn 8
rc=$?
tctl churn 0
[ $rc = 0 ] || fail "mem returned something other than zeros or the pattern"
