#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# vmapview-timeout: 300
# With the opt-in /proc/kcore fix on, reading every block through
# /proc/kcore while four kernel threads map, fill and unmap without pause
# returns, word for word, zeros or their pattern (never another page's or a
# freed page's bytes), and the mappings that stay read as their pattern.
# The harness fails the test on any warning, lockdep splat or KASAN report.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview
kcore_fix_on
# Its guard page resets kcore's per-file buffer before 6.4 (vmv.py).
tctl vmalloc zero 1
tctl churn 4
sleep 1
tctl map keep1 16
tctl map keep2 64
vmv mem-vs-churn 8 kcore
rc=$?
tctl churn 0
[ $rc = 0 ] || fail "/proc/kcore returned something other than zeros or the pattern"
kcore_fix_off || fail "turning the fix off"
