#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest-side test harness: runs each test script given on the command line,
# prints KTAP to stdout and to $VMAPVIEW_KTAP, and exits 0 when no test
# failed. Each test is also failed when the kernel log it produced shows a
# warning, BUG or oops, so a kernel problem is pinned to the test that
# caused it (the host scans the whole console as well).
#
# What it shares with the host comes from the job file, written by
# tests/runner/contract.py: VMAPVIEW_KTAP, VMAPVIEW_LOG_EXT (a test's
# output is $VMAPVIEW_OUT/NAME$VMAPVIEW_LOG_EXT), VMAPVIEW_TROUBLE (the
# kernel log lines that fail a test, for grep -E) and VMAPVIEW_TEST_LIMITS
# (each test's time limit: NAME=SECONDS ...).

set -u
: "${VMAPVIEW_KTAP:?}" "${VMAPVIEW_LOG_EXT:?}" "${VMAPVIEW_TROUBLE:?}" "${VMAPVIEW_TEST_LIMITS:?}"

. "$VMAPVIEW_SRC/tests/guest/lib.sh"

# The time limit the host gave test $1.
limit_of() {
	local w

	for w in $VMAPVIEW_TEST_LIMITS; do
		if [ "${w%%=*}" = "$1" ]; then
			echo "${w#*=}"
			return
		fi
	done
}

ktap=$VMAPVIEW_KTAP
: >"$ktap"
emit() {
	echo "$*"
	echo "$*" >>"$ktap"
}

emit "KTAP version 1"
emit "1..$#"
n=0
failed=0
for t in "$@"; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	log="$VMAPVIEW_OUT/$name$VMAPVIEW_LOG_EXT"
	dmesg -C
	limit=$(limit_of "$name")
	start=$(date +%s%N)
	(cd /tmp && timeout -k 10 "$limit" bash "$t") >"$log" 2>&1 </dev/null
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	dmesg >"$VMAPVIEW_OUT/$name.dmesg"
	trouble=$(grep -E "$VMAPVIEW_TROUBLE" "$VMAPVIEW_OUT/$name.dmesg" | head -5)
	unload_all >>"$log" 2>&1

	while IFS= read -r line; do
		emit "# $line"
	done <"$log"
	if [ -n "$trouble" ]; then
		while IFS= read -r line; do
			emit "# kernel: $line"
		done <<<"$trouble"
		case $rc in 0|77) rc=1 ;; esac
	fi
	emit "# time: $((ms / 1000)).$(printf %03d $((ms % 1000)))s"
	case $rc in
	0)
		emit "ok $n $name" ;;
	77)
		reason=$(sed -n 's/^SKIP: //p' "$log" | tail -1)
		emit "ok $n $name # SKIP ${reason:-no reason given}" ;;
	124|137)
		failed=$((failed + 1))
		emit "not ok $n $name # timed out after ${limit}s" ;;
	*)
		failed=$((failed + 1))
		emit "not ok $n $name # exit status $rc" ;;
	esac
done
exit $((failed > 0))
