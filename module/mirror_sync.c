// SPDX-License-Identifier: GPL-2.0
/*
 * The mirror's side of a resync (resync.c drives it): the generations a
 * snapshot of the kernel reflects, a block's event count before it, and
 * the snapshot applied to the block's record if no event came between;
 * adopted records for runs the mirror has no record of; the large areas
 * made the kernel's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "mirror.h"

bool vmv_mirror_adopting(void)
{
	return READ_ONCE(vmv_adopting);
}

void vmv_mirror_adopted(void)
{
	WRITE_ONCE(vmv_adopting, false);
}

/* Whether a pass has been asked for and not yet taken. */
bool vmv_resync_requested(void)
{
	return READ_ONCE(vmv_need_resync) || READ_ONCE(vmv_need_large);
}

/* Takes the pending request; *large when large areas need a rescan. */
bool vmv_take_resync_request(bool *large)
{
	*large = xchg(&vmv_need_large, false);
	return xchg(&vmv_need_resync, false) || *large;
}

/*
 * What a resync needs before it snapshots the kernel's block at start:
 * the generations (read first: the snapshot reflects them) and the block's
 * event count. -ENOENT when the mirror lacks the block.
 */
int vmv_block_peek(unsigned long start, struct vmv_peek *p)
{
	struct vmv_block *b;
	bool created;

	p->gens.aliases_done = atomic_long_read(&vmv_aliases_done);
	p->gens.lost_gen = atomic_long_read(&vmv_lost_gen);
	p->gens.aliases_ended = atomic_long_read(&vmv_aliases_ended);
	p->gens.aliases_begun = atomic_long_read(&vmv_aliases_gen);
	rcu_read_lock();
	b = vmv_block_get(start, false, 0, &created);
	if (b) {
		vmv_block_settle(b);
		p->seq = b->seq;
		p->fails = b->resync_fails;
		p->resync_at = b->resync_at;
		p->uncertain = b->s.uncertain;
		raw_spin_unlock(&b->lock);
	}
	rcu_read_unlock();
	return b ? 0 : -ENOENT;
}

/*
 * Whether [rs, rs + pages) mapped then [.., rs + len) unmapped is provably
 * one allocation: count pages reserve the next power of two, mapped first;
 * a shorter last allocation with the same slack would leave the rest to
 * fully mapped ones before it.
 */
static bool vmv_run_is_one(unsigned int pages, unsigned int len)
{
	unsigned int gap = len - pages, p2, c;

	if (!pages || len > VMV_MAX_ALLOC || len != roundup_pow_of_two(pages))
		return false;
	if (pages == 1)
		return true;
	if (!gap)
		return false;
	for (p2 = 2; p2 <= VMV_MAX_ALLOC; p2 <<= 1) {
		if (p2 <= gap)
			continue;
		c = p2 - gap;
		if (c < pages && roundup_pow_of_two(c) == p2)
			return false;
	}
	return true;
}

/*
 * Gives every used run of b without a record adopted records. Inside one
 * allocation the mapped pages come first and its unmapped slack last, so
 * an unmapped page followed by a mapped one is a boundary, and no
 * allocation exceeds VMAP_MAX_ALLOC pages. Boundaries neither shows (two
 * fully mapped allocations side by side) are unknown: such records are
 * marked merged rather than guessed.
 */
static int vmv_adopt_runs(struct vmv_block *b, const unsigned long *present)
{
	DECLARE_BITMAP(orphan, VMV_BLOCK_PAGES);
	unsigned int rs, re, s, p_end, e, len, pages;
	struct vmv_area *a;
	int ret = 0;

	bitmap_copy(orphan, b->s.used, VMV_BLOCK_PAGES);
	for (a = vmv_area_from(&b->areas, b->s.start); a; a = vmv_area_of(rb_next(&a->rb))) {
		unsigned int off = (a->start - b->s.start) >> PAGE_SHIFT;

		bitmap_clear(orphan, off, min_t(u32, a->reserved, VMV_BLOCK_PAGES - off));
	}
	for (rs = find_first_bit(orphan, VMV_BLOCK_PAGES); rs < VMV_BLOCK_PAGES;
	     rs = find_next_bit(orphan, VMV_BLOCK_PAGES, re)) {
		re = find_next_zero_bit(orphan, VMV_BLOCK_PAGES, rs);
		for (s = rs; s < re; s = e) {
			/* a segment: mapped pages [s, p_end), then slack to e */
			p_end = min_t(unsigned int, re,
				      find_next_zero_bit(present, VMV_BLOCK_PAGES, s));
			e = min_t(unsigned int, re,
				  find_next_bit(present, VMV_BLOCK_PAGES, p_end));
			for (; s < e; s += len) {
				bool one;

				len = min_t(unsigned int, e - s, VMV_MAX_ALLOC);
				pages = p_end > s ? min(p_end - s, len) : 0;
				one = len == e - s && vmv_run_is_one(pages, len);
				if (vmv_area_set(&b->areas, &b->own,
						 b->s.start + ((unsigned long)s << PAGE_SHIFT),
						 pages, len, 0, VMV_TYPE_BLOCK,
						 VMV_SRC_ADOPTED, !one) < 0)
					ret = -ENOMEM;
			}
		}
	}
	return ret;
}

/*
 * Drops the records of allocations of b that are no longer used, and every
 * adopted record: they are rebuilt from this snapshot. An adopted record
 * holds no more than an earlier snapshot showed, and that may have caught
 * an allocation between vb_alloc() and the mapping of its pages, taking its
 * mapped pages for slack; kept, it would stay wrong once they are mapped.
 */
static void vmv_drop_stale_areas(struct vmv_block *b)
{
	struct vmv_area *a, *next;

	for (a = vmv_area_from(&b->areas, b->s.start); a; a = next) {
		unsigned int off = (a->start - b->s.start) >> PAGE_SHIFT;

		next = vmv_area_of(rb_next(&a->rb));
		if (!test_bit(off, b->s.used) || a->src == VMV_SRC_ADOPTED)
			vmv_area_del(&b->areas, a);
	}
}

/*
 * The used pages of a block whose history is unknown, before 6.3 (no
 * used_map). A vm_map_ram() of count pages reserves the next power of
 * two, and only count have PTEs; the kernel's dirty counter says how many
 * such slack pages there are, and they go after each present run, up to
 * its power of two. Exact unless adjacent allocations merge into one run.
 */
static void __maybe_unused vmv_guess_used(const struct vmv_snap *s,
					  unsigned int cursor, unsigned long *used)
{
	long slack = (long)cursor - (long)s->dirty -
		     (long)bitmap_weight(s->present, VMV_BLOCK_PAGES);
	unsigned int rs, re, ext, next;

	bitmap_copy(used, s->present, VMV_BLOCK_PAGES);
	for (rs = find_first_bit(s->present, VMV_BLOCK_PAGES);
	     rs < VMV_BLOCK_PAGES && slack > 0;
	     rs = find_next_bit(s->present, VMV_BLOCK_PAGES, re)) {
		re = find_next_zero_bit(s->present, VMV_BLOCK_PAGES, rs);
		next = find_next_bit(s->present, VMV_BLOCK_PAGES, re);
		ext = roundup_pow_of_two(re - rs) - (re - rs);
		ext = min3(ext, (unsigned int)slack, min(next, cursor) - re);
		bitmap_set(used, re, ext);
		slack -= ext;
	}
}

/*
 * Applies a snapshot of the kernel's block: 0 when done, -EAGAIN when
 * events hit the block since vmv_block_peek() (existed, seq), -ENOMEM
 * when records ran out. A page the mirror saw unmapped stays dirty: the
 * unmap probe fires before vb_free() clears used_map and the PTEs, and
 * dirtiness only grows in a block's life. Only a block younger than its
 * record (a free that went unseen: fewer pages handed out) starts over.
 */
int vmv_block_apply(const struct vmv_snap *s, const struct vmv_gens *g,
		    bool existed, unsigned int seq)
{
	unsigned int cursor = VMV_BLOCK_PAGES - min_t(unsigned long, s->free,
						      VMV_BLOCK_PAGES);
	DECLARE_BITMAP(used, VMV_BLOCK_PAGES);
	struct rb_root old = RB_ROOT;
	struct vmv_block *b;
	bool created, fresh, unsure = false, inflight = false;
	int ret;

	rcu_read_lock();
	b = vmv_block_get(s->start, !existed, VMV_SRC_ADOPTED, &created);
	if (!b) {
		rcu_read_unlock();
		return existed ? -EAGAIN : -ENOMEM;
	}
	if (created == existed || (existed && b->seq != seq)) {
		ret = -EAGAIN;
		goto out;
	}
	vmv_block_settle(b);
	fresh = !existed || cursor < b->s.cursor;
	if (fresh) {
		/* Given back after the unlock: O(1) here. */
		old = vmv_block_take_areas(b);
		bitmap_zero(b->s.dirty, VMV_BLOCK_PAGES);
	}
#if VMV_HAS_USED_MAP
	bitmap_copy(used, s->used_map, VMV_BLOCK_PAGES);
#else
	if (fresh) {
		vmv_guess_used(s, cursor, used);
	} else {
		/* Tracked used pages (slack included) stay. */
		bitmap_or(used, b->s.used, s->present, VMV_BLOCK_PAGES);
		bitmap_andnot(used, used, b->s.dirty, VMV_BLOCK_PAGES);
		if (bitmap_weight(used, VMV_BLOCK_PAGES) != cursor - s->dirty)
			vmv_guess_used(s, cursor, used);
	}
#endif
	bitmap_andnot(b->s.used, used, b->s.dirty, VMV_BLOCK_PAGES);
	b->s.cursor = cursor;
	bitmap_zero(b->s.dirty, VMV_BLOCK_PAGES);
	bitmap_set(b->s.dirty, 0, cursor);
	bitmap_andnot(b->s.dirty, b->s.dirty, b->s.used, VMV_BLOCK_PAGES);
	b->s.dirty_min = s->dirty_min;
	b->s.dirty_max = s->dirty_max;
	b->dirty_gen = g->aliases_done;
	b->synced_gen = g->lost_gen;
	b->s.uncertain = false;
	b->s.degraded = false;
	b->resync_fails = 0;
	if (fresh)
		b->s.src = VMV_SRC_ADOPTED;
	vmv_block_settle(b);
	/*
	 * Bounded work under the lock, as an event's own: at most one record
	 * per page of the block is dropped or made, from the pool resync.c
	 * filled beforehand (records are never allocated under b->lock).
	 */
	vmv_drop_stale_areas(b);
	ret = vmv_adopt_runs(b, s->present);
	/*
	 * 6.5+: a _vm_unmap_aliases() call in flight at the peek, or begun
	 * since, may have reset the kernel's dirty range before the snapshot
	 * or may do it after: when it ends, vmv_block_settle() cannot tell
	 * whether the range taken here is to be reset. The block stays
	 * uncertain, for a pass after the call (a KASAN kernel's call takes
	 * seconds: alias-overlap caught it).
	 */
	unsure = VMV_ALIASES_RESET_DIRTY &&
		 (g->aliases_begun != g->aliases_ended ||
		  atomic_long_read(&vmv_aliases_gen) != g->aliases_begun);
	/*
	 * 6.5+: an unmap between vb_free()'s clearing of used_map and its
	 * widening of the range (the kernel's dirty count not yet grown)
	 * has its pages dirty here but not in the range read, which a walk
	 * may have reset before it: the range would stay without them. The
	 * block stays uncertain, for a pass after vb_free() (alias-overlap's
	 * aliasrace caught it).
	 */
	inflight = VMV_ALIASES_RESET_DIRTY &&
		   bitmap_weight(b->s.dirty, VMV_BLOCK_PAGES) != s->dirty;
	if (ret || unsure || inflight)
		b->s.uncertain = true;
out:
	raw_spin_unlock(&b->lock);
	rcu_read_unlock();
	vmv_areas_put(&old);
	if (!ret && (unsure || inflight)) {
		vmv_count(unsure ? VMV_STAT_ALIAS_RESYNCS : VMV_STAT_RESYNC_RETRIES);
		vmv_resync_again();
	}
	return ret;
}

/* A resync of the block failed: no retry before retry_at. */
void vmv_block_resync_failed(unsigned long start, unsigned long retry_at,
			     bool give_up)
{
	struct vmv_block *b;
	bool created;

	rcu_read_lock();
	b = vmv_block_get(start, false, 0, &created);
	if (b) {
		b->s.uncertain = true;
		if (b->resync_fails < U8_MAX)
			b->resync_fails++;
		b->resync_at = retry_at;
		b->s.degraded = give_up;
		raw_spin_unlock(&b->lock);
	}
	rcu_read_unlock();
}

/* The kernel no longer has the block at start. */
void vmv_block_drop(unsigned long start)
{
	vmv_on_block_free(start);
}

unsigned int vmv_large_seq_read(void)
{
	unsigned int seq;

	raw_spin_lock(&vmv_large_lock);
	seq = vmv_large_seq;
	raw_spin_unlock(&vmv_large_lock);
	return seq;
}

static bool vmv_area_less(struct rb_node *a, const struct rb_node *b)
{
	return vmv_area_of(a)->start < vmv_area_of((struct rb_node *)b)->start;
}

/* Gives back the records of a tree that the stats no longer count. */
static void vmv_large_put(struct rb_root *root, bool filtered)
{
	struct vmv_area *a, *n;

	rbtree_postorder_for_each_entry_safe(a, n, root, rb) {
		if (filtered)
			vmv_large_filter(a, -1);
		vmv_rec_put(VMV_REC_AREA, a);
	}
	*root = RB_ROOT;
}

/* Whether r[nr] (sorted) holds [start, end) exactly. */
static bool vmv_range_has(const struct vmv_range *r, int nr, unsigned long start,
			  unsigned long end)
{
	int lo = 0, hi = nr;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (r[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nr && r[lo].start == start && r[lo].end == end;
}

/*
 * Makes the large-area records the kernel's r[nr] (sorted), unless a
 * large-area event came since seq: 0, -EAGAIN or -ENOMEM. Task context.
 * Probe handlers take vmv_large_lock on every large map and unmap, so it
 * is never held for more than O(log n) here: the new tree is built outside
 * it, from records made here, each kept record's caller and source copied
 * with one lookup under it; then, under it, the event count is checked and
 * the roots swapped, and the old tree is given back after.
 */
int vmv_large_apply(const struct vmv_range *r, int nr, unsigned int seq)
{
	struct rb_root fresh = RB_ROOT;
	unsigned long built = 0, stale = 0;
	struct vmv_area *a, *n, *old;
	int i, ret = 0;
	bool changed;

	for (i = 0; i < nr; i++) {
		u32 pages = (r[i].end - r[i].start) >> PAGE_SHIFT;

		a = vmv_rec_alloc(VMV_REC_AREA);
		if (!a) {
			ret = -ENOMEM;
			continue;
		}
		a->start = r[i].start;
		a->pages = pages;
		a->reserved = pages;
		a->type = VMV_TYPE_AREA;
		a->src = VMV_SRC_ADOPTED;
		rb_add(&a->rb, &fresh, vmv_area_less);
		built++;
		raw_spin_lock(&vmv_large_lock);
		changed = seq != vmv_large_seq;
		/* A record of the same area keeps what it knows. */
		old = changed ? NULL : vmv_area_find(&vmv_large, r[i].start);
		if (old && old->reserved == pages) {
			a->pages = old->pages;
			a->caller = old->caller;
			a->src = old->src;
		}
		raw_spin_unlock(&vmv_large_lock);
		if (changed) {
			vmv_large_put(&fresh, false);
			return -EAGAIN;
		}
		cond_resched();
	}
	/* Counted before it is published, so that no vfree() goes unseen. */
	rbtree_postorder_for_each_entry_safe(a, n, &fresh, rb)
		vmv_large_filter(a, 1);
	raw_spin_lock(&vmv_large_lock);
	if (seq != vmv_large_seq) {
		raw_spin_unlock(&vmv_large_lock);
		vmv_large_put(&fresh, true);
		return -EAGAIN;
	}
	swap(vmv_large, fresh);
	vmv_count_add(VMV_STAT_AREAS, (long)built - (long)vmv_nr_large);
	vmv_nr_large = built;
	vmv_large_seq++;
	raw_spin_unlock(&vmv_large_lock);
	/* fresh is the old tree now, reachable from nowhere else. */
	rbtree_postorder_for_each_entry_safe(a, n, &fresh, rb)
		stale += a->src == VMV_SRC_ADOPTED &&
			 !vmv_range_has(r, nr, a->start, vmv_area_end(a));
	vmv_count_add(VMV_STAT_STALE_AREAS, stale);
	vmv_large_put(&fresh, true);
	return ret;
}

