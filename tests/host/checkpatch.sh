#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-kernels: 6.1
# Kernel C sources pass checkpatch.pl --strict (from Debian's linux-source).
# LINUX_VERSION_CODE is allowed in module/compat.h only: out-of-tree code
# must test versions, and keeping them in one header is the point.
set -u
cd "$VMAPVIEW_SRC"
checkpatch=${VMAPVIEW_WORK}/checkpatch/scripts/checkpatch.pl
[ -x "$checkpatch" ] || { echo "no $checkpatch: run make setup"; exit 1; }

mapfile -t files < <(git ls-files -co --exclude-standard -- 'module/*.[ch]' 'tests/kmod/*.[ch]' | grep -v '\.mod\.c$')
[ ${#files[@]} -gt 0 ] || { echo "no kernel sources found"; exit 1; }

status=0
if grep -n LINUX_VERSION_CODE "${files[@]}" | grep -v '^module/compat\.h:'; then
	echo "LINUX_VERSION_CODE outside module/compat.h"
	status=1
fi
out=$("$checkpatch" --strict --no-tree --terse --ignore LINUX_VERSION_CODE -f "${files[@]}" 2>&1)
echo "$out"
if echo "$out" | grep -qE ': (ERROR|WARNING|CHECK):'; then
	status=1
fi
echo "checked ${#files[@]} files"
exit $status
