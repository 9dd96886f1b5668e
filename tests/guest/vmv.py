#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Guest-side helpers for vmapview tests: parse its debugfs files and check
them against the page tables (through the test module's pte file).

  vmv.py block ADDR        the blocks line of the block holding ADDR
  vmv.py area ADDR         the areas line starting at ADDR
  vmv.py cover ADDR        exit 0 when an areas line covers ADDR
  vmv.py addr NAME         start address of test mapping NAME
  vmv.py stat KEY          a value from stats
  vmv.py check-mem         every page of every block and test mapping reads
                           through mem as it should: pattern or zeros; also
                           reads spanning boundaries and unaligned windows
  vmv.py kcore             /proc/kcore over the test mappings: 6.1's bug
                           (vm_map_ram reads as zeros, vmalloc correctly)
  vmv.py mem-vs-churn SECS read every block through mem for SECS seconds
                           while the churn runs: every word is 0 or the
                           pattern, and the test mappings' pattern is read
  vmv.py fresh-block       make the next block allocation of this CPU start a
                           new vmap_block (run pinned to one CPU)
  vmv.py check-pte         every block's used pages, less the slack of its
                           allocations, are exactly its present PTEs
                           (inside adopted runs: present pages are used)
"""

import os
import random
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "tools"))
import vmapview_debugfs as vdf  # noqa: E402

D = vdf.DEBUGFS + "/"
T = "/sys/kernel/debug/vmapview_test/"


def blocks():
    return vdf.records("blocks")


def areas():
    return vdf.records("areas")


def pte(addr, count):
    with open(T + "pte", "w") as f:
        f.write(f"{addr:#x} {count}")
    with open(T + "pte") as f:
        return f.read().strip()


def check_pte():
    bad = 0
    all_areas = areas()
    nblocks = 0
    for b in blocks():
        start, end, f = b.start, b.end, b.fields
        nblocks += 1
        pages = (end - start) // 4096
        want = ["P" if c == "U" else "." for c in f["map"]]
        got = pte(start, pages)
        for a in all_areas:
            a_start, a_end, af = a.start, a.end, a.fields
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


MAGIC = 0x5654
PAGE = 4096


def test_maps():
    return [(r.start, r.end, r.line.split()[1], int(r.fields["pages"]),
             int(r.fields["seed"]), r.fields["kind"]) for r in vdf.records("maps", T)]


def pattern(seed, off, n):
    """Bytes [off, off + n) of a mapping filled with seed (off 8-aligned)."""
    words = (n + 7) // 8
    data = struct.pack(f"<{words}Q", *((MAGIC << 48 | seed << 32 | (off + 8 * i))
                                       for i in range(words)))
    return data[:n]


class Mem(vdf.Mem):
    """mem, where a short read is a test failure."""

    def read(self, addr, n):
        data = super().read(addr, n)
        if len(data) != n:
            raise SystemExit(f"short read at {addr:#x}: {len(data)} of {n}")
        return data


class Kcore:
    """/proc/kcore: kernel addresses to file offsets, by its PT_LOADs."""

    def __init__(self):
        self.fd = os.open("/proc/kcore", os.O_RDONLY)
        ehdr = os.pread(self.fd, 64, 0)
        phoff, = struct.unpack_from("<Q", ehdr, 32)
        phentsize, phnum = struct.unpack_from("<HH", ehdr, 54)
        self.loads = []
        for i in range(phnum):
            ph = os.pread(self.fd, phentsize, phoff + i * phentsize)
            ptype, _, off, vaddr, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", ph)
            if ptype == 1:
                self.loads.append((vaddr, filesz, off))

    def offset(self, addr, n=1):
        for vaddr, size, off in self.loads:
            if vaddr <= addr and addr + n <= vaddr + size:
                return off + addr - vaddr
        raise SystemExit(f"{addr:#x} is in no PT_LOAD of /proc/kcore")

    def read(self, addr, n):
        return os.pread(self.fd, n, self.offset(addr, n))


def kcore_reader():
    return Kcore().read


def expected_pages(start, end):
    """Expected bytes of each page in [start, end), None where unknown."""
    maps = [m for m in test_maps() if m[5] == "vm_map_ram"]
    blks = blocks()
    large = [(a.start, a.end) for a in areas() if a.type == "area"]
    out = []
    for addr in range(start, end, PAGE):
        want = bytes(PAGE)
        for m_start, m_end, _, _, seed, _ in maps:
            if m_start <= addr < m_end:
                want = pattern(seed, addr - m_start, PAGE)
                break
        else:
            for b in blks:
                if b.start <= addr < b.end and b.map[(addr - b.start) // PAGE] == "U":
                    want = None     # another user's page, or slack: unknown here
            if any(s <= addr < e for s, e in large):
                want = None
        out.append(want)
    return out


def check_range(mem, start, end, what):
    """Reads [start, end) in one call; compares the known pages."""
    got = mem.read(start, end - start)
    bad = 0
    for i, want in enumerate(expected_pages(start, end)):
        page = got[i * PAGE:(i + 1) * PAGE]
        if want is not None and page != want:
            bad += 1
            if bad <= 3:
                print(f"{what}: page {start + i * PAGE:#x} differs: "
                      f"got {page[:16].hex()}..., want {want[:16].hex()}...")
    return bad, got


def check_mem():
    mem = Mem()
    bad = pages = 0
    for blk in blocks():
        bad += check_range(mem, blk.start, blk.end, f"block {blk.start:#x}")[0]
        pages += (blk.end - blk.start) // PAGE
    for m_start, m_end, name, count, seed, kind in test_maps():
        if kind != "vm_map_ram":
            # Mapped, but not vm_map_ram memory: mem must not show it.
            if mem.read(m_start, m_end - m_start) != bytes(m_end - m_start):
                bad += 1
                print(f"{kind} buffer {name}: mem shows it, want zeros")
            continue
        got = mem.read(m_start, m_end - m_start)
        if got != pattern(seed, 0, m_end - m_start):
            bad += 1
            print(f"mapping {name}: contents differ")
        # One page either side: across block and area boundaries.
        lo, hi = max(m_start - PAGE, mem.base), m_end + PAGE
        bad += check_range(mem, lo, hi, f"around {name}")[0]
        # Unaligned windows.
        for _ in range(4):
            off = random.randrange(0, m_end - m_start)
            n = random.randrange(1, min(3 * PAGE, m_end - m_start - off) + 1)
            if mem.read(m_start + off, n) != pattern(seed, off & ~7, n + (off & 7))[off & 7:]:
                bad += 1
                print(f"mapping {name}: unaligned read {off}+{n} differs")
        pages += count
    print(f"check-mem: {pages} pages checked, {bad} mismatches")
    return 1 if bad else 0


def check_kcore():
    """6.1: vm_map_ram reads as zeros through kcore; vmalloc does not."""
    read = kcore_reader()
    bad = 0
    for m_start, _, name, _, seed, kind in test_maps():
        got = read(m_start, PAGE)
        if kind == "vmalloc":
            ok = got == pattern(seed, 0, PAGE)
            print(f"kcore {name} (vmalloc): {'pattern' if ok else 'WRONG'}")
        else:
            ok = got == bytes(PAGE)
            print(f"kcore {name} (vm_map_ram): {'zeros' if ok else 'not zeros: ' + got[:16].hex()}")
        bad += not ok
    return 1 if bad else 0


def mem_vs_churn(secs):
    """Reads every block through mem for secs seconds while the churn runs:
    every word is zero or the pattern of a churn thread or of a test
    mapping. The test mappings stay mapped, so their pattern must be read
    (churn mappings live for milliseconds, and a round of reads takes
    seconds under TCG: whether one is caught is luck)."""
    mem = Mem()
    seeds = set(range(0xff00, 0xff08))
    kept = {m[4]: 0 for m in test_maps()}
    seeds |= set(kept)
    deadline = time.monotonic() + secs
    words = live = rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        for blk in blocks():
            start, end = blk.start, blk.end
            data = mem.read(start, end - start)
            for i, (w,) in enumerate(struct.iter_unpack("<Q", data)):
                if not w:
                    continue
                addr = start + 8 * i
                seed = (w >> 32) & 0xffff
                if w >> 48 != MAGIC or seed not in seeds or \
                        (w & 0xfff) != (addr & 0xfff):
                    print(f"{addr:#x}: {w:#018x} is neither zero nor the pattern")
                    return 1
                live += 1
                if seed in kept:
                    kept[seed] += 1
            words += len(data) // 8
    print(f"mem-vs-churn: {rounds} rounds, {words} words, {live} pattern words, "
          f"of test mappings {sum(kept.values())}")
    return 0 if all(kept.values()) else 1


def ctl(cmd):
    with open(T + "ctl", "w") as f:
        f.write(cmd)


def fresh_block():
    """Fills every partly free block of this CPU with 1-page mappings until
    one starts a new block, fills that one too, then unmaps them all: all
    those blocks end fully dirty, which vb_free() frees on every kernel
    (vm_unmap_aliases() purges them only below a threshold from 6.5 on)."""
    names = []

    def block_of(addr):
        for b in blocks():
            if b.start <= addr < b.end:
                return b.start, b.fields
        raise SystemExit(f"{addr:#x} is in no block")

    def fill(count):
        name = f"fresh{len(names)}"
        ctl(f"map {name} {count}")
        names.append(name)
        for m_start, _, m_name, _, _, _ in test_maps():
            if m_name == name:
                return m_start
        raise SystemExit(f"{name} not in maps")

    for _ in range(4096):
        addr = fill(1)
        start, f = block_of(addr)
        if addr == start:
            break
    else:
        raise SystemExit("no new block after 4096 pages")
    free = int(f["free"])
    while free:
        n = 1 << min(free.bit_length() - 1, 6)
        fill(n)
        free -= n
    for name in names:
        ctl(f"unmap {name}")
    if any(b.start == start for b in blocks()):
        raise SystemExit(f"block {start:#x} survived being made all dirty")
    print(f"fresh-block: {len(names)} fillers")
    return 0


def main(argv):
    cmd = argv[0]
    if cmd == "check-pte":
        return check_pte()
    if cmd == "fresh-block":
        return fresh_block()
    if cmd == "check-mem":
        return check_mem()
    if cmd == "kcore":
        return check_kcore()
    if cmd == "mem-vs-churn":
        return mem_vs_churn(float(argv[1]))
    if cmd == "block":
        addr = int(argv[1], 16)
        for b in blocks():
            if b.start <= addr < b.end:
                print(b.line)
                return 0
        return 1
    if cmd == "area":
        addr = int(argv[1], 16)
        for a in areas():
            if a.start == addr:
                print(a.line)
                return 0
        return 1
    if cmd == "cover":
        addr = int(argv[1], 16)
        return 0 if any(a.start <= addr < a.end for a in areas()) else 1
    if cmd == "addr":
        for m_start, _, name, _, _, _ in test_maps():
            if name == argv[1]:
                print(hex(m_start))
                return 0
        return 1
    if cmd == "stat":
        value = vdf.stats().get(argv[1])
        if value is None:
            return 1
        print(value)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
