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
load_testmod
load_vmapview
# 5 ms before each page arena_map_free() frees: 80 ms per arena in which
# its freed pages are still mapped; and 0xde over each page as it goes,
# which a reader that copies it once it is being freed would show.
tctl hold existing_page_cb 5000 0
python3 - 15 <<'PY' || fail "a page read through mem during the churn is neither the pattern nor zeros"
import errno
import subprocess
import sys
import threading
import time
import vmv

P, N = 4096, 16
secs = float(sys.argv[1])
stop = threading.Event()
gone = threading.Event()   # the reader found every page of `current` zeros
current = None          # (arena, base) the reader reads
counts = {"pattern": 0, "zeros": 0, "busy": 0, "arenas": 0, "later": 0, "late": 0}
bad = []


def later_arena(got, seed):
    """A page of a later arena's pattern: the range may be a new arena's
    once the old one is gone."""
    off = int.from_bytes(got[:4], "little")
    s = int.from_bytes(got[4:6], "little")
    return 0 < (s - seed) & 0xffff < 64 and off % P == 0 and got == vmv.pattern(s, off, P)


def reader():
    mem = vmv.Mem()
    while not stop.is_set():
        cur = current
        if cur is None:
            continue
        a, base = cur
        zeros = 0
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
                zeros += 1
            elif later_arena(got, a.seed):
                counts["later"] += 1
            else:
                bad.append(f"arena {a.seed} page {i}: {got[:16].hex()}")
        if zeros == N and cur is current:
            gone.set()


# The hog is a process of its own, so that it does not hold the reader's
# interpreter lock: it takes what the kernel frees and writes its own
# bytes there.
hog = subprocess.Popen([sys.executable, "-c", """
while True:
    blobs = [bytearray(b"\\xab" * (1 << 20)) for _ in range(8)]
    del blobs
"""])
t = threading.Thread(target=reader)
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
        gone.clear()
        a.close()       # the map's last reference: arena_map_free() runs
        # The reader stays on this arena until it has read it gone, so it
        # is reading while arena_map_free() frees the pages (80 ms at
        # least, in a worker, some time after the close).
        if not gone.wait(10):
            counts["late"] += 1
        counts["arenas"] += 1
finally:
    stop.set()
    t.join()
    hog.kill()
    hog.wait()
print(f"{counts['arenas']} arenas freed while read: {counts['pattern']} pages read as "
      f"the pattern, {counts['zeros']} as zeros, {counts['later']} as a later arena's, "
      f"{counts['busy']} reads told to retry, "
      f"{counts['late']} not gone 10 s after their close, "
      f"{len(bad)} otherwise")
for b in bad[:10]:
    print("  " + b)
sys.exit(1 if bad or not counts["pattern"] else 0)
PY
tctl nohold
waits=$(vmv stat sparse_waits)
echo "sparse_waits $waits: reads that met an arena being freed and waited"
[ "$waits" -gt 0 ] || fail "no read met an arena being freed: the test did not reach its window"
