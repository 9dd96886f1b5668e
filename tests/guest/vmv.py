#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Guest-side helpers for vmapview tests: parse its debugfs files and check
them against the page tables (through the test module's pte file).

  vmv.py block ADDR        the blocks line of the block holding ADDR
  vmv.py area ADDR         the areas line starting at ADDR
  vmv.py cover ADDR        exit 0 when an areas line covers ADDR
  vmv.py addr NAME         start address of test mapping NAME
  vmv.py stat KEY          a value from stats
  vmv.py check-pte         every block's used pages, less the slack of its
                           allocations, are exactly its present PTEs
                           (inside adopted runs: present pages are used)
"""

import sys

D = "/sys/kernel/debug/vmapview/"
T = "/sys/kernel/debug/vmapview_test/"


def lines(path):
    with open(path) as f:
        return [ln.rstrip("\n") for ln in f if not ln.startswith("#")]


def rng(line):
    start, end = line.split()[0].split("-")
    return int(start, 16), int(end, 16)


def fields(line):
    return dict(w.split("=", 1) for w in line.split() if "=" in w)


def blocks():
    return [(rng(ln), fields(ln), ln) for ln in lines(D + "blocks")]


def areas():
    return [(rng(ln), fields(ln), ln) for ln in lines(D + "areas")]


def pte(addr, count):
    with open(T + "pte", "w") as f:
        f.write(f"{addr:#x} {count}")
    with open(T + "pte") as f:
        return f.read().strip()


def check_pte():
    bad = 0
    all_areas = areas()
    nblocks = 0
    for (start, end), f, _ in blocks():
        nblocks += 1
        pages = (end - start) // 4096
        want = ["P" if c == "U" else "." for c in f["map"]]
        got = pte(start, pages)
        for (a_start, a_end), af, _ in all_areas:
            if af["type"] != "block" or not start <= a_start < end:
                continue
            first = (a_start - start) // 4096
            last = (a_end - start) // 4096
            if af["src"] == "adopted":
                # Where the slack of adopted allocations lies is a guess:
                # inside them, used pages need not all be present.
                for i in range(first, last):
                    want[i] = got[i] if f["map"][i] == "U" else "."
                continue
            for i in range(first + int(af["pages"]), last):
                want[i] = "."       # reserved slack: used, never mapped
        if got != "".join(want):
            bad += 1
            print(f"block {start:#x}: map   {f['map']}")
            print(f"block {start:#x}: want  {''.join(want)}")
            print(f"block {start:#x}: ptes  {got}")
    print(f"check-pte: {nblocks} blocks, {bad} disagree")
    return 1 if bad else 0


def main(argv):
    cmd = argv[0]
    if cmd == "check-pte":
        return check_pte()
    if cmd == "block":
        addr = int(argv[1], 16)
        for (start, end), _, line in blocks():
            if start <= addr < end:
                print(line)
                return 0
        return 1
    if cmd == "area":
        addr = int(argv[1], 16)
        for (start, _), _, line in areas():
            if start == addr:
                print(line)
                return 0
        return 1
    if cmd == "cover":
        addr = int(argv[1], 16)
        return 0 if any(s <= addr < e for (s, e), _, _ in areas()) else 1
    if cmd == "addr":
        for line in lines(T + "maps"):
            if line.split()[1] == argv[1]:
                print(line.split("-")[0])
                return 0
        return 1
    if cmd == "stat":
        for line in lines(D + "stats"):
            key, value = line.split(" ", 1)
            if key == argv[1]:
                print(value)
                return 0
        return 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
