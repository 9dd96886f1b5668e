#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The README's main job, run inside the guest: load vmapview, let XFS map
# 64 KiB directory buffers with vm_map_ram(), show the debugfs files, and
# read one directory block through mem (and through /proc/kcore, which
# reads zeros on 6.1).
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

show() {
	local f

	for f in "$@"; do
		echo "### cat $f"
		cat "$f"
	done
}

demo() {
	echo "### uname -r: $(uname -r)"
	load_vmapview
	echo "### XFS, 64 KiB directory blocks, 4000 files in /tmp/xfs/d"
	make_xfs_dir /tmp/xfs 4000
	show "$VMV_DEBUGFS/blocks" "$VMV_DEBUGFS/areas" "$VMV_DEBUGFS/stats"
	addr=$(find_xfs_dir_block)
	[ -n "$addr" ] || fail "no XFS directory block found"
	echo "### tools/vmapview-read $addr 256   (an XFS directory block)"
	"$VMAPVIEW_SRC/tools/vmapview-read" "$addr" 256
	echo "### the same 64 bytes through /proc/kcore"
	python3 - "$addr" <<'PY'
import sys
sys.path.insert(0, "/tmp/vmapview-src/tests/guest")
import vmv
data = vmv.kcore_reader()(int(sys.argv[1], 16), 64)
print(" ".join(f"{b:02x}" for b in data[:16]), "...",
      "(all zeros)" if data == bytes(64) else "")
PY
	umount /tmp/xfs
}

demo 2>&1 | tee "$VMAPVIEW_OUT/demo.txt"
exit "${PIPESTATUS[0]}"
