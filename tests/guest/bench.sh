#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`, inside the guest: runs every tests/bench/*.sh.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

bench() {
	local b rc=0

	for b in "$VMAPVIEW_SRC"/tests/bench/*.sh; do
		# VMAPVIEW_BENCH (host's environment): only these, by name
		if [ -n "$VMAPVIEW_BENCH" ] &&
		   ! [[ " $VMAPVIEW_BENCH " == *" $(basename "$b" .sh) "* ]]; then
			continue
		fi
		echo "### $(basename "$b" .sh)"
		bash "$b" || rc=1
		unload_all
	done
	return $rc
}

# The host prints $VMAPVIEW_REPORT (named in the job file) once the guest ends.
bench 2>&1 | tee "$VMAPVIEW_REPORT"
exit "${PIPESTATUS[0]}"
