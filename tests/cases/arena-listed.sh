#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# A BPF arena made from user space (BPF_MAP_TYPE_ARENA, BPF_F_MMAPABLE; no
# BPF program: user page faults allocate the kernel pages and map them
# into the arena's VM_SPARSE area) is in the vmalloc file as a sparse area
# of 4 GiB + 64 KiB (+ its guard page) whose mapped= is the pages written,
# with kcore=zeros-by-design; and /proc/kcore does read zeros there, where
# the page tables map the pages written (asserted, so that a kernel that
# changes it is noticed). Once the map is closed, the area goes.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

kernel_at_least 6 9 || skip "no VM_SPARSE areas (BPF arenas) before 6.9"
load_testmod
load_vmapview
python3 - <<'PY' || fail "the arena's sparse area"
import ctypes
import mmap
import os
import struct
import sys
import time
import vmv
from vmapview import debugfs as vdf
from vmapview.kcore import Kcore

P = 4096
N = 16
SYS_BPF, BPF_MAP_CREATE = 321, 0
BPF_MAP_TYPE_ARENA, BPF_F_MMAPABLE = 33, 0x400
libc = ctypes.CDLL(None, use_errno=True)
attr = ctypes.create_string_buffer(128)
# map_type, key_size, value_size, max_entries (pages), map_flags
struct.pack_into("<5I", attr, 0, BPF_MAP_TYPE_ARENA, 0, 0, N, BPF_F_MMAPABLE)
fd = libc.syscall(SYS_BPF, BPF_MAP_CREATE, attr, ctypes.c_uint(len(attr)))
if fd < 0:
    sys.exit(f"BPF_MAP_CREATE of an arena: {os.strerror(ctypes.get_errno())}")
m = mmap.mmap(fd, N * P, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
anchor = ctypes.c_char.from_buffer(m)
user = ctypes.addressof(anchor)
touched = [0, 5, 6, 15]
for i in touched:
    m[i * P:(i + 1) * P] = vmv.pattern(0x42, i * P, P)


def kaddr(base, i):
    # kernel/bpf/arena.c: kern_vm->addr + GUARD_SZ / 2 + the user
    # address's low 32 bits
    return base + 0x8000 + ((user + i * P) & 0xffffffff)


sparse = [r for r in vdf.vmalloc_map() if r.fields["kind"] == "sparse"]
mine = [r for r in sparse if vmv.pte(kaddr(r.start, 0), 1) == "P"]
bad = []
if len(mine) != 1:
    sys.exit(f"{len(sparse)} sparse areas, {len(mine)} map the arena's first page")
r = mine[0]
print(r.line)
f = r.fields
if r.end - r.start != (4 << 30) + 0x10000 + P:
    bad.append(f"size {r.end - r.start:#x}")
if f["mapped"] != str(len(touched)):
    bad.append(f"mapped={f['mapped']}, {len(touched)} pages written")
if f["kcore"] != "zeros-by-design" or f.get("flags") != "sparse,user":
    bad.append("not kcore=zeros-by-design flags=sparse,user")
kcore = Kcore()
for i in range(N):
    a = kaddr(r.start, i)
    want = "P" if i in touched else "."
    if vmv.pte(a, 1) != want:
        bad.append(f"page {i}: pte {vmv.pte(a, 1)}, want {want}")
    if kcore.read(a, P) != bytes(P):
        bad.append(f"page {i}: /proc/kcore does not read zeros (has the kernel changed?)")
print(f"arena: {N} pages, {len(touched)} written; /proc/kcore reads zeros at all")
del anchor
m.close()
os.close(fd)
for _ in range(100):
    if not any(x.start == r.start for x in vdf.vmalloc_map()):
        print("arena closed: its area is gone")
        break
    time.sleep(0.1)
else:
    bad.append("the area is still listed 10 s after the map was closed")
for b in bad:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
