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

#include "vmapview.h"

struct vmv_probe {
	const char *symbol;
	const char *name;	/* in stats, when two probes share a symbol */
	bool ret;		/* a kretprobe */
	bool required;		/* vmapview cannot work without it */
	bool variants;		/* may sit on a .isra/.constprop/.part copy */
	int counter;		/* a counting probe's enum vmv_stat, or 0 */
	struct kprobe kp;
	struct kretprobe rp;
	char resolved[KSYM_NAME_LEN];
	bool installed;
	unsigned long missed_seen;
};

struct vmv_map_data {
	unsigned long caller;
	unsigned int count;
};

static int vmv_map_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vmv_map_data *d = (struct vmv_map_data *)ri->data;

	d->count = vmv_arg(regs, 1);
	d->caller = vmv_entry_ret_addr(regs);
	return 0;
}

static int vmv_map_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vmv_map_data *d = (struct vmv_map_data *)ri->data;
	unsigned long addr = regs_return_value(regs);
	struct vmv_probe *p;

	/* A new block: which CPU's queue took it, while that is cheap to tell. */
	if (addr && d->count && vmv_on_map(addr, d->count, d->caller))
		vmv_block_set_cpu(vmv_block_start(addr),
				  vmv_kernel_block_cpu(vmv_block_start(addr), true));
	/* A miss leaves no trace but the kretprobe's own counter. */
	p = container_of(vmv_get_kretprobe(ri), struct vmv_probe, rp);
	if (unlikely(READ_ONCE(p->rp.nmissed) != READ_ONCE(p->missed_seen)))
		vmv_probes_check();
	return 0;
}

static int vmv_unmap_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long addr = vmv_arg(regs, 0);
	unsigned int count = vmv_arg(regs, 1);

	if (addr && count)
		vmv_on_unmap(addr, count);
	return 0;
}

static int vmv_block_free_pre(struct kprobe *p, struct pt_regs *regs)
{
	vmv_on_block_free(vmv_kernel_vb_start((void *)vmv_arg(regs, 0)));
	return 0;
}

/* The vmap_area is valid until this function has put it on a lazy list. */
static int vmv_va_free_pre(struct kprobe *p, struct pt_regs *regs)
{
	vmv_on_va_free(vmv_kernel_va_start((struct vmap_area *)vmv_arg(regs, 0)));
	return 0;
}

static int vmv_count_pre(struct kprobe *p, struct pt_regs *regs);

#if VMV_ALIASES_RESET_DIRTY
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
 * Whether a _vm_unmap_aliases() call overlapped the unmap (see
 * vmv_unmap_window_close()); the unmap itself is the kprobe's.
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
	return 0;
}

static int vmv_unmap_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vmv_unmap_data *d = (struct vmv_unmap_data *)ri->data;
	struct vmv_probe *p;

	if (d->addr)
		vmv_unmap_window_close(&d->w, d->addr);
	p = container_of(vmv_get_kretprobe(ri), struct vmv_probe, rp);
	if (unlikely(READ_ONCE(p->rp.nmissed) != READ_ONCE(p->missed_seen)))
		vmv_probes_check();
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
	{
		.symbol = "vm_unmap_ram", .required = true,
		.kp = { .pre_handler = vmv_unmap_pre },
	},
	{
		.symbol = "free_vmap_block", .required = true,
		.kp = { .pre_handler = vmv_block_free_pre },
	},
	{
		.symbol = "free_vmap_area_noflush",
		.kp = { .pre_handler = vmv_va_free_pre },
	},
	{
		.symbol = "purge_fragmented_blocks_allcpus", .variants = true,
		.counter = VMV_STAT_PURGES,
	},
#if VMV_ALIASES_RESET_DIRTY
	{
		.symbol = "vm_unmap_ram", .name = "vm_unmap_ram.return",
		.ret = true, .required = true,
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

static bool vmv_probe_resolve(struct vmv_probe *p)
{
	static const char * const suffixes[] = { ".isra.", ".constprop.", ".part." };
	unsigned int i, n;

	strscpy(p->resolved, p->symbol, sizeof(p->resolved));
	if (vmv_lookup_name(p->resolved))
		return true;
	if (!p->variants)
		return false;
	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		for (n = 0; n < 4; n++) {
			snprintf(p->resolved, sizeof(p->resolved), "%s%s%u",
				 p->symbol, suffixes[i], n);
			if (vmv_lookup_name(p->resolved))
				return true;
		}
	}
	p->resolved[0] = '\0';
	return false;
}

static int vmv_probe_install(struct vmv_probe *p)
{
	int ret;

	if (!vmv_probe_resolve(p))
		return -ENOENT;
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

int vmv_probes_install(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(vmv_probes); i++) {
		struct vmv_probe *p = &vmv_probes[i];

		ret = vmv_probe_install(p);
		if (!ret) {
			p->installed = true;
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

static unsigned long vmv_probe_nmissed(struct vmv_probe *p)
{
	if (!p->installed)
		return 0;
	return p->ret ? p->rp.nmissed + p->rp.kp.nmissed : p->kp.nmissed;
}

/*
 * Tells the mirror once of every new batch of missed hits of a probe that
 * feeds it. Callers race on missed_seen; cmpxchg makes one of them see it.
 */
void vmv_probes_check(void)
{
	bool missed = false;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vmv_probes); i++) {
		struct vmv_probe *p = &vmv_probes[i];
		unsigned long now = vmv_probe_nmissed(p);
		unsigned long seen = READ_ONCE(p->missed_seen);

		if (now != seen && !p->counter &&
		    cmpxchg(&p->missed_seen, seen, now) == seen)
			missed = true;
	}
	if (missed)
		vmv_lost_track();
}

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
	seq_printf(m, "vb_alloc_calls %ld\n", vmv_stat_sum(VMV_STAT_VB_ALLOC));
	seq_printf(m, "vb_free_calls %ld\n", vmv_stat_sum(VMV_STAT_VB_FREE));
}
