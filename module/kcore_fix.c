// SPDX-License-Identifier: GPL-2.0
/*
 * vmapview_kcore: an opt-in livepatch that makes /proc/kcore, and so drgn,
 * crash and gdb on the live kernel, read vm_map_ram() memory right. It
 * replaces the kernel's reader of vmalloc space (vread() before 6.3,
 * vread_iter() after) with the corrected copy in kcore_vread.c. Loading it
 * turns the fix on; as for any livepatch, it is turned off by writing 0 to
 * /sys/kernel/livepatch/vmapview_kcore/enabled, and then unloaded. The
 * kernel is tainted K while it is loaded; vmapview's stats says kcore_fix 1
 * while the kernel runs the corrected reader.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "kcore_api.h"
#include "kcore_vread.h"

#if VMV_KCORE_FIX
#include <linux/livepatch.h>
#include <linux/security.h>
#include <linux/utsname.h>

#if VMV_KCORE_VREAD
#define VMV_KCORE_READER	"vread"
#define vmv_kcore_reader	vmv_kcore_vread
#else
#define VMV_KCORE_READER	"vread_iter"
#define vmv_kcore_reader	vmv_kcore_vread_iter
#endif

/* Called once every task runs the corrected reader. */
static void vmv_kcore_post_patch(struct klp_object *obj)
{
	vmv_kcore_fix_set(true);
	pr_info("/proc/kcore reads vm_map_ram() memory through %s, corrected\n",
		VMV_KCORE_READER);
}

/* Called before tasks start going back to the kernel's own reader. */
static void vmv_kcore_pre_unpatch(struct klp_object *obj)
{
	vmv_kcore_fix_set(false);
}

static struct klp_func vmv_kcore_funcs[] = {
	{
		.old_name = VMV_KCORE_READER,
		.new_func = vmv_kcore_reader,
	},
	{ }
};

static struct klp_object vmv_kcore_objs[] = {
	{
		/* vmlinux */
		.funcs = vmv_kcore_funcs,
		.callbacks = {
			.post_patch = vmv_kcore_post_patch,
			.pre_unpatch = vmv_kcore_pre_unpatch,
		},
	},
	{ }
};

static struct klp_patch vmv_kcore_patch = {
	.mod = THIS_MODULE,
	.objs = vmv_kcore_objs,
};

static int __init vmv_kcore_init(void)
{
	/*
	 * A copy of a function is only as right as the comparison with the
	 * kernel's: refused where nobody made it (compat.h's table).
	 */
	if (!VMV_KCORE_COMPARED) {
		pr_err("kernel %s: its %s() was never compared with the copy in vmapview_kcore, which was compared with %s only: not patching\n",
		       utsname()->release, VMV_KCORE_READER, VMV_KCORE_COMPARED_WITH);
		return -EOPNOTSUPP;
	}
	/* Where lockdown refuses /proc/kcore, there is nothing to fix. */
	if (security_locked_down(LOCKDOWN_KCORE))
		return -EPERM;
	return klp_enable_patch(&vmv_kcore_patch);
}

MODULE_INFO(livepatch, "Y");

#else /* !VMV_KCORE_FIX */

/* Built anyway, so that DKMS builds every kernel the same; it says why not. */
static int __init vmv_kcore_init(void)
{
	if (!IS_ENABLED(CONFIG_LIVEPATCH))
		pr_err("the kernel lacks CONFIG_LIVEPATCH, which the fix needs\n");
	else
		pr_err("no corrected kcore reader for this kernel version (6.3 to 6.8)\n");
	return -EOPNOTSUPP;
}

#endif

/* The livepatch core frees the patch; a disabled one is all that remains. */
static void __exit vmv_kcore_exit(void)
{
}

module_init(vmv_kcore_init);
module_exit(vmv_kcore_exit);

MODULE_DESCRIPTION("Opt-in livepatch: /proc/kcore reads vm_map_ram() memory right");
MODULE_LICENSE("GPL");
MODULE_VERSION(VMAPVIEW_VERSION);
