/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmap_block geometry of mm/vmalloc.c: what both the mirror and the
 * readers of the kernel's own blocks need to know of them, and nothing of
 * the kernel's private structures (those are in kernel_vmalloc.h).
 */
#ifndef VMAPVIEW_BLOCK_GEOMETRY_H
#define VMAPVIEW_BLOCK_GEOMETRY_H

#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/threads.h>
#include <linux/vmalloc.h>

/*
 * mm/vmalloc.c: the vmap_block geometry, as the kernel computes it from the
 * configured maximum of CPUs (unchanged from 2.6.28 to 6.12). The load
 * checks it against the kernel's blocks.
 */
#define VMV_VMALLOC_PAGES	(128UL * 1024 * 1024 * 1024 / PAGE_SIZE)
#define VMV_MAX_ALLOC		BITS_PER_LONG
#define VMV_BBMAP_BITS_MAX	1024
#define VMV_BBMAP_BITS_MIN	(VMV_MAX_ALLOC * 2)
#define VMV_BLOCK_PAGES_RAW						\
	(VMV_VMALLOC_PAGES / roundup_pow_of_two(CONFIG_NR_CPUS) / 16)
#define VMV_BLOCK_PAGES							\
	((VMV_BLOCK_PAGES_RAW) > (VMV_BBMAP_BITS_MAX) ? (VMV_BBMAP_BITS_MAX) :	\
	 (VMV_BLOCK_PAGES_RAW) < (VMV_BBMAP_BITS_MIN) ? (VMV_BBMAP_BITS_MIN) :	\
	 (VMV_BLOCK_PAGES_RAW))
#define VMV_BLOCK_SIZE		(VMV_BLOCK_PAGES * PAGE_SIZE)
/* mm/vmalloc.c, 6.5+: VMAP_PURGE_THRESHOLD */
#define VMV_PURGE_THRESHOLD	(VMV_BLOCK_PAGES / 4)

/* mm/vmalloc.c: addr_to_vb_idx() */
static inline unsigned long vmv_vb_idx(unsigned long addr)
{
	return (addr - (VMALLOC_START & ~(VMV_BLOCK_SIZE - 1))) / VMV_BLOCK_SIZE;
}

/* The start of the block at index idx of the kernel's xarrays. */
static inline unsigned long vmv_vb_start(unsigned long idx)
{
	return (VMALLOC_START & ~(VMV_BLOCK_SIZE - 1)) + idx * VMV_BLOCK_SIZE;
}

/* The start of the vmap_block that holds addr: blocks are size-aligned. */
static inline unsigned long vmv_block_start(unsigned long addr)
{
	return addr & ~(VMV_BLOCK_SIZE - 1);
}

#endif /* VMAPVIEW_BLOCK_GEOMETRY_H */
