// SPDX-License-Identifier: GPL-2.0
/*
 * vmapview: make vm_map_ram() memory visible and readable on live systems.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/module.h>

#include "vmapview.h"

static struct dentry *vmapview_dir;

static int __init vmapview_init(void)
{
	vmapview_dir = debugfs_create_dir(VMAPVIEW_NAME, NULL);
	if (IS_ERR(vmapview_dir))
		return PTR_ERR(vmapview_dir);

	pr_info("version %s loaded\n", VMAPVIEW_VERSION);
	return 0;
}

static void __exit vmapview_exit(void)
{
	debugfs_remove_recursive(vmapview_dir);
	pr_info("unloaded\n");
}

module_init(vmapview_init);
module_exit(vmapview_exit);

MODULE_DESCRIPTION("Mirror vmap_block state and read vm_map_ram memory");
MODULE_LICENSE("GPL");
MODULE_VERSION(VMAPVIEW_VERSION);
