#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-read (tools/vmapview/read.py) prints a test mapping as its pattern, in hexdump and
# raw form, at unaligned addresses too, and fails clearly when vmapview is
# not loaded.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

err=$(vmapview_read 0xffffffff00000000 16 2>&1) && fail "read without vmapview"
echo "without vmapview: $err"
load_testmod
load_vmapview
tctl map a 3
A=$(vmv addr a)
seed=$(sed -n 's/.* a pages=3 seed=\([0-9]*\).*/\1/p' "$VMVT_DEBUGFS/maps")
vmapview_read "$A" 32 | tee /tmp/dump
# The first word: 0x5654 << 48 | seed << 32 | 0, little-endian.
want=$(printf '%016x  00 00 00 00 %02x %02x 54 56  08 00 00 00 %02x %02x 54 56' \
	$((A)) $((seed & 255)) $((seed >> 8)) $((seed & 255)) $((seed >> 8)))
expect_eq "first hexdump line" "$(head -1 /tmp/dump | cut -c1-66)" "$want"
expect_eq "hexdump lines" "$(wc -l </tmp/dump)" 2
python3 - "$A" "$seed" <<'PY' || fail "raw reads"
import struct, subprocess, sys
addr, seed = int(sys.argv[1], 16), int(sys.argv[2])
def want(off, n):
    words = struct.pack("<1536Q", *(0x5654 << 48 | seed << 32 | 8 * i for i in range(1536)))
    return words[off:off + n]
for off, n in ((0, 12288), (5, 100), (4093, 10), (8000, 4288)):
    got = subprocess.run([sys.executable, "-m", "vmapview.read", "--raw", hex(addr + off), str(n)], check=True,
                         capture_output=True).stdout
    assert got == want(off, n), f"raw {off}+{n} differs"
print("raw reads ok")
PY
