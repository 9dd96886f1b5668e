// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/vmapview/: blocks, areas, stats. One record per line,
 * range first like /proc/vmallocinfo, then key=value tokens. The formats
 * are documented in README.md; keys may be added, never renamed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "vmapview.h"

static struct dentry *vmv_dir;

static const char * const vmv_src_names[] = {
	[VMV_SRC_PROBE] = "probe", [VMV_SRC_ADOPTED] = "adopted" };
static const char * const vmv_type_names[] = {
	[VMV_TYPE_BLOCK] = "block", [VMV_TYPE_AREA] = "area" };

struct vmv_iter {
	bool show_addr;		/* kptr_restrict, decided at open */
	unsigned long next;	/* address to continue from */
	union {
		struct vmv_block_state block;
		struct vmv_area area;
	};
};

/*
 * Addresses follow kptr_restrict as %pK does for /proc/vmallocinfo, except
 * that 0 shows real addresses (the files are root-only already): 2 hides
 * them, 1 shows them to openers with CAP_SYSLOG (ns_capable_noaudit(): the
 * %pK check uses has_capability_noaudit(), which 5.10 does not export).
 */
bool vmv_may_show_addr(void)
{
	switch (vmv_kptr_restrict()) {
	case 0:
		return true;
	case 1:
		return ns_capable_noaudit(&init_user_ns, CAP_SYSLOG);
	default:
		return false;
	}
}

static int vmv_iter_open(struct inode *inode, struct file *file,
			 const struct seq_operations *ops)
{
	struct vmv_iter *it = __seq_open_private(file, ops, sizeof(*it));

	if (!it)
		return -ENOMEM;
	it->show_addr = vmv_may_show_addr();
	vmv_probes_check();
	vmv_sync_if_needed();
	return 0;
}

static void vmv_show_range(struct seq_file *m, struct vmv_iter *it,
			   unsigned long start, unsigned long size)
{
	if (it->show_addr)
		seq_printf(m, "0x%lx-0x%lx", start, start + size);
	else
		seq_printf(m, "0x%lx-0x%lx", 0UL, 0UL);
}

/* --- blocks --- */

static void *vmv_blocks_fetch(struct vmv_iter *it)
{
	return vmv_next_block(it->next, &it->block) ? &it->block : NULL;
}

static void *vmv_blocks_start(struct seq_file *m, loff_t *pos)
{
	struct vmv_iter *it = m->private;

	/* Each read() call: misses since the open make blocks uncertain. */
	vmv_probes_check();
	if (!*pos) {
		it->next = 0;
		return SEQ_START_TOKEN;
	}
	return vmv_blocks_fetch(it);
}

static void *vmv_blocks_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vmv_iter *it = m->private;

	++*pos;
	if (v != SEQ_START_TOKEN)
		it->next = it->block.start + 1;
	return vmv_blocks_fetch(it);
}

static void vmv_iter_stop(struct seq_file *m, void *v)
{
}

static int vmv_blocks_show(struct seq_file *m, void *v)
{
	struct vmv_iter *it = m->private;
	struct vmv_block_state *b = v;
	unsigned int i, used, dirty;
	struct vmv_totals t;

	if (v == SEQ_START_TOKEN) {
		vmv_totals(&t);
		seq_printf(m, "# blocks=%lu pages_per_block=%lu block_size=%lu used=%lu dirty=%lu free=%lu\n",
			   t.blocks, VMV_BLOCK_PAGES, VMV_BLOCK_SIZE, t.used, t.dirty, t.free);
		return 0;
	}
	used = bitmap_weight(b->used, VMV_BLOCK_PAGES);
	dirty = bitmap_weight(b->dirty, VMV_BLOCK_PAGES);
	vmv_show_range(m, it, b->start, VMV_BLOCK_SIZE);
	seq_printf(m, " cpu=%d free=%lu dirty=%u used=%u dirty_range=%u-%u src=%s%s%s map=",
		   b->cpu, VMV_BLOCK_PAGES - b->cursor, dirty, used, b->dirty_min,
		   b->dirty_max, vmv_src_names[b->src],
		   b->uncertain ? " uncertain=1" : "",
		   b->degraded ? " degraded=1" : "");
	for (i = 0; i < VMV_BLOCK_PAGES; i++)
		seq_putc(m, test_bit(i, b->used) ? 'U' : test_bit(i, b->dirty) ? 'd' : '.');
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations vmv_blocks_ops = {
	.start = vmv_blocks_start,
	.next = vmv_blocks_next,
	.stop = vmv_iter_stop,
	.show = vmv_blocks_show,
};

static int vmv_blocks_open(struct inode *inode, struct file *file)
{
	return vmv_iter_open(inode, file, &vmv_blocks_ops);
}

/* --- areas --- */

static void *vmv_areas_fetch(struct vmv_iter *it)
{
	return vmv_next_area(it->next, &it->area) ? &it->area : NULL;
}

static void *vmv_areas_start(struct seq_file *m, loff_t *pos)
{
	struct vmv_iter *it = m->private;

	vmv_probes_check();
	if (!*pos)
		it->next = 0;
	return vmv_areas_fetch(it);
}

static void *vmv_areas_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vmv_iter *it = m->private;

	++*pos;
	it->next = it->area.start + 1;
	return vmv_areas_fetch(it);
}

static int vmv_areas_show(struct seq_file *m, void *v)
{
	struct vmv_iter *it = m->private;
	struct vmv_area *a = v;
	unsigned long size = (unsigned long)a->reserved << PAGE_SHIFT;

	vmv_show_range(m, it, a->start, size);
	seq_printf(m, " %lu pages=%u type=%s src=%s%s caller=", size, a->pages,
		   vmv_type_names[a->type], vmv_src_names[a->src],
		   a->merged ? " merged=1" : "");
	if (a->caller)
		seq_printf(m, "%pS\n", (void *)a->caller);
	else
		seq_puts(m, "?\n");
	return 0;
}

static const struct seq_operations vmv_areas_ops = {
	.start = vmv_areas_start,
	.next = vmv_areas_next,
	.stop = vmv_iter_stop,
	.show = vmv_areas_show,
};

static int vmv_areas_open(struct inode *inode, struct file *file)
{
	return vmv_iter_open(inode, file, &vmv_areas_ops);
}

/* --- stats --- */

/* The keys of stats_table.h, by enum vmv_stat. */
static const char * const vmv_stat_keys[VMV_STAT_NR] = {
#define VMV_STAT(id, key, desc)		key,
#define VMV_LOST(id, key, desc)		key,
#include "stats_table.h"
#undef VMV_STAT
#undef VMV_LOST
};

static bool vmv_kcore_fix;

void vmv_kcore_fix_set(bool active)
{
	WRITE_ONCE(vmv_kcore_fix, active);
}
EXPORT_SYMBOL_GPL(vmv_kcore_fix_set);

/* The counters [first, end) of stats_table.h, in its order. */
static void vmv_show_stats(struct seq_file *m, enum vmv_stat first,
			   enum vmv_stat end)
{
	enum vmv_stat s;

	for (s = first; s < end; s++)
		seq_printf(m, "%s %ld\n", vmv_stat_keys[s], vmv_stat_sum(s));
}

static int vmv_stats_show(struct seq_file *m, void *unused)
{
	struct vmv_totals t;

	vmv_probes_check();
	vmv_totals(&t);
	seq_printf(m, "blocks %lu\n", t.blocks);
	seq_printf(m, "areas %lu\n", t.areas);
	seq_printf(m, "large_areas %lu\n", t.large_areas);
	seq_printf(m, "used_pages %lu\n", t.used);
	seq_printf(m, "dirty_pages %lu\n", t.dirty);
	seq_printf(m, "free_pages %lu\n", t.free);
	seq_printf(m, "block_va_bytes %lu\n", t.blocks * VMV_BLOCK_SIZE);
	seq_printf(m, "purge_eligible_blocks %lu\n", t.purge_eligible);
	seq_printf(m, "uncertain_blocks %lu\n", t.uncertain);
	seq_printf(m, "degraded_blocks %lu\n", t.degraded);
	vmv_show_stats(m, VMV_STAT_MAPS, VMV_STAT_VB_ALLOC);
	vmv_resync_show(m);
	vmv_probes_show(m);
	vmv_show_stats(m, VMV_STAT_VB_ALLOC, VMV_STAT_AREAS);
	seq_printf(m, "memory_bytes %lu\n", t.memory);
	seq_printf(m, "pages_per_block %lu\n", VMV_BLOCK_PAGES);
	seq_printf(m, "layout %s\n", vmv_layout_source());
	seq_printf(m, "kcore_fix %d\n", READ_ONCE(vmv_kcore_fix));
	seq_printf(m, "vmalloc_start 0x%lx\n", vmv_may_show_addr() ? VMALLOC_START : 0UL);
	return 0;
}

static int vmv_stats_open(struct inode *inode, struct file *file)
{
	vmv_probes_check();
	vmv_sync_if_needed();
	return single_open(file, vmv_stats_show, inode->i_private);
}

static const struct file_operations vmv_stats_fops = {
	.owner = THIS_MODULE,
	.open = vmv_stats_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

#ifdef VMAPVIEW_TESTING
/*
 * Test builds: "flip 0xADDR" flips one used bit of the mirror; "area 0xADDR
 * PAGES" records a large vm_map_ram() area that the kernel does not have;
 * "misjudge 0xADDR" makes the vmalloc file give the area at ADDR a wrong
 * kind (0: none).
 */
static ssize_t vmv_inject_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	unsigned long addr;
	unsigned int pages;
	char buf[48];
	int end = 0, ret;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(strim(buf), "flip %lx%n", &addr, &end) == 1 && !strim(buf)[end])
		ret = vmv_test_flip_used(addr);
	else if (sscanf(strim(buf), "area %lx %u%n", &addr, &pages, &end) == 2 &&
		 !strim(buf)[end])
		ret = vmv_test_add_area(addr, pages);
	else if (sscanf(strim(buf), "misjudge %lx%n", &addr, &end) == 1 && !strim(buf)[end])
		ret = vmv_test_misjudge(addr);
	else
		ret = -EINVAL;
	return ret ? ret : len;
}

static const struct file_operations vmv_inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vmv_inject_write,
	.llseek = noop_llseek,
};
#endif

static const struct file_operations vmv_blocks_fops = {
	.owner = THIS_MODULE,
	.open = vmv_blocks_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

static const struct file_operations vmv_areas_fops = {
	.owner = THIS_MODULE,
	.open = vmv_areas_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

int vmv_debugfs_init(void)
{
	vmv_dir = debugfs_create_dir(VMAPVIEW_NAME, NULL);
	if (IS_ERR(vmv_dir))
		return PTR_ERR(vmv_dir);
	debugfs_create_file("blocks", 0400, vmv_dir, NULL, &vmv_blocks_fops);
	debugfs_create_file("areas", 0400, vmv_dir, NULL, &vmv_areas_fops);
	debugfs_create_file("stats", 0400, vmv_dir, NULL, &vmv_stats_fops);
	vmv_mem_create(vmv_dir);
	vmv_vmalloc_map_create(vmv_dir);
#ifdef VMAPVIEW_TESTING
	debugfs_create_file("inject", 0200, vmv_dir, NULL, &vmv_inject_fops);
#endif
	return 0;
}

/* Waits for readers in progress; later calls on open files get -EIO. */
void vmv_debugfs_exit(void)
{
	debugfs_remove_recursive(vmv_dir);
}
