// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the pages of VM_SPARSE areas (BPF arenas, 6.9+) for mem.
 *
 * An arena's pages come and go while it lives (arena_alloc_pages(),
 * arena_free_pages()): each page is mapped before anyone uses it, and
 * unmapped, the TLB flushed, before it is freed. A reader that pins the
 * page a PTE maps and then finds the PTE still mapping it holds the arena's
 * page, as mem does for vm_map_ram() pages. Not in arena_map_free(): it
 * frees every page while its PTE still maps it, and the area only after,
 * so a page freed there and already reused would pass that check. A
 * kretprobe on arena_map_free() (probes.c) holds the free back until every
 * reader that may have missed it is done, and turns readers away until it
 * returns, by when the area is off the busy lists:
 *
 *   reader                              arena_map_free() entry handler
 *   preempt_disable()                   atomic_inc(&vmv_arena_frees)
 *   atomic_inc(&vmv_sparse_readers)     smp_mb__after_atomic()
 *   smp_mb__after_atomic()              wait while vmv_sparse_readers
 *   vmv_arena_frees? -EAGAIN
 *   walk, pin, walk again
 *   smp_mb__before_atomic()
 *   atomic_dec(&vmv_sparse_readers)
 *
 * One of the two sees the other: the reader backs off, or the handler
 * waits for its pin, which then keeps the page (__free_page() drops only
 * the arena's reference). The handler waits for readers that run with
 * preemption disabled, each a page table walk and a pin: bounded, whatever
 * the number of arenas or pages, and nothing in that section sleeps, also
 * on PREEMPT_RT. The reader holds the area's busy list lock around it
 * (kread.c), so that its page tables stay.
 *
 * In 7.x an arena also maps its scratch page wherever a BPF program
 * faulted on an address it never allocated (compat.h): that page is a
 * hole. kread.c finds it from the arena, looked up among the BPF maps
 * before the pin; the count of frees begun, vmv_arena_gen, says whether
 * that arena may have gone since: a free of it would have begun.
 *
 * A hit the kretprobe misses (no free instance) would let a reader copy
 * freed memory: once it has missed one, sparse areas are not read again
 * (vmv_sparse_readable(), probe.arena_map_free.nmissed in stats).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/preempt.h>

#include "vmapview.h"

#if VMV_MEM_READS_SPARSE
static atomic_t vmv_sparse_readers = ATOMIC_INIT(0);
static atomic_t vmv_arena_frees = ATOMIC_INIT(0);
/* Arena frees begun, ever: an arena found before may since be gone. */
static atomic_t vmv_arena_gen = ATOMIC_INIT(0);

unsigned int vmv_sparse_gen(void)
{
	return atomic_read_acquire(&vmv_arena_gen);
}

int vmv_arena_free_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_inc(&vmv_arena_frees);
	atomic_inc(&vmv_arena_gen);
	/* Pairs with the reader's: one of the two sees the other's count. */
	smp_mb__after_atomic();
	while (atomic_read_acquire(&vmv_sparse_readers))
		cpu_relax();
	return 0;
}

int vmv_arena_free_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	atomic_dec(&vmv_arena_frees);
	return 0;
}

/*
 * The page mapped at addr, in a sparse area whose busy list lock the
 * caller holds: pinned in *pinned, or NULL for a hole. -EAGAIN while an
 * arena is being freed (retry), -EIO when sparse areas are not read.
 * On 7.x, ctx names the area's arena as found when ctx->gen frees had
 * begun: its scratch page is a hole, and -ESTALE says that another free
 * has begun since, after which that arena may be gone and its scratch
 * page anyone's (find it again).
 */
int vmv_sparse_pin_locked(unsigned long addr, struct page **pinned,
			  const struct vmv_sparse_ctx *ctx)
{
	struct vmv_folio *folio = NULL, *drop = NULL;
	struct page *page;
	int ret = 0;

	*pinned = NULL;
	if (!vmv_sparse_readable())
		return -EIO;
	preempt_disable();
	atomic_inc(&vmv_sparse_readers);
	/* Pairs with vmv_arena_free_entry()'s. */
	smp_mb__after_atomic();
	if (atomic_read(&vmv_arena_frees)) {
		vmv_count(VMV_STAT_SPARSE_WAITS);
		ret = -EAGAIN;
		goto out;
	}
	if (VMV_ARENA_SCRATCH && atomic_read(&vmv_arena_gen) != ctx->gen) {
		ret = -ESTALE;
		goto out;
	}
	page = vmv_vmalloc_to_page(addr);
	if (VMV_ARENA_SCRATCH && page == ctx->scratch)
		goto out;
	/* A poisoned page would raise a machine check on the copy. */
	if (!page || !pfn_valid(page_to_pfn(page)) ||
	    PageReserved(page) || PageHWPoison(page))
		goto out;
	folio = vmv_page_folio(page);
	if (!vmv_folio_try_get(folio))
		goto out;
	if (vmv_page_folio(page) == folio && vmv_vmalloc_to_page(addr) == page)
		*pinned = page;
	else
		drop = folio;
out:
	/* Orders the pin before the handler's read of the count. */
	smp_mb__before_atomic();
	atomic_dec(&vmv_sparse_readers);
	preempt_enable();
	/*
	 * Outside the section: dropping the last reference frees the page,
	 * which takes a lock that sleeps on PREEMPT_RT.
	 */
	if (drop)
		vmv_folio_put(drop);
	return ret;
}
#endif
