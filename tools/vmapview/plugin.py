# SPDX-License-Identifier: GPL-2.0
"""Lets drgn read vm_map_ram() memory through vmapview.

Before Linux 6.3, /proc/kcore reads vm_map_ram() memory as zeros, and so
does drgn on a live kernel (6.3 and later misread vmap_block pages). With
vmapview loaded:

    >>> from vmapview.plugin import enable
    >>> enable(prog)                     # reads of vm_map_ram memory now
    1                                    # go through vmapview's mem file
    >>> prog.read(0xffffc90000400000, 16)

It is also a drgn plugin (entry point "vmapview" in the "drgn.plugins"
group, declared in tools/pyproject.toml): drgn 0.0.31 and later call its
drgn_prog_set() for every program they set up, which enables it on the
running kernel when vmapview is loaded, with no user code.
DRGN_DISABLE_PLUGINS=vmapview turns that off.

Works with drgn 0.0.22 (Debian 12) and newer.
"""

import errno
import logging
import os

from drgn import FaultError, Program, ProgramFlags

from .debugfs import DEBUGFS, PAGE_SIZE, AddressesHidden
from .debugfs import stats as module_stats
from .kcore import KCORE, Kcore, KcoreFault

__all__ = ["enable", "enabled", "drgn_prog_set"]

# prog.cache key under which enable() notes the segment it added.
_CACHE_KEY = "vmapview.plugin.segment"

log = logging.getLogger("drgn.plugins.vmapview")


def _kcore_read(kcore: Kcore, address: int, count: int) -> bytes:
    try:
        return kcore.read(address, count)
    except KcoreFault as e:
        raise FaultError(e.message, e.address) from None


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
            return _kcore_read(self.kcore, address, count)
        out = []
        try:
            for start, stop, through_mem in self._mem_runs(fd, address, end):
                if through_mem:
                    data = os.pread(fd, stop - start, start - self.base)
                    if len(data) != stop - start:
                        raise FaultError("short read from vmapview's mem", start + len(data))
                else:
                    data = _kcore_read(self.kcore, start, stop - start)
                out.append(data)
                address = stop
        except OSError as e:
            # EIO: vmapview went away while the file was open.
            log.debug("%s: %s; reading through /proc/kcore", self.mem_path, e.strerror)
            out.append(_kcore_read(self.kcore, address, end - address))
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
