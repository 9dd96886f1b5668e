#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 500
# EROFS with LZ4 (64 KiB physical clusters where the kernel and
# erofs-utils have them) maps and unmaps decompression buffers with
# vm_map_ram() while files are read: vmapview follows the churn (maps,
# unmaps, dirty pages) without lost events, the files read back intact, and
# vmapview-check agrees afterwards, with the filesystem idle.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

modprobe loop && modprobe erofs || fail "modprobe loop erofs"
mkdir -p /tmp/esrc /tmp/erofs
python3 - <<'PY'
import random
random.seed(1)
words = [("".join(random.choice("abcdefghij") for _ in range(random.randint(3, 9))))
         for _ in range(400)]
for i in range(6):
    with open(f"/tmp/esrc/file{i}", "w") as f:
        while f.tell() < 768 * 1024:
            f.write(" ".join(random.choice(words) for _ in range(16)) + "\n")
PY
make_erofs /tmp/erofs.img /tmp/esrc
load_vmapview
mount -t erofs -o loop /tmp/erofs.img /tmp/erofs || fail "mount erofs"
maps0=$(vmv stat maps)
unmaps0=$(vmv stat unmaps)
dirty0=$(vmv stat dirty_pages)
for round in 1 2 3; do
	echo 3 >/proc/sys/vm/drop_caches
	for i in 0 1 2 3 4 5; do
		cmp -s "/tmp/erofs/file$i" "/tmp/esrc/file$i" || fail "file$i differs (round $round)"
	done
done
maps=$(($(vmv stat maps) - maps0))
unmaps=$(($(vmv stat unmaps) - unmaps0))
echo "EROFS reads: $maps maps, $unmaps unmaps, dirty pages $dirty0 -> $(vmv stat dirty_pages)"
[ "$maps" -ge 18 ] || fail "only $maps vm_map_ram() calls for 3 rounds of 6 files"
expect_eq "unmaps" "$unmaps" "$maps"
expect_eq "lost events" "$(vmv stat lost_events)" 0
if can_audit; then
	vmapview_check 2>/dev/null || fail "vmapview-check after EROFS"
fi
umount /tmp/erofs || fail "umount"
rmmod vmapview || fail "rmmod"
load_vmapview
expect_eq "lost events after reload" "$(vmv stat lost_events)" 0
