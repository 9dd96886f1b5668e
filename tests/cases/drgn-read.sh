#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-timeout: 300
# drgn reads vm_map_ram memory as zeros before 6.3 (through /proc/kcore), and
# the real bytes once vmapview.plugin.enable() (tools/vmapview/plugin.py) has added vmapview's
# segments: plain prog.read() and Object values alike.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"
need_drgn

load_testmod
load_vmapview
tctl map blk 3
tctl map big 80
cat >/tmp/read.py <<'PY'
import struct, sys
from drgn import Object
from vmapview.plugin import enable

maps = {}
with open("/sys/kernel/debug/vmapview_test/maps") as f:
    for line in f:
        w = line.split()
        maps[w[1]] = (int(w[0].split("-")[0], 16), int(w[3].split("=")[1]))

def want(seed, off, n):
    return struct.pack(f"<{n // 8}Q", *(0x5654 << 48 | seed << 32 | (off + 8 * i)
                                        for i in range(n // 8)))

before = {name: prog.read(addr + 4096, 64) for name, (addr, _) in maps.items()}
print("segments:", enable(prog))
bad = 0
for name, (addr, seed) in maps.items():
    got = prog.read(addr + 4096, 64)
    word = Object(prog, "unsigned long", address=addr + 8).value_()
    print(f"{name}: before {before[name][:8].hex()}, after {got[:8].hex()}, "
          f"word {word:#x}")
    if sys.argv[1] == "zeros" and before[name] != bytes(64):
        print(f"{name}: drgn read it without vmapview: a fixed kernel?")
        bad += 1
    if got != want(seed, 4096, 64) or word != 0x5654 << 48 | seed << 32 | 8:
        print(f"{name}: wrong bytes through vmapview")
        bad += 1
sys.exit(1 if bad else 0)
PY
drgn /tmp/read.py "$(kcore_bug)" 2>/tmp/drgn.err || {
	tail -5 /tmp/drgn.err
	fail "drgn reads"
}
