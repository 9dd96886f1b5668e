# SPDX-License-Identifier: GPL-2.0
"""drgn helpers for vm_map_ram() memory, independent of the vmapview module
(which they are meant to audit), plus a reader that lets drgn read that
memory through vmapview.

Before Linux 6.3, /proc/kcore reads vm_map_ram() memory as zeros, and so
does drgn on a live kernel (6.3 and later misread vmap_block pages). With
vmapview loaded:

    >>> import vmapview_drgn
    >>> vmapview_drgn.enable(prog)       # reads of vm_map_ram memory now
    1                                    # go through vmapview's mem file
    >>> prog.read(0xffffc90000400000, 16)

It is also a drgn plugin (entry point "vmapview" in the "drgn.plugins"
group): drgn 0.0.31 and later call its drgn_prog_set() for every program
they set up, which enables it on the running kernel when vmapview is
loaded, with no user code. DRGN_DISABLE_PLUGINS=vmapview turns that off.

Works with drgn 0.0.22 (Debian 12) and newer. Kernel differences are
handled by has_member() on the kernel's own types, each citing the change.
"""

import errno
import logging
import os
import struct
from typing import Dict, Iterator, List, NamedTuple, Optional, Set, Tuple

from drgn import FaultError, Object, Program, ProgramFlags, sizeof
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.mm import access_remote_vm
from drgn.helpers.linux.percpu import per_cpu
from drgn.helpers.linux.xarray import xa_for_each
from vmapview_debugfs import DEBUGFS, PAGE_SIZE, AddressesHidden, Mem, Record, records
from vmapview_debugfs import stats as module_stats

__all__ = ["DEBUGFS", "KCORE", "PAGE_SIZE", "AddressesHidden", "Kcore", "Mem", "module_stats",
           "enable", "enabled", "kernel_blocks", "kernel_ram_areas", "module_areas",
           "module_blocks", "page_present", "read_through_page_tables"]


def has_member(type_, name: str) -> bool:
    try:
        type_.member(name)
        return True
    except LookupError:
        return False


def _vmalloc_var(prog: Program, name: str) -> Object:
    return prog.variable(name, "mm/vmalloc.c")


def possible_cpus(prog: Program) -> List[int]:
    from drgn.helpers.linux.cpumask import for_each_possible_cpu
    return list(for_each_possible_cpu(prog))


class KBlock(NamedTuple):
    """A vmap_block as the kernel holds it."""
    start: int
    free: int
    dirty: int
    dirty_min: int
    dirty_max: int
    used_map: Optional[Set[int]]    # None before 6.3
    cpu: Optional[int]              # the owning CPU, None when unknown
    addr: int                       # of struct vmap_block


def _block_size(prog: Program, vb_addr: int) -> int:
    vb = Object(prog, "struct vmap_block *", vb_addr)
    return int(vb.va.va_end - vb.va.va_start)


def _block_xarrays(prog: Program) -> Iterator[Tuple[Optional[int], Object]]:
    vbq_type = prog.type("struct vmap_block_queue")
    # 6.4 replaced the global vmap_blocks xarray with one per CPU, in its
    # vmap_block_queue ("mm: vmalloc: remove global vmap_blocks xarray").
    if has_member(vbq_type, "vmap_blocks"):
        queues = _vmalloc_var(prog, "vmap_block_queue")
        for cpu in possible_cpus(prog):
            yield cpu, per_cpu(queues, cpu).vmap_blocks.address_of_()
    else:
        yield None, _vmalloc_var(prog, "vmap_blocks").address_of_()


def _queue_cpus(prog: Program) -> Dict[int, int]:
    """vmap_block address -> CPU whose vmap_block_queue lists it (6.1)."""
    out = {}
    queues = _vmalloc_var(prog, "vmap_block_queue")
    for cpu in possible_cpus(prog):
        for vb in list_for_each_entry("struct vmap_block",
                                      per_cpu(queues, cpu).free.address_of_(),
                                      "free_list"):
            out[vb.value_()] = cpu
    return out


def kernel_blocks(prog: Program) -> Iterator[KBlock]:
    vb_type = prog.type("struct vmap_block")
    # 6.3, "mm/vmalloc.c: add used_map into vmap_block to track space of
    # vmap_block".
    has_used_map = has_member(vb_type, "used_map")
    # 6.10, "mm: fix incorrect vbq reference in purge_fragmented_block":
    # the block knows its CPU.
    has_cpu = has_member(vb_type, "cpu")
    queue_cpus = None if has_cpu else _queue_cpus(prog)
    for xa_cpu, xa in _block_xarrays(prog):
        for _, entry in xa_for_each(xa):
            vb = Object(prog, "struct vmap_block *", entry.value_())
            used = None
            if has_used_map:
                words = vb.used_map
                size = sizeof(words)
                nbits = 8 * size
                bits = int.from_bytes(prog.read(words.address_, size), "little")
                used = {i for i in range(nbits) if bits >> i & 1}
            if has_cpu:
                cpu = int(vb.cpu)
            else:
                cpu = queue_cpus.get(vb.value_(), xa_cpu)
            yield KBlock(int(vb.va.va_start), int(vb.free), int(vb.dirty),
                         int(vb.dirty_min), int(vb.dirty_max), used, cpu,
                         vb.value_())


def _busy_areas(prog: Program) -> Iterator[Object]:
    # 6.9, "mm: vmalloc: remove global vmap_area_root rb-tree": busy areas
    # live in the per-node trees of vmap_nodes.
    try:
        nodes = _vmalloc_var(prog, "vmap_nodes")
    except LookupError:
        yield from list_for_each_entry("struct vmap_area",
                                       prog["vmap_area_list"].address_of_(), "list")
        return
    for i in range(int(_vmalloc_var(prog, "nr_vmap_nodes"))):
        yield from list_for_each_entry("struct vmap_area",
                                       nodes[i].busy.head.address_of_(), "list")


def kernel_ram_areas(prog: Program, blocks: List[KBlock]) -> Set[Tuple[int, int]]:
    """(start, end) of the large vm_map_ram() areas (not vmap_blocks)."""
    block_starts = {b.start for b in blocks}
    # 6.3, "mm/vmalloc.c: add flags to mark vm_map_ram area": VMAP_RAM marks
    # them; before, they are the busy areas without a vm_struct that are not
    # blocks.
    has_flags = has_member(prog.type("struct vmap_area"), "flags")
    out = set()
    for va in _busy_areas(prog):
        start, end = int(va.va_start), int(va.va_end)
        if start in block_starts:
            continue
        if has_flags:
            flags = int(va.flags)
            if flags & 1 and not flags & 2:     # VMAP_RAM, not VMAP_BLOCK
                out.add((start, end))
        elif not va.vm:
            out.add((start, end))
    return out


def page_present(prog: Program, addr: int) -> bool:
    """Whether init_mm's page tables map addr (drgn walks them itself)."""
    try:
        access_remote_vm(prog["init_mm"].address_of_(), addr, 1)
        return True
    except FaultError:
        return False


def read_through_page_tables(prog: Program, addr: int, size: int) -> bytes:
    return access_remote_vm(prog["init_mm"].address_of_(), addr, size)


# --- vmapview's own view (tools/vmapview_debugfs.py) ---

def module_blocks(debugfs: str = DEBUGFS) -> Dict[int, Record]:
    return {r.start: r for r in records("blocks", debugfs)}


def module_areas(debugfs: str = DEBUGFS) -> List[Record]:
    return records("areas", debugfs)


# --- drgn reads vm_map_ram memory through vmapview ---

KCORE = "/proc/kcore"
# prog.cache key under which enable() notes the segment it added.
_CACHE_KEY = "vmapview_drgn.segment"

log = logging.getLogger("drgn.plugins.vmapview")


class Kcore:
    """/proc/kcore read as drgn reads it on a live kernel: kernel virtual
    addresses map to file offsets through its PT_LOAD program headers."""

    def __init__(self, path: str = KCORE):
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            ehdr = os.pread(self.fd, 64, 0)
            # ELF64, little-endian: x86_64, the only architecture of vmapview.
            if len(ehdr) < 64 or ehdr[:4] != b"\x7fELF" or ehdr[4] != 2 or ehdr[5] != 1:
                raise ValueError(f"{path} is not a little-endian ELF64 file")
            phoff, = struct.unpack_from("<Q", ehdr, 32)
            phentsize, phnum = struct.unpack_from("<HH", ehdr, 54)
            if phentsize < 56:
                raise ValueError(f"{path}: program headers of {phentsize} bytes")
            table = os.pread(self.fd, phentsize * phnum, phoff)
            if len(table) != phentsize * phnum:
                raise ValueError(f"{path}: short program header table")
            loads = []
            for i in range(phnum):
                p_type, _, p_offset, p_vaddr, _, p_filesz = \
                    struct.unpack_from("<IIQQQQ", table, i * phentsize)
                if p_type == 1 and p_filesz:             # PT_LOAD
                    loads.append((p_vaddr, p_vaddr + p_filesz, p_offset))
            self.loads = sorted(loads)
        except BaseException:
            os.close(self.fd)
            raise

    def read(self, address: int, count: int) -> bytes:
        """count bytes at address; FaultError where no PT_LOAD has them."""
        out = []
        end = address + count
        while address < end:
            for start, stop, offset in self.loads:
                if start <= address < stop:
                    break
            else:
                raise FaultError("not in /proc/kcore", address)
            n = min(end, stop) - address
            try:
                data = os.pread(self.fd, n, offset + address - start)
            except OSError as e:
                raise FaultError(f"/proc/kcore: {e.strerror}", address) from None
            if not data:
                raise FaultError("short read from /proc/kcore", address)
            out.append(data)
            address += len(data)
        return b"".join(out)


class _Reader:
    """The read callback of the segment over the vmalloc range.

    Per call, never cached: mem's SEEK_DATA/SEEK_HOLE say which pages
    vmapview knows as used vm_map_ram memory now, and those are read
    through mem; every other page is read through /proc/kcore, as drgn reads
    it without vmapview (the segment hides drgn's own /proc/kcore segment
    for this range). So an address that vm_map_ram() gave up and vmalloc()
    reused reads right at once. mem is opened per call: an open debugfs
    file holds a reference on vmapview, which would keep it from being
    unloaded while drgn runs; once it is unloaded (or not readable), every
    page is read through /proc/kcore.
    """

    def __init__(self, mem_path: str, base: int, size: int, kcore: Kcore):
        self.mem_path, self.base, self.size, self.kcore = mem_path, base, size, kcore

    def _mem_runs(self, fd: int, address: int, end: int):
        """(start, stop, through_mem) runs that cover [address, end)."""
        while address < end:
            off = address - self.base
            try:
                data = os.lseek(fd, off, os.SEEK_DATA) + self.base
            except OSError as e:
                if e.errno != errno.ENXIO:      # ENXIO: no data at or after off
                    raise
                data = end
            if data > address:
                stop = min(data, end)
                yield address, stop, False
                address = stop
                continue
            hole = os.lseek(fd, off, os.SEEK_HOLE) + self.base
            if hole <= address:
                # Unmapped between the two calls: the kernel reads it now.
                hole = min((address | (PAGE_SIZE - 1)) + 1, end)
                yield address, hole, False
            else:
                hole = min(hole, end)
                yield address, hole, True
            address = hole

    def __call__(self, address: int, count: int, offset: int, physical: bool) -> bytes:
        end = address + count
        try:
            fd = os.open(self.mem_path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as e:
            log.debug("%s: %s; reading through /proc/kcore", self.mem_path, e.strerror)
            return self.kcore.read(address, count)
        out = []
        try:
            for start, stop, through_mem in self._mem_runs(fd, address, end):
                if through_mem:
                    data = os.pread(fd, stop - start, start - self.base)
                    if len(data) != stop - start:
                        raise FaultError("short read from vmapview's mem", start + len(data))
                else:
                    data = self.kcore.read(start, stop - start)
                out.append(data)
                address = stop
        except OSError as e:
            # EIO: vmapview went away while the file was open.
            log.debug("%s: %s; reading through /proc/kcore", self.mem_path, e.strerror)
            out.append(self.kcore.read(address, end - address))
        finally:
            os.close(fd)
        return b"".join(out)


def enabled(prog: Program) -> bool:
    """Whether enable() (or the plugin) has added its segment to prog."""
    return _CACHE_KEY in prog.cache


def enable(prog: Program, debugfs: str = DEBUGFS, kcore: str = KCORE) -> int:
    """Makes prog read vm_map_ram() memory through vmapview's mem file.

    Adds one memory segment over the whole vmalloc range (vmalloc_start in
    stats, the size of mem), whose reads decide per page and per call: the
    pages mem has data for (the used pages of vmap_blocks and large
    vm_map_ram areas) through mem, all others through /proc/kcore, as drgn
    reads them without it. Nothing is cached, so mappings may come and go:
    one call per program is enough (another changes nothing). Returns the
    number of vmapview segments prog has: 1.
    """
    if enabled(prog):
        return 1
    base = int(module_stats(debugfs)["vmalloc_start"], 16)
    if not base:
        raise AddressesHidden()
    mem_path = os.path.join(debugfs, "mem")
    size = os.stat(mem_path).st_size
    reader = _Reader(mem_path, base, size, Kcore(kcore))
    prog.add_memory_segment(base, size, reader)
    prog.cache[_CACHE_KEY] = (base, size)
    return 1


def _live_local_kernel(prog: Program) -> bool:
    flags = prog.flags
    if not flags & ProgramFlags.IS_LINUX_KERNEL or not flags & ProgramFlags.IS_LIVE:
        return False
    # drgn 0.0.25, cf649b741acc ("Add DRGN_PROGRAM_IS_LOCAL flag"): a live
    # kernel may be another machine's; before, a live kernel was this one.
    is_local = getattr(ProgramFlags, "IS_LOCAL", None)
    return is_local is None or bool(flags & is_local)


def drgn_prog_set(prog: Program) -> None:
    """drgn plugin hook: drgn calls it at the end of set_kernel() and
    set_core_dump() (and set_pid()) on every program, from drgn 0.0.31 on
    (adf64729095b, "Add plugin system"). Enables the reader on the running
    kernel when vmapview is loaded; anything else, silently nothing."""
    try:
        if not _live_local_kernel(prog):
            log.debug("not the running kernel: nothing to do")
            return
        mem = os.path.join(DEBUGFS, "mem")
        if not os.access(mem, os.R_OK):
            log.debug("%s is not readable (vmapview not loaded?): nothing to do", mem)
            return
        enable(prog)
        log.debug("reading vm_map_ram memory through %s", mem)
    except Exception as e:      # a plugin must never break drgn
        log.info("vmapview plugin not enabled: %s: %s", type(e).__name__, e)
