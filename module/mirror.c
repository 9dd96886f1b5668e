// SPDX-License-Identifier: GPL-2.0
/*
 * The mirror: vmapview's own copy of every vmap_block's used/dirty/free
 * state and of every live vm_map_ram() allocation.
 *
 * Probe handlers update it under vmv_lock, a raw spinlock: they run with
 * preemption disabled and must not sleep, even on PREEMPT_RT. Every user
 * runs in task context (vm_map_ram() and vm_unmap_ram() may sleep, so they
 * are never called from interrupts), so the lock need not disable them. They take
 * records from preallocated pools, which a work item refills, because slab
 * allocation may sleep on PREEMPT_RT. When a handler cannot keep the mirror
 * exact (empty pool, unknown block, missed kretprobe) it counts a lost
 * event, marks what it can uncertain and schedules a resync, which rebuilds
 * the state from the kernel's vmap_blocks and page tables.
 *
 * The rule that makes a resync safe while mappings change: inside a block
 * allocation is a bump pointer, so a page that went dirty never becomes
 * used again before the block dies. A resync therefore takes as used the
 * pages with a present PTE that the mirror has not seen unmapped.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "vmapview.h"

#define VMV_POOL_BLOCKS		256
#define VMV_POOL_AREAS		4096
#define VMV_MAX_BLOCKS		65536
#define VMV_MAX_AREAS		262144
#define VMV_MAX_LARGE		4096
#define VMV_RESYNC_TRIES	5

struct vmv_pool {
	struct vmv_node *free;
	unsigned int nr, target;
	size_t size;
};

static DEFINE_RAW_SPINLOCK(vmv_lock);
static struct rb_root vmv_blocks = RB_ROOT;
static struct rb_root vmv_areas = RB_ROOT;
static unsigned long vmv_nr_blocks, vmv_nr_areas, vmv_nr_large;
static unsigned int vmv_large_seq;	/* bumped by large-area events */
static struct vmv_pool vmv_block_pool = {
	.target = VMV_POOL_BLOCKS, .size = sizeof(struct vmv_block) };
static struct vmv_pool vmv_area_pool = {
	.target = VMV_POOL_AREAS, .size = sizeof(struct vmv_area) };
static bool vmv_need_resync;
/*
 * Generations, applied to a block lazily (vmv_block_settle()) so that no
 * probe walks the blocks: _vm_unmap_aliases() calls begun, the newest of
 * them that has ended, and losses after which every block is uncertain.
 */
static unsigned long vmv_aliases_gen, vmv_aliases_done, vmv_lost_gen;
static bool vmv_adopting;		/* unknown blocks are expected */
static bool vmv_geometry_bad;

static DEFINE_MUTEX(vmv_resync_mutex);
struct vmv_stats vmv_stats;
/* Counted on every event: per CPU, summed by readers. */
static DEFINE_PER_CPU(unsigned long, vmv_nr_maps);
static DEFINE_PER_CPU(unsigned long, vmv_nr_unmaps);

void vmv_event_counts(unsigned long *maps, unsigned long *unmaps)
{
	int cpu;

	*maps = 0;
	*unmaps = 0;
	for_each_possible_cpu(cpu) {
		*maps += per_cpu(vmv_nr_maps, cpu);
		*unmaps += per_cpu(vmv_nr_unmaps, cpu);
	}
}

static void vmv_refill_fn(struct work_struct *work);
static void vmv_resync_fn(struct work_struct *work);
static DECLARE_WORK(vmv_refill_work, vmv_refill_fn);
static DECLARE_DELAYED_WORK(vmv_resync_work, vmv_resync_fn);

/* mm/vmalloc.c: addr_to_vb_idx() */
static unsigned long vmv_vb_idx(unsigned long addr)
{
	return (addr - (VMALLOC_START & ~(VMV_BLOCK_SIZE - 1))) / VMV_BLOCK_SIZE;
}

/* The start of the block at index idx of the kernel's xarrays. */
static unsigned long vmv_vb_start(unsigned long idx)
{
	return (VMALLOC_START & ~(VMV_BLOCK_SIZE - 1)) + idx * VMV_BLOCK_SIZE;
}

/* The start of the vmap_block that holds addr: blocks are size-aligned. */
static unsigned long vmv_block_start(unsigned long addr)
{
	return addr & ~(VMV_BLOCK_SIZE - 1);
}

/* Pages vb_alloc() reserves for a count: the next power of two. */
static unsigned int vmv_reserved_pages(unsigned int count)
{
	return 1U << get_order((unsigned long)count << PAGE_SHIFT);
}

/* The kernel's xarray that holds the block at addr (mm/vmalloc.c). */
static struct xarray *vmv_kernel_vb_xa(unsigned long addr)
{
#if VMV_HAS_PERCPU_VB_XA
	/* addr_to_vb_xa() */
	int index = (addr / VMV_BLOCK_SIZE) % nr_cpu_ids;

	if (!cpu_possible(index))
		index = cpumask_next(index, cpu_possible_mask);
	return &per_cpu_ptr(vmv_syms.vmap_block_queue, index)->vmap_blocks;
#else
	return vmv_syms.vmap_blocks;
#endif
}

/* The kernel's block at addr; the caller holds rcu_read_lock(). */
static struct vmv_kvb *vmv_kernel_vb(unsigned long addr)
{
	return xa_load(vmv_kernel_vb_xa(addr), vmv_vb_idx(addr));
}

/* The n-th of the kernel's block xarrays, NULL past the last. */
static struct xarray *vmv_kernel_xa_nth(unsigned int n)
{
#if VMV_HAS_PERCPU_VB_XA
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		if (!n--)
			return &per_cpu_ptr(vmv_syms.vmap_block_queue, cpu)->vmap_blocks;
	return NULL;
#else
	return n ? NULL : vmv_syms.vmap_blocks;
#endif
}

/* --- address-sorted rbtrees of vmv_node --- */

static int vmv_node_cmp(const void *key, const struct rb_node *rb)
{
	unsigned long k = *(const unsigned long *)key;
	unsigned long start = rb_entry(rb, struct vmv_node, rb)->start;

	return k < start ? -1 : k > start;
}

static int vmv_node_cmp_node(struct rb_node *a, const struct rb_node *b)
{
	unsigned long sa = rb_entry(a, struct vmv_node, rb)->start;
	unsigned long sb = rb_entry(b, struct vmv_node, rb)->start;

	return sa < sb ? -1 : sa > sb;
}

static bool vmv_node_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct vmv_node, rb)->start <
	       rb_entry(b, struct vmv_node, rb)->start;
}

static struct vmv_node *vmv_node_find(struct rb_root *root, unsigned long start)
{
	struct rb_node *rb = rb_find(&start, root, vmv_node_cmp);

	return rb ? rb_entry(rb, struct vmv_node, rb) : NULL;
}

/* The first node at or after addr. */
static struct vmv_node *vmv_node_from(struct rb_root *root, unsigned long addr)
{
	struct rb_node *rb = root->rb_node;
	struct vmv_node *best = NULL;

	while (rb) {
		struct vmv_node *n = rb_entry(rb, struct vmv_node, rb);

		if (n->start >= addr) {
			best = n;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return best;
}

static struct vmv_node *vmv_node_next(struct vmv_node *n)
{
	struct rb_node *rb = rb_next(&n->rb);

	return rb ? rb_entry(rb, struct vmv_node, rb) : NULL;
}

#define vmv_block_of(node) container_of(node, struct vmv_block, n)
#define vmv_area_of(node) container_of(node, struct vmv_area, n)

static struct vmv_block *vmv_block_find(unsigned long start)
{
	struct vmv_node *n = vmv_node_find(&vmv_blocks, start);

	return n ? vmv_block_of(n) : NULL;
}

static struct vmv_area *vmv_area_find(unsigned long start)
{
	struct vmv_node *n = vmv_node_find(&vmv_areas, start);

	return n ? vmv_area_of(n) : NULL;
}

/* --- pools: filled in process context, drained under vmv_lock --- */

/* An uninitialised record; blocks are zeroed by vmv_block_new(). */
static void *vmv_pool_get(struct vmv_pool *pool)
{
	struct vmv_node *n = pool->free;

	lockdep_assert_held(&vmv_lock);
	if (!n)
		return NULL;
	pool->free = n->next_free;
	pool->nr--;
	return n;
}

static void vmv_pool_put(struct vmv_pool *pool, void *obj)
{
	struct vmv_node *n = obj;

	lockdep_assert_held(&vmv_lock);
	n->next_free = pool->free;
	pool->free = n;
	pool->nr++;
}

/* Allocates outside the lock, a batch at a time, and splices it in. */
static int vmv_pool_fill(struct vmv_pool *pool, unsigned int want)
{
	struct vmv_node *head, *tail, *n;
	unsigned int nr, i;

	for (;;) {
		nr = READ_ONCE(pool->nr);
		if (nr >= want)
			return 0;
		head = NULL;
		tail = NULL;
		for (i = 0; i < min(want - nr, 64U); i++) {
			n = kzalloc(pool->size, GFP_KERNEL);
			if (!n)
				break;
			n->next_free = head;
			head = n;
			if (!tail)
				tail = n;
		}
		if (!head)
			return -ENOMEM;
		raw_spin_lock(&vmv_lock);
		tail->next_free = pool->free;
		pool->free = head;
		pool->nr += i;
		raw_spin_unlock(&vmv_lock);
		cond_resched();
	}
}

static void vmv_pool_drain(struct vmv_pool *pool)
{
	struct vmv_node *n;

	while ((n = pool->free)) {
		pool->free = n->next_free;
		kfree(n);
	}
	pool->nr = 0;
}

static void vmv_refill_fn(struct work_struct *work)
{
	vmv_pool_fill(&vmv_block_pool, vmv_block_pool.target);
	vmv_pool_fill(&vmv_area_pool, vmv_area_pool.target);
}

/*
 * Called after an event, outside vmv_lock: keep the pools from running dry.
 * Unbound, so that a task mapping in a loop on this CPU does not keep the
 * refill from running.
 */
static void vmv_pool_check(void)
{
	if (READ_ONCE(vmv_block_pool.nr) < vmv_block_pool.target / 2 ||
	    READ_ONCE(vmv_area_pool.nr) < vmv_area_pool.target / 2)
		queue_work(system_unbound_wq, &vmv_refill_work);
}

/*
 * A burst can drain a pool before the refill work runs. Where slab
 * allocation never sleeps (not PREEMPT_RT), a probe about to need a record
 * makes one itself: one GFP_NOWAIT allocation, outside vmv_lock.
 */
#define VMV_POOL_LOW	16

static void vmv_pool_topup_atomic(struct vmv_pool *pool)
{
	struct vmv_node *n;

	if (IS_ENABLED(CONFIG_PREEMPT_RT) || READ_ONCE(pool->nr) >= VMV_POOL_LOW)
		return;
	n = kmalloc(pool->size, GFP_NOWAIT | __GFP_NOWARN);
	if (!n)
		return;
	raw_spin_lock(&vmv_lock);
	vmv_pool_put(pool, n);
	raw_spin_unlock(&vmv_lock);
}

/* --- records --- */

static struct vmv_block *vmv_block_new(unsigned long start, u8 src)
{
	struct vmv_block *b;

	if (vmv_nr_blocks >= VMV_MAX_BLOCKS)
		return NULL;
	b = vmv_pool_get(&vmv_block_pool);
	if (!b)
		return NULL;
	memset(b, 0, sizeof(*b));
	b->n.start = start;
	b->dirty_min = VMV_BLOCK_PAGES;
	b->dirty_gen = vmv_aliases_gen;
	b->synced_gen = vmv_lost_gen;
	b->cpu = -1;
	b->src = src;
	rb_add(&b->n.rb, &vmv_blocks, vmv_node_less);
	vmv_nr_blocks++;
	return b;
}

static void vmv_area_del(struct vmv_area *a)
{
	rb_erase(&a->n.rb, &vmv_areas);
	vmv_nr_areas--;
	if (a->type == VMV_TYPE_AREA)
		vmv_nr_large--;
	vmv_pool_put(&vmv_area_pool, a);
}

/* Records an allocation; one already recorded at start is replaced. */
static bool vmv_area_set(unsigned long start, u32 pages, u32 reserved,
			 unsigned long caller, u8 type, u8 src)
{
	struct vmv_area *a;
	struct rb_node *old;

	if (vmv_nr_areas >= VMV_MAX_AREAS)
		return false;
	a = vmv_pool_get(&vmv_area_pool);
	if (!a)
		return false;
	a->n.start = start;
	old = rb_find_add(&a->n.rb, &vmv_areas, vmv_node_cmp_node);
	if (old) {
		vmv_pool_put(&vmv_area_pool, a);
		a = vmv_area_of(rb_entry(old, struct vmv_node, rb));
		if (a->type != type)
			vmv_nr_large += type == VMV_TYPE_AREA ? 1 : -1;
	} else {
		vmv_nr_areas++;
		if (type == VMV_TYPE_AREA)
			vmv_nr_large++;
	}
	a->pages = pages;
	a->reserved = reserved;
	a->caller = caller;
	a->type = type;
	a->src = src;
	return true;
}

/* What an adopted run [.., a_end) keeps past end, as a record of its own. */
static void vmv_keep_tail(unsigned long a_end, unsigned long end)
{
	if (a_end > end) {
		u32 left = (a_end - end) >> PAGE_SHIFT;

		vmv_area_set(end, left, left, 0, VMV_TYPE_BLOCK, VMV_SRC_ADOPTED);
	}
}

/* Drops the block records of [start, end), trimming an adopted run. */
static void vmv_areas_clear(unsigned long start, unsigned long end)
{
	struct vmv_node *n, *next;
	struct rb_node *prev;

	/* An adopted run may begin before start and cover it. */
	n = vmv_node_from(&vmv_areas, start);
	prev = n ? rb_prev(&n->rb) : rb_last(&vmv_areas);
	if (prev) {
		struct vmv_area *a = vmv_area_of(rb_entry(prev, struct vmv_node, rb));
		unsigned long a_end = a->n.start + ((unsigned long)a->reserved << PAGE_SHIFT);

		if (a->type == VMV_TYPE_BLOCK && a_end > start) {
			a->reserved = (start - a->n.start) >> PAGE_SHIFT;
			a->pages = a->reserved;
			vmv_keep_tail(a_end, end);
		}
	}
	for (; n && n->start < end; n = next) {
		struct vmv_area *a = vmv_area_of(n);
		unsigned long a_end = n->start + ((unsigned long)a->reserved << PAGE_SHIFT);

		next = vmv_node_next(n);
		if (a->type != VMV_TYPE_BLOCK)
			continue;
		vmv_keep_tail(a_end, end);
		vmv_area_del(a);
	}
}

static void vmv_block_retire(struct vmv_block *b)
{
	vmv_areas_clear(b->n.start, b->n.start + VMV_BLOCK_SIZE);
	rb_erase(&b->n.rb, &vmv_blocks);
	vmv_nr_blocks--;
	vmv_pool_put(&vmv_block_pool, b);
	atomic_long_inc(&vmv_stats.blocks_freed);
}

static void vmv_schedule_resync(void)
{
	WRITE_ONCE(vmv_need_resync, true);
	schedule_delayed_work(&vmv_resync_work, 0);
}

void vmv_lost_event(enum vmv_lost why)
{
	atomic_long_inc(&vmv_stats.lost_events);
	atomic_long_inc(&vmv_stats.lost[why]);
	vmv_schedule_resync();
}

/*
 * A probe missed hits: which blocks they touched is unknown, so every block
 * is uncertain until the resync. A new generation says so, in O(1): blocks
 * learn it when next settled.
 */
void vmv_lost_track(void)
{
	raw_spin_lock(&vmv_lock);
	vmv_lost_gen++;
	raw_spin_unlock(&vmv_lock);
	vmv_lost_event(VMV_LOST_MISSED_PROBE);
}

/*
 * Brings a block up to the generations: the dirty-range reset of every
 * _vm_unmap_aliases() call that began after the block's last unmap and
 * has ended (6.5+: the kernel resets the range of the blocks it does not
 * purge that have dirty pages and are not all dirty), and the losses since
 * its last resync. Called under vmv_lock wherever a block is read or
 * changed; settling twice changes nothing.
 */
static void vmv_block_settle(struct vmv_block *b)
{
	lockdep_assert_held(&vmv_lock);
	if (VMV_ALIASES_RESET_DIRTY && b->dirty_max && b->dirty_gen < vmv_aliases_done &&
	    !bitmap_full(b->dirty, VMV_BLOCK_PAGES)) {
		b->dirty_min = VMV_BLOCK_PAGES;
		b->dirty_max = 0;
	}
	if (b->synced_gen < vmv_lost_gen)
		b->uncertain = true;
}

/* The CPU that owns the block, or -1 when it cannot be known. */
static int vmv_kernel_block_cpu(unsigned long start)
{
	struct vmv_kvb *vb;
	int found = -1;
#if !VMV_HAS_VB_CPU
	struct vmv_kvb *it;
	int cpu;
#endif

	rcu_read_lock();
	vb = vmv_kernel_vb(start);
	if (!vb)
		goto out;
#if VMV_HAS_VB_CPU
	found = READ_ONCE(vb->cpu);
#else
	/* Before 6.10: the CPU whose vmap_block_queue lists it, if any. */
	for_each_possible_cpu(cpu) {
		struct vmv_kvbq *q = per_cpu_ptr(vmv_syms.vmap_block_queue, cpu);

		list_for_each_entry_rcu(it, &q->free, free_list) {
			if (it == vb) {
				found = cpu;
				goto out;
			}
		}
	}
#endif
out:
	rcu_read_unlock();
	return found;
}

/* --- events, from probe context --- */

void vmv_on_map(unsigned long addr, unsigned int count, unsigned long caller)
{
	unsigned long bstart = 0;
	unsigned int off = 0, n = count;
	int lost = -1;		/* an enum vmv_lost when set */
	bool created = false;
	u8 type = VMV_TYPE_AREA;

	this_cpu_inc(vmv_nr_maps);
	vmv_pool_topup_atomic(&vmv_block_pool);
	vmv_pool_topup_atomic(&vmv_area_pool);
	raw_spin_lock(&vmv_lock);
	if (count <= VMV_MAX_ALLOC) {
		struct vmv_block *b;

		type = VMV_TYPE_BLOCK;
		n = vmv_reserved_pages(count);
		bstart = vmv_block_start(addr);
		off = (addr - bstart) >> PAGE_SHIFT;
		/* Never true for the kernel's blocks; bounds the bitmaps. */
		if (unlikely(off + n > VMV_BLOCK_PAGES)) {
			raw_spin_unlock(&vmv_lock);
			vmv_lost_event(VMV_LOST_BAD_EVENT);
			return;
		}
		b = vmv_block_find(bstart);
		if (b) {
			vmv_block_settle(b);
		} else {
			/*
			 * A block the mirror lacks: new, or its first map is
			 * still being reported. Events are reported when
			 * vm_map_ram() returns, so with preemption (7.x's lazy
			 * preemption, PREEMPT_RT) a later map of another task
			 * in the same new block may be reported first; the
			 * earlier one fills its pages in when it returns. A
			 * block that existed before the load is known once
			 * adoption ends, so only a pending resync (after a
			 * loss counted where it happened) leaves it unsure.
			 */
			b = vmv_block_new(bstart, VMV_SRC_PROBE);
			created = b;
			if (b && off && (vmv_adopting || READ_ONCE(vmv_need_resync)))
				b->uncertain = true;
			if (!b)
				lost = VMV_LOST_MAP_RECORD;
		}
		if (b) {
			bitmap_set(b->used, off, n);
			bitmap_clear(b->dirty, off, n);
			b->cursor = max_t(unsigned int, b->cursor, off + n);
			b->seq++;
		}
	} else {
		vmv_large_seq++;
	}
	if (!vmv_area_set(addr, count, n, caller, type, VMV_SRC_PROBE))
		lost = VMV_LOST_MAP_RECORD;
	raw_spin_unlock(&vmv_lock);

	if (created) {
		int cpu = vmv_kernel_block_cpu(bstart);
		struct vmv_block *b;

		raw_spin_lock(&vmv_lock);
		b = vmv_block_find(bstart);
		if (b)
			b->cpu = cpu;
		raw_spin_unlock(&vmv_lock);
	}
	if (lost >= 0)
		vmv_lost_event(lost);
	vmv_pool_check();
}

void vmv_on_unmap(unsigned long addr, unsigned int count)
{
	struct vmv_area *a;
	int lost = -1;		/* an enum vmv_lost when set */

	this_cpu_inc(vmv_nr_unmaps);
	raw_spin_lock(&vmv_lock);
	if (count <= VMV_MAX_ALLOC) {
		unsigned long bstart = vmv_block_start(addr);
		unsigned int off = (addr - bstart) >> PAGE_SHIFT;
		unsigned int n = vmv_reserved_pages(count);
		struct vmv_block *b = vmv_block_find(bstart);

		if (unlikely(off + n > VMV_BLOCK_PAGES))
			b = NULL;	/* never for the kernel's blocks */

		a = vmv_area_find(addr);
		if (a && a->type == VMV_TYPE_BLOCK && a->reserved == n)
			vmv_area_del(a);
		else
			vmv_areas_clear(addr, addr + ((unsigned long)n << PAGE_SHIFT));
		if (b) {
			vmv_block_settle(b);
			bitmap_clear(b->used, off, n);
			bitmap_set(b->dirty, off, n);
			b->dirty_min = min_t(unsigned int, b->dirty_min, off);
			b->dirty_max = max_t(unsigned int, b->dirty_max, off + n);
			b->dirty_gen = vmv_aliases_gen;
			b->seq++;
			/* vb_free() frees a block whose pages are all dirty. */
			if (bitmap_full(b->dirty, VMV_BLOCK_PAGES))
				vmv_block_retire(b);
		} else if (!vmv_adopting) {
			lost = VMV_LOST_UNMAP_BLOCK;
		}
	} else {
		vmv_large_seq++;
		a = vmv_area_find(addr);
		if (a && a->type == VMV_TYPE_AREA)
			vmv_area_del(a);
		else if (!vmv_adopting)
			lost = VMV_LOST_UNMAP_AREA;
	}
	raw_spin_unlock(&vmv_lock);
	if (lost >= 0)
		vmv_lost_event(lost);
}

/*
 * The kernel frees the vmap_area at start (free_vmap_area_noflush()): a
 * large-area record there is stale, as a vm_map_ram() area's own record
 * went with its unmap, before. Before 6.3 adoption tells large vm_map_ram()
 * areas only by their lack of a vm_struct, which vmalloc areas also lack
 * for a moment while they are set up or torn down; this event removes
 * such a record when the area goes, before its address can be reused.
 */
void vmv_on_va_free(unsigned long start)
{
	struct vmv_area *a;

	if (!READ_ONCE(vmv_nr_large))
		return;
	raw_spin_lock(&vmv_lock);
	a = vmv_area_find(start);
	if (a && a->type == VMV_TYPE_AREA) {
		vmv_large_seq++;
		vmv_area_del(a);
		atomic_long_inc(&vmv_stats.stale_areas);
	}
	raw_spin_unlock(&vmv_lock);
}

void vmv_on_block_free(unsigned long start)
{
	struct vmv_block *b;

	raw_spin_lock(&vmv_lock);
	b = vmv_block_find(start);
	if (b)
		vmv_block_retire(b);
	raw_spin_unlock(&vmv_lock);
}

/*
 * 6.5+: _vm_unmap_aliases() resets the dirty range of every block it does
 * not purge that has dirty pages and is not all dirty. Blocks unmapped into
 * since the call began may have been reset before that unmap: theirs stays.
 */
unsigned long vmv_aliases_begin(void)
{
	unsigned long gen;

	raw_spin_lock(&vmv_lock);
	gen = ++vmv_aliases_gen;
	raw_spin_unlock(&vmv_lock);
	return gen;
}

/* The call that began as gen has ended: blocks settle to it (lazily). */
void vmv_aliases_end(unsigned long gen)
{
	raw_spin_lock(&vmv_lock);
	vmv_aliases_done = max(vmv_aliases_done, gen);
	raw_spin_unlock(&vmv_lock);
}

/* --- resync: rebuild from the kernel's structures and page tables --- */

struct vmv_snap {
	unsigned long start, size, free, dirty, dirty_min, dirty_max;
	/* the generations before the snapshot, which it reflects */
	unsigned long aliases_done, lost_gen;
	DECLARE_BITMAP(present, VMV_BLOCK_PAGES);
#if VMV_HAS_USED_MAP
	DECLARE_BITMAP(used_map, VMV_BLOCK_PAGES);
#endif
};

/*
 * Reads one kernel block; false when it is dying. The caller holds
 * rcu_read_lock(), which keeps vb alive but not vb->va: once dirty reaches
 * every page, vb_free() calls free_vmap_block(), which frees the va. Like
 * the kernel (vb_alloc(), _vm_unmap_aliases()), vb->va is read only after
 * checking dirty under vb->lock.
 */
static bool vmv_snap_block(struct vmv_kvb *vb, struct vmv_snap *s)
{
	unsigned int i, cursor;

	spin_lock(&vb->lock);
	if (vb->dirty >= VMV_BLOCK_PAGES) {
		spin_unlock(&vb->lock);
		return false;
	}
	s->start = vb->va->va_start;
	s->size = vb->va->va_end - vb->va->va_start;
	s->free = vb->free;
	s->dirty = vb->dirty;
	s->dirty_min = vb->dirty_min;
	s->dirty_max = vb->dirty_max;
#if VMV_HAS_USED_MAP
	bitmap_copy(s->used_map, vb->used_map, VMV_BLOCK_PAGES);
#endif
	spin_unlock(&vb->lock);

	bitmap_zero(s->present, VMV_BLOCK_PAGES);
	cursor = VMV_BLOCK_PAGES - min_t(unsigned long, s->free, VMV_BLOCK_PAGES);
	for (i = 0; i < cursor; i++)
		if (vmv_vmalloc_to_page(s->start + i * PAGE_SIZE))
			__set_bit(i, s->present);
	return true;
}

/*
 * The first run of set bits of a block's map at or after *rs, as [*rs, *re);
 * false when there is none. (for_each_set_bitrange() is 5.17+.)
 */
static bool vmv_next_run(const unsigned long *map, unsigned int *rs,
			 unsigned int *re)
{
	*rs = find_next_bit(map, VMV_BLOCK_PAGES, *rs);
	if (*rs >= VMV_BLOCK_PAGES)
		return false;
	*re = find_next_zero_bit(map, VMV_BLOCK_PAGES, *rs + 1);
	return true;
}

/*
 * Gives every used run of b without an allocation record an adopted one;
 * stale records are gone already (vmv_drop_stale_areas()).
 */
static void vmv_adopt_runs(struct vmv_block *b)
{
	DECLARE_BITMAP(orphan, VMV_BLOCK_PAGES);
	unsigned long end = b->n.start + VMV_BLOCK_SIZE;
	unsigned int rs, re;
	struct vmv_node *n;

	bitmap_copy(orphan, b->used, VMV_BLOCK_PAGES);
	for (n = vmv_node_from(&vmv_areas, b->n.start); n && n->start < end;
	     n = vmv_node_next(n)) {
		struct vmv_area *a = vmv_area_of(n);
		unsigned int off = (n->start - b->n.start) >> PAGE_SHIFT;

		bitmap_clear(orphan, off, min_t(u32, a->reserved, VMV_BLOCK_PAGES - off));
	}
	for (rs = 0; vmv_next_run(orphan, &rs, &re); rs = re)
		if (!vmv_area_set(b->n.start + ((unsigned long)rs << PAGE_SHIFT),
				  re - rs, re - rs, 0, VMV_TYPE_BLOCK, VMV_SRC_ADOPTED))
			b->uncertain = true;
}

/* Drops the records of allocations of b that are no longer used. */
static void vmv_drop_stale_areas(struct vmv_block *b)
{
	unsigned long end = b->n.start + VMV_BLOCK_SIZE;
	struct vmv_node *n, *next;

	for (n = vmv_node_from(&vmv_areas, b->n.start); n && n->start < end; n = next) {
		unsigned int off = (n->start - b->n.start) >> PAGE_SHIFT;

		next = vmv_node_next(n);
		if (!test_bit(off, b->used))
			vmv_area_del(vmv_area_of(n));
	}
}

/*
 * The used pages of a block whose history is unknown. A vm_map_ram() of
 * count pages reserves the next power of two, and only count have PTEs;
 * the kernel's dirty counter says how many such slack pages there are, and
 * they go after each present run, up to its power of two. Exact unless
 * adjacent allocations merge into one run.
 */
static void __maybe_unused vmv_guess_used(struct vmv_snap *s, unsigned int cursor,
					  unsigned long *used)
{
	long slack = (long)cursor - (long)s->dirty -
		     (long)bitmap_weight(s->present, VMV_BLOCK_PAGES);
	unsigned int rs, re, ext, next;

	bitmap_copy(used, s->present, VMV_BLOCK_PAGES);
	for (rs = 0; vmv_next_run(s->present, &rs, &re); rs = re) {
		if (slack <= 0)
			break;
		next = find_next_bit(s->present, VMV_BLOCK_PAGES, re);
		ext = roundup_pow_of_two(re - rs) - (re - rs);
		ext = min3(ext, (unsigned int)slack, min(next, cursor) - re);
		bitmap_set(used, re, ext);
		slack -= ext;
	}
}

/* Applies a snapshot; false when events hit the block meanwhile. */
static bool vmv_apply_snap(struct vmv_snap *s, bool existed, unsigned int seq)
{
	unsigned int cursor = VMV_BLOCK_PAGES - min_t(unsigned long, s->free,
						      VMV_BLOCK_PAGES);
	struct vmv_block *b;
	bool ok = true;

	raw_spin_lock(&vmv_lock);
	b = vmv_block_find(s->start);
	if (!!b != existed || (b && b->seq != seq)) {
		ok = false;
		goto out;
	}
	if (!b) {
		b = vmv_block_new(s->start, VMV_SRC_ADOPTED);
		if (!b) {
			ok = false;
			goto out;
		}
	}
	vmv_block_settle(b);
#if VMV_HAS_USED_MAP
	/*
	 * The kernel's own used_map is the truth to resync from, but for the
	 * pages the mirror saw unmapped: the unmap probe fires before vb_free()
	 * clears used_map, and dirtiness only grows in a block's life, so they
	 * stay dirty, unless the mirror lost track of the block.
	 */
	if (existed && !b->uncertain)
		bitmap_andnot(b->used, s->used_map, b->dirty, VMV_BLOCK_PAGES);
	else
		bitmap_copy(b->used, s->used_map, VMV_BLOCK_PAGES);
#else
	if (!existed) {
		vmv_guess_used(s, cursor, b->used);
	} else {
		/* Tracked used pages (slack included) stay, unless seen unmapped. */
		bitmap_or(b->used, b->used, s->present, VMV_BLOCK_PAGES);
		bitmap_andnot(b->used, b->used, b->dirty, VMV_BLOCK_PAGES);
		if (bitmap_weight(b->used, VMV_BLOCK_PAGES) != cursor - s->dirty)
			vmv_guess_used(s, cursor, b->used);
	}
#endif
	b->cursor = cursor;
	bitmap_zero(b->dirty, VMV_BLOCK_PAGES);
	bitmap_set(b->dirty, 0, cursor);
	bitmap_andnot(b->dirty, b->dirty, b->used, VMV_BLOCK_PAGES);
	b->dirty_min = s->dirty_min;
	b->dirty_max = s->dirty_max;
	b->dirty_gen = s->aliases_done;
	b->synced_gen = s->lost_gen;
	b->uncertain = false;
	vmv_block_settle(b);
	vmv_drop_stale_areas(b);
	vmv_adopt_runs(b);
out:
	raw_spin_unlock(&vmv_lock);
	return ok;
}

static bool vmv_resync_block(struct xarray *xa, unsigned long *idx, bool *more)
{
	struct vmv_snap s;
	struct vmv_block *b;
	struct vmv_kvb *vb;
	unsigned int seq = 0, tries;
	unsigned long start;
	bool existed, alive;
	int cpu;

	for (tries = 0; tries < VMV_RESYNC_TRIES; tries++) {
		/* No memory: end this pass (it is retried), never step on. */
		if (vmv_pool_fill(&vmv_block_pool, 1) ||
		    vmv_pool_fill(&vmv_area_pool, VMV_BLOCK_PAGES)) {
			*more = false;
			return false;
		}
		rcu_read_lock();
		vb = xa_find(xa, idx, ULONG_MAX, XA_PRESENT);
		if (!vb) {
			rcu_read_unlock();
			*more = false;
			return true;
		}
		/* The block's start follows from its index, not from vb->va. */
		start = vmv_vb_start(*idx);
		raw_spin_lock(&vmv_lock);
		b = vmv_block_find(start);
		existed = b;
		if (b)
			seq = b->seq;
		s.aliases_done = vmv_aliases_done;
		s.lost_gen = vmv_lost_gen;
		raw_spin_unlock(&vmv_lock);
		alive = vmv_snap_block(vb, &s);
		rcu_read_unlock();
		if (!alive)
			return true;	/* its free event retires it */
		if (s.start != start || s.size != VMV_BLOCK_SIZE) {
			pr_err("vmap_block at 0x%lx spans %lu bytes at index %lu, not %lu at 0x%lx: unknown geometry\n",
			       s.start, s.size, *idx, VMV_BLOCK_SIZE, start);
			vmv_geometry_bad = true;
			return false;
		}
		if (vmv_apply_snap(&s, existed, seq))
			break;
		atomic_long_inc(&vmv_stats.resync_retries);
	}
	if (tries == VMV_RESYNC_TRIES)
		return false;

	cpu = vmv_kernel_block_cpu(s.start);
	raw_spin_lock(&vmv_lock);
	b = vmv_block_find(s.start);
	if (b && cpu >= 0)
		b->cpu = cpu;
	raw_spin_unlock(&vmv_lock);
	return true;
}

/* Retires mirror blocks the kernel no longer has, a batch at a time. */
static void vmv_drop_dead_blocks(void)
{
	unsigned long from = 0;
	struct vmv_node *n, *next;
	unsigned int batch;

	do {
		raw_spin_lock(&vmv_lock);
		n = vmv_node_from(&vmv_blocks, from);
		for (batch = 0; n && batch < 64; batch++, n = next) {
			next = vmv_node_next(n);
			if (!vmv_kernel_vb(n->start))
				vmv_block_retire(vmv_block_of(n));
		}
		from = n ? n->start : 0;
		raw_spin_unlock(&vmv_lock);
		cond_resched();
	} while (n);
}

struct vmv_range {
	unsigned long start, end;
};

#if !VMV_HAS_USED_MAP
static bool vmv_is_block_va(struct vmap_area *va)
{
	struct vmv_kvb *vb;

	if (va->va_end - va->va_start != VMV_BLOCK_SIZE)
		return false;
	vb = vmv_kernel_vb(va->va_start);
	return vb && vb->va == va;
}
#endif

/* Whether a busy area is a large vm_map_ram() area. */
static bool vmv_is_large_ram_va(struct vmap_area *va)
{
#if VMV_HAS_USED_MAP
	return (va->flags & VMV_VMAP_FLAGS_MASK) == VMV_VMAP_RAM;
#else
	/* Before 6.3: no vm_struct, and not a vmap_block. */
	return !va->vm && !vmv_is_block_va(va);
#endif
}

/* Appends the large vm_map_ram() areas of one busy list to out. */
static int vmv_scan_list(struct list_head *head, spinlock_t *lock,
			 struct vmv_range *out, int nr, int max)
{
	struct vmap_area *va;

	spin_lock(lock);
	rcu_read_lock();
	list_for_each_entry(va, head, list) {
		if (!vmv_is_large_ram_va(va))
			continue;
		if (nr == max) {
			nr = -E2BIG;
			break;
		}
		out[nr].start = va->va_start;
		out[nr++].end = va->va_end;
	}
	rcu_read_unlock();
	spin_unlock(lock);
	return nr;
}

static int vmv_range_cmp(const void *a, const void *b)
{
	const struct vmv_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The large vm_map_ram() areas, sorted by address. */
static int vmv_scan_large(struct vmv_range *out, int max)
{
	int nr = 0;
#if VMV_HAS_VMAP_NODES
	unsigned int i;

	for (i = 0; i < READ_ONCE(*vmv_syms.nr_vmap_nodes) && nr >= 0; i++) {
		struct vmv_kvnode *vn = &(*vmv_syms.vmap_nodes)[i];

		nr = vmv_scan_list(&vn->busy.head, &vn->busy.lock, out, nr, max);
	}
#else
	nr = vmv_scan_list(vmv_syms.vmap_area_list, vmv_syms.vmap_area_lock,
			   out, nr, max);
#endif
	if (nr > 0)
		sort(out, nr, sizeof(*out), vmv_range_cmp, NULL);
	return nr;
}

static bool vmv_range_in(const struct vmv_range *r, int nr, unsigned long start,
			 unsigned long end)
{
	int lo = 0, hi = nr;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (r[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nr && r[lo].start == start && r[lo].end == end;
}

/*
 * Large areas: the kernel's busy list, scanned twice. vfree() and
 * __get_vm_area_node() leave an area without a vm_struct for a moment; only
 * areas in both scans are taken as vm_map_ram() areas.
 */
static bool vmv_resync_large(void)
{
	struct vmv_range *first, *second;
	int nr1, nr2, i, kept = 0;
	struct vmv_node *n, *next;
	unsigned int seq;
	bool ok = false;

	first = kvmalloc_array(2 * VMV_MAX_LARGE, sizeof(*first), GFP_KERNEL);
	if (!first)
		return false;
	second = first + VMV_MAX_LARGE;
	if (vmv_pool_fill(&vmv_area_pool, vmv_area_pool.target))
		goto out;
	raw_spin_lock(&vmv_lock);
	seq = vmv_large_seq;
	raw_spin_unlock(&vmv_lock);
	nr1 = vmv_scan_large(first, VMV_MAX_LARGE);
	synchronize_rcu();
	nr2 = vmv_scan_large(second, VMV_MAX_LARGE);
	if (nr1 < 0 || nr2 < 0)
		goto out;
	for (i = 0; i < nr2; i++)
		if (vmv_range_in(first, nr1, second[i].start, second[i].end))
			second[kept++] = second[i];

	raw_spin_lock(&vmv_lock);
	if (seq != vmv_large_seq) {
		raw_spin_unlock(&vmv_lock);
		goto out;
	}
	for (n = vmv_node_from(&vmv_areas, 0); n; n = next) {
		struct vmv_area *a = vmv_area_of(n);

		next = vmv_node_next(n);
		if (a->type == VMV_TYPE_AREA &&
		    !vmv_range_in(second, kept, n->start,
				  n->start + ((unsigned long)a->reserved << PAGE_SHIFT)))
			vmv_area_del(a);
	}
	ok = true;
	for (i = 0; i < kept; i++) {
		u32 pages = (second[i].end - second[i].start) >> PAGE_SHIFT;
		struct vmv_area *a = vmv_area_find(second[i].start);

		if (a && a->type == VMV_TYPE_AREA && a->reserved == pages)
			continue;
		if (!vmv_area_set(second[i].start, pages, pages, 0, VMV_TYPE_AREA,
				  VMV_SRC_ADOPTED))
			ok = false;
	}
	raw_spin_unlock(&vmv_lock);
out:
	kvfree(first);
	return ok;
}

int vmv_resync(bool adopting)
{
	struct xarray *xa;
	unsigned long idx;
	bool more, ok = true, killed = false;
	unsigned int n;

	mutex_lock(&vmv_resync_mutex);
	WRITE_ONCE(vmv_need_resync, false);
	for (n = 0; !killed && (xa = vmv_kernel_xa_nth(n)); n++) {
		for (idx = 0, more = true; more; idx++) {
			if (!vmv_resync_block(xa, &idx, &more))
				ok = false;
			/* A reader's resync ends when the reader is killed. */
			killed = fatal_signal_pending(current);
			if (killed) {
				ok = false;
				break;
			}
			cond_resched();
		}
	}
	vmv_drop_dead_blocks();
	if (!killed && !vmv_resync_large())
		ok = false;
	if (!adopting)
		atomic_long_inc(&vmv_stats.resyncs);
	if (!ok) {
		/* Busy blocks or no memory: try again shortly. */
		WRITE_ONCE(vmv_need_resync, true);
		schedule_delayed_work(&vmv_resync_work, HZ / 10);
	}
	mutex_unlock(&vmv_resync_mutex);
	return ok ? 0 : -EAGAIN;
}

static void vmv_resync_fn(struct work_struct *work)
{
	if (READ_ONCE(vmv_need_resync))
		vmv_resync(false);
}

void vmv_sync_if_needed(void)
{
	if (vmv_probes_missed())
		vmv_lost_track();
	if (READ_ONCE(vmv_need_resync))
		vmv_resync(false);
}

/* --- readers --- */

/* The last node at or before addr. */
static struct vmv_node *vmv_node_upto(struct rb_root *root, unsigned long addr)
{
	struct rb_node *rb = root->rb_node;
	struct vmv_node *best = NULL;

	while (rb) {
		struct vmv_node *n = rb_entry(rb, struct vmv_node, rb);

		if (n->start <= addr) {
			best = n;
			rb = rb->rb_right;
		} else {
			rb = rb->rb_left;
		}
	}
	return best;
}

/* Whether the page at addr is used vm_map_ram() memory (slack included). */
bool vmv_page_used(unsigned long addr)
{
	unsigned long bstart = vmv_block_start(addr);
	struct vmv_block *b;
	struct vmv_node *n;
	bool used = false;

	raw_spin_lock(&vmv_lock);
	b = vmv_block_find(bstart);
	if (b) {
		used = test_bit((addr - bstart) >> PAGE_SHIFT, b->used);
	} else {
		n = vmv_node_upto(&vmv_areas, addr);
		if (n) {
			struct vmv_area *a = vmv_area_of(n);

			used = a->type == VMV_TYPE_AREA &&
			       addr - n->start < ((unsigned long)a->reserved << PAGE_SHIFT);
		}
	}
	raw_spin_unlock(&vmv_lock);
	return used;
}

/* Copies the first block at or after addr, settled. */
bool vmv_next_block(unsigned long after, struct vmv_block *out)
{
	struct vmv_node *n;

	raw_spin_lock(&vmv_lock);
	n = vmv_node_from(&vmv_blocks, after);
	if (n) {
		vmv_block_settle(vmv_block_of(n));
		*out = *vmv_block_of(n);
	}
	raw_spin_unlock(&vmv_lock);
	return n;
}

/* Copies the first allocation at or after addr. */
bool vmv_next_area(unsigned long after, struct vmv_area *out)
{
	struct vmv_node *n;

	raw_spin_lock(&vmv_lock);
	n = vmv_node_from(&vmv_areas, after);
	if (n)
		*out = *vmv_area_of(n);
	raw_spin_unlock(&vmv_lock);
	return n;
}

void vmv_totals(struct vmv_totals *t)
{
	unsigned long from = 0;
	struct vmv_node *n;
	unsigned int batch;

	memset(t, 0, sizeof(*t));
	do {
		raw_spin_lock(&vmv_lock);
		n = vmv_node_from(&vmv_blocks, from);
		for (batch = 0; n && batch < 256; batch++, n = vmv_node_next(n)) {
			struct vmv_block *b = vmv_block_of(n);
			unsigned int used, dirty;

			vmv_block_settle(b);
			used = bitmap_weight(b->used, VMV_BLOCK_PAGES);
			dirty = bitmap_weight(b->dirty, VMV_BLOCK_PAGES);
			t->blocks++;
			t->used += used;
			t->dirty += dirty;
			t->free += VMV_BLOCK_PAGES - b->cursor;
			t->uncertain += b->uncertain;
			/*
			 * What vm_unmap_aliases() purges: free + dirty == all,
			 * dirty != all, and from 6.5 free below the threshold.
			 */
			t->purge_eligible += !used && dirty != VMV_BLOCK_PAGES &&
					     (!VMV_ALIASES_RESET_DIRTY ||
					      VMV_BLOCK_PAGES - b->cursor < VMV_PURGE_THRESHOLD);
		}
		from = n ? n->start : 0;
		if (!n) {
			t->areas = vmv_nr_areas;
			t->large_areas = vmv_nr_large;
			t->memory = (vmv_nr_blocks + vmv_block_pool.nr) * sizeof(struct vmv_block) +
				    (vmv_nr_areas + vmv_area_pool.nr) * sizeof(struct vmv_area);
		}
		raw_spin_unlock(&vmv_lock);
	} while (n);
}

#ifdef VMAPVIEW_TESTING
/* Test builds: records an adopted large area that the kernel lacks. */
int vmv_test_add_area(unsigned long addr, u32 pages)
{
	bool ok;

	if (!pages || !PAGE_ALIGNED(addr) || vmv_pool_fill(&vmv_area_pool, 1))
		return -EINVAL;
	raw_spin_lock(&vmv_lock);
	ok = vmv_area_set(addr, pages, pages, 0, VMV_TYPE_AREA, VMV_SRC_ADOPTED);
	raw_spin_unlock(&vmv_lock);
	return ok ? 0 : -ENOMEM;
}

/* Test builds: flips the used bit of the page at addr in its block. */
int vmv_test_flip_used(unsigned long addr)
{
	unsigned long bstart = vmv_block_start(addr);
	struct vmv_block *b;
	int ret = -ENOENT;

	raw_spin_lock(&vmv_lock);
	b = vmv_block_find(bstart);
	if (b) {
		change_bit((addr - bstart) >> PAGE_SHIFT, b->used);
		ret = 0;
	}
	raw_spin_unlock(&vmv_lock);
	return ret;
}
#endif

/* --- setup --- */

int vmv_mirror_init(void)
{
	int ret;

	ret = vmv_pool_fill(&vmv_block_pool, vmv_block_pool.target);
	if (!ret)
		ret = vmv_pool_fill(&vmv_area_pool, vmv_area_pool.target);
	if (ret) {
		vmv_mirror_exit();
		return ret;
	}
	/* Until adoption ends, events on what existed before are expected. */
	WRITE_ONCE(vmv_adopting, true);
	return 0;
}

/* Adopts what existed before load; probes are already installed. */
int vmv_mirror_adopt(void)
{
	int ret;

	ret = vmv_resync(true);
	WRITE_ONCE(vmv_adopting, false);
	return vmv_geometry_bad ? -ENODEV : ret;
}

/* Probes must be gone: nothing feeds the mirror any more. */
void vmv_mirror_exit(void)
{
	struct vmv_node *n;

	cancel_delayed_work_sync(&vmv_resync_work);
	cancel_work_sync(&vmv_refill_work);
	while ((n = vmv_node_from(&vmv_areas, 0))) {
		rb_erase(&n->rb, &vmv_areas);
		kfree(n);
	}
	while ((n = vmv_node_from(&vmv_blocks, 0))) {
		rb_erase(&n->rb, &vmv_blocks);
		kfree(n);
	}
	vmv_nr_areas = 0;
	vmv_nr_large = 0;
	vmv_nr_blocks = 0;
	vmv_pool_drain(&vmv_block_pool);
	vmv_pool_drain(&vmv_area_pool);
}
