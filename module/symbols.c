// SPDX-License-Identifier: GPL-2.0
/*
 * Private kernel symbols. kallsyms_lookup_name() is not exported (since
 * 5.7, "kallsyms: unexport kallsyms_lookup_name() and
 * kallsyms_on_each_symbol()"); a kprobe on it still resolves its address.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>

#include "vmapview.h"

struct vmv_syms vmv_syms;
/* vmapview_kcore's corrected kcore reader reads the same structures. */
EXPORT_SYMBOL_GPL(vmv_syms);
static unsigned long (*vmv_kallsyms_lookup_name)(const char *name);

unsigned long vmv_lookup_name(const char *name)
{
	return vmv_kallsyms_lookup_name(name);
}

#define VMV_SYM(field, name) { #name, (void **)&vmv_syms.field }

int vmv_syms_init(void)
{
	static const struct {
		const char *name;
		void **addr;
	} wanted[] = {
#if !VMV_HAS_PERCPU_VB_XA
		VMV_SYM(vmap_blocks, vmap_blocks),
#endif
		VMV_SYM(vmap_block_queue, vmap_block_queue),
#if VMV_HAS_VMAP_NODES
		VMV_SYM(vmap_nodes, vmap_nodes),
		VMV_SYM(nr_vmap_nodes, nr_vmap_nodes),
		VMV_SYM(vmap_zone_size, vmap_zone_size),
#else
		VMV_SYM(vmap_area_root, vmap_area_root),
		VMV_SYM(vmap_area_list, vmap_area_list),
		VMV_SYM(vmap_area_lock, vmap_area_lock),
#endif
		VMV_SYM(kptr_restrict, kptr_restrict),
		VMV_SYM(init_mm, init_mm),
	};
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned int i;
	int ret;

	ret = register_kprobe(&kp);
	if (ret) {
		pr_err("cannot resolve kallsyms_lookup_name: %d\n", ret);
		return ret;
	}
	vmv_kallsyms_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);

	for (i = 0; i < ARRAY_SIZE(wanted); i++) {
		*wanted[i].addr = (void *)vmv_lookup_name(wanted[i].name);
		if (!*wanted[i].addr) {
			pr_err("kernel symbol %s not found\n", wanted[i].name);
			return -ENOENT;
		}
	}
	return 0;
}
