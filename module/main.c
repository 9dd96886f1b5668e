// SPDX-License-Identifier: GPL-2.0
/*
 * vmapview: make vm_map_ram() memory visible and readable on live systems.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "vmapview.h"

static int __init vmapview_init(void)
{
	int ret;

	ret = vmv_syms_init();
	if (ret)
		return ret;
	/* Nothing is read through the copied layouts before they are checked. */
	ret = vmv_layout_check();
	if (ret)
		return ret;
	ret = vmv_kread_check();
	if (ret)
		return ret;
	ret = vmv_mirror_init(vmv_resync_request);
	if (ret)
		return ret;
	/*
	 * Probes first, so nothing mapped during the adoption is missed. A
	 * registration that fails leaves earlier probes armed until removed,
	 * and their handlers may have queued a resync: err_probes cancels it
	 * before the module's text and data go away.
	 */
	ret = vmv_probes_install();
	if (ret)
		goto err_probes;
	ret = vmv_adopt();
	if (ret == -ENODEV)
		goto err_probes;
	if (ret)
		pr_warn("adoption incomplete, resync pending: %d\n", ret);
	ret = vmv_debugfs_init();
	if (ret)
		goto err_probes;

	pr_info("version %s loaded, %lu pages per vmap_block\n", VMAPVIEW_VERSION,
		VMV_BLOCK_PAGES);
	return 0;

err_probes:
	vmv_probes_remove();
	vmv_resync_exit();
	vmv_mirror_exit();
	return ret;
}

static void __exit vmapview_exit(void)
{
	vmv_debugfs_exit();
	vmv_probes_remove();
	vmv_resync_exit();
	vmv_mirror_exit();
	pr_info("unloaded\n");
}

module_init(vmapview_init);
module_exit(vmapview_exit);

MODULE_DESCRIPTION("Mirror vmap_block state and read vm_map_ram memory");
MODULE_LICENSE("GPL");
MODULE_VERSION(VMAPVIEW_VERSION);
