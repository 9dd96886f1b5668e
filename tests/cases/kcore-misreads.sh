#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Documents how /proc/kcore reads vm_map_ram blocks from 6.3 on (its
# vmap_ram_vread_iter() walks used ranges from the block's first one and
# copies from "range start + offset in page"; kcore reads a page at a time):
# pages below the first used page read as zeros, every page at or above it
# reads as that first used page, free and dirty pages included. Large
# vm_map_ram areas read right. mem reads them all right. A kernel that
# fixes kcore fails this test, so that the fix is noticed.
. "$VMAPVIEW_SRC/tests/guest/lib.sh"

[ "$(kcore_bug)" = misreads ] || skip "kernels before 6.3 read vm_map_ram as zeros (test mem)"
misread_layout
python3 - <<'PY' || fail "kcore did not misread as documented"
import sys
import vmv
P = 4096
mem, kcore = vmv.Mem(), vmv.Kcore()
maps = {m[2]: m for m in vmv.test_maps()}
a = maps["a"][0]
blk = next(b for b in vmv.blocks() if b.start <= a < b.end)
start, end, f = blk.start, blk.end, blk.fields
first = f["map"].index("U")
first_page = mem.read(start + first * P, P)
wrong = 0
for i in range((end - start) // P):
    addr = start + i * P
    got, right = kcore.read(addr, P), mem.read(addr, P)
    documented = bytes(P) if i < first else first_page
    if got != documented:
        print(f"block page {i} ({f['map'][i]}): kcore reads neither as documented")
        sys.exit(1)
    wrong += got != right
print(f"kcore misreads {wrong} of {(end - start) // P} pages of block {start:#x} "
      f"(map {f['map'][:24]}...)")
if not wrong:
    sys.exit(1)
big_start, big_end = maps["big"][0], maps["big"][1]
if kcore.read(big_start, big_end - big_start) != mem.read(big_start, big_end - big_start):
    print("kcore misreads the large area")
    sys.exit(1)
print("large area: kcore and mem agree")
PY
out=$(vmapview_check 2>/dev/null) || fail "vmapview-check: $out"
echo "$out"
echo "$out" | grep -q "kernel finding: /proc/kcore misreads" || fail "no kernel finding reported"
