# SPDX-License-Identifier: GPL-2.0
"""The kernel's own view of vm_map_ram() memory, read with drgn and the
kernel's debug info, independently of the vmapview module: vmapview-check
audits vmapview against it, so nothing here reads vmapview's files.

Works with drgn 0.0.22 (Debian 12) and newer. Kernel differences are
handled by has_member() on the kernel's own types, each citing the change.
"""

from typing import Dict, Iterator, List, NamedTuple, Optional, Set, Tuple

from drgn import FaultError, Object, Program, sizeof
from drgn.helpers.linux.cpumask import for_each_possible_cpu
from drgn.helpers.linux.list import list_for_each_entry
from drgn.helpers.linux.mm import access_remote_vm
from drgn.helpers.linux.percpu import per_cpu
from drgn.helpers.linux.xarray import xa_for_each


def has_member(type_, name: str) -> bool:
    try:
        type_.member(name)
        return True
    except LookupError:
        return False


def _vmalloc_var(prog: Program, name: str) -> Object:
    return prog.variable(name, "mm/vmalloc.c")


def possible_cpus(prog: Program) -> List[int]:
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


def block_size(prog: Program, vb_addr: int) -> int:
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


# include/linux/vmalloc.h (the same values in every supported kernel)
VM_IOREMAP, VM_ALLOC, VM_MAP = 0x1, 0x2, 0x4
# 6.9, "mm: Introduce VM_SPARSE kind and vm_area_[un]map_pages()"
# (e6f798225a31); the kernels that have it have vmap_nodes (6.9) too.
VM_SPARSE = 0x1000


class KArea(NamedTuple):
    kind: str
    nr_pages: int


def kernel_vmalloc_areas(prog: Program, blocks: List[KBlock]) -> Dict[Tuple[int, int], KArea]:
    """Every busy vmap_area by (start, end), with the kind the vmalloc file
    gives it (man/vmapview.4), told from the kernel's own fields."""
    block_starts = {b.start for b in blocks}
    has_flags = has_member(prog.type("struct vmap_area"), "flags")
    try:
        _vmalloc_var(prog, "vmap_nodes")
        sparse = VM_SPARSE
    except LookupError:
        sparse = 0
    out = {}
    for va in _busy_areas(prog):
        start, end = int(va.va_start), int(va.va_end)
        vm, nr_pages = va.vm, 0
        if not vm:
            ram = int(va.flags) & 3 if has_flags else 1
            kind = ("vm_map_ram_block" if start in block_starts or ram == 3 else
                    "vm_map_ram" if ram == 1 else "other")
        else:
            flags, nr_pages = int(vm.flags), int(vm.nr_pages)
            if flags & sparse:
                kind = "sparse"
            elif flags & VM_IOREMAP:
                kind = "ioremap"
            elif flags & VM_ALLOC:
                kind = "vmalloc"
                if not nr_pages:
                    try:
                        if prog.symbol(int(vm.caller)).name == "pcpu_get_vm_areas":
                            kind = "percpu"
                    except LookupError:
                        pass
            elif flags & VM_MAP:
                kind = "vmap"
            else:
                kind = "other"
        out[(start, end)] = KArea(kind, nr_pages)
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
