// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's reader of vmalloc space behind /proc/kcore, corrected, for
 * the livepatch in kcore_fix.c. Each is a copy of the running kernel's own
 * function (mm/vmalloc.c of Debian's source for that release), reading the
 * same structures under the same locks, so that everything but vm_map_ram()
 * memory reads byte for byte as the unpatched kernel reads it:
 *
 * - before 6.3, vread() skips areas without a vm_struct, so vm_map_ram()
 *   memory reads as zeros. The copy reads them as upstream 6.3 does: the
 *   used pages of a vmap_block (used as vmapview's mirror knows them; these
 *   kernels keep no used_map) and large areas whole, zeros elsewhere.
 * - from 6.4, vmap_ram_vread_iter() reads the wrong page of a block. The
 *   copy runs the corrected function of upstream/, whose text it shares:
 *   tests/host/kcore-fix-upstream.sh checks that they match.
 *
 * Pages are found through the page tables and copied through the page, as
 * the kernel's reader does, never through the vmalloc address; and only
 * while they cannot be unmapped and freed. From 6.4 the kernel's locks see
 * to it: vb->lock, under which vb_free() clears used_map before it unmaps,
 * and a vmap_node's busy lock, under which vm_unmap_ram() unlinks a large
 * area first. Before 6.3, vmap_area_lock does for large areas (the area is
 * unlinked under it before vm_unmap_ram() returns) but not for blocks,
 * which vb_free() unmaps without it: there each page is copied under the
 * mirror's lock that the unmap event takes first (vmv_ram_vread()).
 */
#include <linux/highmem.h>
#include <linux/kasan.h>
#include <linux/mm.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <linux/vmalloc.h>
#include <linux/xarray.h>

#include "kernel_vmalloc.h"
#include "kcore_api.h"
#include "kcore_vread.h"

#if VMV_KCORE_VREAD

/* mm/vmalloc.c, 6.1 */
static struct vmap_area *find_vmap_area_exceed_addr(unsigned long addr)
{
	addr = (unsigned long)kasan_reset_tag((void *)addr);
	return vmv_kernel_area_from(vmv_syms.vmap_area_root, addr);
}

/* mm/vmalloc.c, 5.10 and 6.1 */
static int aligned_vread(char *buf, char *addr, unsigned long count)
{
	struct page *p;
	int copied = 0;

	while (count) {
		unsigned long offset, length;

		offset = offset_in_page(addr);
		length = PAGE_SIZE - offset;
		if (length > count)
			length = count;
		p = vmalloc_to_page(addr);
		if (p) {
			/* the kernel's kmap_atomic(), without highmem */
			void *map = vmv_kmap(p);

			memcpy(buf, map + offset, length);
			vmv_kunmap(map);
		} else {
			memset(buf, 0, length);
		}

		addr += length;
		buf += length;
		copied += length;
		count -= length;
	}
	return copied;
}

enum vmv_ram_kind { VMV_NOT_RAM, VMV_RAM_BLOCK, VMV_RAM_LARGE };

/*
 * What a busy area without a vm_struct is: vm_map_ram() leaves both its
 * blocks and its large areas without one, but so do vfree() and
 * __get_vm_area_node() for a moment, and those must read as the kernel
 * reads them (zeros). A block is told by the kernel's own vmap_blocks, a
 * large area by the mirror, which saw vm_map_ram() return it.
 */
static enum vmv_ram_kind vmv_ram_kind(struct vmap_area *va)
{
	bool block;

	rcu_read_lock();
	block = vmv_kernel_is_block_va(va);
	rcu_read_unlock();
	if (block)
		return VMV_RAM_BLOCK;
	return vmv_large_known(va->va_start) ? VMV_RAM_LARGE : VMV_NOT_RAM;
}

/*
 * Copies len bytes of page, from byte offset on, into buf. Not inlined; its
 * name is kept: tests/cases/kcore-fix-lifetime.sh probes it to hold a
 * reader between finding a page and copying it.
 */
noinline __noclone void vmv_kcore_copy_page(char *buf, struct page *page,
					    unsigned long offset,
					    unsigned long len)
{
	/* the kernel's kmap_atomic(), without highmem */
	void *map = vmv_kmap(page);

	memcpy(buf, map + offset, len);
	vmv_kunmap(map);
}

/*
 * One used page, or part of it, found through the page tables as
 * aligned_vread() finds it. Called by vmv_copy_if_used() under the lock of
 * the page's record in the mirror: a page table walk and a copy of a page
 * at most, nothing that sleeps, allocates or takes a lock.
 */
static void vmv_ram_copy(unsigned long addr, char *buf, size_t len)
{
	struct page *p = vmv_vmalloc_to_page(addr);

	if (p)
		vmv_kcore_copy_page(buf, p, offset_in_page(addr), len);
	else
		memset(buf, 0, len);
}

/*
 * Upstream 6.3's vmap_ram_vread(), with the mirror for the used_map. These
 * kernels' vb_free() unmaps without vmap_area_lock, the only lock held
 * here, and callers free the pages once vm_unmap_ram() returns: each page
 * is copied under the mirror's lock that vm_unmap_ram()'s unmap event
 * takes first (vmv_copy_if_used()), as upstream 6.3+ copies under vb->lock
 * that vb_free() takes to clear the page from used_map. A large area is
 * read the same way, a page per hold of the lock.
 */
static void vmv_ram_vread(char *buf, char *addr, unsigned long count)
{
	unsigned long n;

	while (count) {
		n = min(count, PAGE_SIZE - offset_in_page(addr));
		if (!vmv_copy_if_used((unsigned long)addr, buf, n, vmv_ram_copy))
			memset(buf, 0, n);
		buf += n;
		addr += n;
		count -= n;
	}
}

/*
 * mm/vmalloc.c's vread(), 6.1 (and 5.10: VMV_VREAD_TREE_LOOKUP), which
 * /proc/kcore calls with a page at most, under nothing. Changed:
 * vm_map_ram() areas are read, not skipped.
 */
long vmv_kcore_vread(char *buf, char *addr, unsigned long count)
{
	struct vmap_area *va;
	struct vm_struct *vm;
	char *vaddr, *buf_start = buf;
	unsigned long buflen = count;
	unsigned long n, size;
	enum vmv_ram_kind kind;

	/*
	 * A missed kretprobe leaves no trace but its counter: noticed here
	 * too, so that a kcore reader alone gets the resync it needs.
	 */
	vmv_probes_check();
	addr = kasan_reset_tag(addr);

	/* Don't allow overflow */
	if ((unsigned long)addr + count < count)
		count = -(unsigned long)addr;

	spin_lock(vmv_syms.vmap_area_lock);
	va = find_vmap_area_exceed_addr((unsigned long)addr);
	if (!va)
		goto finished;

#if VMV_VREAD_TREE_LOOKUP
	/* no intersects with alive vmap_area */
	if ((unsigned long)addr + count <= va->va_start)
		goto finished;
#endif
	/*
	 * 5.10 walks the list from its head: the areas before va, which end
	 * at or before addr, are skipped there as here.
	 */
	list_for_each_entry_from(va, vmv_syms.vmap_area_list, list) {
		if (!count)
			break;

		vm = va->vm;
		kind = vm ? VMV_NOT_RAM : vmv_ram_kind(va);
		if (!vm && kind == VMV_NOT_RAM)
			continue;

		vaddr = vm ? (char *)vm->addr : (char *)va->va_start;
		size = vm ? get_vm_area_size(vm) : va->va_end - va->va_start;
		if (addr >= vaddr + size)
			continue;
		while (addr < vaddr) {
			if (count == 0)
				goto finished;
			*buf = '\0';
			buf++;
			addr++;
			count--;
		}
		n = vaddr + size - addr;
		if (n > count)
			n = count;
		if (!vm)
			vmv_ram_vread(buf, addr, n);
		else if (!(vm->flags & VM_IOREMAP))
			aligned_vread(buf, addr, n);
		else /* IOREMAP area is treated as memory hole */
			memset(buf, 0, n);
		buf += n;
		addr += n;
		count -= n;
	}
finished:
	spin_unlock(vmv_syms.vmap_area_lock);

	if (buf == buf_start)
		return 0;
	/* zero-fill memory holes */
	if (buf != buf_start + buflen)
		memset(buf, 0, buflen - (buf - buf_start));

	return buflen;
}

#elif VMV_KCORE_VREAD_ITER

/* mm/vmalloc.c's names, so that the functions below read as its own */
#define VMAP_BBMAP_BITS		VMV_BLOCK_PAGES
#define VMAP_RAM		VMV_VMAP_RAM
#define VMAP_BLOCK		VMV_VMAP_BLOCK
#define VMAP_FLAGS_MASK		VMV_VMAP_FLAGS_MASK
#define vmap_block		vmv_kvb
#define vmap_node		vmv_kvnode
#define addr_to_vb_xa		vmv_kernel_vb_xa
#define addr_to_vb_idx		vmv_vb_idx

static void *vmap_block_vaddr(unsigned long va_start, unsigned long pages_off)
{
	return (void *)(va_start + (pages_off << PAGE_SHIFT));
}

static unsigned long va_size(struct vmap_area *va)
{
	return va->va_end - va->va_start;
}

static struct vmap_node *addr_to_node(unsigned long addr)
{
	unsigned int id = (addr / READ_ONCE(*vmv_syms.vmap_zone_size)) %
			  READ_ONCE(*vmv_syms.nr_vmap_nodes);

	return &(*vmv_syms.vmap_nodes)[id];
}

static struct vmap_area *__find_vmap_area(unsigned long addr, struct rb_root *root)
{
	struct rb_node *n = root->rb_node;

	addr = (unsigned long)kasan_reset_tag((void *)addr);

	while (n) {
		struct vmap_area *va;

		va = rb_entry(n, struct vmap_area, rb_node);
		if (addr < va->va_start)
			n = n->rb_left;
		else if (addr >= va->va_end)
			n = n->rb_right;
		else
			return va;
	}

	return NULL;
}

static struct vmap_area *
__find_vmap_area_exceed_addr(unsigned long addr, struct rb_root *root)
{
	addr = (unsigned long)kasan_reset_tag((void *)addr);
	return vmv_kernel_area_from(root, addr);
}

static struct vmap_node *
find_vmap_area_exceed_addr_lock(unsigned long addr, struct vmap_area **va)
{
	unsigned long va_start_lowest;
	struct vmap_node *vn;
	unsigned int i;

repeat:
	for (i = 0, va_start_lowest = 0; i < READ_ONCE(*vmv_syms.nr_vmap_nodes); i++) {
		vn = &(*vmv_syms.vmap_nodes)[i];

		spin_lock(&vn->busy.lock);
		*va = __find_vmap_area_exceed_addr(addr, &vn->busy.root);

		if (*va)
			if (!va_start_lowest || (*va)->va_start < va_start_lowest)
				va_start_lowest = (*va)->va_start;
		spin_unlock(&vn->busy.lock);
	}

	/*
	 * Check if found VA exists, it might have gone away.  In this case we
	 * repeat the search because a VA has been removed concurrently and we
	 * need to proceed to the next one, which is a rare case.
	 */
	if (va_start_lowest) {
		vn = addr_to_node(va_start_lowest);

		spin_lock(&vn->busy.lock);
		*va = __find_vmap_area(va_start_lowest, &vn->busy.root);

		if (*va)
			return vn;

		spin_unlock(&vn->busy.lock);
		goto repeat;
	}

	return NULL;
}

static size_t zero_iter(struct iov_iter *iter, size_t count)
{
	size_t remains = count;

	while (remains > 0) {
		size_t num, copied;

		num = min_t(size_t, remains, PAGE_SIZE);
		copied = copy_page_to_iter_nofault(ZERO_PAGE(0), 0, num, iter);
		remains -= copied;

		if (copied < num)
			break;
	}

	return count - remains;
}

static size_t aligned_vread_iter(struct iov_iter *iter,
				 const char *addr, size_t count)
{
	size_t remains = count;
	struct page *page;

	while (remains > 0) {
		unsigned long offset, length;
		size_t copied = 0;

		offset = offset_in_page(addr);
		length = PAGE_SIZE - offset;
		if (length > remains)
			length = remains;
		page = vmalloc_to_page(addr);
		/*
		 * To do safe access to this _mapped_ area, we need lock. But
		 * adding lock here means that we need to add overhead of
		 * vmalloc()/vfree() calls for this _debug_ interface, rarely
		 * used. Instead of that, we'll use an local mapping via
		 * copy_page_to_iter_nofault() and accept a small overhead in
		 * this access function.
		 */
		if (page)
			copied = copy_page_to_iter_nofault(page, offset,
							   length, iter);
		else
			copied = zero_iter(iter, length);

		addr += copied;
		remains -= copied;

		if (copied != length)
			break;
	}

	return count - remains;
}

/* vmapview: begin upstream vmap_ram_vread_iter() */
static size_t vmap_ram_vread_iter(struct iov_iter *iter, const char *addr,
				  size_t count, unsigned long flags)
{
	char *start, *end;
	struct vmap_block *vb;
	struct xarray *xa;
	unsigned int rs, re;
	size_t remains, n;

	/*
	 * If it's area created by vm_map_ram() interface directly, but
	 * not further subdividing and delegating management to vmap_block,
	 * handle it here.
	 */
	if (!(flags & VMAP_BLOCK))
		return aligned_vread_iter(iter, addr, count);

	remains = count;

	/*
	 * Area is split into regions and tracked with vmap_block, read out
	 * each region and zero fill the hole between regions.
	 */
	xa = addr_to_vb_xa((unsigned long)addr);
	vb = xa_load(xa, addr_to_vb_idx((unsigned long)addr));
	if (!vb)
		goto finished_zero;

	spin_lock(&vb->lock);
	if (bitmap_empty(vb->used_map, VMAP_BBMAP_BITS)) {
		spin_unlock(&vb->lock);
		goto finished_zero;
	}

	for_each_set_bitrange(rs, re, vb->used_map, VMAP_BBMAP_BITS) {
		size_t copied;

		if (remains == 0)
			goto finished;

		start = vmap_block_vaddr(vb->va->va_start, rs);
		/* [rs, re) is half-open, and re may be VMAP_BBMAP_BITS */
		end = start + ((re - rs) << PAGE_SHIFT);

		/* Skip the regions that end at or before addr. */
		if (end <= addr)
			continue;

		if (addr < start) {
			size_t to_zero = min_t(size_t, start - addr, remains);
			size_t zeroed = zero_iter(iter, to_zero);

			addr += zeroed;
			remains -= zeroed;

			if (remains == 0 || zeroed != to_zero)
				goto finished;
		}

		/* it could start reading from the middle of used region */
		n = end - addr;
		if (n > remains)
			n = remains;

		copied = aligned_vread_iter(iter, addr, n);

		addr += copied;
		remains -= copied;

		if (copied != n)
			goto finished;
	}

	spin_unlock(&vb->lock);

finished_zero:
	/* zero-fill the left dirty or free regions */
	return count - remains + zero_iter(iter, remains);
finished:
	/* We couldn't copy/zero everything */
	spin_unlock(&vb->lock);
	return count - remains;
}

/* vmapview: end upstream vmap_ram_vread_iter() */

/*
 * mm/vmalloc.c's vread_iter(), 6.12 and 7.3 (VMV_VREAD_ALLOC_NR_PAGES),
 * which /proc/kcore calls with a page at most, under nothing. Unchanged
 * but for the vmap_ram_vread_iter() it calls.
 */
long vmv_kcore_vread_iter(struct iov_iter *iter, const char *addr, size_t count)
{
	struct vmap_node *vn;
	struct vmap_area *va;
	struct vm_struct *vm;
	char *vaddr;
	size_t n, size, flags, remains;
	unsigned long next;

	addr = kasan_reset_tag(addr);

	/* Don't allow overflow */
	if ((unsigned long)addr + count < count)
		count = -(unsigned long)addr;

	remains = count;

	vn = find_vmap_area_exceed_addr_lock((unsigned long)addr, &va);
	if (!vn)
		goto finished_zero;

	/* no intersects with alive vmap_area */
	if ((unsigned long)addr + remains <= va->va_start)
		goto finished_zero;

	do {
		size_t copied;

		if (remains == 0)
			goto finished;

		vm = va->vm;
		flags = va->flags & VMAP_FLAGS_MASK;
		/*
		 * VMAP_BLOCK indicates a sub-type of vm_map_ram area, need
		 * be set together with VMAP_RAM.
		 */
		WARN_ON(flags == VMAP_BLOCK);

		if (!vm && !flags)
			goto next_va;

		if (vm && (vm->flags & VM_UNINITIALIZED))
			goto next_va;

		/* Pair with smp_wmb() in clear_vm_uninitialized_flag() */
		smp_rmb();

		vaddr = (char *)va->va_start;
#if VMV_VREAD_ALLOC_NR_PAGES
		if (vm)
			size = (vm->flags & VM_ALLOC && vm->nr_pages) ?
				       (vm->nr_pages << PAGE_SHIFT) :
				       get_vm_area_size(vm);
		else
			size = va_size(va);
#else
		size = vm ? get_vm_area_size(vm) : va_size(va);
#endif

		if (addr >= vaddr + size)
			goto next_va;

		if (addr < vaddr) {
			size_t to_zero = min_t(size_t, vaddr - addr, remains);
			size_t zeroed = zero_iter(iter, to_zero);

			addr += zeroed;
			remains -= zeroed;

			if (remains == 0 || zeroed != to_zero)
				goto finished;
		}

		n = vaddr + size - addr;
		if (n > remains)
			n = remains;

		if (flags & VMAP_RAM)
			copied = vmap_ram_vread_iter(iter, addr, n, flags);
		else if (!(vm && (vm->flags & (VM_IOREMAP | VM_SPARSE))))
			copied = aligned_vread_iter(iter, addr, n);
		else /* IOREMAP | SPARSE area is treated as memory hole */
			copied = zero_iter(iter, n);

		addr += copied;
		remains -= copied;

		if (copied != n)
			goto finished;

next_va:
		next = va->va_end;
		spin_unlock(&vn->busy.lock);
	} while ((vn = find_vmap_area_exceed_addr_lock(next, &va)));

finished_zero:
	if (vn)
		spin_unlock(&vn->busy.lock);

	/* zero-fill memory holes */
	return count - remains + zero_iter(iter, remains);
finished:
	/* Nothing remains, or We couldn't copy/zero everything. */
	if (vn)
		spin_unlock(&vn->busy.lock);

	return count - remains;
}

#endif
