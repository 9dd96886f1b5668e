// SPDX-License-Identifier: GPL-2.0
/*
 * Runner self-test: a module whose load triggers a kernel warning, so the
 * test runner can prove that it reports console warnings as failures.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init vmapview_warn_init(void)
{
	WARN_ON(1);
	return 0;
}

static void __exit vmapview_warn_exit(void)
{
}

module_init(vmapview_warn_init);
module_exit(vmapview_warn_exit);

MODULE_DESCRIPTION("vmapview runner self-test: WARN_ON(1) at load");
MODULE_LICENSE("GPL");
