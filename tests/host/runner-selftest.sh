#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-kernels: 6.1
# vmapview-guest: boots
# vmapview-timeout: 600
# The runner reports the failures it exists to catch: a failing guest test,
# a kernel WARNING from a test that itself passed, and a hung guest. Each
# case runs the real runner on a real guest and checks its exit status,
# its verdict lines and its closing counts.
set -u
status=0

# expect CASE "CLOSING LINE" PATTERN... [-- RUNNER ARGS]
expect() {
	local name=$1 closing=$2 out rc want
	shift 2
	local patterns=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		patterns+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	out=$("$VMAPVIEW_RUN" --no-build --kernel "$VMAPVIEW_KVER" --selftest "$name" "$@" 2>&1)
	rc=$?
	echo "--- selftest $name: runner exit status $rc"
	echo "$out" | grep -E '^(PASS|FAIL|SKIP) |passed,'
	if [ "$rc" = 0 ]; then
		echo "selftest $name: the runner exited 0"
		status=1
	fi
	if [ "$(echo "$out" | tail -1)" != "$closing" ]; then
		echo "selftest $name: closing line '$(echo "$out" | tail -1)', want '$closing'"
		status=1
	fi
	for want in "${patterns[@]}"; do
		if ! echo "$out" | grep -qE "$want"; then
			echo "selftest $name: no line matches /$want/"
			status=1
		fi
	done
}

expect fail "1 passed, 1 failed, 0 skipped" \
	"^FAIL .* guest/fail: exit status 1" "^PASS .* boot/selftest-fail"
expect warn "0 passed, 2 failed, 0 skipped" \
	"^FAIL .* guest/warn: " "kernel: .*WARNING: " \
	"^FAIL .* boot/selftest-warn: kernel trouble on the console: .*WARNING:"
expect hang "0 passed, 2 failed, 0 skipped" \
	"^FAIL .* guest/hang: no result \(guest timed out" \
	"^FAIL .* boot/selftest-hang: guest timed out" -- --timeout 60
exit $status
