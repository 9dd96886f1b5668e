#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-kernels: 6.1
# The read callback of the drgn plugin's segment (tools/vmapview/plugin.py), with the host's
# drgn on files made here: a sparse file for mem (SEEK_DATA/SEEK_HOLE as
# mem answers them) and an ELF core for /proc/kcore. Every read, of any
# range, is mem where mem has data and kcore elsewhere; a page mem drops
# reads from kcore at once (nothing cached); with mem gone, all is kcore;
# where kcore has no PT_LOAD, drgn.FaultError. The plugin hook does nothing,
# silently, on a program that is not the running kernel, and turns an error
# into one log line.
set -u
export PYTHONDONTWRITEBYTECODE=1
cd "$VMAPVIEW_SRC" || exit 1
/usr/bin/python3 -c 'import drgn' 2>/dev/null || {
	echo "SKIP: no drgn for /usr/bin/python3 (python3-drgn)"
	exit 77
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

PYTHONPATH=tools /usr/bin/python3 - "$tmp" <<'PY'
import io
import logging
import os
import struct
import sys

import drgn
from vmapview import plugin as vd

P = 4096
BASE = 0x10000000          # "vmalloc_start"
NPAGES = 64
OTHER = 0x20000000         # a second PT_LOAD, outside the segment
d = sys.argv[1]
mem = os.path.join(d, "mem")
bad = 0


def check(what, ok):
    global bad
    bad += not ok
    print(f"{what}: {'ok' if ok else 'WRONG'}")


def write_mem(path, data_pages):
    """mem: a sparse file, page p of it (if in data_pages) all bytes 0x40 + p."""
    with open(path, "wb") as f:
        f.truncate(NPAGES * P)
        for p in data_pages:
            f.seek(p * P)
            f.write(bytes([0x40 + p]) * P)


def write_kcore(path, loads):
    """An ELF64 core whose PT_LOAD at vaddr holds, in page p, bytes 0x80 + p."""
    with open(path, "wb") as f:
        f.write(b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) +
                struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, len(loads), 0, 0, 0))
        off = 2 * P
        for vaddr, size in loads:
            f.write(struct.pack("<IIQQQQQQ", 1, 4, off, vaddr, 0, size, size, P))
            off += size
        off = 2 * P
        for vaddr, size in loads:
            for p in range(size // P):
                f.seek(off + p * P)
                f.write(bytes([0x80 + p % 64]) * P)
            off += size


def truth(addr, n, data_pages):
    out = bytearray()
    for a in range(addr, addr + n):
        if BASE <= a < BASE + NPAGES * P:
            p = (a - BASE) // P
            out.append(0x40 + p if p in data_pages else 0x80 + p)
        else:
            out.append(0x80 + (a - OTHER) // P % 64)
    return bytes(out)


with open(os.path.join(d, "stats"), "w") as f:
    f.write(f"blocks 0\nvmalloc_start {BASE:#x}\n")
data = {3, 4, 5, 20, 63}
write_mem(mem, data)
kcore = os.path.join(d, "kcore")
write_kcore(kcore, [(BASE, NPAGES * P), (OTHER, 2 * P)])

prog = drgn.Program(drgn.host_platform)
check("enabled() before enable()", not vd.enabled(prog))
check("enable() returns 1, again 1", (vd.enable(prog, d, kcore), vd.enable(prog, d, kcore)) == (1, 1))
check("enabled() after", vd.enabled(prog))
for addr, n in ((BASE, 100), (BASE + 2 * P + 5, 3 * P), (BASE, NPAGES * P),
                (BASE + 4 * P, 10), (BASE + 19 * P + 4000, 200), (BASE + 63 * P, P),
                (BASE + 5 * P - 1, 2)):
    check(f"read {addr:#x}+{n}", prog.read(addr, n) == truth(addr, n, data))
try:
    prog.read(BASE + NPAGES * P, 8)
    check("a read past the segment faults", False)
except drgn.FaultError:
    check("a read past the segment faults", True)

# Page 20 given back (and its address reused): kcore at the next read.
write_mem(mem + ".new", data - {20})
os.replace(mem + ".new", mem)
check("a page mem dropped reads from kcore at once",
      prog.read(BASE + 20 * P, 8) == bytes([0x80 + 20]) * 8)
# vmapview unloaded: everything through kcore.
os.rename(mem, mem + ".gone")
check("without mem, all from kcore", prog.read(BASE + 3 * P, P) == bytes([0x83]) * P)
os.rename(mem + ".gone", mem)

# A segment address that no PT_LOAD of kcore has.
with open(os.path.join(d, "stats"), "w") as f:
    f.write(f"vmalloc_start {BASE - P:#x}\n")
prog2 = drgn.Program(drgn.host_platform)
vd.enable(prog2, d, kcore)
try:
    prog2.read(BASE - P, 8)
    check("no PT_LOAD: FaultError", False)
except drgn.FaultError as e:
    check(f"no PT_LOAD: FaultError ({e})", True)

# The plugin hook: silent unless the running kernel; errors as one line.
log = io.StringIO()
handler = logging.StreamHandler(log)
logging.getLogger("drgn.plugins.vmapview").addHandler(handler)
logging.getLogger("drgn.plugins.vmapview").setLevel(logging.INFO)
blank = drgn.Program(drgn.host_platform)
vd.drgn_prog_set(blank)
check("the hook leaves a program that is not the running kernel alone",
      not vd.enabled(blank) and log.getvalue() == "")


class Broken:
    @property
    def flags(self):
        raise RuntimeError("boom")


vd.drgn_prog_set(Broken())
lines = log.getvalue().splitlines()
check(f"an error in the hook is one log line ({lines})",
      len(lines) == 1 and "boom" in lines[0] and "Traceback" not in log.getvalue())
sys.exit(1 if bad else 0)
PY
