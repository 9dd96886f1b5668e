// SPDX-License-Identifier: GPL-2.0
/*
 * The probe table: every kprobe and kretprobe vmapview installs, with what
 * each one feeds into the mirror.
 *
 * vb_alloc() and vb_free() are inlined into vm_map_ram() and vm_unmap_ram()
 * on Debian's 6.1 and 6.12, so the mirror is fed from those two exported
 * functions, which see every block allocation with its count and caller.
 * Where vb_alloc/vb_free exist as symbols they are probed to count calls.
 * A probe that reads arguments is only put on the exact symbol: a
 * compiler-made .isra/.constprop/.part variant may take other arguments.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/ptrace.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "vmapview.h"

struct vmv_probe {
	const char *symbol;
	const char *name;	/* in stats, when two probes share a symbol */
	bool ret;		/* a kretprobe */
	bool required;		/* vmapview cannot work without it */
	bool variants;		/* may sit on a .isra/.constprop/.part copy */
	bool guard;		/* not the mirror's: its misses stop a reader */
	u8 mode;		/* 6.5+: VMV_WALK or VMV_WINDOW only, or 0 */
	bool walk;		/* its absence makes the mode VMV_WINDOW */
	int counter;		/* a counting probe's enum vmv_stat, or 0 */
	struct kprobe kp;
	struct kretprobe rp;
	char resolved[KSYM_NAME_LEN];
	bool installed;
	unsigned long missed_seen;
};

/*
 * 6.5+: how the mirror follows _vm_unmap_aliases()'s dirty-range resets.
 * VMV_WALK: a kprobe on purge_fragmented_block(), which the walk calls for
 * each block under its lock, and a kprobe on vm_unmap_ram(). VMV_WINDOW,
 * where the first cannot be installed: generations, and a kretprobe on
 * vm_unmap_ram() whose return half sees the calls that overlap an unmap.
 */
enum { VMV_WALK = 1, VMV_WINDOW };
static u8 vmv_mode;

struct vmv_map_data {
	unsigned long caller;
	unsigned int count;
};

/*
 * What vmv_probes_check() compares with missed_seen: a kretprobe misses
 * both when it has no free instance (rp.nmissed) and when its entry kprobe
 * does (rp.kp.nmissed), and either loses an event. Misses leave no trace
 * but these counters, and no handler runs to see them: every reader of
 * the mirror checks them when it reads (each read() call of debugfs's
 * files and mem, each page of the kcore fix's reader), and a new miss
 * makes every block uncertain before anything is shown.
 */
static unsigned long vmv_probe_nmissed(struct vmv_probe *p)
{
	if (!READ_ONCE(p->installed))
		return 0;
	return p->ret ? READ_ONCE(p->rp.nmissed) + READ_ONCE(p->rp.kp.nmissed) :
			READ_ONCE(p->kp.nmissed);
}

static int vmv_map_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vmv_map_data *d = (struct vmv_map_data *)ri->data;

	d->count = vmv_arg(regs, 1);
	d->caller = vmv_entry_ret_addr(regs);
	return 0;
}

/*
 * Any map vmv_map_usual() did not take: out of line, so that the usual
 * map's handler stays a call and a test.
 */
static noinline void vmv_map_other(unsigned long addr, struct vmv_map_data *d)
{
	/* A new block: which CPU's queue took it, while that is cheap to tell. */
	if (addr && d->count && vmv_on_map(addr, d->count, d->caller))
		vmv_block_set_cpu(vmv_block_start(addr),
				  vmv_kernel_block_cpu(vmv_block_start(addr), true));
}

static int vmv_map_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vmv_map_data *d = (struct vmv_map_data *)ri->data;

	if (unlikely(!vmv_map_usual(regs_return_value(regs), d->count, d->caller)))
		vmv_map_other(regs_return_value(regs), d);
	return 0;
}

/*
 * vm_map_ram()'s extent, to tell its own failure path's vm_unmap_ram() call
 * (seen in the 6.1, 6.12 and 7.3 disassembly) from a caller's: found once,
 * from the exported symbol's address and the size kallsyms gives it.
 */
static unsigned long vmv_map_ram_size;

static int vmv_map_ram_extent(void)
{
	char buf[KSYM_SYMBOL_LEN], *size;

	sprint_symbol(buf, (unsigned long)vm_map_ram);
	size = strchr(buf, '/');
	if (!str_has_prefix(buf, "vm_map_ram+0x0/") || !size ||
	    kstrtoul(size + 1, 16, &vmv_map_ram_size) || !vmv_map_ram_size) {
		pr_err("cannot tell vm_map_ram()'s size (kallsyms: %s)\n", buf);
		return -ENOENT;
	}
	return 0;
}

/* Any unmap vmv_unmap_usual() did not take; out of line, as vmv_map_other(). */
static noinline void vmv_unmap_other(struct pt_regs *regs)
{
	unsigned long addr = vmv_arg(regs, 0);
	unsigned int count = vmv_arg(regs, 1);
	bool map_failed;

	if (!addr || !count)
		return;
	map_failed = vmv_entry_ret_addr(regs) - (unsigned long)vm_map_ram <
		     vmv_map_ram_size;
	if (vmv_on_unmap(addr, count, map_failed))
		vmv_block_set_cpu(vmv_block_start(addr),
				  vmv_kernel_block_cpu(vmv_block_start(addr), true));
}

/*
 * At vm_unmap_ram()'s entry, while the return address on the stack is
 * still the caller's: a kretprobe at the same address replaces it with its
 * trampoline (rethook_hook()) after its entry handler, so on 6.5+ the
 * unmap is that entry handler's (vmv_unmap_entry()), not a kprobe's that
 * may run after it.
 */
static __always_inline void vmv_unmap_event(struct pt_regs *regs)
{
	if (unlikely(!vmv_unmap_usual(vmv_arg(regs, 0), vmv_arg(regs, 1))))
		vmv_unmap_other(regs);
}

static int vmv_unmap_pre(struct kprobe *p, struct pt_regs *regs)
{
	vmv_unmap_event(regs);
	return 0;
}

static int vmv_block_free_pre(struct kprobe *p, struct pt_regs *regs)
{
	vmv_on_block_free(vmv_kernel_vb_start((void *)vmv_arg(regs, 0)));
	return 0;
}

#if VMV_LARGE_MAY_GO_STALE
/*
 * On every vfree() and vunmap(): O(1), no lock. The vmap_area is valid
 * until this function has put it on a lazy list.
 */
static int vmv_va_free_pre(struct kprobe *p, struct pt_regs *regs)
{
	vmv_on_va_free(vmv_kernel_va_start((struct vmap_area *)vmv_arg(regs, 0)));
	return 0;
}
#endif

static int vmv_count_pre(struct kprobe *p, struct pt_regs *regs);

#if VMV_ALIASES_RESET_DIRTY
/*
 * purge_fragmented_block(vb, purge_list, force_purge), with vb->lock held:
 * from _vm_unmap_aliases() (force_purge false) the kernel resets the
 * block's dirty range next, under that lock, unless it purges the block;
 * purge_fragmented_blocks() (true) resets nothing. force_purge is a bool:
 * only its low byte is defined.
 */
static int vmv_walk_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long start, dirty;

	if ((u8)vmv_arg(regs, 2))
		return 0;
	if (vmv_kernel_walk_resets((void *)vmv_arg(regs, 0), &start, &dirty))
		vmv_on_walk_reset(start, dirty);
	return 0;
}

/* 6.5+: _vm_unmap_aliases() resets dirty ranges; the mirror follows. */
static int vmv_aliases_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	vmv_count(VMV_STAT_UNMAP_ALIASES);
	*(unsigned long *)ri->data = vmv_aliases_begin();
	return 0;
}

static int vmv_aliases_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	vmv_aliases_end(*(unsigned long *)ri->data);
	return 0;
}

/*
 * The unmap, and whether a _vm_unmap_aliases() call overlapped it (see
 * vmv_unmap_window_close()): one kretprobe, cheaper than a kprobe beside
 * it. A miss of its entry loses the unmap: counted, as a map's is.
 */
struct vmv_unmap_data {
	struct vmv_unmap_window w;
	unsigned long addr;
};

static int vmv_unmap_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vmv_unmap_data *d = (struct vmv_unmap_data *)ri->data;

	d->addr = vmv_arg(regs, 0);
	vmv_unmap_window_open(&d->w);
	vmv_unmap_event(regs);
	return 0;
}

static int vmv_unmap_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vmv_unmap_data *d = (struct vmv_unmap_data *)ri->data;

	if (d->addr)
		vmv_unmap_window_close(&d->w, d->addr);
	return 0;
}
#endif

static int map_maxactive;
module_param(map_maxactive, int, 0444);
MODULE_PARM_DESC(map_maxactive,
		 "vm_map_ram() calls tracked at once (kretprobe maxactive; default 4 per CPU, at least 64)");

/*
 * Installed in this order and removed in the reverse one: what ends an
 * allocation or a block (unmap, block free) is watched before what starts
 * one (map) and after it, so that no allocation is recorded whose end goes
 * unseen.
 */
static struct vmv_probe vmv_probes[] = {
#if VMV_MEM_READS_SPARSE
	/* Lets mem read BPF arenas' pages while they cannot be freed (sparse.c). */
	{
		.symbol = "arena_map_free", .ret = true, .guard = true,
		.rp = {
			.entry_handler = vmv_arena_free_entry,
			.handler = vmv_arena_free_ret,
		},
	},
#endif
#if VMV_ALIASES_RESET_DIRTY
	/* Before the unmap probe, which its presence chooses. */
	{
		.symbol = "purge_fragmented_block", .mode = VMV_WALK, .walk = true,
		.kp = { .pre_handler = vmv_walk_pre },
	},
#endif
	{
		.symbol = "vm_unmap_ram", .required = true, .mode = VMV_WALK,
		.kp = { .pre_handler = vmv_unmap_pre },
	},
	{
		.symbol = "free_vmap_block", .required = true,
		.kp = { .pre_handler = vmv_block_free_pre },
	},
#if VMV_LARGE_MAY_GO_STALE
	/* Only where adopted large-area records can outlive their area. */
	{
		.symbol = "free_vmap_area_noflush",
		.kp = { .pre_handler = vmv_va_free_pre },
	},
#endif
	{
		.symbol = "purge_fragmented_blocks_allcpus", .variants = true,
		.counter = VMV_STAT_PURGES,
	},
#if VMV_ALIASES_RESET_DIRTY
	{
		.symbol = "vm_unmap_ram", .name = "vm_unmap_ram.return",
		.ret = true, .required = true, .mode = VMV_WINDOW,
		.rp = {
			.entry_handler = vmv_unmap_entry,
			.handler = vmv_unmap_ret,
			.data_size = sizeof(struct vmv_unmap_data),
		},
	},
	{
		.symbol = "_vm_unmap_aliases", .ret = true, .variants = true,
		.rp = {
			.entry_handler = vmv_aliases_entry,
			.handler = vmv_aliases_ret,
			.data_size = sizeof(unsigned long),
		},
	},
#else
	{
		.symbol = "_vm_unmap_aliases", .variants = true,
		.counter = VMV_STAT_UNMAP_ALIASES,
	},
#endif
	{ .symbol = "vb_alloc", .variants = true, .counter = VMV_STAT_VB_ALLOC },
	{ .symbol = "vb_free", .variants = true, .counter = VMV_STAT_VB_FREE },
	{
		.symbol = "vm_map_ram", .ret = true, .required = true,
		.rp = {
			.entry_handler = vmv_map_entry,
			.handler = vmv_map_ret,
			.data_size = sizeof(struct vmv_map_data),
		},
	},
};

static int vmv_count_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct vmv_probe *probe = container_of(p, struct vmv_probe, kp);

	vmv_count(probe->counter);
	return 0;
}

/*
 * The nth name a probe may go by: its symbol, then, for variants, the
 * clones gcc makes of a function (.isra.N, .constprop.N, .part.N). False
 * past the last. Whether the kernel has a name is for the registration to
 * say (-ENOENT), which looks it up itself: vmapview has no kallsyms
 * lookup of its own (symbols.c).
 */
static bool vmv_probe_resolve(struct vmv_probe *p, unsigned int nth)
{
	static const char * const suffixes[] = { ".isra.", ".constprop.", ".part." };
	const unsigned int per_suffix = 4;

	if (!nth) {
		strscpy(p->resolved, p->symbol, sizeof(p->resolved));
		return true;
	}
	nth--;
	if (!p->variants || nth >= ARRAY_SIZE(suffixes) * per_suffix) {
		p->resolved[0] = '\0';
		return false;
	}
	snprintf(p->resolved, sizeof(p->resolved), "%s%s%u", p->symbol,
		 suffixes[nth / per_suffix], nth % per_suffix);
	return true;
}

static int vmv_probe_install(struct vmv_probe *p)
{
	unsigned int nth;
	int ret = -ENOENT;

	for (nth = 0; ret == -ENOENT && vmv_probe_resolve(p, nth); nth++) {
		if (p->ret) {
			p->rp.kp.symbol_name = p->resolved;
			/* vm_map_ram() may sleep: allow many calls in flight per CPU. */
			p->rp.maxactive = max_t(int, 64, 4 * num_possible_cpus());
			if (p->rp.handler == vmv_map_ret && map_maxactive > 0)
				p->rp.maxactive = map_maxactive;
			ret = register_kretprobe(&p->rp);
		} else {
			p->kp.symbol_name = p->resolved;
			if (p->counter)
				p->kp.pre_handler = vmv_count_pre;
			ret = register_kprobe(&p->kp);
		}
	}
	if (ret)
		p->resolved[0] = '\0';
	return ret;
}

static void vmv_probe_uninstall(struct vmv_probe *p)
{
	if (!p->installed)
		return;
	if (p->ret)
		unregister_kretprobe(&p->rp);
	else
		unregister_kprobe(&p->kp);
	p->installed = false;
}

#ifdef VMAPVIEW_TESTING
/*
 * Test builds: fail_probe=NAME makes that probe's registration fail, as
 * memory pressure or another ftrace user can, after the probes before it
 * are armed and with a resync queued as their handlers may have left one
 * (tests/cases/init-failure).
 */
static char *vmv_test_fail_probe;
module_param_named(fail_probe, vmv_test_fail_probe, charp, 0400);

static int vmv_test_probe_fails(struct vmv_probe *p)
{
	if (!vmv_test_fail_probe || strcmp(vmv_test_fail_probe, p->name ?: p->symbol))
		return 0;
	vmv_test_resync_later(HZ / 2);
	return -EBUSY;
}
#else
static int vmv_test_probe_fails(struct vmv_probe *p)
{
	return 0;
}
#endif

int vmv_probes_install(void)
{
	unsigned int i;
	int ret;

	ret = vmv_map_ram_extent();
	if (ret)
		return ret;
	vmv_mode = VMV_WALK;
	vmv_set_walk_resets(VMV_ALIASES_RESET_DIRTY);
	for (i = 0; i < ARRAY_SIZE(vmv_probes); i++) {
		struct vmv_probe *p = &vmv_probes[i];

		if (p->mode && p->mode != vmv_mode)
			continue;
		ret = vmv_test_probe_fails(p) ?: vmv_probe_install(p);
		if (!ret) {
			p->installed = true;
			continue;
		}
		if (p->walk) {
			pr_info("%s not probed (%d): dirty-range resets followed by generations\n",
				p->symbol, ret);
			vmv_mode = VMV_WINDOW;
			vmv_set_walk_resets(false);
			continue;
		}
		if (p->required) {
			pr_err("cannot probe %s: %d\n", p->symbol, ret);
			vmv_probes_remove();
			return ret;
		}
		if (ret != -ENOENT)
			pr_warn("optional probe %s not installed: %d\n", p->symbol, ret);
	}
	return 0;
}

void vmv_probes_remove(void)
{
	unsigned int i;

	for (i = ARRAY_SIZE(vmv_probes); i-- > 0;)
		vmv_probe_uninstall(&vmv_probes[i]);
}

/*
 * Tells the mirror once of every new batch of missed hits of a probe that
 * feeds it; every reader calls it before it reads (debugfs's opens and
 * read() calls, mem's, vmapview_kcore's pre-6.3 reader). Callers race on
 * missed_seen; cmpxchg makes one of them see it.
 */
void vmv_probes_check(void)
{
	bool missed = false;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmv_probes); i++) {
		struct vmv_probe *p = &vmv_probes[i];
		unsigned long now = vmv_probe_nmissed(p);
		unsigned long seen = READ_ONCE(p->missed_seen);

		if (now != seen && !p->counter && !p->guard &&
		    cmpxchg(&p->missed_seen, seen, now) == seen)
			missed = true;
	}
	if (missed)
		vmv_lost_track();
}
EXPORT_SYMBOL_GPL(vmv_probes_check);

#if VMV_MEM_READS_SPARSE
/*
 * Whether sparse areas may be read: the arena_map_free() probe is armed
 * and has missed no hit (sparse.c), and on 7.x the arena's layout, which
 * finds its scratch page, is the kernel's (layout.c).
 */
bool vmv_sparse_readable(void)
{
	struct vmv_probe *p = &vmv_probes[0];

	return (!VMV_ARENA_SCRATCH || vmv_layout_arena()) &&
	       READ_ONCE(p->installed) && !vmv_probe_nmissed(p);
}
#endif

void vmv_probes_show(struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmv_probes); i++) {
		struct vmv_probe *p = &vmv_probes[i];

		seq_printf(m, "probe.%s %s\n", p->name ?: p->symbol,
			   p->installed ? p->resolved : "absent");
		seq_printf(m, "probe.%s.nmissed %lu\n", p->name ?: p->symbol,
			   vmv_probe_nmissed(p));
	}
}
