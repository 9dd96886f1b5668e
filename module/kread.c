// SPDX-License-Identifier: GPL-2.0
/*
 * The one reader of the kernel's private vmap structures (mm/vmalloc.c's
 * vmap_block, vmap_block_queue, vmap_node, the busy vmap_area lists) and of
 * the kernel page tables. Their layouts are the copies in kernel_vmalloc.h, which
 * layout.c checks against the kernel's BTF before anything here runs.
 *
 * Each structure is read as mm/vmalloc.c itself reads it: a vmap_block under
 * RCU, its counters and vb->va only under vb->lock and only while the block
 * is not dying; busy lists under their own lock, a bounded batch at a time.
 * (kcore_vread.c, in vmapview_kcore, holds copies of the kernel's own
 * reader behind /proc/kcore, which read them as that reader does.)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pgtable.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sort.h>
#include <linux/xarray.h>

#include "kernel_arena.h"
#include "kernel_vmalloc.h"
#include "vmapview.h"

/*
 * vmalloc_to_page() without its WARN_ON_ONCE() on huge mappings: a large
 * vm_map_ram() area may be freed and its addresses reused by a huge
 * vmalloc() while we look, and that must not warn. vm_map_ram() maps
 * single pages only, so a leaf above the PTE level is not ours.
 */
/* The kernel PMD entry that points to a table of PTEs for addr, or NULL. */
static pmd_t *vmv_pte_table(unsigned long addr)
{
	pgd_t *pgd = pgd_offset(vmv_syms.init_mm, addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_leaf(*pud) || pud_bad(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pmd_none(*pmd) || pmd_leaf(*pmd) || pmd_bad(*pmd))
		return NULL;
	return pmd;
}

struct page *vmv_vmalloc_to_page(unsigned long addr)
{
	pmd_t *pmd = vmv_pte_table(addr);
	pte_t pte;

	if (!pmd)
		return NULL;
	pte = READ_ONCE(*pte_offset_kernel(pmd, addr));
	return pte_present(pte) ? pte_page(pte) : NULL;
}
EXPORT_SYMBOL_GPL(vmv_vmalloc_to_page);

/* --- vmap_blocks --- */

/* The kernel's xarray that holds the block at addr (mm/vmalloc.c). */
struct xarray *vmv_kernel_vb_xa(unsigned long addr)
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
EXPORT_SYMBOL_GPL(vmv_kernel_vb_xa);

/*
 * Before the kernel's hash is trusted: a 6.4-6.9 kernel without the
 * CVE-2024-41032 fix places a block by num_possible_cpus(), and where that
 * differs from nr_cpu_ids (possible CPUs with gaps) vmapview would look for
 * live blocks in the wrong xarray and drop them at every resync. Such a
 * kernel is refused rather than misread.
 */
int vmv_kread_check(void)
{
	if (VMV_HAS_PERCPU_VB_XA && !VMV_VB_XA_HASH_FIXED &&
	    num_possible_cpus() != nr_cpu_ids) {
		pr_err("this kernel's vmap_block hash may lack CVE-2024-41032's fix and %u possible CPUs are not 0..%u: refusing to guess\n",
		       num_possible_cpus(), nr_cpu_ids - 1);
		return -ENODEV;
	}
	return 0;
}

/* The kernel's block at addr; the caller holds rcu_read_lock(). */
static struct vmv_kvb *vmv_kernel_vb(unsigned long addr)
{
	return xa_load(vmv_kernel_vb_xa(addr), vmv_vb_idx(addr));
}

/* The n-th of the kernel's block xarrays, NULL past the last. */
struct xarray *vmv_kernel_xa_nth(unsigned int n)
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

bool vmv_kernel_has_block(unsigned long start)
{
	bool has;

	rcu_read_lock();
	has = vmv_kernel_vb(start);
	rcu_read_unlock();
	return has;
}

/*
 * Probe context, from free_vmap_block(vb) and free_vmap_area_noflush(va):
 * the kernel is freeing them, and they stay valid until it returns.
 */
unsigned long vmv_kernel_vb_start(const void *vb)
{
	return ((const struct vmv_kvb *)vb)->va->va_start;
}

unsigned long vmv_kernel_va_start(const struct vmap_area *va)
{
	return va->va_start;
}

#if VMV_ALIASES_RESET_DIRTY
/*
 * Probe context, at purge_fragmented_block(vb, list, false), which
 * _vm_unmap_aliases() calls with vb->lock held (its force_purge argument
 * since 6.5, 77e50af07f14 "mm/vmalloc: dont purge usable blocks
 * unnecessarily"; unchanged to 7.3): whether the call resets the
 * block's dirty range under that lock (it neither purges the block nor
 * finds it without a range or all dirty), as mm/vmalloc.c decides it, with
 * the block's start and its count of dirty pages.
 */
bool vmv_kernel_walk_resets(const void *p, unsigned long *start,
			    unsigned long *dirty)
{
	const struct vmv_kvb *vb = p;
	unsigned long free = READ_ONCE(vb->free), d = READ_ONCE(vb->dirty);

	lockdep_assert_held(&vb->lock);
	*start = vb->va->va_start;
	*dirty = d;
	if (free + d == VMV_BLOCK_PAGES && d != VMV_BLOCK_PAGES &&
	    free < VMV_PURGE_THRESHOLD)
		return false;	/* purged: free_vmap_block() follows */
	return vb->dirty_max && d != VMV_BLOCK_PAGES;
}
#endif

/*
 * Snapshots the first kernel block at index *idx or later of xa, setting
 * *idx to its index: 1 when done, 0 when there is none, -EAGAIN when it is
 * dying (its free event retires it), -EIO when it is not where its index
 * says. RCU keeps vb alive, not vb->va: once dirty reaches every page,
 * vb_free() calls free_vmap_block(), which frees the va. Like the kernel
 * (vb_alloc(), _vm_unmap_aliases()), vb->va is read only after checking
 * dirty under vb->lock.
 */
int vmv_kernel_snap_next(struct xarray *xa, unsigned long *idx, struct vmv_snap *s)
{
	unsigned long start, size;
	unsigned int i, cursor;
	struct vmv_kvb *vb;

	rcu_read_lock();
	vb = xa_find(xa, idx, ULONG_MAX, XA_PRESENT);
	if (!vb) {
		rcu_read_unlock();
		return 0;
	}
	/* The block's start follows from its index, not from vb->va. */
	start = vmv_vb_start(*idx);
	spin_lock(&vb->lock);
	if (vb->dirty >= VMV_BLOCK_PAGES) {
		spin_unlock(&vb->lock);
		rcu_read_unlock();
		return -EAGAIN;
	}
	s->start = vb->va->va_start;
	size = vb->va->va_end - vb->va->va_start;
	s->free = vb->free;
	s->dirty = vb->dirty;
	s->dirty_min = vb->dirty_min;
	s->dirty_max = vb->dirty_max;
#if VMV_HAS_USED_MAP
	bitmap_copy(s->used_map, vb->used_map, VMV_BLOCK_PAGES);
#endif
	spin_unlock(&vb->lock);
	rcu_read_unlock();

	if (s->start != start || size != VMV_BLOCK_SIZE) {
		pr_err("vmap_block at 0x%lx spans %lu bytes at index %lu, not %lu at 0x%lx: unknown geometry\n",
		       s->start, size, *idx, VMV_BLOCK_SIZE, start);
		return -EIO;
	}
	bitmap_zero(s->present, VMV_BLOCK_PAGES);
	cursor = VMV_BLOCK_PAGES - min_t(unsigned long, s->free, VMV_BLOCK_PAGES);
	for (i = 0; i < cursor; i++)
		if (vmv_vmalloc_to_page(start + i * PAGE_SIZE))
			__set_bit(i, s->present);
	return 1;
}

/* Whether xa holds a block at index *idx or later; *idx becomes its index. */
bool vmv_kernel_next_index(struct xarray *xa, unsigned long *idx)
{
	bool found;

	rcu_read_lock();
	found = xa_find(xa, idx, ULONG_MAX, XA_PRESENT);
	rcu_read_unlock();
	return found;
}

/* Entries of a vmap_block_queue's free list looked at, at most. */
#define VMV_CPU_WALK_MAX	4096

/*
 * The CPU that owns the block, or -1 when it cannot be known. quick, in
 * probe context, just after the block was made: O(1).
 */
int vmv_kernel_block_cpu(unsigned long start, bool quick)
{
	struct vmv_kvb *vb;
	int found = -1;
#if !VMV_HAS_VB_CPU
	unsigned int seen = 0;
	struct vmv_kvbq *q;
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
	/*
	 * Before 6.10: the CPU whose vmap_block_queue lists it, if any.
	 * new_vmap_block() adds a block at the tail of its CPU's list; a
	 * probe compares that tail's address only, never dereferencing it.
	 */
	if (quick) {
		cpu = raw_smp_processor_id();
		q = per_cpu_ptr(vmv_syms.vmap_block_queue, cpu);
		if (READ_ONCE(q->free.prev) == &vb->free_list)
			found = cpu;
		goto out;
	}
	for_each_possible_cpu(cpu) {
		q = per_cpu_ptr(vmv_syms.vmap_block_queue, cpu);
		list_for_each_entry_rcu(it, &q->free, free_list) {
			if (it == vb) {
				found = cpu;
				goto out;
			}
			if (++seen >= VMV_CPU_WALK_MAX)
				goto out;
		}
	}
#endif
out:
	rcu_read_unlock();
	return found;
}

/* --- busy vmap_areas --- */

#if !VMV_HAS_USED_MAP
/*
 * Whether busy area va is a vmap_block's; under the busy list's lock and
 * RCU. Only the pointer is compared: the block may be dying, its va not.
 */
bool vmv_kernel_is_block_va(struct vmap_area *va)
{
	struct vmv_kvb *vb;

	if (va->va_end - va->va_start != VMV_BLOCK_SIZE)
		return false;
	vb = vmv_kernel_vb(va->va_start);
	return vb && READ_ONCE(vb->va) == va;
}
EXPORT_SYMBOL_GPL(vmv_kernel_is_block_va);
#endif

/* Whether a busy area is a large vm_map_ram() area. */
static bool vmv_is_large_ram_va(struct vmap_area *va)
{
#if VMV_HAS_USED_MAP
	return (va->flags & VMV_VMAP_FLAGS_MASK) == VMV_VMAP_RAM;
#else
	/* Before 6.3: no vm_struct, and not a vmap_block. */
	return !va->vm && !vmv_kernel_is_block_va(va);
#endif
}

/*
 * The first area of a busy tree that ends after addr; under its lock. As
 * mm/vmalloc.c's find_vmap_area_exceed_addr(), which kcore_vread.c's
 * copies of the kernel's reader call it for.
 */
struct vmap_area *vmv_kernel_area_from(struct rb_root *root, unsigned long addr)
{
	struct rb_node *n = root->rb_node;
	struct vmap_area *best = NULL;

	while (n) {
		struct vmap_area *va = rb_entry(n, struct vmap_area, rb_node);

		if (va->va_end > addr) {
			best = va;
			n = n->rb_left;
		} else {
			n = n->rb_right;
		}
	}
	return best;
}
EXPORT_SYMBOL_GPL(vmv_kernel_area_from);

/* Busy areas looked at per hold of the kernel's lock. */
#define VMV_BUSY_BATCH	64

/*
 * Appends the large vm_map_ram() areas of one busy list (kept sorted by
 * the kernel, with its rbtree) to out. The lock is the kernel's own, taken
 * by every vmalloc() and vfree() (before 6.9, one for the whole system):
 * it is held for one batch at a time, and the walk resumes from the tree.
 */
static int vmv_scan_busy(struct rb_root *root, struct list_head *head,
			 spinlock_t *lock, struct vmv_range *out, int nr, int max)
{
	unsigned long addr = 0;
	struct vmap_area *va;
	unsigned int batch;
	bool more = true;

	while (more && nr >= 0) {
		spin_lock(lock);
		rcu_read_lock();
		va = vmv_kernel_area_from(root, addr);
		for (batch = 0; va && batch < VMV_BUSY_BATCH; batch++) {
			addr = va->va_end;
			if (vmv_is_large_ram_va(va)) {
				if (nr == max) {
					nr = -E2BIG;
					break;
				}
				out[nr].start = va->va_start;
				out[nr++].end = va->va_end;
			}
			va = list_is_last(&va->list, head) ? NULL :
			     list_next_entry(va, list);
		}
		more = va;
		rcu_read_unlock();
		spin_unlock(lock);
		cond_resched();
	}
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

		nr = vmv_scan_busy(&vn->busy.root, &vn->busy.head, &vn->busy.lock,
				   out, nr, max);
	}
#else
	nr = vmv_scan_busy(vmv_syms.vmap_area_root, vmv_syms.vmap_area_list,
			   vmv_syms.vmap_area_lock, out, nr, max);
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
 * The large vm_map_ram() areas into out[max], sorted; their number, or
 * -E2BIG. out must hold 2 * max. Before 6.3 they are told by their lack of
 * a vm_struct, which vfree() and __get_vm_area_node() also leave for a
 * moment: only areas in two scans a grace period apart are taken.
 */
int vmv_kernel_large_areas(struct vmv_range *out, int max)
{
	struct vmv_range *second = out + max;
	int nr1, nr2, i, kept = 0;

	nr1 = vmv_scan_large(out, max);
	if (nr1 < 0)
		return nr1;
	if (VMV_HAS_USED_MAP)
		return nr1;	/* VMAP_RAM marks them exactly */
	synchronize_rcu();
	nr2 = vmv_scan_large(second, max);
	if (nr2 < 0)
		return nr2;
	for (i = 0; i < nr2; i++)
		if (vmv_range_in(out, nr1, second[i].start, second[i].end))
			second[kept++] = second[i];
	memcpy(out, second, kept * sizeof(*out));
	return kept;
}

/* --- the map of vmalloc space --- */

/*
 * Busy area va, under its list's lock and RCU. While va is on a busy list
 * its vm_struct is alive: before 6.9 remove_vm_area() clears va->vm under
 * vmap_area_lock before the pages go, and from 6.9 va->vm never changes
 * while the va is listed (find_unlink_vmap_area() unlinks it first).
 */
static void vmv_area_snap(struct vmap_area *va, struct vmv_karea *a)
{
	struct vm_struct *vm = va->vm;

	memset(a, 0, sizeof(*a));
	a->start = va->va_start;
	a->end = va->va_end;
	a->first_used = -1;
	if (!vm) {
#if VMV_HAS_USED_MAP
		unsigned long ram = va->flags & VMV_VMAP_FLAGS_MASK;

		if (ram == (VMV_VMAP_RAM | VMV_VMAP_BLOCK))
			a->kind = VMV_KIND_RAM_BLOCK;
		else if (ram == VMV_VMAP_RAM)
			a->kind = VMV_KIND_RAM;
		else
			a->kind = VMV_KIND_OTHER;
#else
		/*
		 * As /proc/vmallocinfo: an area without a vm_struct is
		 * vm_map_ram()'s (or, for a moment, a vmalloc() being set
		 * up or torn down).
		 */
		a->kind = vmv_kernel_is_block_va(va) ? VMV_KIND_RAM_BLOCK : VMV_KIND_RAM;
#endif
		return;
	}
	a->vm = vm;
	a->vm_flags = READ_ONCE(vm->flags);
	a->caller = vm->caller;
	if (!(a->vm_flags & VM_UNINITIALIZED)) {
		/* Pairs with clear_vm_uninitialized_flag()'s smp_wmb(). */
		smp_rmb();
		a->nr_pages = READ_ONCE(vm->nr_pages);
	}
	if (a->vm_flags & VMV_VM_SPARSE)
		a->kind = VMV_KIND_SPARSE;
	else if (a->vm_flags & VM_IOREMAP)
		a->kind = VMV_KIND_IOREMAP;
	else if (a->vm_flags & VM_ALLOC)
		a->kind = VMV_KIND_VMALLOC;
	else if (a->vm_flags & VM_MAP)
		a->kind = VMV_KIND_VMAP;
	else
		a->kind = VMV_KIND_OTHER;
}

/*
 * The first busy area that ends after addr, lowest across the nodes (as
 * find_vmap_area_exceed_addr_lock(), which vread_iter() calls per area):
 * one lookup per node, each under that node's lock.
 */
static bool vmv_next_busy(unsigned long addr, struct vmv_karea *a)
{
	struct vmap_area *va;
	bool found = false;
#if VMV_HAS_VMAP_NODES
	unsigned int i;

	for (i = 0; i < READ_ONCE(*vmv_syms.nr_vmap_nodes); i++) {
		struct vmv_kvnode *vn = &(*vmv_syms.vmap_nodes)[i];

		spin_lock(&vn->busy.lock);
		va = vmv_kernel_area_from(&vn->busy.root, addr);
		if (va && (!found || va->va_start < a->start)) {
			vmv_area_snap(va, a);
			found = true;
		}
		spin_unlock(&vn->busy.lock);
	}
#else
	spin_lock(vmv_syms.vmap_area_lock);
	rcu_read_lock();
	va = vmv_kernel_area_from(vmv_syms.vmap_area_root, addr);
	if (va) {
		vmv_area_snap(va, a);
		found = true;
	}
	rcu_read_unlock();
	spin_unlock(vmv_syms.vmap_area_lock);
#endif
	return found;
}

/*
 * A vmap_block's first used page, which from 6.3 decides what /proc/kcore
 * reads there (vmap_ram_vread_iter()); -1 when none is used or the block
 * is dying. Read under vb->lock, as that reader does.
 */
static int vmv_block_first_used(unsigned long start)
{
	int first = -1;
#if VMV_HAS_USED_MAP
	struct vmv_kvb *vb;
	unsigned long bit;

	rcu_read_lock();
	vb = vmv_kernel_vb(start);
	if (vb) {
		spin_lock(&vb->lock);
		bit = find_first_bit(vb->used_map, VMV_BLOCK_PAGES);
		if (vb->dirty < VMV_BLOCK_PAGES && bit < VMV_BLOCK_PAGES)
			first = bit;
		spin_unlock(&vb->lock);
	}
	rcu_read_unlock();
#endif
	return first;
}

/* The busy area after addr: true with *a filled in. */
bool vmv_kernel_next_area(unsigned long addr, struct vmv_karea *a)
{
	if (!vmv_next_busy(addr, a))
		return false;
	if (a->kind == VMV_KIND_RAM_BLOCK)
		a->first_used = vmv_block_first_used(a->start);
	return true;
}

#if VMV_ARENA_SCRATCH
/* BPF maps looked at per hold of map_idr_lock, at most. */
#define VMV_MAPS_CHUNK	64

/*
 * Finds, among the BPF maps, the arena whose area is ctx->vm and its
 * scratch page, having read first how many arena frees had begun
 * (sparse.c turns a pin away once another has begun, by when that arena
 * may be gone). map_idr_lock keeps each map it lists: bpf_map_put() takes
 * a map out under it before the map is freed (bpf_map_free_id()). The
 * maps are looked at VMV_MAPS_CHUNK per hold of the lock, as
 * bpf_map_get_curr_or_next() does one. -ENOENT: no listed arena has that
 * area (it is being made, or freed); -EIO when struct bpf_arena is not
 * as kernel_arena.h has it (layout.c).
 */
static int vmv_arena_lookup(struct vmv_sparse_ctx *ctx)
{
	struct bpf_map *map = NULL;
	unsigned int n;
	int id = 0, ret = -ENOENT;

	if (!vmv_layout_arena())
		return -EIO;
	ctx->gen = vmv_sparse_gen();
	do {
		spin_lock_bh(vmv_syms.map_idr_lock);
		for (n = 0; n < VMV_MAPS_CHUNK && ret; n++, id++) {
			const struct vmv_karena *arena;

			map = idr_get_next(vmv_syms.map_idr, &id);
			if (!map)
				break;
			if (map->map_type != BPF_MAP_TYPE_ARENA)
				continue;
			arena = container_of(map, struct vmv_karena, map);
			if (READ_ONCE(arena->kern_vm) == ctx->vm) {
				ctx->scratch = READ_ONCE(arena->scratch_page);
				ret = 0;
			}
		}
		spin_unlock_bh(vmv_syms.map_idr_lock);
		cond_resched();
	} while (ret && map);
	ctx->known = !ret;
	return ret;
}

/* Whether ctx is about the area whose vm_struct is vm, else now is. */
static bool vmv_arena_known(struct vmv_sparse_ctx *ctx, const void *vm)
{
	if (ctx->known && ctx->vm == vm)
		return true;
	ctx->vm = vm;
	ctx->known = false;
	return false;
}
#else
static int vmv_arena_lookup(struct vmv_sparse_ctx *ctx)
{
	return 0;
}
#endif

/*
 * Present pages of [addr, end) in the kernel page tables; a leaf above the
 * PTE level (huge vmalloc() or ioremap()) counts as its small pages.
 * *nscratch: how many of them map scratch, when not NULL.
 */
static unsigned long vmv_count_present(unsigned long addr, unsigned long end,
				       bool *last_present,
				       const struct page *scratch,
				       unsigned long *nscratch)
{
	unsigned long n = 0, next, a;

	for (; addr < end; addr = next) {
		pgd_t *pgd = pgd_offset(vmv_syms.init_mm, addr);
		p4d_t *p4d;
		pud_t *pud;
		pmd_t *pmd;

		next = pmd_addr_end(addr, end);
		*last_present = false;
		if (pgd_none(*pgd) || pgd_bad(*pgd))
			continue;
		p4d = p4d_offset(pgd, addr);
		if (p4d_none(*p4d) || p4d_bad(*p4d))
			continue;
		pud = pud_offset(p4d, addr);
		if (pud_none(*pud))
			continue;
		if (pud_leaf(*pud)) {
			n += (next - addr) >> PAGE_SHIFT;
			*last_present = true;
			continue;
		}
		if (pud_bad(*pud))
			continue;
		pmd = pmd_offset(pud, addr);
		if (pmd_none(*pmd))
			continue;
		if (pmd_leaf(*pmd)) {
			n += (next - addr) >> PAGE_SHIFT;
			*last_present = true;
			continue;
		}
		if (pmd_bad(*pmd))
			continue;
		for (a = addr; a < next; a += PAGE_SIZE) {
			pte_t pte = READ_ONCE(*pte_offset_kernel(pmd, a));

			*last_present = pte_present(pte);
			n += *last_present;
			if (scratch && *last_present &&
			    pte_pfn(pte) == page_to_pfn(scratch))
				(*nscratch)++;
		}
	}
	return n;
}

/* Page-table pages looked at per hold of the busy list's lock, at most. */
#define VMV_WALK_CHUNK	(64 * PMD_SIZE)

/*
 * A walk of busy area a's page tables a chunk at a time, each chunk under
 * the lock of a's busy list, checking each time that a is still listed:
 * while it is, no huge mapping can be made over its range, which would
 * free the page-table pages under the walk (pmd_free_pte_page()). A 4 GiB
 * arena is walked in 32 holds of the lock.
 */
struct vmv_area_walk {
	const struct vmv_karea *a;
	struct rb_root *root;
	spinlock_t *lock;	/* the kernel's, for root */
	unsigned long addr;	/* where the next chunk starts */
	bool gone;		/* a left its list on the way */
};

static void vmv_area_walk_start(struct vmv_area_walk *w,
				const struct vmv_karea *a, unsigned long from)
{
#if VMV_HAS_VMAP_NODES
	struct vmv_kvnode *vn = &(*vmv_syms.vmap_nodes)
		[(a->start / READ_ONCE(*vmv_syms.vmap_zone_size)) %
		 READ_ONCE(*vmv_syms.nr_vmap_nodes)];	/* addr_to_node() */

	w->root = &vn->busy.root;
	w->lock = &vn->busy.lock;
#else
	w->root = vmv_syms.vmap_area_root;
	w->lock = vmv_syms.vmap_area_lock;
#endif
	w->a = a;
	w->addr = max(from, a->start);
	w->gone = false;
}

/*
 * Takes the lock for the next chunk, [*addr, *next): false, and no lock
 * held, past the end of a or once a is gone.
 */
static bool vmv_area_walk_lock(struct vmv_area_walk *w, unsigned long *addr,
			       unsigned long *next)
{
	const struct vmv_karea *a = w->a;
	struct vmap_area *va;

	if (w->gone || w->addr >= a->end)
		return false;
	spin_lock(w->lock);
	va = vmv_kernel_area_from(w->root, a->start);
	if (!va || va->va_start != a->start || va->va_end != a->end) {
		spin_unlock(w->lock);
		w->gone = true;
		return false;
	}
	*addr = w->addr;
	*next = w->addr + min(a->end - w->addr, VMV_WALK_CHUNK);
	w->addr = *next;
	return true;
}

static void vmv_area_walk_unlock(struct vmv_area_walk *w)
{
	spin_unlock(w->lock);
	cond_resched();
}

/*
 * The present pages of busy area a, and whether its last page is one.
 * *gone: a left its list on the way (the count is then partial).
 * *nscratch (7.x, sparse areas): how many of them map the arena's scratch
 * page, ULONG_MAX when the arena is not found; else 0.
 */
unsigned long vmv_kernel_present_pages(const struct vmv_karea *a,
				       bool *last_present, bool *gone,
				       unsigned long *nscratch)
{
	struct vmv_sparse_ctx ctx = { .vm = a->vm };
	const struct page *scratch = NULL;
	unsigned long addr, next, n = 0;
	struct vmv_area_walk w;

	*last_present = false;
	*nscratch = 0;
	if (VMV_ARENA_SCRATCH && a->kind == VMV_KIND_SPARSE) {
		if (vmv_arena_lookup(&ctx))
			*nscratch = ULONG_MAX;
		else
			scratch = ctx.scratch;
	}
	vmv_area_walk_start(&w, a, a->start);
	while (vmv_area_walk_lock(&w, &addr, &next)) {
		n += vmv_count_present(addr, next, last_present, scratch,
				       nscratch);
		vmv_area_walk_unlock(&w);
	}
	*gone = w.gone;
	return n;
}

#if VMV_MEM_READS_SPARSE
#if !VMV_ARENA_SCRATCH
/* Before 7.x an arena has no scratch page: nothing to know. */
static bool vmv_arena_known(struct vmv_sparse_ctx *ctx, const void *vm)
{
	return true;
}
#endif

/*
 * One try of vmv_kernel_sparse_pin(): -ESTALE when ctx is not about the
 * area at addr, or may be out of date (sparse.c).
 */
static int vmv_sparse_pin_once(unsigned long addr, struct page **pinned,
			       struct vmv_sparse_ctx *ctx)
{
	unsigned int i, n = READ_ONCE(*vmv_syms.nr_vmap_nodes);
	int ret = -ENOENT;

	*pinned = NULL;
	for (i = 0; i < n && ret == -ENOENT; i++) {
		struct vmv_kvnode *vn = &(*vmv_syms.vmap_nodes)[i];
		struct vmap_area *va;

		spin_lock(&vn->busy.lock);
		va = vmv_kernel_area_from(&vn->busy.root, addr);
		if (va && va->va_start <= addr && va->vm &&
		    (READ_ONCE(va->vm->flags) & VM_SPARSE))
			ret = vmv_arena_known(ctx, va->vm) ?
			      vmv_sparse_pin_locked(addr, pinned, ctx) : -ESTALE;
		spin_unlock(&vn->busy.lock);
	}
	return ret;
}

/*
 * The page mapped at addr when addr is in a VM_SPARSE area, pinned
 * (sparse.c): 0 with *pinned the page or NULL (a hole, or on 7.x the
 * arena's scratch page); -ENOENT when addr is in no sparse area; -EAGAIN
 * while an arena is being freed, or its arena cannot be found; -EIO when
 * sparse areas are not read (vmv_sparse_readable()). As
 * find_vmap_area() does, every node is searched, each under its lock,
 * which also keeps the area, and so its page tables, while the page is
 * found and pinned. ctx: the caller's, kept from page to page.
 */
int vmv_kernel_sparse_pin(unsigned long addr, struct page **pinned,
			  struct vmv_sparse_ctx *ctx)
{
	unsigned int tries;
	int ret;

	for (tries = 0; tries < 3; tries++) {
		ret = vmv_sparse_pin_once(addr, pinned, ctx);
		if (ret != -ESTALE)
			return ret;
		ret = vmv_arena_lookup(ctx);
		if (ret == -EIO)
			return ret;
		if (ret) {
			/* An arena out of the maps is being freed: wait. */
			vmv_count(VMV_STAT_SPARSE_WAITS);
			return -EAGAIN;
		}
	}
	return -EAGAIN;
}

/*
 * The first run of mapped pages in [addr, end), under the lock of the
 * area's busy list: false when there is none. scratch (7.x): the arena's
 * scratch page, which is no data.
 */
static bool vmv_find_present(unsigned long addr, unsigned long end,
			     unsigned long *start, unsigned long *stop,
			     const struct page *scratch)
{
	bool found = false;

	for (; addr < end; addr += PAGE_SIZE) {
		struct page *page = vmv_vmalloc_to_page(addr);
		bool present = page && page != scratch;

		if (present && !found) {
			*start = addr;
			found = true;
		} else if (!present && found) {
			break;
		}
		/* A missing page table: skip what it would have mapped. */
		if (!found && !page && !vmv_pte_table(addr))
			addr = pmd_addr_end(addr, end) - PAGE_SIZE;
	}
	*stop = addr;
	return found;
}

/*
 * The first run of mapped pages of a sparse area at or after addr, as
 * [*start, *end): what mem's SEEK_DATA and reads look for, each area
 * walked as vmv_area_walk_lock() says. On 7.x the arena's scratch page,
 * as found for ctx, is no data; should that arena have gone since, the
 * run may hold a page that vmv_kernel_sparse_pin() then reads as a hole.
 */
bool vmv_kernel_sparse_next(unsigned long addr, unsigned long *start,
			    unsigned long *end, struct vmv_sparse_ctx *ctx)
{
	struct vmv_karea a;

	if (!vmv_sparse_readable())
		return false;
	while (vmv_next_busy(addr, &a)) {
		const struct page *scratch = NULL;
		unsigned long from, next;
		struct vmv_area_walk w;

		if (a.kind == VMV_KIND_SPARSE && !vmv_arena_known(ctx, a.vm))
			vmv_arena_lookup(ctx);
		if (VMV_ARENA_SCRATCH && ctx->known)
			scratch = ctx->scratch;
		vmv_area_walk_start(&w, &a, addr);
		while (a.kind == VMV_KIND_SPARSE &&
		       vmv_area_walk_lock(&w, &from, &next)) {
			bool found = vmv_find_present(from, next, start, end,
						      scratch);

			vmv_area_walk_unlock(&w);
			if (found)
				return true;
		}
		addr = a.end;
		if (fatal_signal_pending(current))
			return false;
		cond_resched();
	}
	return false;
}
#endif
