// SPDX-License-Identifier: GPL-2.0
/*
 * The mirror: vmapview's own copy of every vmap_block's used/dirty/free
 * state and of every live vm_map_ram() allocation. State and events only:
 * probes.c feeds it, resync.c corrects it, the views read it. It never
 * reads the kernel's structures itself.
 *
 * It is built the way mm/vmalloc.c builds what it mirrors:
 *  - a record per block, with its own raw spinlock, holding the block's
 *    bitmaps and, in an rbtree, the allocations inside it;
 *  - blocks found by number without a lock: an RCU hash, as the kernel
 *    finds them by addr_to_vb_idx(). The hash and an address-ordered tree
 *    change under vmv_blocks_lock only when a block is born or dies, as
 *    the kernel takes its vmap_area lock only then; map and unmap take the
 *    block's lock and nothing global;
 *  - large areas (more than VMAP_MAX_ALLOC pages) in their own small tree
 *    under their own lock;
 *  - counters per CPU, and events that concern every block (losses,
 *    _vm_unmap_aliases()) as generations that each block applies to itself
 *    when it is next settled (vmv_block_settle(): before any reader looks
 *    at it), so no event walks the blocks.
 *
 * Probe handlers run with preemption disabled and never sleep, even on
 * PREEMPT_RT: raw spinlocks, records from per-CPU pools (pool.c). When a
 * handler cannot keep the mirror exact it marks what it can uncertain,
 * counts the loss by reason and asks for a resync.
 *
 * The rule that makes a resync safe while mappings change: inside a block
 * allocation is a bump pointer, so a page that went dirty never becomes
 * used again before the block dies.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/rbtree_augmented.h>
#include <linux/rculist.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "mirror.h"

#define VMV_HASH_BITS	12
static struct hlist_head vmv_block_hash[1 << VMV_HASH_BITS];
static struct rb_root vmv_block_order = RB_ROOT;
DEFINE_RAW_SPINLOCK(vmv_blocks_lock);	/* hash and order changes */
static unsigned long vmv_nr_blocks;

struct rb_root vmv_large = RB_ROOT;
DEFINE_RAW_SPINLOCK(vmv_large_lock);	/* the large areas */
unsigned long vmv_nr_large;
unsigned int vmv_large_seq;	/* bumped by every large-area event */

#if VMV_LARGE_MAY_GO_STALE
/*
 * The starts of the adopted large-area records, as counts in hashed
 * buckets, for the vfree() probe to test without a lock (vmv_on_va_free()).
 * A count changes with its record, under vmv_large_lock, or around a
 * rescan's swap of the whole tree, where for a moment a record may be
 * counted in both trees: a bucket may hold another start (a rescan asked
 * for nothing), never misses a start that has a record.
 */
#define VMV_LARGE_FILTER_BITS	10
static atomic_t vmv_large_starts[1 << VMV_LARGE_FILTER_BITS];

static atomic_t *vmv_large_bucket(unsigned long start)
{
	return &vmv_large_starts[hash_long(start >> PAGE_SHIFT, VMV_LARGE_FILTER_BITS)];
}

/* A large-area record comes (by 1) or goes (by -1). */
void vmv_large_filter(const struct vmv_area *a, int by)
{
	if (a->src == VMV_SRC_ADOPTED)
		atomic_add(by, vmv_large_bucket(a->start));
}
#endif

/*
 * Generations: _vm_unmap_aliases() calls begun, the newest of them that
 * has ended, and losses after which every block is uncertain; and how many
 * of the calls have ended (begun - ended: the calls in flight).
 */
atomic_long_t vmv_aliases_gen, vmv_aliases_done, vmv_lost_gen;
atomic_long_t vmv_aliases_ended;
bool vmv_adopting;		/* unknown blocks are expected */
/*
 * 6.5+: the dirty-range resets come from the probe on the walk itself
 * (vmv_on_walk_reset()), not from generations; set before the probes are
 * armed, when that probe could be installed.
 */
static bool vmv_walk_resets __read_mostly;
bool vmv_need_resync, vmv_need_large;
static void (*vmv_lost_cb)(void);

/* --- allocation records: an rbtree per block, and the large tree --- */

struct vmv_area *vmv_area_of(struct rb_node *rb)
{
	return rb ? rb_entry(rb, struct vmv_area, rb) : NULL;
}

static int vmv_area_cmp(const void *key, const struct rb_node *rb)
{
	unsigned long k = *(const unsigned long *)key;
	unsigned long start = vmv_area_of((struct rb_node *)rb)->start;

	return k < start ? -1 : k > start;
}

struct vmv_area *vmv_area_find(struct rb_root *root, unsigned long start)
{
	return vmv_area_of(rb_find(&start, root, vmv_area_cmp));
}

/* The first record at or after addr. */
struct vmv_area *vmv_area_from(struct rb_root *root, unsigned long addr)
{
	struct rb_node *rb = root->rb_node;
	struct vmv_area *best = NULL;

	while (rb) {
		struct vmv_area *a = vmv_area_of(rb);

		if (a->start >= addr) {
			best = a;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return best;
}

/* The last record at or before addr. */
struct vmv_area *vmv_area_upto(struct rb_root *root, unsigned long addr)
{
	struct rb_node *rb = root->rb_node;
	struct vmv_area *best = NULL;

	while (rb) {
		struct vmv_area *a = vmv_area_of(rb);

		if (a->start <= addr) {
			best = a;
			rb = rb->rb_right;
		} else {
			rb = rb->rb_left;
		}
	}
	return best;
}

void vmv_area_del(struct rb_root *root, struct vmv_area *a)
{
	rb_erase(&a->rb, root);
	vmv_uncount(VMV_STAT_AREAS);
	if (a->embedded)
		RB_CLEAR_NODE(&a->rb);
	else
		vmv_rec_put(VMV_REC_AREA, a);
}

/* Links a new record a at start where the descent ended (parent, link). */
static __always_inline void vmv_area_link(struct rb_root *root, struct vmv_area *a,
					  unsigned long start, bool embedded,
					  struct rb_node *parent,
					  struct rb_node **link)
{
	a->start = start;
	a->embedded = embedded;
	rb_link_node(&a->rb, parent, link);
	/* A tree's only node: all rb_insert_color() does is paint it black. */
	if (parent)
		rb_insert_color(&a->rb, root);
	else
		rb_set_parent_color(&a->rb, NULL, RB_BLACK);
	vmv_count(VMV_STAT_AREAS);
}

static __always_inline void vmv_area_fill(struct vmv_area *a, u32 pages,
					  u32 reserved, unsigned long caller,
					  u8 type, u8 src, bool merged)
{
	a->pages = pages;
	a->reserved = reserved;
	a->caller = caller;
	a->type = type;
	a->src = src;
	a->merged = merged;
}

/*
 * Records an allocation, replacing one recorded at the same start: 1 when
 * it is new, 0 when it replaced one, -ENOMEM without a record. A new one
 * is own (a block's own record, or NULL) when that is free, else one from
 * the pool. One descent finds the start or where it goes.
 */
int vmv_area_set(struct rb_root *root, struct vmv_area *own,
		 unsigned long start, u32 pages, u32 reserved,
		 unsigned long caller, u8 type, u8 src, bool merged)
{
	struct rb_node **link = &root->rb_node, *parent = NULL;
	struct vmv_area *a = NULL;
	int added = 0;

	while (*link) {
		parent = *link;
		a = vmv_area_of(parent);
		if (start == a->start)
			break;
		link = start < a->start ? &parent->rb_left : &parent->rb_right;
		a = NULL;
	}
	if (!a) {
		if (own && RB_EMPTY_NODE(&own->rb))
			a = own;
		else
			a = vmv_rec_get(VMV_REC_AREA);
		if (!a)
			return -ENOMEM;
		vmv_area_link(root, a, start, a == own, parent, link);
		added = 1;
	}
	vmv_area_fill(a, pages, reserved, caller, type, src, merged);
	return added;
}

unsigned long vmv_area_end(const struct vmv_area *a)
{
	return a->start + ((unsigned long)a->reserved << PAGE_SHIFT);
}

/* Gives back the records of a tree nothing else can reach any more. */
void vmv_areas_put(struct rb_root *root)
{
	struct vmv_area *a, *n;

	rbtree_postorder_for_each_entry_safe(a, n, root, rb) {
		vmv_uncount(VMV_STAT_AREAS);
		vmv_rec_put(VMV_REC_AREA, a);
	}
	*root = RB_ROOT;
}

/* What an adopted run [.., a_end) keeps past end, as a record of its own. */
static void vmv_keep_tail(struct vmv_block *b, const struct vmv_area *a,
			  unsigned long end)
{
	unsigned long a_end = vmv_area_end(a);

	if (a_end > end) {
		u32 left = (a_end - end) >> PAGE_SHIFT;

		if (vmv_area_set(&b->areas, &b->own, end, left, left, 0,
				 VMV_TYPE_BLOCK, VMV_SRC_ADOPTED, a->merged) < 0)
			b->s.uncertain = true;
	}
}

/* Drops the records of [start, end) in b, trimming an adopted run. */
static void vmv_areas_clear(struct vmv_block *b, unsigned long start,
			    unsigned long end)
{
	struct vmv_area *a, *next;

	/* An adopted run may begin before start and cover it. */
	a = vmv_area_upto(&b->areas, start - 1);
	if (a && a->start < start && vmv_area_end(a) > start) {
		vmv_keep_tail(b, a, end);
		a->reserved = (start - a->start) >> PAGE_SHIFT;
		a->pages = min(a->pages, a->reserved);
	}
	for (a = vmv_area_from(&b->areas, start); a && a->start < end; a = next) {
		next = vmv_area_of(rb_next(&a->rb));
		vmv_keep_tail(b, a, end);
		vmv_area_del(&b->areas, a);
	}
}

/*
 * What events need of a count (1 to VMAP_MAX_ALLOC), loaded from a table
 * where working it out took about ten instructions an event: the pages
 * vb_alloc() reserves for it, the next power of two (1 << get_order(count
 * << PAGE_SHIFT) in its terms), and the bitmap mask of as many pages.
 */
struct vmv_run {
	unsigned long mask;
	unsigned int pages;
};

static struct vmv_run vmv_runs[VMV_MAX_ALLOC] __ro_after_init;

static void vmv_runs_init(void)
{
	unsigned int i;

	for (i = 0; i < VMV_MAX_ALLOC; i++) {
		vmv_runs[i].pages = roundup_pow_of_two(i + 1);
		vmv_runs[i].mask = GENMASK(vmv_runs[i].pages - 1, 0);
	}
}

/*
 * count: 1 to VMAP_MAX_ALLOC, at index count - 1. The modulo only says so
 * to the compiler, which then needs no bounds check (UBSAN_BOUNDS).
 */
static __always_inline const struct vmv_run *vmv_run_of(unsigned int count)
{
	return &vmv_runs[(count - 1) % VMV_MAX_ALLOC];
}

/*
 * The bitmap work of one event, inline: a run is at most VMAP_MAX_ALLOC
 * (BITS_PER_LONG) pages, so it touches one word or two. The kernel's
 * bitmap_set()/bitmap_clear() are calls that loop for any length; on the
 * probe path they were a tenth of vmapview's cost per event.
 *
 * bit + pages > BITS_PER_LONG only where bit is not 0: the shift is in
 * range.
 */
static __always_inline void vmv_run_set(unsigned long *map, unsigned int off,
					const struct vmv_run *r)
{
	unsigned long *w = map + BIT_WORD(off);
	unsigned int bit = off % BITS_PER_LONG;

	w[0] |= r->mask << bit;
	if (bit + r->pages > BITS_PER_LONG)
		w[1] |= r->mask >> (BITS_PER_LONG - bit);
}

static __always_inline void vmv_run_clear(unsigned long *map, unsigned int off,
					  const struct vmv_run *r)
{
	unsigned long *w = map + BIT_WORD(off);
	unsigned int bit = off % BITS_PER_LONG;

	w[0] &= ~(r->mask << bit);
	if (bit + r->pages > BITS_PER_LONG)
		w[1] &= ~(r->mask >> (BITS_PER_LONG - bit));
}

/* bitmap_full() of a block's map, inline: a free word ends it early. */
static __always_inline bool vmv_map_full(const unsigned long *map)
{
	unsigned int i;

	BUILD_BUG_ON(VMV_BLOCK_PAGES % BITS_PER_LONG);
	for (i = 0; i < BITS_TO_LONGS(VMV_BLOCK_PAGES); i++)
		if (~map[i])
			return false;
	return true;
}

/* --- blocks --- */

/*
 * Blocks are size-aligned and contiguous, so the low bits of their number
 * spread them as well as the kernel's addr_to_vb_idx() would, without its
 * load of VMALLOC_START (KASLR's vmalloc_base).
 */
static struct hlist_head *vmv_bucket(unsigned long start)
{
	return &vmv_block_hash[(start / VMV_BLOCK_SIZE) & ((1 << VMV_HASH_BITS) - 1)];
}

/*
 * Under rcu_read_lock() (or preemption off) or vmv_blocks_lock. The usual
 * events take the first block at start, dead or not (first_any), and test
 * dead under its lock: a dead block stays in the hash only until its
 * retirement unlinks it, behind any newer one (hlist_add_head_rcu()).
 */
static __always_inline struct vmv_block *vmv_block_lookup(unsigned long start,
							  bool first_any)
{
	struct vmv_block *b;

	hlist_for_each_entry_rcu(b, vmv_bucket(start), hash,
				 lockdep_is_held(&vmv_blocks_lock))
		if (b->s.start == start && (first_any || !READ_ONCE(b->dead)))
			return b;
	return NULL;
}

static bool vmv_block_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct vmv_block, order)->s.start <
	       rb_entry(b, struct vmv_block, order)->s.start;
}

/* The first block at or after addr, under vmv_blocks_lock. */
struct vmv_block *vmv_block_from(unsigned long addr)
{
	struct rb_node *rb = vmv_block_order.rb_node;
	struct vmv_block *best = NULL;

	lockdep_assert_held(&vmv_blocks_lock);
	while (rb) {
		struct vmv_block *b = rb_entry(rb, struct vmv_block, order);

		if (b->s.start >= addr) {
			best = b;
			rb = rb->rb_left;
		} else {
			rb = rb->rb_right;
		}
	}
	return best;
}

/* Called with no raw lock held, as an RCU reader (vmv_block_get()). */
static noinline struct vmv_block *
vmv_block_create(unsigned long start, u8 src, bool *created)
{
	struct vmv_block *b, *old;

	vmv_rec_reserve(VMV_REC_BLOCK, 1);
	b = vmv_rec_get(VMV_REC_BLOCK);
	if (!b)
		return NULL;
	memset(b, 0, sizeof(*b));
	raw_spin_lock_init(&b->lock);
	b->s.start = start;
	b->s.dirty_min = VMV_BLOCK_PAGES;
	b->s.cpu = -1;
	b->s.src = src;
	b->areas = RB_ROOT;
	RB_CLEAR_NODE(&b->own.rb);
	b->dirty_gen = atomic_long_read(&vmv_aliases_gen);
	b->synced_gen = atomic_long_read(&vmv_lost_gen);

	raw_spin_lock(&vmv_blocks_lock);
	old = vmv_block_lookup(start, false);
	if (!old) {
		hlist_add_head_rcu(&b->hash, vmv_bucket(start));
		rb_add(&b->order, &vmv_block_order, vmv_block_less);
		vmv_nr_blocks++;
	}
	raw_spin_unlock(&vmv_blocks_lock);
	if (old) {
		vmv_rec_put(VMV_REC_BLOCK, b);	/* never published */
		return old;
	}
	*created = true;
	return b;
}

/*
 * The live block at start, locked; with create, made (from src) when the
 * mirror lacks it, and *created says so. The caller holds rcu_read_lock()
 * or runs with preemption off (RCU's readers since 4.20's flavour
 * consolidation). Inline into the probe paths, where it is a tenth of the
 * cost per event.
 */
static __always_inline struct vmv_block *
__vmv_block_get(unsigned long start, bool create, u8 src, bool *created)
{
	struct vmv_block *b;
	unsigned int tries;

	*created = false;
	for (tries = 0; tries < 3; tries++) {
		b = vmv_block_lookup(start, false);
		if (!b && create)
			b = vmv_block_create(start, src, created);
		if (!b)
			return NULL;
		raw_spin_lock(&b->lock);
		if (!b->dead)
			return b;
		raw_spin_unlock(&b->lock);
	}
	return NULL;
}

struct vmv_block *vmv_block_get(unsigned long start, bool create, u8 src,
				bool *created)
{
	return __vmv_block_get(start, create, src, created);
}

/*
 * Probe handlers run with preemption off (kprobes' ftrace and int3 paths,
 * rethook_trampoline_handler() from 5.18, the kretprobe hash lock before),
 * which since 4.20 is an RCU read-side section: they take no
 * rcu_read_lock() of their own, a call and a check saved per event.
 */
static __always_inline void vmv_probe_context(void)
{
	RCU_LOCKDEP_WARN(preemptible(), "vmapview: event outside probe context");
}

/*
 * Brings a block up to the generations: the dirty-range reset of every
 * _vm_unmap_aliases() call that began after the block's last unmap and
 * has ended (6.5+: the kernel resets the range of the blocks it does not
 * purge that have dirty pages and are not all dirty), and the losses since
 * its last resync. Under b->lock wherever a block is read or changed;
 * settling twice changes nothing.
 *
 * An event needs only the first, before it widens the range: what a loss
 * makes uncertain matters to readers and the resync alone, which settle
 * the block under its lock before they look at it. So the usual events
 * leave it to them.
 */
static __always_inline void vmv_block_settle_resets(struct vmv_block *b)
{
	lockdep_assert_held(&b->lock);
	if (VMV_ALIASES_RESET_DIRTY && !vmv_walk_resets && b->s.dirty_max &&
	    b->dirty_gen < atomic_long_read(&vmv_aliases_done) &&
	    !vmv_map_full(b->s.dirty)) {
		b->s.dirty_min = VMV_BLOCK_PAGES;
		b->s.dirty_max = 0;
	}
}

static __always_inline void __vmv_block_settle(struct vmv_block *b)
{
	vmv_block_settle_resets(b);
	if (b->synced_gen < atomic_long_read(&vmv_lost_gen))
		b->s.uncertain = true;
}

void vmv_block_settle(struct vmv_block *b)
{
	__vmv_block_settle(b);
}

/*
 * Under b->lock: takes b's records away, for the caller to give back
 * (vmv_areas_put()) once it has unlocked: O(1) but for the block's own
 * record, which stays with the block (one erase).
 */
struct rb_root vmv_block_take_areas(struct vmv_block *b)
{
	struct rb_root areas;

	if (!RB_EMPTY_NODE(&b->own.rb))
		vmv_area_del(&b->areas, &b->own);
	areas = b->areas;
	b->areas = RB_ROOT;
	return areas;
}

static void vmv_block_free_rcu(struct rcu_head *head)
{
	vmv_rec_put_any(VMV_REC_BLOCK, container_of(head, struct vmv_block, rcu));
}

/*
 * Under b->lock, which it drops: marks b dead, gives its records back (at
 * most one per page of a block, no longer under the lock) and unlinks it;
 * lookups under RCU may still hold it. Out of line: not the usual event's.
 */
static noinline void vmv_block_retire(struct vmv_block *b)
{
	struct rb_root areas;

	/* Lookups read it under RCU alone (vmv_block_lookup()). */
	WRITE_ONCE(b->dead, true);
	areas = vmv_block_take_areas(b);
	raw_spin_unlock(&b->lock);
	vmv_areas_put(&areas);

	raw_spin_lock(&vmv_blocks_lock);
	hlist_del_rcu(&b->hash);
	rb_erase(&b->order, &vmv_block_order);
	vmv_nr_blocks--;
	raw_spin_unlock(&vmv_blocks_lock);
	vmv_count(VMV_STAT_BLOCKS_FREED);
	call_rcu(&b->rcu, vmv_block_free_rcu);
}

/*
 * The records of the usual pattern, a map unmapped before the block's next
 * one, inline: the block's own record as the only node of its tree. The
 * general functions above find, link and unlink it as well.
 */
static __always_inline void vmv_own_add(struct vmv_block *b, unsigned long start,
					u32 pages, u32 reserved,
					unsigned long caller)
{
	vmv_area_fill(&b->own, pages, reserved, caller, VMV_TYPE_BLOCK,
		      VMV_SRC_PROBE, false);
	vmv_area_link(&b->areas, &b->own, start, true, NULL, &b->areas.rb_node);
}

/*
 * Whether b's only record is its own, for the allocation [start, +n). An
 * adopted run (merged) that is exactly the allocation goes with it, as
 * vmv_areas_clear() would drop it.
 */
static __always_inline bool vmv_own_alone(const struct vmv_block *b,
					  unsigned long start, u32 n)
{
	const struct vmv_area *a = &b->own;

	return b->areas.rb_node == &a->rb && !a->rb.rb_left && !a->rb.rb_right &&
	       a->start == start && a->reserved == n;
}

/* vmv_area_del() of the block's own record as its tree's only node. */
static __always_inline void vmv_own_del(struct vmv_block *b)
{
	b->areas = RB_ROOT;
	RB_CLEAR_NODE(&b->own.rb);
	vmv_uncount(VMV_STAT_AREAS);
}

/* What a map of r at off does to b's bitmaps and cursor, under b->lock. */
static __always_inline void vmv_block_mapped(struct vmv_block *b,
					     unsigned int off,
					     const struct vmv_run *r)
{
	vmv_run_set(b->s.used, off, r);
	vmv_run_clear(b->s.dirty, off, r);
	b->s.cursor = max_t(unsigned int, b->s.cursor, off + r->pages);
	b->seq++;
}

/*
 * What an unmap of r at off does, under b->lock, once the cursor is past
 * it. Returns whether b is now dead: vb_free() frees a block whose pages
 * are all dirty, which needs them all handed out first. Missed here, the
 * free_vmap_block() probe retires it.
 */
static __always_inline bool vmv_block_unmapped(struct vmv_block *b,
					       unsigned int off,
					       const struct vmv_run *r)
{
	vmv_run_clear(b->s.used, off, r);
	vmv_run_set(b->s.dirty, off, r);
	b->s.dirty_min = min_t(unsigned int, b->s.dirty_min, off);
	b->s.dirty_max = max_t(unsigned int, b->s.dirty_max, off + r->pages);
	if (VMV_ALIASES_RESET_DIRTY)
		b->dirty_gen = atomic_long_read(&vmv_aliases_gen);
	b->seq++;
	return b->s.cursor == VMV_BLOCK_PAGES && vmv_map_full(b->s.dirty);
}

/* --- events, from probe context --- */

void vmv_lost_event(enum vmv_stat why)
{
	vmv_count(VMV_STAT_LOST_EVENTS);
	vmv_count(why);
	WRITE_ONCE(vmv_need_resync, true);
	vmv_lost_cb();
}

/* Not a loss: a block needs another look (mirror_sync.c). */
void vmv_resync_again(void)
{
	WRITE_ONCE(vmv_need_resync, true);
	vmv_lost_cb();
}

/*
 * A probe missed hits: which blocks and areas they touched is unknown, so
 * all are uncertain until the resync. A new generation says so, in O(1):
 * blocks learn it when next settled.
 */
void vmv_lost_track(void)
{
	atomic_long_inc(&vmv_lost_gen);
	WRITE_ONCE(vmv_need_large, true);
	vmv_lost_event(VMV_LOST_MISSED_PROBE);
}

static void vmv_large_map(unsigned long addr, unsigned int count,
			  unsigned long caller)
{
	struct vmv_area *a;
	int ret;

	vmv_rec_reserve(VMV_REC_AREA, 1);
	raw_spin_lock(&vmv_large_lock);
	vmv_large_seq++;
	/* An adopted record here is replaced: the probe's is exact. */
	a = vmv_area_find(&vmv_large, addr);
	if (a)
		vmv_large_filter(a, -1);
	ret = vmv_area_set(&vmv_large, NULL, addr, count, count, caller,
			   VMV_TYPE_AREA, VMV_SRC_PROBE, false);
	if (ret > 0)
		vmv_nr_large++;
	raw_spin_unlock(&vmv_large_lock);
	if (ret < 0) {
		WRITE_ONCE(vmv_need_large, true);
		vmv_lost_event(VMV_LOST_MAP_RECORD);
	}
}

/*
 * Every map vmv_map_usual() does not take: a large area, a block the
 * mirror lacks, a block with records already. Returns true when it made a
 * new block record (its CPU is unknown).
 */
bool vmv_on_map(unsigned long addr, unsigned int count, unsigned long caller)
{
	unsigned long bstart = vmv_block_start(addr);
	unsigned int off = (addr - bstart) >> PAGE_SHIFT;
	const struct vmv_run *r;
	struct vmv_block *b;
	bool created;
	int lost = -1;		/* a VMV_LOST_* counter when set */
	u32 n;

	vmv_count(VMV_STAT_MAPS);
	vmv_probe_context();
	if (count > VMV_MAX_ALLOC) {
		vmv_large_map(addr, count, caller);
		return false;
	}
	r = vmv_run_of(count);
	n = r->pages;
	/* Never true for the kernel's blocks; bounds the bitmaps. */
	if (unlikely(off + n > VMV_BLOCK_PAGES)) {
		vmv_lost_event(VMV_LOST_BAD_EVENT);
		return false;
	}
	/* A tail kept of a trimmed adopted run, and the new record. */
	vmv_rec_reserve(VMV_REC_AREA, 2);
	/*
	 * A block the mirror lacks: new, or its first map is still being
	 * reported. Events are reported when vm_map_ram() returns, so with
	 * preemption (7.x's lazy preemption, PREEMPT_RT) a later map of another
	 * task in the same new block may be reported first; the earlier one
	 * fills its pages in when it returns. A block that existed before the
	 * load is known once adoption ends, so only a pending resync (after a
	 * loss counted where it happened) leaves it unsure.
	 */
	b = __vmv_block_get(bstart, true, VMV_SRC_PROBE, &created);
	if (!b) {
		vmv_lost_event(VMV_LOST_MAP_RECORD);
		return false;
	}
	if (created && off &&
	    (READ_ONCE(vmv_adopting) || READ_ONCE(vmv_need_resync)))
		b->s.uncertain = true;
	__vmv_block_settle(b);
	vmv_block_mapped(b, off, r);
	if (RB_EMPTY_ROOT(&b->areas)) {
		vmv_own_add(b, addr, count, n, caller);
	} else {
		/*
		 * A record overlapping the new allocation is stale: an adopted
		 * run taken while this allocation was being mapped, or one
		 * whose unmap went unseen. Trimmed, so that records never
		 * overlap.
		 */
		vmv_areas_clear(b, addr, addr + ((unsigned long)n << PAGE_SHIFT));
		if (vmv_area_set(&b->areas, &b->own, addr, count, n, caller,
				 VMV_TYPE_BLOCK, VMV_SRC_PROBE, false) < 0) {
			/* The resync gives the run an adopted record. */
			b->s.uncertain = true;
			lost = VMV_LOST_MAP_RECORD;
		}
	}
	raw_spin_unlock(&b->lock);
	if (lost >= 0)
		vmv_lost_event(lost);
	return created;
}

/*
 * What the usual map and unmap both do first: for a block-sized count (not
 * 0), the first block the mirror has at addr's start, locked; the caller
 * tests it (dead included) under the lock. NULL, with nothing taken, for
 * anything else.
 */
static __always_inline struct vmv_block *vmv_usual_lock(unsigned long addr,
							unsigned int count)
{
	struct vmv_block *b;

	vmv_probe_context();
	if (unlikely(count - 1 >= VMV_MAX_ALLOC))
		return NULL;
	b = vmv_block_lookup(vmv_block_start(addr), true);
	if (likely(b))
		raw_spin_lock(&b->lock);
	return b;
}

/*
 * The usual map, into a block the mirror has whose earlier allocations
 * were all unmapped: inline and with nothing to spare. It needs no record
 * from the pool (the block's own one) and makes no block. It changes
 * nothing before it knows it is that case, and returns false for any
 * other, a failed map (addr 0) too, which goes to vmv_on_map().
 */
bool vmv_map_usual(unsigned long addr, unsigned int count, unsigned long caller)
{
	const struct vmv_run *r;
	struct vmv_block *b;
	unsigned int off;

	b = vmv_usual_lock(addr, count);
	if (unlikely(!b))
		return false;
	/* Worked out under the lock: fewer values kept across its call. */
	off = (addr - b->s.start) >> PAGE_SHIFT;
	r = vmv_run_of(count);
	if (unlikely(b->dead || off + r->pages > VMV_BLOCK_PAGES ||
		     !RB_EMPTY_ROOT(&b->areas))) {
		raw_spin_unlock(&b->lock);
		return false;
	}
	vmv_count(VMV_STAT_MAPS);
	vmv_block_settle_resets(b);
	vmv_block_mapped(b, off, r);
	vmv_own_add(b, addr, count, r->pages, caller);
	raw_spin_unlock(&b->lock);
	return true;
}

static void vmv_large_unmap(unsigned long addr, bool map_failed)
{
	struct vmv_area *a;
	bool found;

	raw_spin_lock(&vmv_large_lock);
	vmv_large_seq++;
	a = vmv_area_find(&vmv_large, addr);
	found = a;
	if (a) {
		vmv_large_filter(a, -1);
		vmv_area_del(&vmv_large, a);
		vmv_nr_large--;
	}
	raw_spin_unlock(&vmv_large_lock);
	/* A failed vm_map_ram() unmaps an area it never returned. */
	if (!found && !map_failed && !READ_ONCE(vmv_adopting)) {
		WRITE_ONCE(vmv_need_large, true);
		vmv_lost_event(VMV_LOST_UNMAP_AREA);
	}
}

/*
 * Every unmap vmv_unmap_usual() does not take. map_failed: vm_map_ram()
 * unmaps what it allocated when it cannot map the pages (vmap_pages_range()
 * failed), before returning NULL: its return probe reports nothing, so the
 * block may be one the mirror has not been told of (new, as vmv_on_map()
 * finds it) and the allocation has no record. Returns true when that made
 * a new block record (its CPU is unknown).
 */
bool vmv_on_unmap(unsigned long addr, unsigned int count, bool map_failed)
{
	unsigned long bstart = vmv_block_start(addr);
	unsigned int off = (addr - bstart) >> PAGE_SHIFT;
	bool adopting = READ_ONCE(vmv_adopting);
	const struct vmv_run *r;
	struct vmv_block *b;
	struct vmv_area *a;
	bool created;
	u32 n;

	vmv_count(VMV_STAT_UNMAPS);
	vmv_probe_context();
	if (count > VMV_MAX_ALLOC) {
		vmv_large_unmap(addr, map_failed);
		return false;
	}
	r = vmv_run_of(count);
	n = r->pages;
	if (unlikely(off + n > VMV_BLOCK_PAGES)) {
		vmv_lost_event(VMV_LOST_BAD_EVENT);
		return false;
	}
	/* The tail kept of an adopted run the unmap cuts. */
	vmv_rec_reserve(VMV_REC_AREA, 1);
	/*
	 * During adoption a block not adopted yet gets its record here, so
	 * that the unmap is kept: the probe fires before vb_free() clears the
	 * kernel's used_map and PTEs, and the snapshot that follows must not
	 * take the pages for used.
	 */
	b = __vmv_block_get(bstart, adopting || map_failed,
			    adopting ? VMV_SRC_ADOPTED : VMV_SRC_PROBE, &created);
	if (!b) {
		vmv_lost_event(adopting || map_failed ? VMV_LOST_MAP_RECORD :
			       VMV_LOST_UNMAP_BLOCK);
		return false;
	}
	/* As in vmv_on_map(): what else the new record lacks is unknown. */
	if (created && (adopting || (off && READ_ONCE(vmv_need_resync))))
		b->s.uncertain = true;
	if (vmv_own_alone(b, addr, n)) {
		vmv_own_del(b);
	} else {
		a = vmv_area_find(&b->areas, addr);
		if (a && a->reserved == n && !a->merged)
			vmv_area_del(&b->areas, a);
		else
			vmv_areas_clear(b, addr, addr + ((unsigned long)n << PAGE_SHIFT));
	}
	__vmv_block_settle(b);
	/* Where the map went unseen, the unmap shows the pages handed out. */
	b->s.cursor = max_t(unsigned int, b->s.cursor, off + n);
	if (vmv_block_unmapped(b, off, r)) {
		vmv_block_retire(b);
		return false;
	}
	raw_spin_unlock(&b->lock);
	return created;
}

/*
 * The usual unmap, as vmv_map_usual() does the usual map: of a block the
 * mirror has, whose only record is this allocation's, its own one. False
 * for any other, which goes to vmv_on_unmap().
 */
bool vmv_unmap_usual(unsigned long addr, unsigned int count)
{
	const struct vmv_run *r;
	struct vmv_block *b;
	unsigned int off;

	b = vmv_usual_lock(addr, count);
	if (unlikely(!b))
		return false;
	off = (addr - b->s.start) >> PAGE_SHIFT;
	r = vmv_run_of(count);
	if (unlikely(b->dead || off + r->pages > VMV_BLOCK_PAGES ||
		     !vmv_own_alone(b, addr, r->pages))) {
		raw_spin_unlock(&b->lock);
		return false;
	}
	vmv_count(VMV_STAT_UNMAPS);
	vmv_own_del(b);
	vmv_block_settle_resets(b);
	/*
	 * Its map was seen (its record): the cursor is past it. Every
	 * record ends at or before the cursor: maps raise it before they
	 * link one, and a resync sets it from the snapshot its runs come
	 * from.
	 */
	if (vmv_block_unmapped(b, off, r))
		vmv_block_retire(b);
	else
		raw_spin_unlock(&b->lock);
	return true;
}

#if VMV_LARGE_MAY_GO_STALE
/*
 * The kernel frees the vmap_area at start (free_vmap_area_noflush()), on
 * every vfree() and vunmap(): O(1), without a lock. Only an adopted
 * large-area record can outlive its area (a probe's goes with its unmap,
 * before), so only a start the filter holds asks for a rescan of the large
 * areas, which drops the records whose area the kernel no longer has;
 * readers run it before they read. Should the address be reused first, a
 * large vm_map_ram() area's map replaces the record at its start, and a
 * vmalloc area has its vm_struct by the rescan's second look. Not a loss:
 * counted as va_free_rescans.
 */
void vmv_on_va_free(unsigned long start)
{
	if (likely(!atomic_read(vmv_large_bucket(start))))
		return;
	vmv_count(VMV_STAT_VA_FREE_RESCANS);
	WRITE_ONCE(vmv_need_large, true);
	vmv_lost_cb();
}
#endif

/* free_vmap_block(): usually the unmap that dirtied the last page retired it. */
void vmv_on_block_free(unsigned long start)
{
	struct vmv_block *b;
	bool created;

	rcu_read_lock();
	b = vmv_block_get(start, false, 0, &created);
	if (b)
		vmv_block_retire(b);
	rcu_read_unlock();
}

/*
 * 6.5+: _vm_unmap_aliases() resets the dirty range of every block it does
 * not purge that has dirty pages and is not all dirty. Blocks unmapped into
 * since the call began may have been reset before that unmap: theirs stays.
 */
unsigned long vmv_aliases_begin(void)
{
	return atomic_long_inc_return(&vmv_aliases_gen);
}

/* The call that began as gen has ended: blocks settle to it (lazily). */
void vmv_aliases_end(unsigned long gen)
{
	long done = atomic_long_read(&vmv_aliases_done), seen;

	atomic_long_inc(&vmv_aliases_ended);
	while (done < (long)gen) {
		seen = atomic_long_cmpxchg(&vmv_aliases_done, done, gen);
		if (seen == done)
			break;
		done = seen;
	}
}

void vmv_set_walk_resets(bool on)
{
	WRITE_ONCE(vmv_walk_resets, on);
}

/*
 * 6.5+, from the probe on purge_fragmented_block(): _vm_unmap_aliases()
 * is about to reset the dirty range of the block at start, under the
 * kernel's vb->lock, which vb_free() takes to widen the range. Every unmap
 * the kernel has applied by then (kdirty dirty pages) goes with the reset;
 * one the mirror recorded at vm_unmap_ram()'s entry that vb_free() has not
 * yet applied widens the range after it, by pages the mirror cannot tell
 * from the others. So the mirror resets when it counts as many dirty pages
 * as the kernel, and otherwise marks the block uncertain, for the resync
 * to take the kernel's range. Probe context, under vb->lock: O(1).
 */
void vmv_on_walk_reset(unsigned long start, unsigned long kdirty)
{
	struct vmv_block *b;
	unsigned long dirty;
	bool created;

	vmv_probe_context();
	b = __vmv_block_get(start, false, 0, &created);
	if (!b)
		return;
	__vmv_block_settle(b);
	dirty = bitmap_weight(b->s.dirty, VMV_BLOCK_PAGES);
	if (dirty == kdirty) {
		b->s.dirty_min = VMV_BLOCK_PAGES;
		b->s.dirty_max = 0;
	} else {
		b->s.uncertain = true;
	}
	b->seq++;
	raw_spin_unlock(&b->lock);
	if (dirty != kdirty) {
		/* More: an unmap in flight. Fewer: one the mirror lacks. */
		if (dirty > kdirty)
			vmv_count(VMV_STAT_ALIAS_OVERLAPS);
		vmv_resync_again();
	}
}

/*
 * 6.5+, where purge_fragmented_block() cannot be probed (inlined, say):
 * the dirty range an unmap leaves depends on whether a concurrent
 * _vm_unmap_aliases() walks the block before or after vb_free() widens the
 * kernel's range, which the other probes cannot see: the mirror records
 * the unmap at vm_unmap_ram()'s entry, and vb_free() runs later, under
 * vb->lock.
 * When no call was in flight at the entry and none began before the
 * return, every call ended before the unmap or began after vb_free(), and
 * the generations decide right. Otherwise the block is marked uncertain and
 * takes the kernel's range at its resync.
 */
void vmv_unmap_window_open(struct vmv_unmap_window *w)
{
	w->ended = atomic_long_read(&vmv_aliases_ended);
	w->begun = atomic_long_read(&vmv_aliases_gen);
}

void vmv_unmap_window_close(const struct vmv_unmap_window *w, unsigned long addr)
{
	struct vmv_block *b;
	bool created;

	if (w->begun == w->ended && atomic_long_read(&vmv_aliases_gen) == w->begun)
		return;
	vmv_count(VMV_STAT_ALIAS_OVERLAPS);
	rcu_read_lock();
	b = vmv_block_get(vmv_block_start(addr), false, 0, &created);
	if (b) {
		b->s.uncertain = true;
		raw_spin_unlock(&b->lock);
	}
	rcu_read_unlock();
	if (b) {
		WRITE_ONCE(vmv_need_resync, true);
		vmv_lost_cb();
	}
}

void vmv_block_set_cpu(unsigned long start, int cpu)
{
	struct vmv_block *b;
	bool created;

	if (cpu < 0)
		return;
	rcu_read_lock();
	b = vmv_block_get(start, false, 0, &created);
	if (b) {
		b->s.cpu = cpu;
		raw_spin_unlock(&b->lock);
	}
	rcu_read_unlock();
}

/* --- setup --- */

int vmv_mirror_init(void (*lost)(void))
{
	vmv_runs_init();
	vmv_lost_cb = lost;
	/* Until adoption ends, events on what existed before are expected. */
	WRITE_ONCE(vmv_adopting, true);
	/* The pools learn the record sizes here: the pools call nothing of the mirror. */
	return vmv_pools_init(sizeof(struct vmv_block), sizeof(struct vmv_area));
}

/* Probes must be gone: nothing feeds the mirror any more. */
void vmv_mirror_exit(void)
{
	struct rb_node *rb;

	while ((rb = rb_first(&vmv_block_order))) {
		struct vmv_block *b = rb_entry(rb, struct vmv_block, order);

		raw_spin_lock(&b->lock);
		vmv_block_retire(b);
	}
	vmv_areas_put(&vmv_large);
	vmv_nr_large = 0;
	/* The blocks' RCU callbacks give them back to the pools. */
	rcu_barrier();
	vmv_pools_exit();
}
