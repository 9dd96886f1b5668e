/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mirror's own state, shared by its three files: mirror.c (records,
 * blocks and the events that change them), mirror_sync.c (what a resync
 * writes) and mirror_view.c (what the views read). Nothing else includes
 * this header.
 */
#ifndef VMAPVIEW_MIRROR_H
#define VMAPVIEW_MIRROR_H

#include <linux/rbtree.h>
#include <linux/spinlock.h>

#include "pool.h"
#include "vmapview.h"

struct vmv_block {
	/*
	 * First: the events' lock call takes b itself, no other register;
	 * seq beside it fills what would be padding.
	 */
	raw_spinlock_t lock;		/* protects all but hash and order */
	unsigned int seq;		/* bumped by every event on the block */
	struct hlist_node hash;		/* found under RCU */
	union {
		struct rb_node order;	/* by address, under vmv_blocks_lock */
		struct rcu_head rcu;	/* once out of the order tree */
	};
	struct vmv_block_state s;
	struct rb_root areas;		/* its allocations, by address */
	/*
	 * A record kept in the block, used before any from the pool: the
	 * usual pattern, a map unmapped before the next one, takes no record
	 * from the pool and gives none back. Its rb node is cleared while it
	 * is not in areas.
	 */
	struct vmv_area own;
	unsigned long dirty_gen;	/* vmv_aliases_gen at the last unmap */
	unsigned long synced_gen;	/* vmv_lost_gen it has seen */
	u32 resync_at;			/* jiffies (time_before32()): not resynced before */
	bool dead;			/* unlinked, or about to be */
	u8 resync_fails;		/* resyncs in a row that failed */
};

extern raw_spinlock_t vmv_blocks_lock;
extern raw_spinlock_t vmv_large_lock;
extern struct rb_root vmv_large;
extern unsigned long vmv_nr_large;
extern unsigned int vmv_large_seq;
extern atomic_long_t vmv_aliases_gen, vmv_aliases_done, vmv_lost_gen;
extern atomic_long_t vmv_aliases_ended;
extern bool vmv_adopting;
extern bool vmv_need_resync, vmv_need_large;

struct vmv_area *vmv_area_of(struct rb_node *rb);
struct vmv_area *vmv_area_find(struct rb_root *root, unsigned long start);
struct vmv_area *vmv_area_from(struct rb_root *root, unsigned long addr);
struct vmv_area *vmv_area_upto(struct rb_root *root, unsigned long addr);
void vmv_area_del(struct rb_root *root, struct vmv_area *a);
int vmv_area_set(struct rb_root *root, struct vmv_area *own,
		 unsigned long start, u32 pages, u32 reserved,
		 unsigned long caller, u8 type, u8 src, bool merged);
unsigned long vmv_area_end(const struct vmv_area *a);
void vmv_areas_put(struct rb_root *root);
#if VMV_LARGE_MAY_GO_STALE
void vmv_large_filter(const struct vmv_area *a, int by);
#else
static inline void vmv_large_filter(const struct vmv_area *a, int by)
{
}
#endif

void vmv_resync_again(void);
struct vmv_block *vmv_block_from(unsigned long addr);
struct vmv_block *vmv_block_get(unsigned long start, bool create, u8 src,
				bool *created);
void vmv_block_settle(struct vmv_block *b);
struct rb_root vmv_block_take_areas(struct vmv_block *b);

#endif /* VMAPVIEW_MIRROR_H */
