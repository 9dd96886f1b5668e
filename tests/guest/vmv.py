#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Guest-side helpers for vmapview tests: parse its debugfs files and check
them against the page tables (through the test module's pte file).

  vmv.py block ADDR        the blocks line of the block holding ADDR
  vmv.py area ADDR         the areas line starting at ADDR
  vmv.py cover ADDR        exit 0 when an areas line covers ADDR
  vmv.py addr NAME         start address of test mapping NAME
  vmv.py check-mem         every page of every block and test mapping reads
                           through mem as it should: pattern or zeros; also
                           reads spanning boundaries and unaligned windows
  vmv.py kcore             /proc/kcore over the test mappings: 6.1's bug
                           (vm_map_ram reads as zeros, vmalloc correctly)
  vmv.py mem-vs-churn SECS [kcore]
                           read every block through mem (or /proc/kcore) for
                           SECS seconds while the churn runs: every word is 0
                           or the pattern, and the test mappings' pattern is read
  vmv.py kcore-offset ADDR the /proc/kcore file offset of kernel address ADDR
  vmv.py expect START END FILE
                           FILE holds [START, END) as some reader read it: do
                           the pages the truth is known for (test mappings:
                           their pattern; free and dirty block pages: zeros)
                           match? Exit 1, naming the pages, when not
  vmv.py drgn-read START END FILE
                           [START, END) read by drgn's own prog.read() on the
                           live kernel, into FILE
  vmv.py kcore-others save|same FILE
                           digests of vmalloc-space ranges other than vm_map_ram
                           (/proc/vmallocinfo's areas and the gaps between them,
                           the module area, kernel text) read through /proc/kcore:
                           save them, or check that those stable across two
                           saves read the same now
  vmv.py fresh-block       make the next block allocation of this CPU start a
                           new vmap_block (run pinned to one CPU)
  vmv.py walk-mem          read all of mem's data, by SEEK_DATA/SEEK_HOLE
  vmv.py check-sparse      mem's data ranges are the mirror's used pages
  vmv.py check-pte         every block's used pages, less the slack of its
                           allocations, are exactly its present PTEs
                           (adopted records too: at most 64 pages, mapped first)
"""

import errno
import os
import random
import re
import struct
import sys
import time

# The tools' package (tools/vmapview), on PYTHONPATH from lib.sh.
from vmapview import debugfs as vdf
from vmapview.kcore import Kcore, KcoreFault

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
            # Adopted records too: no allocation exceeds VMAP_MAX_ALLOC
            # pages, and their first `pages` pages are the mapped ones.
            if last - first > 64:
                bad += 1
                print(f"area {a_start:#x}: {last - first} pages in one record")
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


def kcore_expect(start, end, path):
    """Compares a reader's bytes of [start, end) with the known truth."""
    with open(path, "rb") as f:
        got = f.read()
    if len(got) != end - start:
        print(f"expect: {path} holds {len(got)} bytes, want {end - start}")
        return 1
    bad, known = [], 0
    for i, want in enumerate(expected_pages(start, end)):
        if want is None:
            continue
        known += 1
        page = got[i * PAGE:(i + 1) * PAGE]
        if page != want:
            what = "zeros" if page == bytes(PAGE) else page[:8].hex()
            bad.append(f"{i}({what})")
    print(f"expect {start:#x}-{end:#x}: {known} known pages, {len(bad)} wrong"
          + (": " + " ".join(bad[:16]) if bad else ""))
    return 1 if bad or not known else 0


class Arena:
    """A BPF arena made from user space (BPF_MAP_TYPE_ARENA, BPF_F_MMAPABLE;
    no BPF program: a user page fault allocates the kernel page and maps it
    into the arena's VM_SPARSE area), its pages i in `written` filled with
    pattern(seed, i * 4096, 4096) through the user mapping."""

    SYS_BPF, BPF_MAP_CREATE = 321, 0
    BPF_MAP_TYPE_ARENA, BPF_F_MMAPABLE = 33, 0x400

    def __init__(self, pages, written, seed):
        import ctypes
        import mmap
        libc = ctypes.CDLL(None, use_errno=True)
        attr = ctypes.create_string_buffer(128)
        # map_type, key_size, value_size, max_entries (pages), map_flags
        struct.pack_into("<5I", attr, 0, self.BPF_MAP_TYPE_ARENA, 0, 0, pages,
                         self.BPF_F_MMAPABLE)
        fd = libc.syscall(self.SYS_BPF, self.BPF_MAP_CREATE, attr, ctypes.c_uint(len(attr)))
        if fd < 0:
            raise SystemExit("BPF_MAP_CREATE of an arena: " + os.strerror(ctypes.get_errno()))
        self.fd, self.pages, self.written, self.seed = fd, pages, list(written), seed
        self.map = mmap.mmap(fd, pages * 4096, mmap.MAP_SHARED,
                             mmap.PROT_READ | mmap.PROT_WRITE)
        anchor = ctypes.c_char.from_buffer(self.map)
        self.user = ctypes.addressof(anchor)
        del anchor
        for i in self.written:
            self.map[i * 4096:(i + 1) * 4096] = self.truth(i)
        self.record = self._find()

    def truth(self, i):
        return pattern(self.seed, i * 4096, 4096) if i in self.written else bytes(4096)

    def kaddr(self, i, base=None):
        """kernel/bpf/arena.c: kern_vm->addr + GUARD_SZ / 2 + the user
        address's low 32 bits."""
        base = self.record.start if base is None else base
        return base + 0x8000 + ((self.user + i * 4096) & 0xffffffff)

    def _find(self):
        sparse = [r for r in vdf.vmalloc_map() if r.fields["kind"] == "sparse"]
        first = self.written[0]
        mine = [r for r in sparse if pte(self.kaddr(first, r.start), 1) == "P"]
        if len(mine) != 1:
            raise SystemExit(f"{len(sparse)} sparse areas, {len(mine)} map the arena's "
                             f"page {first}")
        return mine[0]

    def close(self):
        self.map.close()
        os.close(self.fd)


def drgn_read(start, end, path):
    """drgn's own reader of the live kernel: no vmapview code involved."""
    import drgn
    prog = drgn.Program()
    prog.set_kernel()
    with open(path, "wb") as f:
        f.write(prog.read(start, end - start))
    return 0


def other_ranges():
    """Ranges of vmalloc space that are not vm_map_ram(), with their kind."""
    ram = [(b.start, b.end) for b in blocks()] + \
        [(a.start, a.end) for a in areas() if a.type == "area"]
    listed = []
    with open("/proc/vmallocinfo") as f:
        for line in f:
            fields = line.split()
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            listed.append((lo, hi, line, fields))
    # From 6.9 the file goes node by node: sorted here, for the holes.
    listed.sort()
    out, end = [], None
    for lo, hi, line, fields in listed:
        if end is not None and lo > end and \
                not any(s < end + PAGE and end < e for s, e in ram):
            out.append(("hole", end, end + PAGE, ""))
        end = max(end or 0, hi)
        kind = "vm_map_ram" if "vm_map_ram" in line else \
            next((w for w in ("ioremap", "vmap", "vpages", "vmalloc", "user")
                  if w in fields[2:]), "other")
        # Live data, whose change says nothing of the fix: thread stacks
        # (the livepatch moves their tasks over), per-CPU chunks, modules'
        # data (7.x: execmem_alloc_rw()), vmapview's own memory (its caller
        # is in the module) and its kretprobes' instances.
        live = re.search(r"stack|dup_task_struct|kernel_clone|copy_process|pcpu_|"
                         r"execmem_alloc_rw|\[vmapview|rethook|kretprobe", line)
        if kind == "vm_map_ram" or live or any(s < hi and lo < e for s, e in ram):
            continue
        # Up to 4 pages from the start of each area.
        out.append((kind, lo, min(hi, lo + 4 * PAGE), " ".join(fields[2:3])))
    syms = {}
    with open("/proc/kallsyms") as f:
        for line in f:
            addr, _, name = line.split()[:3]
            if name in ("_stext", "linux_banner"):
                syms[name] = int(addr, 16)
    for name, addr in syms.items():
        if addr:
            out.append(("kernel", addr & ~(PAGE - 1), (addr & ~(PAGE - 1)) + 2 * PAGE, name))
    with open("/proc/modules") as f:
        for line in f:
            addr = int(line.split()[5], 16)
            if addr:
                out.append(("module", addr, addr + 2 * PAGE, line.split()[0]))
    kcore = Kcore()
    return [r for r in out if kcore.covers(r[1], r[2])]


def kcore_others(cmd, path):
    """The fix must leave every other read of /proc/kcore as it was."""
    import hashlib
    import json
    kcore = Kcore()
    # Before 6.4, kcore reads vmalloc space through a buffer kept per open
    # file, which a hole leaves as the previous read filled it: each range
    # is read right after the test module's vmalloc() buffer (a pattern).
    anchor = next(m[0] for m in test_maps() if m[5] == "vmalloc")

    def digest(lo, hi):
        kcore.read(anchor, PAGE)
        return hashlib.sha256(kcore.read(lo, hi - lo)).hexdigest()

    if cmd == "save":
        snaps = []
        if os.path.exists(path):
            with open(path) as f:
                snaps = json.load(f)
        ranges = snaps[0]["ranges"] if snaps else other_ranges()
        snaps.append({"ranges": ranges,
                      "digests": [digest(lo, hi) for _, lo, hi, _ in ranges]})
        with open(path, "w") as f:
            json.dump(snaps, f)
        print(f"kcore-others: saved {len(ranges)} ranges")
        return 0
    with open(path) as f:
        snaps = json.load(f)
    ranges, first = snaps[0]["ranges"], snaps[0]["digests"]
    # Loading a module (the fix is one) makes areas where holes were: only
    # ranges that are still what they were are compared. vmapview's own
    # module memory changes with its state.
    now = {tuple(r) for r in other_ranges()}
    mine = []
    for mod in ("vmapview", "vmapview_test", "vmapview_kcore"):
        sect = f"/sys/module/{mod}/sections"
        for name in os.listdir(sect) if os.path.isdir(sect) else ():
            with open(os.path.join(sect, name)) as f:
                mine.append(int(f.read(), 16))
    now = {r for r in now if not any(r[1] <= a < r[2] + 64 * PAGE for a in mine)}
    stable = [i for i in range(len(ranges))
              if all(s["digests"][i] == first[i] for s in snaps[1:]) and
              tuple(ranges[i]) in now]
    kinds, bad = {}, 0
    for i in stable:
        kind, lo, hi, what = ranges[i]
        kinds[kind] = kinds.get(kind, 0) + 1
        if digest(lo, hi) != first[i]:
            bad += 1
            print(f"{kind} {lo:#x}-{hi:#x} ({what}): reads differently")
    print(f"kcore-others: {len(stable)} of {len(ranges)} ranges stable "
          f"({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}), {bad} differ")
    if "vmalloc" not in kinds:
        print("kcore-others: no vmalloc area was compared")
        return 1
    return 1 if bad or len(stable) < len(ranges) // 2 else 0


def mem_vs_churn(secs, reader="mem"):
    """Reads every block through mem for secs seconds while the churn runs:
    every word is zero or the pattern of a churn thread or of a test
    mapping, and a test mapping's words are where it is. The test mappings
    stay mapped, so their pattern must be read
    (churn mappings live for milliseconds, and a round of reads takes
    seconds under TCG: whether one is caught is luck)."""
    mem = Mem() if reader == "mem" else Kcore()
    # Before 6.4 kcore reads vmalloc space through a buffer kept per open
    # file, which a read of nothing (a block freed since blocks() listed
    # it) leaves as the last read filled it. Reading the guard page of a
    # vmalloc() buffer first zeroes it, as the kernel zero-fills up to the
    # next area.
    guard = next((m[1] for m in test_maps() if m[5] == "vmalloc"), None)
    seeds = set(range(0xff00, 0xff08))
    kept = {m[4]: 0 for m in test_maps() if m[5] == "vm_map_ram"}
    kept_start = {m[4]: m[0] for m in test_maps() if m[5] == "vm_map_ram"}
    seeds |= set(kept)
    deadline = time.monotonic() + secs
    words = live = rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        for blk in blocks():
            start, end = blk.start, blk.end
            if reader == "kcore" and guard:
                mem.read(guard, PAGE)
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
                    # Where a mapping that stays is, its words say so: a
                    # word of it anywhere else is another page's.
                    if w & 0xffffffff != addr - kept_start[seed]:
                        print(f"{addr:#x}: {w:#018x} is a word of the mapping at "
                              f"{kept_start[seed]:#x}, from another page")
                        return 1
                    kept[seed] += 1
            words += len(data) // 8
    print(f"{reader}-vs-churn: {rounds} rounds, {words} words, {live} pattern words, "
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


def data_ranges(mem):
    """mem's data ranges, by SEEK_DATA and SEEK_HOLE, as addresses."""
    ranges = []
    off = 0
    while True:
        try:
            start = os.lseek(mem.fd, off, os.SEEK_DATA)
        except OSError as e:
            if e.errno == errno.ENXIO:
                return ranges
            raise
        end = os.lseek(mem.fd, start, os.SEEK_HOLE)
        if end <= start:
            raise SystemExit(f"SEEK_HOLE at {start:#x} gave {end:#x}")
        ranges.append((mem.base + start, mem.base + end))
        off = end


def walk_mem():
    """Reads all of mem's data, jumping its holes; prints what it took."""
    mem = Mem()
    t0 = time.monotonic()
    ranges = data_ranges(mem)
    nbytes = 0
    for start, end in ranges:
        nbytes += len(mem.read(start, end - start))
    print(f"walk-mem: {len(ranges)} ranges, {nbytes} bytes in "
          f"{time.monotonic() - t0:.2f}s")
    return 0


def check_sparse():
    """mem's data ranges are exactly the mirror's used pages: block pages
    marked U and large areas, and they hold every test mapping."""
    mem = Mem()
    got = set()
    for start, end in data_ranges(mem):
        got.update(range(start, end, PAGE))
    want = set()
    for b in blocks():
        want.update(b.start + i * PAGE for i, c in enumerate(b.fields["map"]) if c == "U")
    for a in areas():
        if a.fields["type"] == "area":
            want.update(range(a.start, a.end, PAGE))
    bad = 0
    if got != want:
        bad += 1
        print(f"data pages: {len(got)}, used pages: {len(want)}, "
              f"{len(got - want)} extra, {len(want - got)} missing")
    for m_start, m_end, name, _, _, kind in test_maps():
        if kind == "vm_map_ram" and not set(range(m_start, m_end, PAGE)) <= got:
            bad += 1
            print(f"mapping {name}: not all inside data ranges")
    print(f"check-sparse: {len(got)} data pages, {bad} problems")
    return 1 if bad else 0


def main(argv):
    cmd = argv[0]
    if cmd == "walk-mem":
        return walk_mem()
    if cmd == "check-sparse":
        return check_sparse()
    if cmd == "check-pte":
        return check_pte()
    if cmd == "fresh-block":
        return fresh_block()
    if cmd == "check-mem":
        return check_mem()
    if cmd == "kcore":
        return check_kcore()
    if cmd == "mem-vs-churn":
        return mem_vs_churn(float(argv[1]), *argv[2:3])
    if cmd == "kcore-offset":
        try:
            print(Kcore().offset(int(argv[1], 16)))
        except KcoreFault as e:
            raise SystemExit(str(e))
        return 0
    if cmd == "expect":
        return kcore_expect(int(argv[1], 16), int(argv[2], 16), argv[3])
    if cmd == "drgn-read":
        return drgn_read(int(argv[1], 16), int(argv[2], 16), argv[3])
    if cmd == "kcore-others":
        return kcore_others(argv[1], argv[2])
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
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
