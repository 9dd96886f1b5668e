/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Within vmapview_kcore.ko: the corrected reader behind /proc/kcore
 * (kcore_vread.c), which kcore_fix.c installs in place of the kernel's.
 */
#ifndef VMAPVIEW_KCORE_VREAD_H
#define VMAPVIEW_KCORE_VREAD_H

#include <linux/types.h>

#include "compat.h"

#if VMV_KCORE_VREAD
struct page;

long vmv_kcore_vread(char *buf, char *addr, unsigned long count);
void vmv_kcore_copy_page(char *buf, struct page *page, unsigned long offset,
			 unsigned long len);
#elif VMV_KCORE_VREAD_ITER
struct iov_iter;

long vmv_kcore_vread_iter(struct iov_iter *iter, const char *addr, size_t count);
#endif

#endif /* VMAPVIEW_KCORE_VREAD_H */
