# SPDX-License-Identifier: GPL-2.0
"""Audit vmapview against the kernel's own structures and page tables.

Run as root with vmapview loaded:  vmapview-check [--all]

It trusts nothing the module says. From the kernel (drgn, with its debug
info) it reads every vmap_block (free, dirty, dirty range, and used_map and
cpu where the kernel has them), walks init_mm's page tables for every
allocated page of every block, and finds the large vm_map_ram areas in the
busy vmap_area list(s). It compares them with vmapview's blocks, areas,
vmalloc (each busy area's kind and pages) and stats, and compares bytes read through vmapview's mem with bytes drgn reads
through the page tables, for a sample of pages (all with --all).

Exit status 0 when everything agrees, 1 with a per-block report when not.
A disagreement is checked once more after a short pause, so mappings that
change during the check do not raise false alarms.

On kernels whose /proc/kcore claims to read vm_map_ram memory (6.3+), the
same pages are also read through /proc/kcore (drgn's own reader on a live
kernel); where kcore and the page tables disagree, that is reported as a
kernel finding, which does not change the exit status.
"""

import argparse
import os
import random
import sys
import time

from .debugfs import DEBUGFS, PAGE_SIZE as PAGE, AddressesHidden, Mem
from .debugfs import areas as module_areas, blocks as module_blocks, stats as module_stats
from .debugfs import vmalloc_map as module_vmalloc_map

# vmapview.kernel, imported once the arguments are parsed (it needs drgn).
# Never vmapview.plugin: the audit reads the kernel without vmapview.
kern = None


def _without_vmapview_plugin():
    """vmapview's own drgn plugin (which reads vmalloc space through
    vmapview's mem) must not be enabled on the program the audit reads.
    drgn (0.0.31+) reads these variables when it loads its plugins, at the
    first program it sets up, so this runs before that."""
    def is_vmapview(item):
        name, _, value = item.partition("=")
        return name == "vmapview" or value.strip().startswith("vmapview.")

    plugins = [i for i in os.environ.get("DRGN_PLUGINS", "").split(",")
               if i and not is_vmapview(i)]
    if plugins:
        os.environ["DRGN_PLUGINS"] = ",".join(plugins)
    else:
        os.environ.pop("DRGN_PLUGINS", None)
    disabled = os.environ.get("DRGN_DISABLE_PLUGINS")
    os.environ["DRGN_DISABLE_PLUGINS"] = f"{disabled},vmapview" if disabled else "vmapview"


class Audit:
    def __init__(self):
        self.problems = []
        self.blocks = self.pages = self.bytes = 0
        self.kcore_wrong = {"block": [], "area": []}
        self.kcore_read = 0
        self.vmalloc_areas = None

    def problem(self, where, what):
        self.problems.append(f"{where}: {what}")


def check_block(prog, audit, kb, mb, bits, sample):
    where = f"block {kb.start:#x}"
    if mb is None:
        audit.problem(where, "in the kernel, missing from vmapview")
        return
    f = mb.fields
    allocated = bits - kb.free
    want = {"free": kb.free, "dirty": kb.dirty, "used": allocated - kb.dirty}
    for key, value in want.items():
        if int(f[key]) != value:
            audit.problem(where, f"{key}={f[key]}, kernel {value}")
    if f["dirty_range"] != f"{kb.dirty_min}-{kb.dirty_max}":
        audit.problem(where, f"dirty_range={f['dirty_range']}, kernel "
                             f"{kb.dirty_min}-{kb.dirty_max}")
    if kb.cpu is not None and int(f["cpu"]) >= 0 and int(f["cpu"]) != kb.cpu:
        audit.problem(where, f"cpu={f['cpu']}, kernel {kb.cpu}")
    cmap = mb.map
    if len(cmap) != bits:
        audit.problem(where, f"map has {len(cmap)} pages, blocks have {bits}")
        return
    if kb.used_map is not None:
        used = {i for i, c in enumerate(cmap) if c == "U"}
        if used != kb.used_map:
            only_m = sorted(used - kb.used_map)[:8]
            only_k = sorted(kb.used_map - used)[:8]
            audit.problem(where, f"used map differs from the kernel's used_map: "
                                 f"only vmapview {only_m}, only kernel {only_k}")
    for i in range(bits):
        addr = kb.start + i * PAGE
        present = i < allocated and kern.page_present(prog, addr)
        if i >= allocated and cmap[i] != ".":
            audit.problem(where, f"page {i}: '{cmap[i]}' beyond the kernel's "
                                 f"free offset {allocated}")
        elif present and cmap[i] != "U":
            audit.problem(where, f"page {i}: PTE present, vmapview says '{cmap[i]}'")
        elif present:
            sample.append(addr)
        audit.pages += 1
    audit.blocks += 1


def check_vmalloc_map(prog, audit, kblocks, debugfs):
    """vmapview's vmalloc file against drgn's own walk of the busy areas:
    every area the kernel has both before and after the file is read (the
    same range, kind and pages) must be in it, with that kind and page
    count. (Areas made and freed meanwhile, thread stacks among them,
    cannot be judged either way.)"""
    if not os.path.exists(os.path.join(debugfs, "vmalloc")):
        return
    before = kern.kernel_vmalloc_areas(prog, kblocks)
    listed = {(r.start, r.end): r for r in module_vmalloc_map(debugfs)}
    after = kern.kernel_vmalloc_areas(prog, kblocks)
    audit.vmalloc_areas = 0
    for (start, end), k in sorted(before.items()):
        if after.get((start, end)) != k:
            continue
        where = f"vmalloc area {start:#x}-{end:#x}"
        r = listed.get((start, end))
        if r is None:
            audit.problem(where, f"{k.kind} in the kernel, missing from vmapview's vmalloc file")
            continue
        audit.vmalloc_areas += 1
        if r.fields["kind"] != k.kind:
            audit.problem(where, f"kind={r.fields['kind']}, kernel {k.kind}")
        if r.fields.get("pages", "0") != str(k.nr_pages):
            audit.problem(where, f"pages={r.fields.get('pages', 0)}, kernel {k.nr_pages}")


def audit_once(prog, args):
    audit = Audit()
    stats = module_stats(args.debugfs)
    bits = int(stats["pages_per_block"])
    kblocks = list(kern.kernel_blocks(prog))
    mblocks = module_blocks(args.debugfs)
    mareas = module_areas(args.debugfs)
    sample = []

    for kb in kblocks:
        size = kern.block_size(prog, kb.addr)
        if size != bits * PAGE:
            audit.problem(f"block {kb.start:#x}", f"spans {size} bytes, vmapview "
                                                  f"assumes {bits * PAGE}")
            continue
        check_block(prog, audit, kb, mblocks.get(kb.start), bits, sample)
    for start in sorted(set(mblocks) - {kb.start for kb in kblocks}):
        audit.problem(f"block {start:#x}", "in vmapview, not in the kernel")

    kareas = kern.kernel_ram_areas(prog, kblocks)
    mlarge = {(a.start, a.end) for a in mareas if a.type == "area"}
    for start, end in sorted(kareas - mlarge):
        audit.problem(f"area {start:#x}-{end:#x}", "kernel vm_map_ram area "
                                                   "missing from vmapview")
    for start, end in sorted(mlarge - kareas):
        audit.problem(f"area {start:#x}-{end:#x}", "in vmapview, not a kernel "
                                                   "vm_map_ram area")
    for start, end in sorted(kareas & mlarge):
        for addr in range(start, end, PAGE):
            if kern.page_present(prog, addr):
                sample.append(addr)
    for a in mareas:
        if a.type != "block":
            continue
        mb = mblocks.get(a.start - a.start % (bits * PAGE))
        first = (a.start - mb.start) // PAGE if mb else 0
        if mb is None or a.end > mb.end or \
                set(mb.map[first:first + (a.end - a.start) // PAGE]) != {"U"}:
            audit.problem(f"area {a.start:#x}-{a.end:#x}",
                          "block allocation not on used pages of a vmapview block")
    check_vmalloc_map(prog, audit, kblocks, args.debugfs)
    for key, value in (("blocks", len(kblocks)), ("large_areas", len(kareas))):
        if int(stats[key]) != value:
            audit.problem("stats", f"{key} {stats[key]}, kernel {value}")

    if not args.all:
        random.seed(0)
        sample = random.sample(sample, min(len(sample), args.sample))
    mem = Mem(args.debugfs)
    # 6.3+ (VMAP_RAM): /proc/kcore means to read vm_map_ram memory.
    kcore = kern.has_member(prog.type("struct vmap_area"), "flags")
    block_size = bits * PAGE
    for addr in sample:
        got = mem.read(addr, PAGE)
        want = kern.read_through_page_tables(prog, addr, PAGE)
        if got != want:
            first = next(i for i in range(PAGE) if got[i] != want[i])
            audit.problem(f"page {addr:#x}", f"mem differs from the page tables "
                                             f"at byte {first}")
        audit.bytes += PAGE
        if kcore:
            audit.kcore_read += 1
            kind = "block" if addr - addr % block_size in mblocks else "area"
            if prog.read(addr, PAGE) != want:
                audit.kcore_wrong[kind].append(addr)
    return audit


def settle(debugfs, seconds):
    """Waits until vmapview holds no uncertain block and no resync is due."""
    deadline = time.monotonic() + seconds
    time.sleep(0.5)
    while time.monotonic() < deadline:
        s = module_stats(debugfs)
        if s.get("uncertain_blocks") == "0" and s.get("resync_pending", "0") == "0":
            return
        time.sleep(0.5)


def live_program():
    """The running kernel as drgn alone reads it."""
    import drgn
    try:
        prog = drgn.program_from_kernel()
    except PermissionError as e:
        sys.exit(f"vmapview-check: {e} (run it as root)")
    except OSError as e:
        sys.exit(f"vmapview-check: {e}")
    if "vmapview.plugin" in sys.modules:
        sys.exit("vmapview-check: drgn loaded vmapview's plugin for the program it "
                 "audits; DRGN_PLUGINS names it under another name?")
    try:
        prog.type("struct vmap_block")
    except LookupError:
        sys.exit("vmapview-check: no debug info for the running kernel (Debian: "
                 f"linux-image-{os.uname().release}-dbg)")
    return prog


def main(argv=None):
    global kern
    ap = argparse.ArgumentParser(prog="vmapview-check", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--all", action="store_true",
                    help="compare the contents of every present page")
    ap.add_argument("--sample", type=int, default=64,
                    help="pages whose contents are compared (default 64)")
    ap.add_argument("--debugfs", default=DEBUGFS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    _without_vmapview_plugin()
    try:
        from . import kernel as kern
    except ImportError as e:
        sys.exit(f"vmapview-check: {e}: it needs drgn (Debian: python3-drgn)")
    if not os.path.isdir(args.debugfs):
        sys.exit(f"vmapview-check: {args.debugfs} not found: is vmapview loaded?")
    prog = live_program()

    try:
        audit = audit_once(prog, args)
        if audit.problems:
            # A mapping may have changed while we looked, or vmapview may
            # have marked blocks uncertain that its resync is about to
            # set right: look once more, after the resync (up to 10 s).
            settle(args.debugfs, 10)
            audit = audit_once(prog, args)
    except AddressesHidden as e:
        sys.exit(f"vmapview-check: {e}")
    for line in audit.problems:
        print(f"vmapview-check: {line}")
    for kind, wrong in audit.kcore_wrong.items():
        if wrong:
            print(f"vmapview-check: kernel finding: /proc/kcore misreads {len(wrong)} "
                  f"checked vm_map_ram {kind} pages (first {wrong[0]:#x}); "
                  f"vmapview's mem reads them right")
    if audit.kcore_read:
        print(f"vmapview-check: /proc/kcore compared on {audit.kcore_read} pages, "
              f"{sum(map(len, audit.kcore_wrong.values()))} misread (kernel findings)")
    if audit.vmalloc_areas is not None:
        print(f"vmapview-check: vmalloc file compared on {audit.vmalloc_areas} areas")
    verdict = f"{len(audit.problems)} mismatches" if audit.problems else "all agree"
    print(f"vmapview-check: {audit.blocks} blocks, {audit.pages} pages, "
          f"{audit.bytes} bytes checked: {verdict}")
    return 1 if audit.problems else 0


if __name__ == "__main__":
    sys.exit(main())
