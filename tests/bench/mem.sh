#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Read throughput, all from this one boot, 64 MiB each, in 1 MiB preads:
# mem over vm_map_ram areas; /proc/kcore over vmalloc() buffers of the same
# size (the kernel's own vread(), the peer); /dev/zero (the copy-to-user
# limit). Targets: mem/kcore >= 1.0, mem/devzero >= 0.5. From 6.3 kcore
# reads vm_map_ram too (large areas right), so it is also timed over the
# same vm_map_ram bytes as mem. Then the opt-in kcore fix's cost where it
# has nothing to fix: /proc/kcore over the vmalloc() buffers again, with
# vmapview_kcore loaded (target: at most 1.05x the time without).
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

load_testmod
load_vmapview
for i in 0 1 2 3; do
	tctl map m$i 4096
	tctl vmalloc v$i 4096
done
cat >/tmp/membench.py <<'PY'
import os, sys, time
import vmv

CHUNK = 1 << 20
maps = vmv.test_maps()
mem = vmv.Mem()
buf = bytearray(CHUNK)


def rate(fd, offsets):
    best = None
    for _ in range(3):
        t = time.perf_counter_ns()
        for off in offsets:
            if os.preadv(fd, [buf], off) != CHUNK:
                raise SystemExit(f"short read at {off:#x}")
        t = time.perf_counter_ns() - t
        best = t if best is None else min(best, t)
    return len(offsets) * CHUNK / (best / 1e9) / (1 << 20)


def chunks(kind, base):
    return [s - base + i for s, e, _, _, _, k in maps if k == kind
            for i in range(0, e - s, CHUNK)]


# kcore: file offsets of the vmalloc buffers, from its program headers.
kcore = vmv.Kcore()
koffs = [kcore.offset(s, e - s) + i for s, e, _, _, _, k in maps if k == "vmalloc"
         for i in range(0, e - s, CHUNK)]
kcore_rate = rate(kcore.fd, koffs)
if sys.argv[1:] == ["kcore"]:
    print(kcore_rate)
    raise SystemExit(0)
mem_rate = rate(mem.fd, chunks("vm_map_ram", mem.base))
ram_kcore_rate = None
if tuple(map(int, os.uname().release.split("-")[0].split(".")[:2])) >= (6, 3):
    roffs = [kcore.offset(s, e - s) + i for s, e, _, _, _, k in maps
             if k == "vm_map_ram" for i in range(0, e - s, CHUNK)]
    ram_kcore_rate = rate(kcore.fd, roffs)
zfd = os.open("/dev/zero", os.O_RDONLY)
zero_rate = rate(zfd, [0] * 64)
print(f"mem over vm_map_ram:  {mem_rate:8.1f} MiB/s")
print(f"kcore over vmalloc:   {kcore_rate:8.1f} MiB/s")
print(f"/dev/zero:            {zero_rate:8.1f} MiB/s")
print(f"mem/kcore = {mem_rate / kcore_rate:.2f}x (target >= 1.0)")
print(f"mem/devzero = {mem_rate / zero_rate:.2f}x (target >= 0.5)")
if ram_kcore_rate:
    print(f"kcore over the same vm_map_ram areas: {ram_kcore_rate:8.1f} MiB/s")
    print(f"mem/kcore over the same vm_map_ram bytes = {mem_rate / ram_kcore_rate:.2f}x")
PY
python3 /tmp/membench.py all || fail "the read benchmark failed"

# kcore over the vmalloc() buffers again, without and with the fix.
unfixed=$(python3 /tmp/membench.py kcore) || fail "kcore read failed"
kcore_fix_on
fixed=$(python3 /tmp/membench.py kcore) || fail "kcore read with the fix failed"
kcore_fix_off || fail "turning the fix off"
echo "kcore over vmalloc with the fix: $(printf '%.1f' "$fixed") MiB/s"
echo "kcore fix over vmalloc: fixed/unfixed time = $(awk "BEGIN { printf \"%.3f\", $unfixed / $fixed }")x (target <= 1.05)"
