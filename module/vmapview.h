/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMAPVIEW_H
#define VMAPVIEW_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/rbtree.h>
#include <linux/seq_file.h>
#include <linux/types.h>

#include "compat.h"

#define VMAPVIEW_NAME "vmapview"

enum vmv_src { VMV_SRC_PROBE, VMV_SRC_ADOPTED };
enum vmv_type { VMV_TYPE_BLOCK, VMV_TYPE_AREA };

/* What blocks and areas share: a place in an address-sorted rbtree. */
struct vmv_node {
	union {
		struct rb_node rb;
		struct vmv_node *next_free;	/* while in a pool */
	};
	unsigned long start;
};

/* The mirror of one kernel vmap_block. */
struct vmv_block {
	struct vmv_node n;
	DECLARE_BITMAP(used, VMV_BLOCK_PAGES);
	DECLARE_BITMAP(dirty, VMV_BLOCK_PAGES);
	unsigned int seq;		/* bumped by every event on the block */
	unsigned long dirty_gen;	/* vmv_aliases_begin() count at the last unmap */
	unsigned long synced_gen;	/* losses (vmv_lost_track()) it has seen */
	u16 cursor;			/* pages handed out: BITS - vb->free */
	u16 dirty_min, dirty_max;	/* as the kernel's dirty range */
	s16 cpu;			/* owning CPU, -1 when not known */
	u8 src;
	bool uncertain;			/* lost an event; resync pending */
};

/* One live vm_map_ram() allocation: a block sub-allocation or a large area. */
struct vmv_area {
	struct vmv_node n;
	unsigned long caller;		/* 0 when adopted */
	u32 pages;			/* count passed to vm_map_ram() */
	u32 reserved;			/* pages reserved for it */
	u8 type, src;
};

/* Why the mirror lost track: stats shows each count as lost.REASON. */
enum vmv_lost {
	VMV_LOST_MISSED_PROBE,	/* a kprobe or kretprobe missed hits */
	VMV_LOST_MAP_RECORD,	/* no record free for an allocation */
	VMV_LOST_UNMAP_BLOCK,	/* an unmap inside a block the mirror lacks */
	VMV_LOST_UNMAP_AREA,	/* an unmap of a large area the mirror lacks */
	VMV_LOST_BAD_EVENT,	/* a map past the end of its block */
	VMV_LOST_NR,
};

struct vmv_stats {
	atomic_long_t purges, unmap_aliases, blocks_freed;
	atomic_long_t lost_events, resyncs, resync_retries;
	atomic_long_t lost[VMV_LOST_NR];
	atomic_long_t stale_areas;	/* large-area records of freed areas */
};

/* symbols.c: private kernel symbols, found at load. */
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
#else
	struct list_head *vmap_area_list;
	spinlock_t *vmap_area_lock;	/* the kernel's, for vmap_area_list */
#endif
	int *kptr_restrict;
	struct mm_struct *init_mm;	/* not exported to modules */
};

extern struct vmv_syms vmv_syms;
extern struct vmv_stats vmv_stats;
int vmv_syms_init(void);
unsigned long vmv_lookup_name(const char *name);

/* layout.c: the copies in compat.h against the kernel's BTF, at load */
int vmv_layout_check(void);
const char *vmv_layout_source(void);

/* mirror.c */
int vmv_mirror_init(void);
int vmv_mirror_adopt(void);
void vmv_mirror_exit(void);
void vmv_on_map(unsigned long addr, unsigned int count, unsigned long caller);
void vmv_on_unmap(unsigned long addr, unsigned int count);
void vmv_on_block_free(unsigned long start);
void vmv_on_va_free(unsigned long start);
void vmv_lost_event(enum vmv_lost why);
void vmv_event_counts(unsigned long *maps, unsigned long *unmaps);
void vmv_lost_track(void);
unsigned long vmv_aliases_begin(void);
void vmv_aliases_end(unsigned long gen);
int vmv_resync(bool adopting);
void vmv_sync_if_needed(void);

/*
 * A snapshot, taken under the mirror lock, of the record that follows
 * *pos in address order; readers format it without the lock.
 */
bool vmv_next_block(unsigned long after, struct vmv_block *out);
bool vmv_next_area(unsigned long after, struct vmv_area *out);

struct vmv_totals {
	unsigned long blocks, areas, large_areas, used, dirty, free;
	unsigned long purge_eligible, uncertain, memory;
};

void vmv_totals(struct vmv_totals *t);
bool vmv_page_used(unsigned long addr);
#ifdef VMAPVIEW_TESTING
int vmv_test_flip_used(unsigned long addr);
int vmv_test_add_area(unsigned long addr, u32 pages);
#endif

/* mem.c */
void vmv_mem_create(struct dentry *dir);
struct page *vmv_vmalloc_to_page(unsigned long addr);

/* probes.c */
int vmv_probes_install(void);
void vmv_probes_remove(void);
void vmv_probes_show(struct seq_file *m);
bool vmv_probes_missed(void);

/* debugfs.c */
int vmv_debugfs_init(void);
void vmv_debugfs_exit(void);

#endif /* VMAPVIEW_H */
