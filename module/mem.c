// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/vmapview/mem: the vread() of upstream 6.3+ for
 * vm_map_ram() memory. Offset X is the kernel address VMALLOC_START + X.
 * Used pages of vmap_blocks and of large vm_map_ram areas, and the mapped
 * pages of VM_SPARSE areas (BPF arenas; sparse.c says when), read as their
 * live bytes; free and dirty pages, holes and everything else read as
 * zeros.
 *
 * Like upstream's vmap_ram_vread(), pages are found through the page tables
 * and copied through the page, never through the vmalloc address, which
 * may be unmapped (or remapped to MMIO) at any moment. Each page is pinned
 * and then checked again: still mapped at the address, and still used in
 * the mirror, whose unmap events fire before vm_unmap_ram() touches the
 * page tables. That check is the one that makes the copy safe: in a range
 * the mirror gave as used, the first try pins without asking the mirror
 * first (a speculative reference, as GUP-fast takes, on a page that may
 * be someone else's by then, dropped when the check fails). The copy to
 * user space then runs with no lock held, straight from the pinned page,
 * so no bounce buffer is needed.
 *
 * The file is sparse: SEEK_DATA and SEEK_HOLE jump between used pages, so
 * `cp --sparse`, dd and tools walk it quickly, and a read skips a hole in
 * one step, with one lookup in the mirror and no lock per page.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include "vmapview.h"

static loff_t vmv_mem_size(void)
{
	return PAGE_ALIGN(VMALLOC_END - VMALLOC_START);
}

/* Copies n bytes at offset off of a pinned page, and unpins it. */
static int vmv_copy_pinned(char __user *ubuf, struct page *page, size_t off,
			   size_t n)
{
	void *kaddr = vmv_kmap(page);
	int ret = copy_to_user(ubuf, kaddr + off, n);

	vmv_kunmap(kaddr);
	vmv_folio_put(vmv_page_folio(page));
	return ret ? -EFAULT : 0;
}

#if VMV_MEM_READS_SPARSE
/* Waits for an arena being freed, whose area goes when that returns. */
#define VMV_SPARSE_TRIES	100

/*
 * The page at addr of a sparse area (BPF arenas), pinned while it cannot
 * be freed (sparse.c): -ENOENT when addr is in none.
 */
static int vmv_copy_sparse(char __user *ubuf, unsigned long addr, size_t off,
			   size_t n, struct vmv_sparse_ctx *ctx)
{
	unsigned int tries;
	struct page *page;
	int ret;

	for (tries = 0;; tries++) {
		ret = vmv_kernel_sparse_pin(addr, &page, ctx);
		if (ret != -EAGAIN || tries == VMV_SPARSE_TRIES)
			break;
		if (signal_pending(current))
			return -EINTR;
		schedule_timeout_interruptible(1);
	}
	if (ret)
		return ret;
	if (!page)
		return clear_user(ubuf, n) ? -EFAULT : 0;
	return vmv_copy_pinned(ubuf, page, off, n);
}

static bool vmv_sparse_next(unsigned long addr, unsigned long *start,
			    unsigned long *end, struct vmv_sparse_ctx *ctx)
{
	return vmv_kernel_sparse_next(addr, start, end, ctx);
}
#else
static int vmv_copy_sparse(char __user *ubuf, unsigned long addr, size_t off,
			   size_t n, struct vmv_sparse_ctx *ctx)
{
	return -ENOENT;
}

static bool vmv_sparse_next(unsigned long addr, unsigned long *start,
			    unsigned long *end, struct vmv_sparse_ctx *ctx)
{
	return false;
}
#endif

/*
 * Copies n bytes at offset off of the page at addr, or zeros when it is
 * neither used vm_map_ram() memory nor a sparse area's page that can be
 * pinned. Pages that are not RAM with a struct page, and reserved pages,
 * are never touched. used: addr is in a range the mirror gave as used.
 */
static int vmv_copy_page(char __user *ubuf, unsigned long addr, size_t off,
			 size_t n, bool used, struct vmv_sparse_ctx *ctx)
{
	struct vmv_folio *folio;
	struct page *page;
	unsigned int tries;
	int ret;

	for (tries = 0; tries < 2; tries++) {
		/*
		 * used: in a range the mirror gave as used, where the first
		 * try leaves the test to the one after the pin, which is what
		 * makes the copy safe.
		 */
		if ((tries || !used) && !vmv_page_used(addr))
			break;
		page = vmv_vmalloc_to_page(addr);
		/* A poisoned page would raise a machine check on the copy. */
		if (!page || !pfn_valid(page_to_pfn(page)) ||
		    PageReserved(page) || PageHWPoison(page))
			break;
		folio = vmv_page_folio(page);
		if (!vmv_folio_try_get(folio))
			break;
		if (vmv_page_folio(page) != folio ||
		    vmv_vmalloc_to_page(addr) != page || !vmv_page_used(addr)) {
			vmv_folio_put(folio);
			continue;
		}
		return vmv_copy_pinned(ubuf, page, off, n);
	}
	ret = vmv_copy_sparse(ubuf, addr, off, n, ctx);
	if (ret != -ENOENT)
		return ret;
	return clear_user(ubuf, n) ? -EFAULT : 0;
}

/*
 * The next range with data at or after addr: the lower of the mirror's
 * next used range and the next run of a sparse area's mapped pages. c
 * keeps each side's answer while addr has not passed it, so that a read
 * of the whole file walks the kernel's areas once.
 */
struct vmv_data_cache {
	unsigned long ms, me;	/* the mirror's; ULONG_MAX: none */
	unsigned long ss, se;	/* the sparse areas' */
	bool m_known, s_known;
	struct vmv_sparse_ctx sparse;
};

/* *used: the range is the mirror's (used pages), not a sparse area's. */
static bool vmv_mem_next_data(unsigned long addr, unsigned long *start,
			      unsigned long *end, bool *used,
			      struct vmv_data_cache *c)
{
	if (!c->m_known || addr >= c->me) {
		if (!vmv_next_data(addr, &c->ms, &c->me)) {
			c->ms = ULONG_MAX;
			c->me = ULONG_MAX;
		}
		c->m_known = true;
	}
	if (!c->s_known || addr >= c->se) {
		if (!vmv_sparse_next(addr, &c->ss, &c->se, &c->sparse)) {
			c->ss = ULONG_MAX;
			c->se = ULONG_MAX;
		}
		c->s_known = true;
	}
	if (c->ms == ULONG_MAX && c->ss == ULONG_MAX)
		return false;
	*used = c->ms <= c->ss;
	*start = *used ? c->ms : c->ss;
	*end = *used ? c->me : c->se;
	return true;
}

/* Zeros for a hole, a megabyte at a time. */
#define VMV_HOLE_CHUNK	SZ_1M

static ssize_t vmv_mem_read(struct file *file, char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	loff_t pos = *ppos, size = vmv_mem_size();
	unsigned long dstart = 0, dend = 0;
	struct vmv_data_cache c = {};
	bool dused = false;
	size_t done = 0;
	int ret = 0;

	if (pos < 0)
		return -EINVAL;
	if (pos >= size || !len)
		return 0;
	/* Misses since the open make blocks uncertain (kcore's reader's rule). */
	vmv_probes_check();
	len = min_t(loff_t, len, size - pos);
	while (done < len) {
		unsigned long addr = VMALLOC_START + pos;
		size_t off = offset_in_page(addr);
		size_t n = min_t(size_t, len - done, PAGE_SIZE - off);

		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		/* The next used range, looked up once per range. */
		if (addr >= dend &&
		    !vmv_mem_next_data(addr & PAGE_MASK, &dstart, &dend, &dused, &c)) {
			dstart = VMALLOC_START + size;
			dend = dstart;
		}
		if (addr < dstart) {
			n = min_t(size_t, min_t(size_t, len - done, dstart - addr),
				  VMV_HOLE_CHUNK);
			ret = clear_user(ubuf + done, n) ? -EFAULT : 0;
		} else {
			ret = vmv_copy_page(ubuf + done, addr - off, off, n,
					    dused, &c.sparse);
		}
		if (ret)
			break;
		done += n;
		pos += n;
		cond_resched();
	}
	if (!done)
		return ret;
	*ppos = pos;
	return done;
}

static int vmv_mem_open(struct inode *inode, struct file *file)
{
	int ret;

	if (file->f_mode & FMODE_WRITE)
		return -EPERM;
	/*
	 * As open_kcore(): CAP_SYS_RAWIO, which the file's mode alone does
	 * not ask of an opener with CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH,
	 * then lockdown=confidentiality.
	 */
	ret = security_locked_down(LOCKDOWN_KCORE);
	if (!capable(CAP_SYS_RAWIO))
		return -EPERM;
	if (ret)
		return ret;
	vmv_probes_check();
	vmv_sync_if_needed();
	return 0;
}

/* Where the used range at or after addr ends, ranges that touch joined. */
static unsigned long vmv_data_end(unsigned long addr)
{
	unsigned long start, end = addr;
	struct vmv_data_cache c = {};
	bool used;

	while (!fatal_signal_pending(current) &&
	       vmv_mem_next_data(end, &start, &end, &used, &c)) {
		if (start > addr)
			return addr;
		addr = end;
		cond_resched();
	}
	return addr;
}

static loff_t vmv_mem_llseek(struct file *file, loff_t offset, int whence)
{
	loff_t size = vmv_mem_size();
	unsigned long addr, start, end;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return fixed_size_llseek(file, offset, whence, size);
	if (offset < 0 || offset >= size)
		return -ENXIO;
	addr = VMALLOC_START + offset;
	if (whence == SEEK_DATA) {
		struct vmv_data_cache c = {};
		bool used;

		if (!vmv_mem_next_data(addr & PAGE_MASK, &start, &end, &used, &c))
			return -ENXIO;
		offset = max(addr, start) - VMALLOC_START;
	} else {
		/* The file's end is a hole too. */
		offset = min_t(loff_t, vmv_data_end(addr) - VMALLOC_START, size);
	}
	return vfs_setpos(file, offset, size);
}

static const struct file_operations vmv_mem_fops = {
	.owner = THIS_MODULE,
	.open = vmv_mem_open,
	.read = vmv_mem_read,
	.llseek = vmv_mem_llseek,
};

void vmv_mem_create(struct dentry *dir)
{
	debugfs_create_file_size("mem", 0400, dir, NULL, &vmv_mem_fops, vmv_mem_size());
}
