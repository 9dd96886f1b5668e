#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-kernels: 6.1
# vmapview_kcore patches only kernels whose vread()/vread_iter() its copy
# was compared with: module/compat.h's gate, evaluated by the preprocessor
# for LINUX_VERSION_CODE of 5.4 to 7.4 (every other header stubbed out),
# installs a copy on exactly the compared series 5.10, 6.1, 6.12 and 7.3.
# A compat.h without the table (VMV_KCORE_COMPARED) counts as comparing
# everything, so the test fails on the gate that trusted every 6.9+ kernel.
set -u -o pipefail
cd "$VMAPVIEW_SRC" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/inc/linux"
# Every header compat.h includes is empty here, but for what the gate uses.
for h in $(sed -n 's/^#include <\(.*\)>/\1/p' module/compat.h); do
	mkdir -p "$tmp/inc/$(dirname "$h")"
	: >"$tmp/inc/$h"
done
echo '#define IS_ENABLED(x) 1' >"$tmp/inc/linux/kconfig.h"
echo '#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))' \
	>"$tmp/inc/linux/version.h"
cat >"$tmp/gate.c" <<'EOF'
#include "compat.h"
#ifndef VMV_KCORE_COMPARED
#define VMV_KCORE_COMPARED 1
#endif
#if VMV_KCORE_FIX && VMV_KCORE_COMPARED
vmv_gate=patches
#elif VMV_KCORE_FIX
vmv_gate=refuses
#else
vmv_gate=no-copy
#endif
EOF

status=0
for v in 5.4.0 5.10.0 5.10.262 6.1.0 6.1.158 6.6.0 6.9.0 6.12.0 6.12.118 6.13.0 \
	7.2.0 7.2.13 7.3.0 7.3.4 7.4.0; do
	IFS=. read -r a b c <<<"$v"
	[ "$c" -gt 255 ] && c=255
	code=$(((a << 16) + (b << 8) + c))
	gate=$(gcc -E -P -nostdinc -I "$tmp/inc" -I module -DLINUX_VERSION_CODE=$code \
		"$tmp/gate.c" | sed -n 's/^vmv_gate=//p') ||
		{ echo "$v: the preprocessor failed"; status=1; continue; }
	case $a.$b in
	5.10 | 6.1 | 6.12 | 7.3) want=patches ;;
	*) want="refuses or no-copy" ;;
	esac
	case "$want" in
	*"$gate"*) echo "ok   $v: $gate" ;;
	*)
		echo "FAIL $v: $gate, want $want"
		status=1
		;;
	esac
done
exit $status
