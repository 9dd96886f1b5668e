/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Copies of structures private to mm/vmalloc.c, and the private kernel
 * symbols that lead to them. Only the files that read the kernel's own
 * structures include this header: kread.c, layout.c (which checks these
 * copies against the kernel's BTF), symbols.c and kcore_vread.c. Every
 * other file works on the mirror and must not see them, so that code
 * outside those four that touches a private layout does not compile.
 * Which version has which layout is decided in compat.h.
 */
#ifndef VMAPVIEW_KERNEL_VMALLOC_H
#define VMAPVIEW_KERNEL_VMALLOC_H

#include <linux/idr.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "compat.h"
#include "block_geometry.h"

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

/*
 * symbols.c: the private kernel symbols, passed in (ksyms=) and checked
 * at load. Exported (kcore_api.h): vmapview_kcore reads the same
 * structures.
 */
struct vmv_syms {
	struct vmv_kvbq __percpu *vmap_block_queue;
#if VMV_HAS_PERCPU_VB_XA
	/* the block xarrays are in vmap_block_queue */
#else
	struct xarray *vmap_blocks;
#endif
#if VMV_HAS_VMAP_NODES
	struct vmv_kvnode **vmap_nodes;
	unsigned int *nr_vmap_nodes;
	unsigned int *vmap_zone_size;	/* for addr_to_node() */
#else
	struct rb_root *vmap_area_root;	/* the busy tree, by address */
	struct list_head *vmap_area_list;
	spinlock_t *vmap_area_lock;	/* the kernel's, for both */
#endif
#if VMV_ARENA_SCRATCH
	struct idr *map_idr;		/* the BPF maps (kernel_arena.h) */
	spinlock_t *map_idr_lock;	/* the kernel's, for map_idr */
#endif
	int *kptr_restrict;
	struct mm_struct *init_mm;	/* not exported to modules */
	/* [__start_BTF, __stop_BTF): NULL without CONFIG_DEBUG_INFO_BTF */
	const u8 *btf_start, *btf_stop;
};

extern struct vmv_syms vmv_syms;

#endif /* VMAPVIEW_KERNEL_VMALLOC_H */
