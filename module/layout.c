// SPDX-License-Identifier: GPL-2.0
/*
 * The load-time layout check. vmapview copies structures private to
 * mm/vmalloc.c (kernel_vmalloc.h) and takes the kernel's locks through the copies,
 * so a copy that does not match the running kernel would corrupt it rather
 * than merely show wrong numbers. When the kernel carries its BTF
 * (CONFIG_DEBUG_INFO_BTF), every member vmapview uses is checked against it
 * before anything is read through the copies, and a mismatch refuses the
 * load. Without BTF the compiled layouts are trusted, as before. The BTF
 * itself is read by btf.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>

#include "btf.h"
#include "kernel_arena.h"
#include "kernel_vmalloc.h"
#include "vmapview.h"

/*
 * What vmapview reads through its copies: one row per member, the kernel's
 * struct and member, and where the copy in kernel_vmalloc.h puts it. A row without
 * a member checks the size of the whole struct, for structs that vmapview
 * indexes as arrays. A struct may be checked through several rows; each
 * row is checked against every definition of the struct in the BTF.
 */
struct vmv_layout_row {
	const char *type;
	const char *member;	/* NULL: sizeof the struct */
	size_t offset;
	size_t size;
	bool arena;		/* kernel_arena.h's: a mismatch only stops arena reads */
};

/*
 * The member is the variadic argument only so that offsetof() and
 * sizeof_field() may both take it without checkpatch's MACRO_ARG_REUSE.
 */
#define VMV_ROW(kstruct, copy, ...)					\
	{ #kstruct, #__VA_ARGS__, offsetof(copy, __VA_ARGS__),		\
	  sizeof_field(copy, __VA_ARGS__) }
#define VMV_ROW_SIZE(kstruct, copy)	{ #kstruct, NULL, 0, sizeof(copy) }
#define VMV_ROW_ARENA(kstruct, copy, ...)				\
	{ #kstruct, #__VA_ARGS__, offsetof(copy, __VA_ARGS__),		\
	  sizeof_field(copy, __VA_ARGS__), true }

static const struct vmv_layout_row vmv_layout_rows[] = {
	/*
	 * struct vmap_block (struct vmv_kvb): the resync snapshots free, dirty,
	 * the dirty range and used_map under lock, the probes and the resync
	 * read va, and the owning CPU comes from cpu or, before 6.10, from the
	 * queue's free list (free_list). used_map is VMAP_BBMAP_BITS / 8
	 * bytes, so its size also checks the block geometry, VMV_BLOCK_PAGES.
	 */
	VMV_ROW(vmap_block, struct vmv_kvb, lock),
	VMV_ROW(vmap_block, struct vmv_kvb, va),
	VMV_ROW(vmap_block, struct vmv_kvb, free),
	VMV_ROW(vmap_block, struct vmv_kvb, dirty),
#if VMV_HAS_USED_MAP
	VMV_ROW(vmap_block, struct vmv_kvb, used_map),
#endif
	VMV_ROW(vmap_block, struct vmv_kvb, dirty_min),
	VMV_ROW(vmap_block, struct vmv_kvb, dirty_max),
	VMV_ROW(vmap_block, struct vmv_kvb, free_list),
#if VMV_HAS_VB_CPU
	VMV_ROW(vmap_block, struct vmv_kvb, cpu),
#endif
	/*
	 * struct vmap_block_queue (struct vmv_kvbq), per CPU: before 6.10 the
	 * owner of a block is looked for on each queue's free list; from 6.4
	 * the blocks are looked up in the queues' vmap_blocks xarrays.
	 */
	VMV_ROW(vmap_block_queue, struct vmv_kvbq, lock),
	VMV_ROW(vmap_block_queue, struct vmv_kvbq, free),
#if VMV_HAS_PERCPU_VB_XA
	VMV_ROW(vmap_block_queue, struct vmv_kvbq, vmap_blocks),
#endif
	/*
	 * struct vmap_area, public (linux/vmalloc.h), yet the headers that
	 * vmapview was built with may not be the running kernel's: the range
	 * of blocks and areas, the busy lists walked for large vm_map_ram()
	 * areas, and what tells those apart (vm before 6.3, flags from 6.3).
	 */
	VMV_ROW(vmap_area, struct vmap_area, va_start),
	VMV_ROW(vmap_area, struct vmap_area, va_end),
	VMV_ROW(vmap_area, struct vmap_area, list),
	VMV_ROW(vmap_area, struct vmap_area, vm),
#if VMV_HAS_USED_MAP
	VMV_ROW(vmap_area, struct vmap_area, flags),
#endif
#if VMV_HAS_VMAP_NODES
	/*
	 * struct vmap_node (struct vmv_kvnode): the busy list and its lock
	 * of each node, found by indexing the vmap_nodes array, so the size
	 * of the struct is its stride; struct rb_list (struct vmv_krb_list)
	 * is the type of busy.
	 */
	VMV_ROW(vmap_node, struct vmv_kvnode, busy),
	VMV_ROW_SIZE(vmap_node, struct vmv_kvnode),
	VMV_ROW(rb_list, struct vmv_krb_list, head),
	VMV_ROW(rb_list, struct vmv_krb_list, lock),
#endif
#if VMV_ARENA_SCRATCH
	/*
	 * struct bpf_arena (struct vmv_karena), 7.x: the arena of a sparse
	 * area, by kern_vm, and its scratch page. BPF arenas change more
	 * often than mm/vmalloc.c, so a mismatch leaves sparse areas unread
	 * (one line in the kernel log; the vmalloc file says reader=none)
	 * rather than refusing the load.
	 */
	VMV_ROW_ARENA(bpf_arena, struct vmv_karena, map),
	VMV_ROW_ARENA(bpf_arena, struct vmv_karena, kern_vm),
	VMV_ROW_ARENA(bpf_arena, struct vmv_karena, scratch_page),
#endif
};

/* Which layouts the module uses: checked against BTF, or as compiled. */
static bool vmv_layout_btf;
/* Whether kernel_arena.h's copy may be used (VMV_ROW_ARENA). */
static bool vmv_layout_arena_ok;

bool vmv_layout_arena(void)
{
	return vmv_layout_arena_ok;
}

const char *vmv_layout_source(void)
{
	return vmv_layout_btf ? "btf" : "compiled";
}

/* Set while the arena rows are checked, whose mismatch is no refusal. */
static bool vmv_layout_soft;

/* Every refusal is one line that ends the same way. */
static __printf(1, 2) void vmv_layout_err(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (vmv_layout_soft)
		pr_warn("layout: %pV; mem leaves sparse areas (BPF arenas) unread\n", &vaf);
	else
		pr_err("layout: %pV; refusing to load\n", &vaf);
	va_end(args);
}

#ifdef VMAPVIEW_TESTING
/*
 * Test builds: layout_skew=STRUCT.MEMBER (or STRUCT, for the size row of
 * STRUCT) moves that row's expected offset (size) by sizeof(long), so that
 * a test can see the load refused. A name that is no row of this build
 * refuses the load itself: a typo must not let such a test pass.
 */
static char *layout_skew;
module_param(layout_skew, charp, 0444);
MODULE_PARM_DESC(layout_skew, "test only: STRUCT.MEMBER whose layout check must fail");

static bool vmv_row_named(const struct vmv_layout_row *r, const char *name)
{
	size_t n = strlen(r->type);

	if (strncmp(name, r->type, n))
		return false;
	if (!r->member)
		return !name[n];
	return name[n] == '.' && !strcmp(name + n + 1, r->member);
}

static int vmv_layout_skew(const struct vmv_layout_row **skew)
{
	unsigned int i;

	*skew = NULL;
	if (!layout_skew || !*layout_skew)
		return 0;
	for (i = 0; i < ARRAY_SIZE(vmv_layout_rows); i++) {
		if (vmv_row_named(&vmv_layout_rows[i], layout_skew)) {
			*skew = &vmv_layout_rows[i];
			return 0;
		}
	}
	pr_err("layout: layout_skew=%s names no checked member of this build; refusing to load\n",
	       layout_skew);
	return -EINVAL;
}
#else
static int vmv_layout_skew(const struct vmv_layout_row **skew)
{
	*skew = NULL;
	return 0;
}
#endif

/* --- the check --- */

/* Checks one row against one definition t of its struct. */
static int vmv_layout_row_check(const struct vmv_btf *btf,
				const struct vmv_layout_row *r,
				const struct vmv_btf_type *t, bool skewed)
{
	size_t want_off = r->offset, want_size = r->size;
	struct vmv_btf_found f;
	u64 size;
	int ret;

	if (skewed) {
		if (r->member)
			want_off += sizeof(long);
		else
			want_size += sizeof(long);
	}
	if (!r->member) {
		if (t->size_or_type == want_size)
			return 0;
		vmv_layout_err("struct %s is %u bytes in the kernel's BTF, vmapview was built for %zu bytes",
			       r->type, t->size_or_type, want_size);
		return -ENOEXEC;
	}

	ret = vmv_btf_member(btf, t, r->member, &f);
	if (ret == -ENOENT) {
		vmv_layout_err("struct %s has no member %s in the kernel's BTF",
			       r->type, r->member);
		return -ENOEXEC;
	}
	if (ret)
		return vmv_btf_unusable("struct %s.%s cannot be looked up",
					r->type, r->member);
	ret = f.bitfield || f.bits % BITS_PER_BYTE ? -EINVAL :
	      vmv_btf_size(btf, f.type, &size);
	if (ret == -EINVAL) {
		vmv_layout_err("struct %s.%s is a bitfield at bit %llu in the kernel's BTF, vmapview was built for byte %zu (%zu bytes)",
			       r->type, r->member, f.bits, want_off, want_size);
		return -ENOEXEC;
	}
	if (ret)
		return vmv_btf_unusable("struct %s.%s has a type without a size",
					r->type, r->member);
	if (f.bits / BITS_PER_BYTE != want_off || size != want_size) {
		vmv_layout_err("struct %s.%s is at byte %llu (%llu bytes) in the kernel's BTF, vmapview was built for byte %zu (%zu bytes)",
			       r->type, r->member, f.bits / BITS_PER_BYTE, size,
			       want_off, want_size);
		return -ENOEXEC;
	}
	return 0;
}

/*
 * Checks every row against every definition of its struct: a name defined
 * twice (in different compilation units) must fit the copy in both, as
 * there is no telling which one is mm/vmalloc.c's.
 */
static int vmv_layout_rows_check(const struct vmv_btf *btf,
				 const struct vmv_layout_row *skew, bool arena)
{
	const struct vmv_layout_row *r;
	u32 id;
	int ret;

	for (r = vmv_layout_rows; r < vmv_layout_rows + ARRAY_SIZE(vmv_layout_rows); r++) {
		if (r->arena != arena)
			continue;
		id = vmv_btf_find_struct(btf, r->type, 0);
		if (!id) {
			vmv_layout_err("no struct %s in the kernel's BTF", r->type);
			return -ENOEXEC;
		}
		for (; id; id = vmv_btf_find_struct(btf, r->type, id)) {
			ret = vmv_layout_row_check(btf, r, vmv_btf_type(btf, id),
						   r == skew);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * Runs once at load, before anything is read through the copies, in process
 * context.
 */
int vmv_layout_check(void)
{
	const struct vmv_layout_row *skew;
	struct vmv_btf btf;
	void *copy;
	int ret;

	vmv_layout_btf = false;
	vmv_layout_arena_ok = false;
	ret = vmv_layout_skew(&skew);
	if (ret)
		return ret;

	ret = vmv_btf_load(&btf, &copy, vmv_syms.btf_start, vmv_syms.btf_stop);
	if (ret == -ENOENT) {
		pr_warn("layout: the kernel has no BTF (CONFIG_DEBUG_INFO_BTF), so the layouts vmapview was built for are used unchecked\n");
		vmv_layout_arena_ok = true;
		return 0;
	}
	if (ret)
		return ret;
	ret = vmv_layout_rows_check(&btf, skew, false);
	if (!ret) {
		vmv_layout_soft = true;
		vmv_layout_arena_ok = !vmv_layout_rows_check(&btf, skew, true);
		vmv_layout_soft = false;
	}
	vmv_btf_close(&btf, copy);
	if (!ret)
		vmv_layout_btf = true;
	return ret;
}
