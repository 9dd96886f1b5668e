#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# At load vmapview checks every private mm/vmalloc.c layout it copies
# against the kernel's BTF ("layout btf" in stats). A test build told that
# one offset is wrong (layout_skew=STRUCT.MEMBER) refuses to load with one
# line naming that field, and leaves nothing behind: no module, no debugfs
# directory, no probe, no oops. A layout_skew that names no checked field is
# refused as well, so that a typo here cannot make the test pass.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

[ -e /sys/kernel/btf/vmlinux ] || skip "the kernel has no BTF (CONFIG_DEBUG_INFO_BTF)"
load_vmapview
expect_eq "stats layout" "$(vmv stat layout)" btf
rmmod vmapview || fail "rmmod"

ksyms=$(testing_ksyms) || fail "no ksyms= for the testing vmapview.ko"

# refused SKEW WANT: insmod with layout_skew=SKEW fails, with one layout
# line that contains WANT, and nothing of vmapview stays.
refused() {
	local lines

	dmesg -C
	insmod "$VMAPVIEW_KMOD/testing/vmapview.ko" "$ksyms" layout_skew="$1" 2>/tmp/insmod.err &&
		fail "loaded with layout_skew=$1"
	echo "layout_skew=$1: insmod: $(cat /tmp/insmod.err)"
	lines=$(dmesg | grep 'vmapview: layout:')
	echo "$lines"
	[ "$(echo "$lines" | wc -l)" = 1 ] || fail "want one layout line for $1"
	echo "$lines" | grep -qF "$2" || fail "the layout line does not say '$2'"
	echo "$lines" | grep -q "refusing to load$" || fail "the layout line does not refuse"
	[ ! -d /sys/module/vmapview ] || fail "module left loaded ($1)"
	[ ! -d "$VMV_DEBUGFS" ] || fail "debugfs directory left ($1)"
	! grep -E 'vm_map_ram|vm_unmap_ram|vmap_block' /sys/kernel/debug/kprobes/list ||
		fail "probes left behind ($1)"
}

skews="vmap_block.dirty vmap_block.va vmap_block_queue.free vmap_area.va_end"
kernel_at_least 6 3 && skews="$skews vmap_block.used_map"
kernel_at_least 6 9 && skews="$skews vmap_node"
for skew in $skews; do
	case $skew in
	*.*) refused "$skew" "struct $skew is at byte" ;;
	*) refused "$skew" "struct $skew is" ;;
	esac
done
refused vmap_block.no_such_member "layout_skew=vmap_block.no_such_member names no checked member"

# The same build loads when nothing is skewed.
insmod "$VMAPVIEW_KMOD/testing/vmapview.ko" "$ksyms" || fail "testing build without skew"
expect_eq "stats layout (testing build)" "$(vmv stat layout)" btf
rmmod vmapview || fail "rmmod"
