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
 * Each change to them, and to the rules the mirror follows, is a feature
 * here, named after the upstream change and the version it came with.
 */

/*
 * 6.3, "mm/vmalloc.c: add used_map into vmap_block to track space of
 * vmap_block" and "mm/vmalloc.c: add flags to mark vm_map_ram area".
 */
#define VMV_HAS_USED_MAP	VMV_LINUX_AT_LEAST(6, 3, 0)
/* 6.4, "mm: vmalloc: remove global vmap_blocks xarray": one per CPU. */
#define VMV_HAS_PERCPU_VB_XA	VMV_LINUX_AT_LEAST(6, 4, 0)
/*
 * 6.5, "mm/vmalloc: prevent flushing dirty space over and over": after
 * flushing, _vm_unmap_aliases() resets the dirty range of the blocks it
 * does not purge, and purges only blocks below VMAP_PURGE_THRESHOLD free.
 */
#define VMV_ALIASES_RESET_DIRTY	VMV_LINUX_AT_LEAST(6, 5, 0)
/* 6.9, "mm: vmalloc: remove global vmap_area_root rb-tree": vmap_nodes. */
#define VMV_HAS_VMAP_NODES	VMV_LINUX_AT_LEAST(6, 9, 0)
/* 6.10, "mm: fix incorrect vbq reference in purge_fragmented_block". */
#define VMV_HAS_VB_CPU		VMV_LINUX_AT_LEAST(6, 10, 0)

/*
 * The copies below were checked against Debian's 6.1 and 6.12 sources and
 * tested there only; the versions between have the same features, but a
 * layout change that vmapview does not know would make it read garbage.
 */
#if !VMV_LINUX_AT_LEAST(6, 1, 0) || \
	(VMV_LINUX_AT_LEAST(6, 3, 0) && !VMV_LINUX_AT_LEAST(6, 12, 0)) || \
	VMV_LINUX_AT_LEAST(6, 13, 0)
#error "vmapview: tested on 6.1 and 6.12 only; this kernel's mm/vmalloc.c is not checked"
#endif

#include <linux/list.h>
#include <linux/log2.h>
#include <linux/spinlock.h>
#include <linux/threads.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

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

/* mm/vmalloc.c, 6.3+: VMAP_RAM and VMAP_BLOCK in vmap_area.flags */
#define VMV_VMAP_RAM		0x1
#define VMV_VMAP_BLOCK		0x2
#define VMV_VMAP_FLAGS_MASK	0x3

/* mm/vmalloc.c: struct vmap_block_queue */
struct vmv_kvbq {
	spinlock_t lock;		/* protects free */
	struct list_head free;
#if VMV_HAS_PERCPU_VB_XA
	struct xarray vmap_blocks;
#endif
};

/* mm/vmalloc.c: struct vmap_block */
struct vmv_kvb {
	spinlock_t lock;		/* protects the counters and the range */
	struct vmap_area *va;
	unsigned long free, dirty;
#if VMV_HAS_USED_MAP
	DECLARE_BITMAP(used_map, VMV_BLOCK_PAGES);
#endif
	unsigned long dirty_min, dirty_max;
	struct list_head free_list;
	struct rcu_head rcu_head;
	struct list_head purge;
#if VMV_HAS_VB_CPU
	unsigned int cpu;
#endif
};

#if VMV_HAS_VMAP_NODES
/* mm/vmalloc.c, 6.12: struct rb_list, struct vmap_pool, struct vmap_node */
struct vmv_krb_list {
	struct rb_root root;
	struct list_head head;
	spinlock_t lock;		/* protects root and head */
};

struct vmv_kvmap_pool {
	struct list_head head;
	unsigned long len;
};

struct vmv_kvnode {
	struct vmv_kvmap_pool pool[256];	/* MAX_VA_SIZE_PAGES */
	spinlock_t pool_lock;		/* protects pool */
	bool skip_populate;
	struct vmv_krb_list busy;
	struct vmv_krb_list lazy;
	struct list_head purge_list;
	struct work_struct purge_work;
	unsigned long nr_purged;
};
#endif

/* Arguments of the probed functions, in pt_regs at function entry. */
#define vmv_arg(regs, n)	regs_get_kernel_argument(regs, n)
/* The return address, at function entry (x86: on top of the stack). */
#define vmv_entry_ret_addr(regs) regs_get_kernel_stack_nth(regs, 0)

#endif /* VMAPVIEW_COMPAT_H */
