/* SPDX-License-Identifier: GPL-2.0 */
/*
 * All kernel-version and kernel-configuration logic of vmapview lives here.
 * Each branch names the upstream change that forced it.
 */
#ifndef VMAPVIEW_COMPAT_H
#define VMAPVIEW_COMPAT_H

#include <linux/kconfig.h>
#include <linux/version.h>
#include <linux/vmalloc.h>	/* VM_SPARSE, when the kernel has it */

/*
 * The one version test every branch below goes through. Out-of-tree code has
 * to test versions, so the checkpatch run ignores LINUX_VERSION_CODE, and
 * tests/host/checkpatch.sh makes sure it appears nowhere but here.
 */
#define VMV_LINUX_AT_LEAST(a, b, c) (KERNEL_VERSION(a, b, c) <= LINUX_VERSION_CODE)

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

/*
 * The structures private to mm/vmalloc.c that vmapview copies (in
 * kernel_vmalloc.h) change between versions: each change to them, and to
 * the rules the mirror follows, is a feature here, named after the
 * upstream change and the version it came with.
 */

/*
 * 6.3, "mm/vmalloc.c: add used_map into vmap_block to track space of
 * vmap_block" and "mm/vmalloc.c: add flags to mark vm_map_ram area".
 */
#define VMV_HAS_USED_MAP	VMV_LINUX_AT_LEAST(6, 3, 0)
/*
 * Before 6.3's "mm/vmalloc.c: add flags to mark vm_map_ram area"
 * (869176a09606), adoption tells a large vm_map_ram() area only by its lack
 * of a vm_struct, which a vmalloc area also lacks for a moment while it is
 * set up or torn down: an adopted large-area record may be a vmalloc area's,
 * and only the probe on free_vmap_area_noflush() sees that area go. From
 * 6.3 VMAP_RAM tells them apart and that probe is not installed.
 */
#define VMV_LARGE_MAY_GO_STALE	(!VMV_HAS_USED_MAP)
/* 6.4, "mm: vmalloc: remove global vmap_blocks xarray": one per CPU. */
#define VMV_HAS_PERCPU_VB_XA	VMV_LINUX_AT_LEAST(6, 4, 0)
/*
 * 6.5, "mm/vmalloc: prevent flushing dirty space over and over": after
 * flushing, _vm_unmap_aliases() resets the dirty range of the blocks it
 * does not purge, and purges only blocks below VMAP_PURGE_THRESHOLD free.
 */
#define VMV_ALIASES_RESET_DIRTY	VMV_LINUX_AT_LEAST(6, 5, 0)
/* 6.9, "mm: vmalloc: remove global vmap_area_root rb-tree": vmap_nodes. */
#define VMV_HAS_VMAP_NODES	VMV_LINUX_AT_LEAST(6, 9, 0)
/*
 * 6.9, "mm: Introduce VM_SPARSE kind and vm_area_[un]map_pages()"
 * (e6f798225a31): areas whose pages come and go (BPF arenas), which
 * vread_iter() zero-fills by design, as it does ioremap areas.
 */
#ifdef VM_SPARSE
#define VMV_HAS_VM_SPARSE	1
#define VMV_VM_SPARSE		VM_SPARSE
#else
#define VMV_HAS_VM_SPARSE	0
#define VMV_VM_SPARSE		0
#endif
/* 6.10, "mm: fix incorrect vbq reference in purge_fragmented_block". */
#define VMV_HAS_VB_CPU		VMV_LINUX_AT_LEAST(6, 10, 0)
/*
 * 6.10, "mm: vmalloc: check if a hash-index is in cpu_possible_mask"
 * (a34acf30b19b, CVE-2024-41032): addr_to_vb_xa() hashes by nr_cpu_ids and
 * skips CPUs that are not possible; 6.4-6.9 hashed by num_possible_cpus().
 * kread.c hashes as the fixed kernels do. Stable trees took the fix at
 * sublevels vmapview cannot tell from the version, so on 6.4-6.9 it relies
 * on it only where the two hashes agree (kread.c, vmv_kread_check()).
 */
#define VMV_VB_XA_HASH_FIXED	VMV_LINUX_AT_LEAST(6, 10, 0)

/*
 * The kernel's reader of vmalloc space behind /proc/kcore, which the opt-in
 * livepatch (kcore_fix.c) replaces with a corrected copy of itself:
 * vread() before 6.3, where vm_map_ram() areas read as zeros; from 6.4,
 * "mm: vmalloc: convert vread() to vread_iter()" (4c91c07c93bb), whose
 * copy follows 6.9's vmap_nodes. 6.3 to 6.8 (no Debian kernel) have no copy.
 */
#define VMV_KCORE_VREAD		(!VMV_HAS_USED_MAP)
#define VMV_KCORE_VREAD_ITER	VMV_HAS_VMAP_NODES
#define VMV_KCORE_FIX		(IS_ENABLED(CONFIG_LIVEPATCH) &&		\
				 (VMV_KCORE_VREAD || VMV_KCORE_VREAD_ITER))
/*
 * 5.12, "mm/vmalloc: use rb_tree instead of list for vread() lookups"
 * (f608788cd2d6), as 6.1 has it: vread() starts at the first area past the
 * address and leaves a read that ends in a hole untouched (0 returned, the
 * caller's buffer as it was). Before, it walked the list from its head and
 * zero-filled a hole up to the next area.
 */
#define VMV_VREAD_TREE_LOOKUP	VMV_LINUX_AT_LEAST(5, 12, 0)
/*
 * 7.2, "mm/vmalloc: use physical page count in vread_iter() for VM_ALLOC
 * areas" (0bca23804632): vread_iter() sizes a VM_ALLOC area by its
 * nr_pages, as vrealloc() shrinks in place from 7.2 on ("mm/vmalloc: free
 * unused pages on vrealloc() shrink", 5ea8ec74c57c) without updating
 * area->size. Not in 6.12.y (its vrealloc() never shrinks).
 */
#define VMV_VREAD_ALLOC_NR_PAGES	VMV_LINUX_AT_LEAST(7, 2, 0)
/*
 * vread_iter() skips an area still being populated (VM_UNINITIALIZED),
 * pairing with clear_vm_uninitialized_flag()'s smp_wmb(): 6.12's and 7.3's
 * do, 5.10's and 6.1's vread() read what is mapped so far.
 */
#define VMV_VREAD_SKIPS_UNINIT	VMV_KCORE_VREAD_ITER
/*
 * BPF arenas (kernel/bpf/arena.c, 6.9+, the only VM_SPARSE user): their
 * arena_map_free() frees every page while its PTE still maps it (the area
 * goes after), so mem reads an arena only with a probe there
 * (sparse.c). In 7.x (seen in 7.2.13 and 7.3.4; the first 7.x release
 * not checked) the kernel maps one per-arena scratch_page wherever a BPF
 * program faulted on an address it never allocated
 * (bpf_arena_handle_page_fault()):
 * a page table walk cannot tell it from the arena's data, so mem finds
 * the arena behind the area (map_idr) and reads its scratch page as a
 * hole (kread.c, kernel_arena.h).
 */
#define VMV_ARENA_SCRATCH	(VMV_LINUX_AT_LEAST(7, 0, 0) && \
				 IS_ENABLED(CONFIG_BPF_SYSCALL))
#define VMV_MEM_READS_SPARSE	VMV_HAS_VM_SPARSE

/*
 * The series whose vread()/vread_iter() (and the helpers the copies in
 * kcore_vread.c mirror: aligned_vread*(), zero_iter(), the busy-tree
 * lookups) were compared line by line with those copies, in Debian's
 * source. A livepatch replaces the kernel's function whole, so a kernel
 * whose function differs in a way no feature above names would silently
 * lose that change, or read under locks it no longer takes: vmapview_kcore
 * refuses every other series (kcore_fix.c), while vmapview itself, which
 * checks its layouts against BTF, loads there. Only LINUX_VERSION_CODE and
 * KERNEL_VERSION are used below, so that tests/host/kcore-fix-compared.sh
 * can evaluate the table for any version. A new series (or a point release
 * that changes the function: Debian's source is where to look) is added
 * here once compared.
 */
/* Debian 11: 5.10.0-46 (5.10.262, 5.10.2xx); its copy is vread() */
#define VMV_KCORE_COMPARED_5_10	(VMV_LINUX_AT_LEAST(5, 10, 0) && !VMV_LINUX_AT_LEAST(5, 11, 0))
/* Debian 12: 6.1.0-57 */
#define VMV_KCORE_COMPARED_6_1	(VMV_LINUX_AT_LEAST(6, 1, 0) && !VMV_LINUX_AT_LEAST(6, 2, 0))
/* Debian 13 and bookworm-security: 6.12.117, 6.12.118; vread_iter() */
#define VMV_KCORE_COMPARED_6_12	(VMV_LINUX_AT_LEAST(6, 12, 0) && !VMV_LINUX_AT_LEAST(6, 13, 0))
/* trixie-backports: 7.3.4 */
#define VMV_KCORE_COMPARED_7_3	(VMV_LINUX_AT_LEAST(7, 3, 0) && !VMV_LINUX_AT_LEAST(7, 4, 0))
#define VMV_KCORE_COMPARED	(VMV_KCORE_COMPARED_5_10 || VMV_KCORE_COMPARED_6_1 || \
				 VMV_KCORE_COMPARED_6_12 || VMV_KCORE_COMPARED_7_3)
/* For the message of a refusal: what the copy was compared with. */
#if VMV_KCORE_VREAD
#define VMV_KCORE_COMPARED_WITH	"5.10 (Debian 5.10.0-46) and 6.1 (6.1.0-57)"
#else
#define VMV_KCORE_COMPARED_WITH	"6.12 (Debian 6.12.117, 6.12.118) and 7.3 (7.3.4)"
#endif

/*
 * No version range is refused here but the kcore fix's (above): the
 * copies in kernel_vmalloc.h follow every change from 5.10 to 7.3 that is
 * known (see the features above), and at load layout.c checks each field
 * vmapview reads against the running kernel's BTF, refusing to load on any
 * difference, so a change that is not known stops vmapview instead of
 * making it read garbage.
 */

/* --- kernel interfaces that vmapview uses and older kernels lack --- */

#include <linux/highmem.h>
#include <linux/kprobes.h>
#include <linux/mm.h>
#include <linux/rbtree.h>

/*
 * 5.11, "mm/highmem: Provide kmap_local*" (f3ba3c710ac5). Before it, the
 * direct map: vmapview is built for x86_64 only (dkms.conf), which has no
 * highmem.
 */
#if VMV_LINUX_AT_LEAST(5, 11, 0)
#define vmv_kmap(page)			kmap_local_page(page)
#define vmv_kunmap(kaddr)		kunmap_local(kaddr)
#else
#define vmv_kmap(page)			page_address(page)
#define vmv_kunmap(kaddr)		do { } while (0)
#endif

/*
 * 5.16, "mm: Introduce struct folio" (7b230db3b8d3) and its series: a
 * compound page's reference count is its folio's. Before, it was the
 * head page's.
 */
#if VMV_LINUX_AT_LEAST(5, 16, 0)
#define vmv_folio			folio
#define vmv_page_folio(page)		page_folio(page)
#define vmv_folio_try_get(f)		folio_try_get(f)
#define vmv_folio_put(f)		folio_put(f)
#else
#define vmv_folio			page
#define vmv_page_folio(page)		compound_head(page)
#define vmv_folio_try_get(f)		get_page_unless_zero(f)
#define vmv_folio_put(f)		put_page(f)
#endif

/*
 * 5.12, "rbtree: Add generic add and find helpers" (2d24dd5798d0):
 * rb_add(), rb_find(), rb_find_add(). Older kernels get these copies.
 */
#if !VMV_LINUX_AT_LEAST(5, 12, 0)
static inline void rb_add(struct rb_node *node, struct rb_root *tree,
			  bool (*less)(struct rb_node *, const struct rb_node *))
{
	struct rb_node **link = &tree->rb_node;
	struct rb_node *parent = NULL;

	while (*link) {
		parent = *link;
		if (less(node, parent))
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, tree);
}

static inline struct rb_node *
rb_find_add(struct rb_node *node, struct rb_root *tree,
	    int (*cmp)(struct rb_node *, const struct rb_node *))
{
	struct rb_node **link = &tree->rb_node;
	struct rb_node *parent = NULL;
	int c;

	while (*link) {
		parent = *link;
		c = cmp(node, parent);
		if (c < 0)
			link = &parent->rb_left;
		else if (c > 0)
			link = &parent->rb_right;
		else
			return parent;
	}
	rb_link_node(node, parent, link);
	rb_insert_color(node, tree);
	return NULL;
}

static inline struct rb_node *
rb_find(const void *key, const struct rb_root *tree,
	int (*cmp)(const void *key, const struct rb_node *))
{
	struct rb_node *node = tree->rb_node;
	int c;

	while (node) {
		c = cmp(key, node);
		if (c < 0)
			node = node->rb_left;
		else if (c > 0)
			node = node->rb_right;
		else
			return node;
	}
	return NULL;
}
#endif

/* Arguments of the probed functions, in pt_regs at function entry. */
#define vmv_arg(regs, n)	regs_get_kernel_argument(regs, n)
/*
 * The return address, at function entry: the slot at the stack pointer,
 * on the current task's stack, which cannot fault there (before a
 * kretprobe at the same address replaces it: see probes.c).
 * regs_get_kernel_stack_nth() reads any slot through
 * copy_from_kernel_nofault() (on every kernel from 5.10 to 7.3), about a
 * hundred instructions per event on the probe path; read as the unwinder
 * reads the stack instead, unchecked by KASAN.
 */
static __always_inline unsigned long vmv_entry_ret_addr(struct pt_regs *regs)
{
	return READ_ONCE_NOCHECK(*(unsigned long *)kernel_stack_pointer(regs));
}

#endif /* VMAPVIEW_COMPAT_H */
