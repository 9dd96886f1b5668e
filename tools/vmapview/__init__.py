# SPDX-License-Identifier: GPL-2.0
"""vmapview's Python tools: read what the vmapview kernel module shows, and
audit it against the kernel.

Modules, each importing only what is above it in this list:
- debugfs: vmapview's debugfs files (blocks, areas, stats, mem); standard
  library only.
- kcore: /proc/kcore as drgn reads it on a live kernel (its PT_LOAD
  segments); standard library only.
- kernel: the audit's own readers of the kernel's vmap_blocks, vm_map_ram
  areas and page tables (drgn); never vmapview's files.
- plugin: the drgn plugin ("vmapview" in the drgn.plugins group) that
  makes drgn read vm_map_ram memory through vmapview's mem
  (debugfs, kcore).
- check: vmapview-check, the audit (debugfs, kernel; never plugin).
- read: vmapview-read (debugfs).
"""
