#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# vmapview-timeout: 600
# BPF arenas made, written and freed over and over while a reader copies
# their pages through mem and a memory hog reuses what the kernel frees:
# arena_map_free() frees an arena's pages while its page tables still map
# them, so a reader that copied a page freed there (and reused) would
# return the hog's bytes; a test kprobe holds arena_map_free() between two
# pages to widen that window, and marks each page with 0xde just before it
# is freed. Every page read is the arena's pattern or zeros
# (an arena gone, or not yet written), or a later arena's pattern where one
# took the range, never the marker nor anything else; the console stays clean (KASAN and
# lockdep on the debug kernel).
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

kernel_at_least 6 9 || skip "no VM_SPARSE areas (BPF arenas) before 6.9"
kernel_at_least 7 0 && skip "7.x maps a per-arena scratch page where a BPF program faulted, which a page table walk cannot tell from the arena's data: mem does not read sparse areas there (compat.h, VMV_ARENA_SCRATCH)"
load_testmod
load_vmapview
# 2 ms before each page arena_map_free() frees: 30 ms per arena in which
# its freed pages are still mapped; and 0xde over each page as it goes,
# which a reader that copies it once it is being freed would show.
tctl hold existing_page_cb 2000 0
python3 - 15 <<'PY' || fail "a page read through mem during the churn is neither the pattern nor zeros"
import errno
import sys
import threading
import time
import vmv

P, N = 4096, 16
secs = float(sys.argv[1])
stop = threading.Event()
current = None          # (arena, base) the reader reads
counts = {"pattern": 0, "zeros": 0, "busy": 0, "arenas": 0, "later": 0}
bad = []


def later_arena(got, seed):
    """A page of a later arena's pattern: the range may be a new arena's
    once the old one is gone."""
    off = int.from_bytes(got[:4], "little")
    s = int.from_bytes(got[4:6], "little")
    return 0 < (s - seed) & 0xffff < 64 and off % P == 0 and got == vmv.pattern(s, off, P)


def hog():
    # Takes what the kernel frees, and writes its own bytes there.
    while not stop.is_set():
        blobs = [bytearray(b"\xab" * (1 << 20)) for _ in range(8)]
        del blobs


def reader():
    mem = vmv.Mem()
    while not stop.is_set():
        cur = current
        if cur is None:
            continue
        a, base = cur
        for i in range(N):
            try:
                got = mem.read(a.kaddr(i, base), P)
            except OSError as e:
                if e.errno != errno.EAGAIN:
                    raise
                counts["busy"] += 1
                continue
            if got == a.truth(i):
                counts["pattern"] += 1
            elif got == bytes(P):
                counts["zeros"] += 1
            elif later_arena(got, a.seed):
                counts["later"] += 1
            else:
                bad.append(f"arena {a.seed} page {i}: {got[:16].hex()}")


threads = [threading.Thread(target=hog), threading.Thread(target=reader)]
for t in threads:
    t.start()
end = time.monotonic() + secs
seed = 0
try:
    # At least 8 arenas, however slow the kernel (KASAN).
    while (time.monotonic() < end or counts["arenas"] < 8) and not bad:
        seed = (seed + 1) & 0xffff
        a = vmv.Arena(N, range(N), seed)
        current = (a, a.record.start)
        time.sleep(0.05)
        a.close()       # the map's last reference: arena_map_free() runs
        time.sleep(0.2)
        counts["arenas"] += 1
finally:
    stop.set()
    for t in threads:
        t.join()
print(f"{counts['arenas']} arenas freed while read: {counts['pattern']} pages read as "
      f"the pattern, {counts['zeros']} as zeros, {counts['later']} as a later arena's, "
      f"{counts['busy']} reads told to retry, "
      f"{len(bad)} otherwise")
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad or not counts["pattern"] else 0)
PY
tctl nohold
waits=$(vmv stat sparse_waits)
echo "sparse_waits $waits: reads that met arena_map_free() running and waited"
[ "$waits" -gt 0 ] || fail "no read met an arena being freed: the test did not reach its window"
