/* SPDX-License-Identifier: GPL-2.0 */
/*
 * All kernel-version and kernel-configuration logic of vmapview lives here.
 * Each branch names the upstream change that forced it.
 */
#ifndef VMAPVIEW_COMPAT_H
#define VMAPVIEW_COMPAT_H

#include <linux/kconfig.h>
#include <linux/version.h>

/*
 * The one version test every branch below goes through. Out-of-tree code has
 * to test versions, so the checkpatch run ignores LINUX_VERSION_CODE, and
 * tests/host/checkpatch.sh makes sure it appears nowhere but here.
 */
#define VMV_LINUX_AT_LEAST(a, b, c) (KERNEL_VERSION(a, b, c) <= LINUX_VERSION_CODE)

/* The oldest kernel the compat layer is written for (Debian 11). */
#if !VMV_LINUX_AT_LEAST(5, 10, 0)
#error "vmapview: Linux 5.10 or newer is required"
#endif

/* The mirror is fed by kprobes and kretprobes on the vmap layer. */
#if !IS_ENABLED(CONFIG_KPROBES)
#error "vmapview: the kernel lacks CONFIG_KPROBES=y, which vmapview needs"
#endif
#if !IS_ENABLED(CONFIG_KRETPROBES)
#error "vmapview: the kernel lacks CONFIG_KRETPROBES=y, which vmapview needs"
#endif
/* Every view vmapview offers is a debugfs file. */
#if !IS_ENABLED(CONFIG_DEBUG_FS)
#error "vmapview: the kernel lacks CONFIG_DEBUG_FS=y, which vmapview needs"
#endif

#endif /* VMAPVIEW_COMPAT_H */
