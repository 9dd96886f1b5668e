#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# On a kernel built with CONFIG_X86_KERNEL_IBT (Debian's 6.12 and 7.3),
# vmapview as built for it never calls a kernel function through an address
# found at run time, and every function of its own that the kernel calls
# through a pointer starts with ENDBR64 (tests/host/ibt_check.py says how).
# QEMU's TCG does not emulate IBT, so no guest test sees the #CP that
# calling kallsyms_lookup_name through a kprobe's address raised on Intel
# CPUs (issue 19); this checks the ELF files against the kernel's -dbg
# vmlinux and its .ibt_endbr_seal instead.
set -u
. "$VMAPVIEW_SRC/tests/host/lib.sh"

root=${VMAPVIEW_CHROOT:-}
config=$root/boot/config-$VMAPVIEW_KVER
vmlinux=$root/usr/lib/debug/boot/vmlinux-$VMAPVIEW_KVER
[ -f "$config" ] || { echo "no $config"; exit 1; }
if ! grep -qx 'CONFIG_X86_KERNEL_IBT=y' "$config"; then
	echo "SKIP: $VMAPVIEW_KVER is built without CONFIG_X86_KERNEL_IBT"
	exit 77
fi
# KASAN's stack instrumentation stores each instrumented function's own
# address in its frame record (for its reports), so there every such
# function looks address-taken in .text, ENDBR or not, and nothing calls
# them through those addresses: the check means nothing on the debug kernel.
# The kernels users run (6.12, 7.3, their -rt) have no KASAN.
if grep -qx 'CONFIG_KASAN_STACK=y' "$config"; then
	echo "SKIP: $VMAPVIEW_KVER has KASAN stack instrumentation, which takes the address of every instrumented function (checked on the kernels without it)"
	exit 77
fi
[ -s "$vmlinux" ] || { echo "no $vmlinux (the -dbg package): run make setup"; exit 1; }

tmp=$(ktmp)
trap 'rm -rf "$tmp"' EXIT
cd "$VMAPVIEW_SRC" || exit 1
git ls-files -co --exclude-standard | grep -v '\.\(o\|ko\|cmd\)$' |
	while read -r f; do [ -f "$f" ] && echo "$f"; done | cpio -pdm --quiet "$tmp"
kmake "$tmp" >"$tmp/build.log" 2>&1
if [ ! -f "$tmp/vmapview.ko" ] || [ ! -f "$tmp/vmapview_kcore.ko" ]; then
	tail -30 "$tmp/build.log"
	echo "vmapview does not build for $VMAPVIEW_KVER"
	exit 1
fi
python3 "$VMAPVIEW_SRC/tests/host/ibt_check.py" "$vmlinux" "$tmp" \
	"$tmp/vmapview.ko" "$tmp/vmapview_kcore.ko"
