// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/vmapview/vmalloc: every busy area of vmalloc space, one
 * per line, range first, and how /proc/kcore (the kernel's vread() or
 * vread_iter()) reads it on this kernel:
 *
 *   right            the bytes the page tables map (zeros where none)
 *   zeros-by-design  zeros on purpose: ioremap (never MMIO), VM_SPARSE,
 *                    from 6.9 an area still being populated
 *   zeros-bug        zeros although RAM is mapped: vm_map_ram() before 6.3,
 *                    and the last page of a per-cpu area, which vread
 *                    sizes with get_vm_area_size() as if it were a guard
 *   misread          wrong bytes: vmap_block pages above the first used one
 *                    from 6.3, which read as copies of that page
 *
 * kcore_pages= names the pages of the area (from 0) that the verdict is
 * about, where it is not the whole area, and reader= the reader that gets
 * them right: kcore, vmapview's mem, or none (MMIO; the per-cpu page;
 * sparse areas where mem cannot read them: sparse.c, compat.h). The areas
 * come from the kernel's busy lists, under their locks (kread.c); the
 * verdicts follow from this kernel's vread() as compat.h describes it.
 * The format is in man/vmapview.4.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "vmapview.h"

/*
 * Names shown, as /proc/vmallocinfo's words, or compared with what %ps
 * prints: never looked up (tests/host/ibt_check.py allows these .name
 * strings, which may name kernel functions, in this file only).
 */
struct vmv_shown {
	unsigned long flag;
	const char *name;
};

static const struct vmv_shown vmv_kind_names[VMV_KIND_MAX] = {
	[VMV_KIND_VMALLOC] = { .name = "vmalloc" },
	[VMV_KIND_PERCPU] = { .name = "percpu" },
	[VMV_KIND_VMAP] = { .name = "vmap" },
	[VMV_KIND_IOREMAP] = { .name = "ioremap" },
	[VMV_KIND_SPARSE] = { .name = "sparse" },
	[VMV_KIND_RAM_BLOCK] = { .name = "vm_map_ram_block" },
	[VMV_KIND_RAM] = { .name = "vm_map_ram" },
	[VMV_KIND_OTHER] = { .name = "other" },
};

/* The vm_struct flags /proc/vmallocinfo names, and two it does not. */
static const struct vmv_shown vmv_vm_flag_names[] = {
	{ .flag = VM_IOREMAP, .name = "ioremap" },
	{ .flag = VMV_VM_SPARSE, .name = "sparse" },
	{ .flag = VM_ALLOC, .name = "vmalloc" },
	{ .flag = VM_MAP, .name = "vmap" },
	{ .flag = VM_USERMAP, .name = "user" },
	{ .flag = VM_DMA_COHERENT, .name = "dma-coherent" },
	{ .flag = VM_NO_GUARD, .name = "no-guard" },
	{ .flag = VM_UNINITIALIZED, .name = "uninitialized" },
};

/*
 * Per-cpu areas are told by their caller, as /proc/vmallocinfo shows it:
 * pcpu_get_vm_areas() is not exported, so its name is compared with the
 * caller's, the address never resolved nor called.
 */
static const struct vmv_shown vmv_percpu_caller = { .name = "pcpu_get_vm_areas" };

static enum vmv_area_kind vmv_kind(const struct vmv_karea *a)
{
	char name[32];	/* longer names cannot match once truncated */

	if (a->kind != VMV_KIND_VMALLOC || a->nr_pages ||
	    (a->vm_flags & VM_UNINITIALIZED))
		return a->kind;
	snprintf(name, sizeof(name), "%ps", a->caller);
	return strcmp(name, vmv_percpu_caller.name) ? a->kind : VMV_KIND_PERCPU;
}

struct vmv_map_iter {
	bool show_addr;		/* kptr_restrict, decided at open */
	unsigned long next;	/* the next area ends after this */
	struct vmv_karea area;
};

struct vmv_verdict {
	const char *kcore, *reader;
	long lo, hi;		/* the pages it is about; lo < 0: all */
};

/* What /proc/kcore reads in area a, which has present pages mapped. */
static void vmv_judge(const struct vmv_karea *a, enum vmv_area_kind kind,
		      unsigned long mapped, bool last_present,
		      struct vmv_verdict *v)
{
	unsigned long pages = (a->end - a->start) >> PAGE_SHIFT;

	v->kcore = "right";
	v->reader = "kcore";
	v->lo = -1;
	v->hi = -1;
	switch (kind) {
	case VMV_KIND_RAM_BLOCK:
		if (!VMV_HAS_USED_MAP) {
			if (mapped) {
				v->kcore = "zeros-bug";
				v->reader = "mem";
			}
		} else if (a->first_used >= 0 && (unsigned long)a->first_used + 1 < pages) {
			/* vmap_ram_vread_iter(): see compat.h's VMV_KCORE_FIX */
			v->kcore = "misread";
			v->reader = "mem";
			v->lo = a->first_used + 1;
			v->hi = pages - 1;
		}
		break;
	case VMV_KIND_RAM:
		if (!VMV_HAS_USED_MAP && mapped) {
			v->kcore = "zeros-bug";
			v->reader = "mem";
		}
		break;
	case VMV_KIND_IOREMAP:
		v->kcore = "zeros-by-design";
		v->reader = "none";
		break;
	case VMV_KIND_SPARSE:
		v->kcore = "zeros-by-design";
		v->reader = vmv_sparse_readable() ? "mem" : "none";
		break;
	case VMV_KIND_PERCPU:
		if (last_present) {
			v->kcore = "zeros-bug";
			v->reader = "none";
			v->lo = pages - 1;
			v->hi = pages - 1;
		}
		break;
	default:
		if (VMV_VREAD_SKIPS_UNINIT && (a->vm_flags & VM_UNINITIALIZED)) {
			v->kcore = "zeros-by-design";
			v->reader = "none";
		}
		break;
	}
}

#ifdef VMAPVIEW_TESTING
/* Test builds: the area the inject file asked to show with a wrong kind. */
static unsigned long vmv_misjudged;

int vmv_test_misjudge(unsigned long addr)
{
	WRITE_ONCE(vmv_misjudged, addr);
	return 0;
}

static enum vmv_area_kind vmv_shown_kind(const struct vmv_karea *a,
					 enum vmv_area_kind kind)
{
	if (a->start != READ_ONCE(vmv_misjudged))
		return kind;
	return kind == VMV_KIND_OTHER ? VMV_KIND_VMALLOC : VMV_KIND_OTHER;
}
#else
static enum vmv_area_kind vmv_shown_kind(const struct vmv_karea *a,
					 enum vmv_area_kind kind)
{
	return kind;
}
#endif

static void *vmv_map_fetch(struct vmv_map_iter *it)
{
	return vmv_kernel_next_area(it->next, &it->area) ? &it->area : NULL;
}

static void *vmv_map_start(struct seq_file *m, loff_t *pos)
{
	struct vmv_map_iter *it = m->private;

	if (!*pos)
		it->next = 0;
	return vmv_map_fetch(it);
}

static void *vmv_map_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vmv_map_iter *it = m->private;

	++*pos;
	it->next = it->area.end;
	return vmv_map_fetch(it);
}

static void vmv_map_stop(struct seq_file *m, void *v)
{
}

static int vmv_map_show(struct seq_file *m, void *v)
{
	struct vmv_map_iter *it = m->private;
	const struct vmv_karea *a = v;
	bool last_present, gone, first = true;
	struct vmv_verdict verdict;
	enum vmv_area_kind kind;
	unsigned long mapped, nscratch;
	unsigned int i;

	mapped = vmv_kernel_present_pages(a, &last_present, &gone, &nscratch);
	if (gone)
		return 0;	/* freed while we looked: not listed */
	kind = vmv_kind(a);
	if (it->show_addr)
		seq_printf(m, "0x%lx-0x%lx", a->start, a->end);
	else
		seq_printf(m, "0x%lx-0x%lx", 0UL, 0UL);
	seq_printf(m, " %lu kind=%s mapped=%lu", a->end - a->start,
		   vmv_kind_names[vmv_shown_kind(a, kind)].name, mapped);
	/* 7.x: mapped pages that are the arena's scratch page (compat.h) */
	if (VMV_ARENA_SCRATCH && a->kind == VMV_KIND_SPARSE) {
		if (nscratch == ULONG_MAX)
			seq_puts(m, " scratch=unknown");
		else
			seq_printf(m, " scratch=%lu", nscratch);
	}
	if (a->nr_pages)
		seq_printf(m, " pages=%lu", a->nr_pages);
	if (a->caller)
		seq_printf(m, " caller=%pS", a->caller);
	for (i = 0; i < ARRAY_SIZE(vmv_vm_flag_names); i++) {
		if (!(a->vm_flags & vmv_vm_flag_names[i].flag))
			continue;
		seq_printf(m, "%s%s", first ? " flags=" : ",", vmv_vm_flag_names[i].name);
		first = false;
	}
	vmv_judge(a, kind, mapped, last_present, &verdict);
	seq_printf(m, " kcore=%s", verdict.kcore);
	if (verdict.lo >= 0)
		seq_printf(m, " kcore_pages=%ld-%ld", verdict.lo, verdict.hi);
	seq_printf(m, " reader=%s\n", verdict.reader);
	return 0;
}

static const struct seq_operations vmv_map_ops = {
	.start = vmv_map_start,
	.next = vmv_map_next,
	.stop = vmv_map_stop,
	.show = vmv_map_show,
};

static int vmv_map_open(struct inode *inode, struct file *file)
{
	struct vmv_map_iter *it;

	if (file->f_mode & FMODE_WRITE)
		return -EPERM;
	it = __seq_open_private(file, &vmv_map_ops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->show_addr = vmv_may_show_addr();
	return 0;
}

static const struct file_operations vmv_map_fops = {
	.owner = THIS_MODULE,
	.open = vmv_map_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

void vmv_vmalloc_map_create(struct dentry *dir)
{
	debugfs_create_file("vmalloc", 0400, dir, NULL, &vmv_map_fops);
}
