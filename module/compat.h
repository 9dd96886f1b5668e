/* SPDX-License-Identifier: GPL-2.0 */
/*
 * All kernel-version and kernel-configuration logic of vmapview lives here.
 * Each branch names the upstream change that forced it.
 */
#ifndef VMAPVIEW_COMPAT_H
#define VMAPVIEW_COMPAT_H

#include <linux/kconfig.h>
#include <linux/version.h>

/*
 * The one version test every branch below goes through. Out-of-tree code has
 * to test versions, so the checkpatch run ignores LINUX_VERSION_CODE, and
 * tests/host/checkpatch.sh makes sure it appears nowhere but here.
 */
#define VMV_LINUX_AT_LEAST(a, b, c) (KERNEL_VERSION(a, b, c) <= LINUX_VERSION_CODE)

/* The oldest kernel the compat layer is written for (Debian 11). */
#if !VMV_LINUX_AT_LEAST(5, 10, 0)
#error "vmapview: Linux 5.10 or newer is required"
#endif

/* The mirror is fed by kprobes and kretprobes on the vmap layer. */
#if !IS_ENABLED(CONFIG_KPROBES)
#error "vmapview: the kernel lacks CONFIG_KPROBES=y, which vmapview needs"
#endif
#if !IS_ENABLED(CONFIG_KRETPROBES)
#error "vmapview: the kernel lacks CONFIG_KRETPROBES=y, which vmapview needs"
#endif
/* Every view vmapview offers is a debugfs file. */
#if !IS_ENABLED(CONFIG_DEBUG_FS)
#error "vmapview: the kernel lacks CONFIG_DEBUG_FS=y, which vmapview needs"
#endif

/*
 * The structures below are private to mm/vmalloc.c; vmapview copies them.
 * Layouts later than 6.2 differ: used_map (6.3, "mm/vmalloc.c: add used_map
 * into vmap_block to track space of vmap_block"), per-CPU vmap_blocks (6.4),
 * vmap_block.cpu (6.10). Until they are handled here, refuse to build.
 */
#if VMV_LINUX_AT_LEAST(6, 3, 0)
#error "vmapview: this kernel's vmap_block layout is not supported yet (6.1..6.2 are)"
#endif
#if !VMV_LINUX_AT_LEAST(6, 1, 0)
#error "vmapview: kernels before 6.1 are not supported yet"
#endif

#include <linux/list.h>
#include <linux/log2.h>
#include <linux/spinlock.h>
#include <linux/threads.h>
#include <linux/vmalloc.h>

/* mm/vmalloc.c, 6.1: struct vmap_block_queue */
struct vmv_kvbq {
	spinlock_t lock;		/* protects free */
	struct list_head free;
};

/* mm/vmalloc.c, 6.1: struct vmap_block */
struct vmv_kvb {
	spinlock_t lock;		/* protects the counters and the range */
	struct vmap_area *va;
	unsigned long free, dirty;
	unsigned long dirty_min, dirty_max;
	struct list_head free_list;
	struct rcu_head rcu_head;
	struct list_head purge;
};

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

/* Arguments of the probed functions, in pt_regs at function entry. */
#define vmv_arg(regs, n)	regs_get_kernel_argument(regs, n)
/* The return address, at function entry (x86: on top of the stack). */
#define vmv_entry_ret_addr(regs) regs_get_kernel_stack_nth(regs, 0)

#endif /* VMAPVIEW_COMPAT_H */
