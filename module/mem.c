// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/vmapview/mem: the vread() of upstream 6.3+ for
 * vm_map_ram() memory. Offset X is the kernel address VMALLOC_START + X.
 * Used pages of vmap_blocks and of large vm_map_ram areas read as their
 * live bytes; free and dirty pages, holes and everything that is not
 * vm_map_ram memory read as zeros.
 *
 * Like upstream's vmap_ram_vread(), pages are found through the page tables
 * and copied through the page, never through the vmalloc address, which
 * may be unmapped (or remapped to MMIO) at any moment. Each page is pinned
 * and then checked again: still mapped at the address, and still used in
 * the mirror, whose unmap events fire before vm_unmap_ram() touches the
 * page tables. The copy to user space then runs with no lock held, straight
 * from the pinned page, so no bounce buffer is needed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/security.h>
#include <linux/uaccess.h>

#include "vmapview.h"

static loff_t vmv_mem_size(void)
{
	return PAGE_ALIGN(VMALLOC_END - VMALLOC_START);
}

/*
 * Copies n bytes at offset off of the page at addr, or zeros when it is not
 * used vm_map_ram() memory that can be pinned. Pages that are not RAM with
 * a struct page, and reserved pages, are never touched.
 */
static int vmv_copy_page(char __user *ubuf, unsigned long addr, size_t off,
			 size_t n)
{
	struct folio *folio;
	struct page *page;
	unsigned int tries;
	void *kaddr;
	int ret;

	for (tries = 0; tries < 2; tries++) {
		if (!vmv_page_used(addr))
			break;
		page = vmalloc_to_page((void *)addr);
		if (!page || !pfn_valid(page_to_pfn(page)) ||
		    test_bit(PG_reserved, &page->flags))
			break;
		folio = page_folio(page);
		if (!folio_try_get(folio))
			break;
		if (page_folio(page) != folio ||
		    vmalloc_to_page((void *)addr) != page || !vmv_page_used(addr)) {
			folio_put(folio);
			continue;
		}
		kaddr = kmap_local_page(page);
		ret = copy_to_user(ubuf, kaddr + off, n);
		kunmap_local(kaddr);
		folio_put(folio);
		return ret ? -EFAULT : 0;
	}
	return clear_user(ubuf, n) ? -EFAULT : 0;
}

static ssize_t vmv_mem_read(struct file *file, char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	loff_t pos = *ppos, size = vmv_mem_size();
	size_t done = 0;
	int ret = 0;

	if (pos < 0)
		return -EINVAL;
	if (pos >= size || !len)
		return 0;
	len = min_t(loff_t, len, size - pos);
	while (done < len) {
		unsigned long addr = VMALLOC_START + pos;
		size_t off = offset_in_page(addr);
		size_t n = min_t(size_t, len - done, PAGE_SIZE - off);

		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		ret = vmv_copy_page(ubuf + done, addr - off, off, n);
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
	/* As /proc/kcore: refused under lockdown=confidentiality. */
	ret = security_locked_down(LOCKDOWN_KCORE);
	if (ret)
		return ret;
	vmv_sync_if_needed();
	return 0;
}

static loff_t vmv_mem_llseek(struct file *file, loff_t offset, int whence)
{
	return fixed_size_llseek(file, offset, whence, vmv_mem_size());
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
