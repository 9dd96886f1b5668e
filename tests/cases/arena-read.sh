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
# On 7.x the arena's scratch page, mapped (by the test module, as the
# kernel does where a BPF program faulted) at three pages never written and
# filled with 0x5c, reads as zeros and is no data for SEEK_DATA, and the
# vmalloc file counts those pages in scratch=.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

kernel_at_least 6 9 || skip "no VM_SPARSE areas (BPF arenas) before 6.9"
scratch=0
if kernel_at_least 7 0; then
	scratch=1
	load_testmod init_mm_addr=0x"$(awk '$3 == "init_mm" { print $1; exit }' /proc/kallsyms)"
else
	load_testmod
fi
load_vmapview
python3 - "$scratch" <<'PY' || fail "mem does not read the arena as written"
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
scratch = [2, 3, 25] if sys.argv[1] == "1" else []
for i in scratch:
    # The writer's descriptor names the arena: the ctl file is written here.
    vmv.ctl(f"scratch {a.fd} {a.kaddr(i):#x}")
    if vmv.pte(a.kaddr(i), 1) != "P":
        bad.append(f"page {i}: the scratch page is not mapped there")
if scratch:
    print(f"the arena's scratch page (0x5c) mapped at pages {scratch}")
    # The vmalloc file counts them apart: scratch= of mapped=.
    r = [x for x in vdf.vmalloc_map() if x.start == a.record.start][0]
    print(r.line)
    want = {"mapped": str(len(a.written) + len(scratch)), "scratch": str(len(scratch))}
    got = {k: r.fields.get(k) for k in want}
    if got != want:
        bad.append(f"vmalloc file: {got}, not {want}")
elif "scratch" in r.fields:
    bad.append("a scratch= field on a kernel without arena scratch pages")
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
