#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# mem reads a BPF arena's pages (its VM_SPARSE area, 6.9+) as they hold
# them: a user-space arena (vmv.Arena: no BPF program, user page faults map
# the kernel pages) written with a pattern on some pages reads through mem,
# at the arena's kernel addresses, as that pattern, and as zeros on the
# pages never touched; SEEK_DATA and SEEK_HOLE find exactly the written
# runs; the vmalloc file says reader=mem for it; /proc/kcore reads zeros
# there (asserted, so that a kernel that changes it is noticed).
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

kernel_at_least 6 9 || skip "no VM_SPARSE areas (BPF arenas) before 6.9"
kernel_at_least 7 0 && skip "7.x maps a per-arena scratch page where a BPF program faulted, which a page table walk cannot tell from the arena's data: mem does not read sparse areas there (compat.h, VMV_ARENA_SCRATCH)"
load_testmod
load_vmapview
python3 - <<'PY' || fail "mem does not read the arena as written"
import os
import sys
import vmv
from vmapview import debugfs as vdf
from vmapview.kcore import Kcore

P = 4096
N = 32
a = vmv.Arena(N, [0, 5, 6, 7, 20, 31], 0x42)
r = a.record
print(r.line)
bad = []
if r.fields.get("reader") != "mem":
    bad.append(f"reader={r.fields.get('reader')}, not mem")
mem = vmv.Mem()
kcore = Kcore()
for i in range(N):
    got = mem.read(a.kaddr(i), P)
    if got != a.truth(i):
        bad.append(f"page {i}: mem reads {'zeros' if got == bytes(P) else got[:8].hex()}, "
                   f"not {'the pattern' if i in a.written else 'zeros'}")
    if kcore.read(a.kaddr(i), P) != bytes(P):
        bad.append(f"page {i}: /proc/kcore does not read zeros (has the kernel changed?)")
# An unaligned read across the written run 5-7.
off = a.kaddr(5) + 100
got = mem.read(off, 3 * P)
want = (a.truth(5) + a.truth(6) + a.truth(7) + a.truth(8))[100:100 + 3 * P]
if got != want:
    bad.append("an unaligned read over pages 5-7 is wrong")
# SEEK_DATA/SEEK_HOLE: the written runs, in user-address order (kaddr(i)
# grows with i while the arena does not cross a 4 GiB boundary).
fd = os.open(vdf.DEBUGFS + "/mem", os.O_RDONLY)
base = int(vdf.stats()["vmalloc_start"], 16)
runs, pos, end = [], a.kaddr(0) - base, a.kaddr(N) - base
try:
    while pos < end:
        try:
            d = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError:
            break
        if d >= end:
            break
        h = os.lseek(fd, d, os.SEEK_HOLE)
        runs.append(((d + base - a.kaddr(0)) // P, (min(h, end) + base - a.kaddr(0)) // P))
        pos = h
finally:
    os.close(fd)
want = [(0, 1), (5, 8), (20, 21), (31, 32)]
if a.kaddr(N) - a.kaddr(0) == N * P and runs != want:
    bad.append(f"SEEK_DATA/SEEK_HOLE runs {runs}, the written ones are {want}")
print(f"arena: {N} pages, {len(a.written)} written; mem runs {runs}")
a.close()
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
