/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ABI between the two modules: every symbol vmapview.ko exports
 * (EXPORT_SYMBOL_GPL) is declared here, and vmapview_kcore.ko uses nothing
 * else of it. vmapview_kcore's files include this header instead of
 * vmapview.h, so that a call to anything not exported fails to compile
 * rather than to load. The two modules are built from one tree, so the
 * ABI may change with it; an export that vmapview_kcore stops using goes.
 */
#ifndef VMAPVIEW_KCORE_API_H
#define VMAPVIEW_KCORE_API_H

#include <linux/types.h>

#include "compat.h"

struct page;
struct rb_root;
struct vmap_area;
struct xarray;

/* symbols.c: the private kernel symbols (struct in kernel_vmalloc.h) */
struct vmv_syms;
extern struct vmv_syms vmv_syms;

/* kread.c: the kernel's structures and page tables */
struct page *vmv_vmalloc_to_page(unsigned long addr);
struct xarray *vmv_kernel_vb_xa(unsigned long addr);
struct vmap_area *vmv_kernel_area_from(struct rb_root *root, unsigned long addr);
#if !VMV_HAS_USED_MAP
bool vmv_kernel_is_block_va(struct vmap_area *va);
#endif

/* mirror_view.c: the mirror, under its locks */
bool vmv_copy_if_used(unsigned long addr, char *buf, size_t len,
		      void (*copy)(unsigned long addr, char *buf, size_t len));
bool vmv_large_known(unsigned long start);

/* probes.c: a resync is asked for if a probe missed hits */
void vmv_probes_check(void);

/* debugfs.c: vmapview_kcore says whether its livepatch is active, for stats */
void vmv_kcore_fix_set(bool active);

#endif /* VMAPVIEW_KCORE_API_H */
