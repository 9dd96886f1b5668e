#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# At load vmapview checks every private mm/vmalloc.c layout it copies
# against the kernel's BTF ("layout btf" in stats). A test build told that
# one offset is wrong (layout_skew=STRUCT.MEMBER) refuses to load with one
# line naming that field, and leaves nothing behind: no module, no debugfs
# directory, no probe, no oops. A layout_skew that names no checked field is
# refused as well, so that a typo here cannot make the test pass. On 7.x a
# wrong struct bpf_arena (kernel_arena.h) only leaves BPF arenas unread.
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

# 7.x: struct bpf_arena (the arena's scratch page) is no refusal: the load
# goes on, says so in one line, and leaves sparse areas (BPF arenas) unread:
# reader=none, and mem reads a hole there, as /proc/kcore does.
if kernel_at_least 7 0; then
	load_testmod	# vmv.Arena finds its area through the test module's pte
	dmesg -C
	insmod "$VMAPVIEW_KMOD/testing/vmapview.ko" "$ksyms" layout_skew=bpf_arena.scratch_page ||
		fail "layout_skew=bpf_arena.scratch_page refused the load"
	lines=$(dmesg | grep 'vmapview: layout:')
	echo "$lines"
	echo "$lines" | grep -q "struct bpf_arena.scratch_page is at byte.*; mem leaves sparse areas (BPF arenas) unread$" ||
		fail "no layout line for struct bpf_arena.scratch_page"
	python3 - <<'PY' || fail "a sparse area is read with a wrong struct bpf_arena"
import errno
import sys
import vmv
a = vmv.Arena(4, [1], 0x31)
print(a.record.line)
try:
    data = vmv.Mem().read(a.kaddr(1), 4096)
    got = "zeros" if data == bytes(4096) else "the page" if data == a.truth(1) else "other bytes"
except OSError as e:
    got = errno.errorcode.get(e.errno, str(e.errno))
a.close()
print(f"reader={a.record.fields.get('reader')}, a written page through mem: {got}")
sys.exit(0 if a.record.fields.get("reader") == "none" and got == "zeros" else 1)
PY
	rmmod vmapview || fail "rmmod"
fi

# The same build loads when nothing is skewed.
insmod "$VMAPVIEW_KMOD/testing/vmapview.ko" "$ksyms" || fail "testing build without skew"
expect_eq "stats layout (testing build)" "$(vmv stat layout)" btf
rmmod vmapview || fail "rmmod"
