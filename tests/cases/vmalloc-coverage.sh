#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-debug: referee
# The vmalloc file's kcore column says what /proc/kcore really returns:
# for every area whose contents are known (the test module's vmalloc()
# buffer, vm_map_ram() blocks and a large area, each filled with its
# pattern) the bytes kcore reads are the pattern where it says "right",
# zeros where it says "zeros-bug", and not the pattern on exactly the
# pages kcore_pages= names where it says "misread"; every ioremap and
# sparse area ("zeros-by-design") reads as zeros, as does the last page
# of a per-cpu area it says kcore drops. Its mapped= counts agree with the
# page tables (the test module's pte file), and every busy area that
# /proc/vmallocinfo lists before and after the read is in it (not its
# "unpurged vm_area" lines: freed areas waiting for a lazy purge).
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

# /proc/vmallocinfo prints %pK: hashed with kptr_restrict=0, real for root with 1.
kptr=$(cat /proc/sys/kernel/kptr_restrict)
trap 'echo $kptr >/proc/sys/kernel/kptr_restrict' EXIT
echo 1 >/proc/sys/kernel/kptr_restrict
misread_layout
tctl vmalloc v 6
python3 - "$(kcore_bug)" <<'PY' || fail "the vmalloc file's kcore column is wrong"
import sys
import vmv
from vmapview import debugfs as vdf
from vmapview.kcore import Kcore

P = 4096
bug = sys.argv[1]


def listed():
    out = set()
    with open("/proc/vmallocinfo") as f:
        for line in f:
            if "unpurged" in line:
                continue  # freed, waiting for a lazy purge: not busy
            lo, hi = (int(x, 16) for x in line.split()[0].split("-"))
            out.add((lo, hi))
    return out


before = listed()
recs = vdf.vmalloc_map()
after = listed()
kcore = Kcore()
bad = []
kinds = {}
for r in recs:
    kinds[r.fields["kind"]] = kinds.get(r.fields["kind"], 0) + 1
print("kinds: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
ranges = {(r.start, r.end) for r in recs}
# vmallocinfo prints vm->addr + vm->size, the vmap_area's range, for areas
# with a vm_struct; vm_map_ram() ones from the va, the same.
missing = [f"{lo:#x}-{hi:#x}" for lo, hi in before & after if (lo, hi) not in ranges]
if missing:
    bad.append(f"{len(missing)} areas of /proc/vmallocinfo not listed: {missing[:4]}")
for a, b in zip(recs, recs[1:]):
    if b.start < a.end:
        bad.append(f"records overlap or are out of order: {a.line} / {b.line}")


def record_of(addr):
    return next((r for r in recs if r.start <= addr < r.end), None)


def pages_of(r, lo=None, hi=None):
    return range(lo or 0, (r.end - r.start) // P if hi is None else hi + 1)


# The test mappings: their truth is their pattern.
checked = 0
for start, end, name, npages, seed, kind in vmv.test_maps():
    r = record_of(start)
    if r is None:
        bad.append(f"{name}: no record")
        continue
    f = r.fields
    verdict = f["kcore"]
    lo, hi = (int(x) for x in f.get("kcore_pages", "-1--1").split("-", 1)) \
        if "kcore_pages" in f else (None, None)
    want = {"vmalloc": "right",
            "vm_map_ram": "right" if bug == "misreads" else "zeros-bug"}[kind]
    if kind == "vm_map_ram" and f["kind"] == "vm_map_ram_block" and bug == "misreads":
        want = "right" if "kcore_pages" not in f else "misread"
    if verdict != want and not (kind == "vm_map_ram" and f["kind"] == "vm_map_ram_block"
                                and bug == "misreads"):
        bad.append(f"{name} ({kind}): kcore={verdict}, this kernel's is {want}")
    for i in range(npages):
        addr = start + i * P
        page = (addr - r.start) // P
        got, truth = kcore.read(addr, P), vmv.pattern(seed, i * P, P)
        if verdict == "right" or (verdict == "misread" and not lo <= page <= hi):
            ok = got == truth
        elif verdict == "misread":
            ok = got != truth
        else:
            ok = got == bytes(P)
        checked += 1
        if not ok:
            bad.append(f"{name} page {i} (area page {page}): kcore={verdict} "
                       f"{f.get('kcore_pages', '')} but kcore reads "
                       f"{'zeros' if got == bytes(P) else 'the pattern' if got == truth else got[:8].hex()}")
    if kind == "vmalloc" and f.get("pages") != str(npages):
        bad.append(f"{name}: pages={f.get('pages')}, not {npages}")

# Areas whose reads are zeros by this file's word, pattern or not.
zeros = 0
for r in recs:
    f = r.fields
    # (An area still being populated is zeros-by-design from 6.9 only
    # until it is done: not compared.)
    if (f["kcore"] == "zeros-by-design" and f["kind"] in ("ioremap", "sparse")) or \
            (f["kind"] == "percpu" and "kcore_pages" in f):
        lo, hi = (int(x) for x in f["kcore_pages"].split("-")) if "kcore_pages" in f \
            else (0, min(15, (r.end - r.start) // P - 1))
        for page in range(lo, hi + 1):
            zeros += 1
            if kcore.read(r.start + page * P, P) != bytes(P):
                bad.append(f"{r.line}: page {page} does not read as zeros")

# mapped= against the page tables, for the test mappings' areas (which
# nothing else changes meanwhile).
for r in {r.start: r for r in map(record_of, (m[0] for m in vmv.test_maps())) if r}.values():
    ptes = vmv.pte(r.start, (r.end - r.start) // P)
    if ptes.count("P") != int(r.fields["mapped"]):
        bad.append(f"{r.line}: {ptes.count('P')} present PTEs")
print(f"coverage: {len(recs)} areas, {checked} test pages and {zeros} zero pages "
      f"compared with /proc/kcore, {len(bad)} problems")
for b in bad[:20]:
    print("  " + b)
sys.exit(1 if bad or not checked else 0)
PY
grep "kind=" "$VMV_DEBUGFS/vmalloc" | awk '{ for (i = 3; i <= NF; i++) if ($i ~ /^kind=/) k[$i]++ } END { for (x in k) print x, k[x] }' | sort
for kind in vmalloc percpu vm_map_ram_block vm_map_ram ioremap; do
	grep -m1 " kind=$kind " "$VMV_DEBUGFS/vmalloc"
done
