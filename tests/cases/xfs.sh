#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 500
# XFS with 64 KiB directory blocks maps its multi-page directory buffers
# with vm_map_ram(): vmapview shows those areas with an XFS caller, mem
# returns a real directory data block (XDD3 magic, our file names) while
# /proc/kcore returns zeros before 6.3, vmapview-check agrees, and unloading and
# reloading vmapview with the filesystem mounted adopts the buffers.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

xfs_maps_ram || skip "XFS no longer uses vm_map_ram() from 6.15 (e2874632a621)"
load_vmapview
make_xfs_dir /tmp/xfs 4000
# The caller is XFS's buffer mapping, "[xfs]" when XFS is a module.
xfs_caller='caller=_*xfs_buf[a-z_]*+'
grep "$xfs_caller" "$VMV_DEBUGFS/areas" | head -5
n=$(grep -c "pages=16 type=block src=probe $xfs_caller" "$VMV_DEBUGFS/areas")
[ "$n" -ge 2 ] || fail "$n 64 KiB XFS buffers in areas, want at least 2"
addr=$(find_xfs_dir_block)
[ -n "$addr" ] || fail "no area reads as an XFS directory data block with our names"
echo "XFS directory block at $addr"
vmapview_read "$addr" 64
python3 - "$addr" "$(kcore_bug)" <<'PY' || fail "kcore"
import sys
import vmv
data = vmv.kcore_reader()(int(sys.argv[1], 16), 65536)
print("kcore:", "zeros" if data == bytes(65536) else data[:8].hex())
sys.exit(0 if sys.argv[2] != "zeros" or data == bytes(65536) else 1)
PY
if can_audit; then
	vmapview_check 2>/dev/null || fail "vmapview-check with XFS"
fi

rmmod vmapview || fail "rmmod with XFS mounted"
load_vmapview
grep -Eq "^$addr-.* type=block src=adopted( merged=1)? caller=\?" "$VMV_DEBUGFS/areas" ||
	fail "$addr not adopted after reload"
[ "$(find_xfs_dir_block)" ] || fail "directory block unreadable after reload"
ls -f /tmp/xfs/d >/dev/null
umount /tmp/xfs || fail "umount"
expect_eq "lost events" "$(vmv stat lost_events)" 0
