#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The README's main job, run inside the guest: load vmapview, let a real
# kernel user map memory with vm_map_ram(), show the debugfs files, and
# read one of its buffers through mem and through /proc/kcore (zeros
# before 6.3). The user is XFS (64 KiB directory buffers) on kernels where
# it still maps them (before 6.15), else EROFS LZ4 decompression: its
# buffers live only while a read decompresses, so the demo shows the files
# while readers keep decompressing, and what stats counted.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

show() {
	local f

	for f in "$@"; do
		echo "### cat $f"
		cat "$f"
	done
}

kcore_line() {
	python3 - "$1" <<'PY'
import sys
import vmv
data = vmv.kcore_reader()(int(sys.argv[1], 16), 64)
print(" ".join(f"{b:02x}" for b in data[:16]), "...",
      "(all zeros)" if data == bytes(64) else "")
PY
}

demo_xfs() {
	echo "### XFS, 64 KiB directory blocks, 4000 files in /tmp/xfs/d"
	make_xfs_dir /tmp/xfs 4000
	show "$VMV_DEBUGFS/blocks" "$VMV_DEBUGFS/areas" "$VMV_DEBUGFS/stats"
	addr=$(find_xfs_dir_block)
	[ -n "$addr" ] || fail "no XFS directory block found"
	echo "### vmapview-read $addr 256   (an XFS directory block)"
	vmapview_read "$addr" 256
	echo "### the same 64 bytes through /proc/kcore"
	kcore_line "$addr"
	umount /tmp/xfs
}

demo_erofs() {
	local i maps0

	echo "### XFS stopped using vm_map_ram() in 6.15: EROFS LZ4 decompression instead"
	modprobe loop && modprobe erofs || fail "modprobe loop erofs"
	mkdir -p /tmp/esrc /tmp/erofs
	for i in 0 1 2 3; do
		yes "vmapview demo line $i: decompressed through a vm_map_ram() buffer" |
			head -c 1048576 >"/tmp/esrc/file$i"
	done
	make_erofs /tmp/erofs.img /tmp/esrc
	mount -t erofs -o loop /tmp/erofs.img /tmp/erofs || fail "mount erofs"
	maps0=$(vmv stat maps)
	# Readers that keep decompressing, so that buffers are mapped now.
	(while :; do echo 3 >/proc/sys/vm/drop_caches; cat /tmp/erofs/* >/dev/null; done) &
	reader=$!
	sleep 3
	show "$VMV_DEBUGFS/blocks" "$VMV_DEBUGFS/areas"
	kill "$reader"
	wait "$reader" 2>/dev/null
	show "$VMV_DEBUGFS/stats"
	echo "### EROFS decompression: $(($(vmv stat maps) - maps0)) vm_map_ram() calls seen"
	umount /tmp/erofs
}

demo() {
	echo "### uname -r: $(uname -r)"
	load_vmapview
	if xfs_maps_ram; then demo_xfs; else demo_erofs; fi
}

# The host prints $VMAPVIEW_REPORT (named in the job file) once the guest ends.
demo 2>&1 | tee "$VMAPVIEW_REPORT"
exit "${PIPESTATUS[0]}"
