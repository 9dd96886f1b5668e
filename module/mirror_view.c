// SPDX-License-Identifier: GPL-2.0
/*
 * What the views (debugfs.c, mem.c) read of the mirror: copies made under
 * the locks, one record at a time, formatted without them; and, for
 * vmapview_kcore, a page copied under its record's lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "mirror.h"

/* Copies the first live block at or after from, settled. */
bool vmv_next_block(unsigned long from, struct vmv_block_state *out)
{
	struct vmv_block *b;
	bool found = false;

	raw_spin_lock(&vmv_blocks_lock);
	for (b = vmv_block_from(from); b && !found;
	     b = rb_entry_safe(rb_next(&b->order), struct vmv_block, order)) {
		raw_spin_lock(&b->lock);
		if (!b->dead) {
			vmv_block_settle(b);
			*out = b->s;
			found = true;
		}
		raw_spin_unlock(&b->lock);
	}
	raw_spin_unlock(&vmv_blocks_lock);
	return found;
}

/*
 * Looks in the live block at or after *from for its first record at or
 * after addr; false when there is no block. *from moves past the block.
 */
static bool vmv_block_area_from(unsigned long *from, unsigned long addr,
				struct vmv_area *out, bool *found)
{
	struct vmv_block *b;
	struct vmv_area *a;

	raw_spin_lock(&vmv_blocks_lock);
	b = vmv_block_from(*from);
	if (b) {
		raw_spin_lock(&b->lock);
		a = b->dead ? NULL : vmv_area_from(&b->areas, addr);
		if (a)
			*out = *a;
		*found = a;
		*from = b->s.start + VMV_BLOCK_SIZE;
		raw_spin_unlock(&b->lock);
	}
	raw_spin_unlock(&vmv_blocks_lock);
	return b;
}

/* Copies the first allocation at or after from. */
bool vmv_next_area(unsigned long from, struct vmv_area *out)
{
	unsigned long bfrom = vmv_block_start(from);
	struct vmv_area large, *a;
	bool have_large, found = false;

	raw_spin_lock(&vmv_large_lock);
	a = vmv_area_from(&vmv_large, from);
	if (a)
		large = *a;
	have_large = a;
	raw_spin_unlock(&vmv_large_lock);

	/* Blocks past the large area cannot hold an earlier record. */
	while (!found && (!have_large || bfrom < large.start) &&
	       vmv_block_area_from(&bfrom, from, out, &found))
		cond_resched();
	if (found && (!have_large || out->start < large.start))
		return true;
	if (have_large)
		*out = large;
	return have_large;
}

/*
 * The first range [*start, *end) of used vm_map_ram() pages (slack
 * included) that ends after from, for mem's SEEK_DATA and its reads.
 */
bool vmv_next_data(unsigned long from, unsigned long *start, unsigned long *end)
{
	unsigned long bfrom = vmv_block_start(from), lstart = 0, lend = 0;
	struct vmv_block *b;
	struct vmv_area *a;
	bool found = false;

	raw_spin_lock(&vmv_large_lock);
	a = vmv_area_upto(&vmv_large, from);
	if (!a || vmv_area_end(a) <= from)
		a = vmv_area_from(&vmv_large, from);
	if (a) {
		lstart = max(a->start, from);
		lend = vmv_area_end(a);
	}
	raw_spin_unlock(&vmv_large_lock);

	while (!found && (!lend || bfrom < lstart)) {
		raw_spin_lock(&vmv_blocks_lock);
		b = vmv_block_from(bfrom);
		if (b) {
			unsigned int i, off = 0;

			if (from > b->s.start)
				off = (from - b->s.start) >> PAGE_SHIFT;
			raw_spin_lock(&b->lock);
			i = b->dead ? VMV_BLOCK_PAGES :
			    find_next_bit(b->s.used, VMV_BLOCK_PAGES, off);
			if (i < VMV_BLOCK_PAGES) {
				unsigned int e = find_next_zero_bit(b->s.used,
								    VMV_BLOCK_PAGES, i);

				*start = b->s.start + ((unsigned long)i << PAGE_SHIFT);
				*end = b->s.start + ((unsigned long)e << PAGE_SHIFT);
				found = true;
			}
			raw_spin_unlock(&b->lock);
			bfrom = b->s.start + VMV_BLOCK_SIZE;
		}
		raw_spin_unlock(&vmv_blocks_lock);
		if (!b)
			break;
		cond_resched();
	}
	if (found && (!lend || *start < lstart))
		return true;
	*start = lstart;
	*end = lend;
	return lend;
}

/*
 * Whether the page at addr is used vm_map_ram() memory (slack included),
 * under the lock of its record; with trusted, not in a block that lost an
 * event (uncertain). When it is and copy is set, copy(addr, buf, len) runs
 * under that lock.
 */
static bool vmv_page_used_locked(unsigned long addr, bool trusted, char *buf,
				 size_t len,
				 void (*copy)(unsigned long addr, char *buf, size_t len))
{
	struct vmv_block *b;
	struct vmv_area *a;
	bool used = false, created;

	rcu_read_lock();
	b = vmv_block_get(vmv_block_start(addr), false, 0, &created);
	if (b) {
		if (trusted)
			vmv_block_settle(b);
		used = !(trusted && b->s.uncertain) &&
		       test_bit((addr - b->s.start) >> PAGE_SHIFT, b->s.used);
		if (used && copy)
			copy(addr, buf, len);
		raw_spin_unlock(&b->lock);
	}
	rcu_read_unlock();
	if (b || !READ_ONCE(vmv_nr_large))
		return used;
	raw_spin_lock(&vmv_large_lock);
	a = vmv_area_upto(&vmv_large, addr);
	used = a && addr < vmv_area_end(a);
	if (used && copy)
		copy(addr, buf, len);
	raw_spin_unlock(&vmv_large_lock);
	return used;
}

/*
 * mem's question (it pins the page and asks again, so an uncertain block's
 * bits are enough).
 */
bool vmv_page_used(unsigned long addr)
{
	return vmv_page_used_locked(addr, false, NULL, 0, NULL);
}

/*
 * For vmapview_kcore's reader behind /proc/kcore: calls copy(addr, buf,
 * len) (len bytes at addr, within one page) only while the page at addr is
 * used vm_map_ram() memory, and returns whether it did. The copy runs
 * under the lock of the page's record: the block's b->lock, or
 * vmv_large_lock for a large area. The unmap event (vmv_unmap_usual() or
 * vmv_on_unmap(), at vm_unmap_ram()'s entry) takes that lock before the kernel unmaps
 * anything, and the caller frees the pages only once vm_unmap_ram()
 * returns: a page found used here cannot be unmapped, freed and reused
 * until copy returns. A block that lost an event (uncertain) is not
 * trusted: its pages read as zeros, as the kernel reads them, until a
 * resync. The mirror reads nothing of the kernel: copy, the caller's,
 * finds the page through the page tables. It must be bounded: it runs
 * under a raw spinlock that every map and unmap in the block, and every
 * large-area event, spins on; a page at most is copied per call.
 */
bool vmv_copy_if_used(unsigned long addr, char *buf, size_t len,
		      void (*copy)(unsigned long addr, char *buf, size_t len))
{
	if (WARN_ON_ONCE(offset_in_page(addr) + len > PAGE_SIZE))
		return false;
	return vmv_page_used_locked(addr, true, buf, len, copy);
}
EXPORT_SYMBOL_GPL(vmv_copy_if_used);

/* Whether a large vm_map_ram() area starts at start. */
bool vmv_large_known(unsigned long start)
{
	struct vmv_area *a;
	bool known;

	raw_spin_lock(&vmv_large_lock);
	a = vmv_area_upto(&vmv_large, start);
	known = a && a->start == start;
	raw_spin_unlock(&vmv_large_lock);
	return known;
}
EXPORT_SYMBOL_GPL(vmv_large_known);

void vmv_totals(struct vmv_totals *t)
{
	struct vmv_block_state *s;
	unsigned long from = 0;

	memset(t, 0, sizeof(*t));
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	while (s && vmv_next_block(from, s)) {
		unsigned int used = bitmap_weight(s->used, VMV_BLOCK_PAGES);
		unsigned int dirty = bitmap_weight(s->dirty, VMV_BLOCK_PAGES);

		from = s->start + 1;
		t->blocks++;
		t->used += used;
		t->dirty += dirty;
		t->free += VMV_BLOCK_PAGES - s->cursor;
		t->uncertain += s->uncertain;
		t->degraded += s->degraded;
		/*
		 * What vm_unmap_aliases() purges: free + dirty == all,
		 * dirty != all, and from 6.5 free below the threshold.
		 */
		t->purge_eligible += !used && dirty != VMV_BLOCK_PAGES &&
				     (!VMV_ALIASES_RESET_DIRTY ||
				      VMV_BLOCK_PAGES - s->cursor < VMV_PURGE_THRESHOLD);
		cond_resched();
	}
	kfree(s);
	t->areas = max(vmv_stat_sum(VMV_STAT_AREAS), 0L);
	t->large_areas = READ_ONCE(vmv_nr_large);
	t->memory = vmv_pool_memory();
}

#ifdef VMAPVIEW_TESTING
/* Test builds: records an adopted large area that the kernel lacks. */
int vmv_test_add_area(unsigned long addr, u32 pages)
{
	struct vmv_area *a;
	int added;

	if (!pages || !PAGE_ALIGNED(addr) || pages <= VMV_MAX_ALLOC ||
	    vmv_pool_fill_local(VMV_REC_AREA, 1))
		return -EINVAL;
	vmv_rec_reserve(VMV_REC_AREA, 1);
	raw_spin_lock(&vmv_large_lock);
	/* As a rescan's: a rescan in flight retries, the vfree() probe sees it. */
	vmv_large_seq++;
	a = vmv_area_find(&vmv_large, addr);
	if (a)
		vmv_large_filter(a, -1);
	added = vmv_area_set(&vmv_large, NULL, addr, pages, pages, 0, VMV_TYPE_AREA,
			     VMV_SRC_ADOPTED, false);
	if (added >= 0)
		vmv_large_filter(vmv_area_find(&vmv_large, addr), 1);
	if (added > 0)
		vmv_nr_large++;
	raw_spin_unlock(&vmv_large_lock);
	return added < 0 ? -ENOMEM : 0;
}

/* Test builds: flips the used bit of the page at addr in its block. */
int vmv_test_flip_used(unsigned long addr)
{
	struct vmv_block *b;
	bool created;

	rcu_read_lock();
	b = vmv_block_get(vmv_block_start(addr), false, 0, &created);
	if (b) {
		change_bit((addr - b->s.start) >> PAGE_SHIFT, b->s.used);
		raw_spin_unlock(&b->lock);
	}
	rcu_read_unlock();
	return b ? 0 : -ENOENT;
}
#endif

