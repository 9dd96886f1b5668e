// SPDX-License-Identifier: GPL-2.0
/*
 * The load-time layout check. vmapview copies structures private to
 * mm/vmalloc.c (compat.h) and takes the kernel's locks through the copies,
 * so a copy that does not match the running kernel would corrupt it rather
 * than merely show wrong numbers. When the kernel carries its BTF
 * (CONFIG_DEBUG_INFO_BTF), every member vmapview uses is checked against it
 * before anything is read through the copies, and a mismatch refuses the
 * load. Without BTF the compiled layouts are trusted, as before.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/types.h>

#include "vmapview.h"

/*
 * The BTF format (Documentation/bpf/btf.rst), defined here instead of taken
 * from uapi/linux/btf.h: older headers lack the newer kinds, and walking
 * the type section needs the size of every kind the kernel may emit.
 */
#define VMV_BTF_MAGIC		0xeB9F
#define VMV_BTF_VERSION		1

#define VMV_BTF_KIND_INT	1
#define VMV_BTF_KIND_PTR	2
#define VMV_BTF_KIND_ARRAY	3
#define VMV_BTF_KIND_STRUCT	4
#define VMV_BTF_KIND_UNION	5
#define VMV_BTF_KIND_ENUM	6
#define VMV_BTF_KIND_FWD	7
#define VMV_BTF_KIND_TYPEDEF	8
#define VMV_BTF_KIND_VOLATILE	9
#define VMV_BTF_KIND_CONST	10
#define VMV_BTF_KIND_RESTRICT	11
#define VMV_BTF_KIND_FUNC	12
#define VMV_BTF_KIND_FUNC_PROTO	13
#define VMV_BTF_KIND_VAR	14
#define VMV_BTF_KIND_DATASEC	15
#define VMV_BTF_KIND_FLOAT	16
#define VMV_BTF_KIND_DECL_TAG	17
#define VMV_BTF_KIND_TYPE_TAG	18
#define VMV_BTF_KIND_ENUM64	19

/* info: vlen in bits 0-15, kind in 24-28, kind_flag in 31; the rest is 0. */
#define VMV_BTF_INFO_MASK	0x9f00ffffU
#define VMV_BTF_INFO_VLEN(info)	((info) & 0xffff)
#define VMV_BTF_INFO_KIND(info)	(((info) >> 24) & 0x1f)
#define VMV_BTF_INFO_KFLAG(info) ((info) >> 31)

/* The u32 after an INT: bits 16-23 an offset, 0-7 the number of bits. */
#define VMV_BTF_INT_OFFSET(enc)	(((enc) >> 16) & 0xff)
#define VMV_BTF_INT_BITS(enc)	((enc) & 0xff)

/* A member's offset in a kind_flag struct: bitfield size, bit offset. */
#define VMV_BTF_MEMBER_BITFIELD(off)	((off) >> 24)
#define VMV_BTF_MEMBER_BIT_OFFSET(off)	((off) & 0xffffff)

/*
 * Typedef chains, arrays of arrays and anonymous members nest only a few
 * levels in real kernels; a deeper chain is taken for a loop.
 */
#define VMV_BTF_MAX_DEPTH	32

struct vmv_btf_header {
	u16 magic;
	u8 version;
	u8 flags;
	u32 hdr_len;
	/* from the end of the header */
	u32 type_off;
	u32 type_len;
	u32 str_off;
	u32 str_len;
};

struct vmv_btf_type {
	u32 name_off;
	u32 info;
	u32 size_or_type;	/* size of INT..., type of PTR, TYPEDEF... */
};

struct vmv_btf_array {
	u32 type;
	u32 index_type;
	u32 nelems;
};

struct vmv_btf_member {
	u32 name_off;
	u32 type;
	u32 offset;		/* in bits; see VMV_BTF_MEMBER_* with kind_flag */
};

/* The blob as parsed: both sections lie inside [__start_BTF, __stop_BTF). */
struct vmv_btf {
	const u8 *types;
	u32 types_len;
	const char *strs;
	u32 strs_len;
	u32 *index;		/* type id -> offset in types; [0] unused */
	u32 nr;			/* type ids are 1..nr, 0 is void */
};

/* Where a member was found, from the start of the outermost struct. */
struct vmv_btf_found {
	u64 bits;
	u32 type;
	u32 bitfield;		/* bitfield size, 0 for a whole object */
};

/*
 * What vmapview reads through its copies: one row per member, the kernel's
 * struct and member, and where the copy in compat.h puts it. A row without
 * a member checks the size of the whole struct, for structs that vmapview
 * indexes as arrays. A struct may be checked through several rows; each
 * row is checked against every definition of the struct in the BTF.
 */
struct vmv_layout_row {
	const char *type;
	const char *member;	/* NULL: sizeof the struct */
	size_t offset;
	size_t size;
};

/*
 * The member is the variadic argument only so that offsetof() and
 * sizeof_field() may both take it without checkpatch's MACRO_ARG_REUSE.
 */
#define VMV_ROW(kstruct, copy, ...)					\
	{ #kstruct, #__VA_ARGS__, offsetof(copy, __VA_ARGS__),		\
	  sizeof_field(copy, __VA_ARGS__) }
#define VMV_ROW_SIZE(kstruct, copy)	{ #kstruct, NULL, 0, sizeof(copy) }

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
};

/* Which layouts the module uses: checked against BTF, or as compiled. */
static bool vmv_layout_btf;

const char *vmv_layout_source(void)
{
	return vmv_layout_btf ? "btf" : "compiled";
}

/* Every refusal is one line that ends the same way. */
static __printf(1, 2) void vmv_layout_err(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("layout: %pV; refusing to load\n", &vaf);
	va_end(args);
}

/* BTF that cannot be parsed is not trusted: it refuses the load too. */
static __printf(1, 2) int vmv_btf_unusable(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("layout: the kernel's BTF is unusable (%pV); refusing to load\n", &vaf);
	va_end(args);
	return -ENOEXEC;
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

/* --- the BTF blob --- */

/* The bytes of data that follow a type of kind; false for no such kind. */
static bool vmv_btf_trailer(u32 kind, u32 vlen, u32 *len)
{
	switch (kind) {
	case VMV_BTF_KIND_PTR:
	case VMV_BTF_KIND_FWD:
	case VMV_BTF_KIND_TYPEDEF:
	case VMV_BTF_KIND_VOLATILE:
	case VMV_BTF_KIND_CONST:
	case VMV_BTF_KIND_RESTRICT:
	case VMV_BTF_KIND_FUNC:
	case VMV_BTF_KIND_FLOAT:
	case VMV_BTF_KIND_TYPE_TAG:
		*len = 0;
		return true;
	case VMV_BTF_KIND_INT:
	case VMV_BTF_KIND_VAR:
	case VMV_BTF_KIND_DECL_TAG:
		*len = sizeof(u32);
		return true;
	case VMV_BTF_KIND_ARRAY:
		*len = sizeof(struct vmv_btf_array);
		return true;
	case VMV_BTF_KIND_STRUCT:
	case VMV_BTF_KIND_UNION:
		*len = vlen * sizeof(struct vmv_btf_member);
		return true;
	case VMV_BTF_KIND_ENUM:
	case VMV_BTF_KIND_FUNC_PROTO:
		*len = vlen * 2 * sizeof(u32);
		return true;
	case VMV_BTF_KIND_DATASEC:
	case VMV_BTF_KIND_ENUM64:
		*len = vlen * 3 * sizeof(u32);
		return true;
	default:
		return false;
	}
}

/*
 * Checks the header and finds the two sections, all inside the size bytes
 * at start: nothing outside is ever read. The string section must begin
 * and end with a NUL, so that every name inside it is a string that ends
 * in it.
 */
static int vmv_btf_open(struct vmv_btf *btf, const u8 *start, u32 size)
{
	const struct vmv_btf_header *h = (const void *)start;
	u64 room, type_end, str_end;
	u32 i;

	if (size < sizeof(*h))
		return vmv_btf_unusable("%u bytes", size);
	if (h->magic != VMV_BTF_MAGIC)
		return vmv_btf_unusable("magic 0x%x", h->magic);
	if (h->version != VMV_BTF_VERSION || h->flags)
		return vmv_btf_unusable("version %u, flags 0x%x", h->version, h->flags);
	if (h->hdr_len < sizeof(*h) || h->hdr_len > size)
		return vmv_btf_unusable("header of %u bytes", h->hdr_len);
	/* A longer header has fields this check does not know: must be 0. */
	for (i = sizeof(*h); i < h->hdr_len; i++)
		if (start[i])
			return vmv_btf_unusable("unknown header field at byte %u", i);

	room = size - h->hdr_len;
	type_end = (u64)h->type_off + h->type_len;
	str_end = (u64)h->str_off + h->str_len;
	if (type_end > room || str_end > room ||
	    !IS_ALIGNED(h->hdr_len + h->type_off, sizeof(u32)))
		return vmv_btf_unusable("type section %u+%u, string section %u+%u in %llu bytes",
					h->type_off, h->type_len, h->str_off,
					h->str_len, room);
	if (h->type_len && h->str_off < type_end && h->type_off < str_end)
		return vmv_btf_unusable("type and string sections overlap");

	btf->types = start + h->hdr_len + h->type_off;
	btf->types_len = h->type_len;
	btf->strs = (const char *)start + h->hdr_len + h->str_off;
	btf->strs_len = h->str_len;
	if (!btf->strs_len || btf->strs[0] || btf->strs[btf->strs_len - 1])
		return vmv_btf_unusable("string section not NUL-delimited");
	btf->index = NULL;
	btf->nr = 0;
	return 0;
}

/*
 * Walks the type section: every type, with the data that follows it, must
 * lie inside it and be of a known kind. Returns the number of types, or a
 * negative error. With index, records where each type id starts.
 */
static int vmv_btf_walk(const struct vmv_btf *btf, u32 *index)
{
	const struct vmv_btf_type *t;
	u32 pos = 0, nr = 0, trailer;

	while (pos < btf->types_len) {
		if (btf->types_len - pos < sizeof(*t))
			return vmv_btf_unusable("type %u truncated", nr + 1);
		t = (const void *)(btf->types + pos);
		if (t->info & ~VMV_BTF_INFO_MASK)
			return vmv_btf_unusable("type %u: info 0x%x", nr + 1, t->info);
		if (!vmv_btf_trailer(VMV_BTF_INFO_KIND(t->info),
				     VMV_BTF_INFO_VLEN(t->info), &trailer))
			return vmv_btf_unusable("type %u: unknown kind %u", nr + 1,
						VMV_BTF_INFO_KIND(t->info));
		if (btf->types_len - pos - sizeof(*t) < trailer)
			return vmv_btf_unusable("type %u truncated", nr + 1);
		if (t->name_off >= btf->strs_len)
			return vmv_btf_unusable("type %u: name offset %u", nr + 1,
						t->name_off);
		nr++;
		if (index)
			index[nr] = pos;
		pos += sizeof(*t) + trailer;
	}
	return nr;
}

/* Type id, NULL for void and for ids past the last. */
static const struct vmv_btf_type *vmv_btf_type(const struct vmv_btf *btf, u32 id)
{
	if (!id || id > btf->nr)
		return NULL;
	return (const void *)(btf->types + btf->index[id]);
}

static u32 vmv_btf_kind(const struct vmv_btf_type *t)
{
	return VMV_BTF_INFO_KIND(t->info);
}

/* The name at off in the string section, NULL when off is outside it. */
static const char *vmv_btf_str(const struct vmv_btf *btf, u32 off)
{
	return off < btf->strs_len ? btf->strs + off : NULL;
}

/* Type id with its typedefs and qualifiers followed, NULL when bad. */
static const struct vmv_btf_type *vmv_btf_skip_mods(const struct vmv_btf *btf,
						    u32 id, u32 *depth)
{
	const struct vmv_btf_type *t;

	for (; *depth < VMV_BTF_MAX_DEPTH; ++*depth) {
		t = vmv_btf_type(btf, id);
		if (!t)
			return NULL;
		switch (vmv_btf_kind(t)) {
		case VMV_BTF_KIND_TYPEDEF:
		case VMV_BTF_KIND_VOLATILE:
		case VMV_BTF_KIND_CONST:
		case VMV_BTF_KIND_RESTRICT:
		case VMV_BTF_KIND_TYPE_TAG:
			id = t->size_or_type;
			break;
		default:
			return t;
		}
	}
	return NULL;
}

/*
 * The size in bytes of an object of type id: 0 on success, -EINVAL when it
 * is an integer bitfield (the older encoding), -ENOEXEC when it has no size
 * (void, functions, declarations) or the BTF is inconsistent.
 */
static int vmv_btf_size(const struct vmv_btf *btf, u32 id, u64 *size)
{
	const struct vmv_btf_array *a;
	const struct vmv_btf_type *t;
	u32 depth = 0, enc;
	u64 elems = 1;

	for (;;) {
		t = vmv_btf_skip_mods(btf, id, &depth);
		if (!t)
			return -ENOEXEC;
		switch (vmv_btf_kind(t)) {
		case VMV_BTF_KIND_ARRAY:
			a = (const void *)(t + 1);
			if (check_mul_overflow(elems, (u64)a->nelems, &elems) ||
			    ++depth >= VMV_BTF_MAX_DEPTH)
				return -ENOEXEC;
			id = a->type;
			continue;
		case VMV_BTF_KIND_PTR:
			return check_mul_overflow(elems, (u64)sizeof(void *), size) ?
			       -ENOEXEC : 0;
		case VMV_BTF_KIND_INT:
			enc = *(const u32 *)(t + 1);
			if (VMV_BTF_INT_OFFSET(enc) ||
			    VMV_BTF_INT_BITS(enc) != (u64)t->size_or_type * BITS_PER_BYTE)
				return -EINVAL;
			fallthrough;
		case VMV_BTF_KIND_STRUCT:
		case VMV_BTF_KIND_UNION:
		case VMV_BTF_KIND_ENUM:
		case VMV_BTF_KIND_ENUM64:
		case VMV_BTF_KIND_FLOAT:
			return check_mul_overflow(elems, (u64)t->size_or_type, size) ?
			       -ENOEXEC : 0;
		default:
			return -ENOEXEC;
		}
	}
}

/* The next struct named name after type id from, 0 when there is none. */
static u32 vmv_btf_find_struct(const struct vmv_btf *btf, const char *name, u32 from)
{
	const struct vmv_btf_type *t;
	u32 id;

	for (id = from + 1; id <= btf->nr; id++) {
		t = vmv_btf_type(btf, id);
		/* names were checked by the walk */
		if (vmv_btf_kind(t) == VMV_BTF_KIND_STRUCT &&
		    !strcmp(btf->strs + t->name_off, name))
			return id;
	}
	return 0;
}

/*
 * Finds member name in struct or union t, also inside its anonymous struct
 * and union members (vmap_area.vm is in one), base bits from the start of
 * the outermost struct: 0, -ENOENT when absent, -ENOEXEC on bad BTF.
 */
static int vmv_btf_member(const struct vmv_btf *btf, const struct vmv_btf_type *t,
			  const char *name, u64 base, u32 depth,
			  struct vmv_btf_found *found)
{
	const struct vmv_btf_member *m = (const void *)(t + 1);
	u32 i, off, bitfield, vlen = VMV_BTF_INFO_VLEN(t->info);
	const struct vmv_btf_type *inner;
	const char *mname;
	int ret;

	if (depth >= VMV_BTF_MAX_DEPTH)
		return -ENOEXEC;
	for (i = 0; i < vlen; i++, m++) {
		off = m->offset;
		bitfield = 0;
		if (VMV_BTF_INFO_KFLAG(t->info)) {
			bitfield = VMV_BTF_MEMBER_BITFIELD(off);
			off = VMV_BTF_MEMBER_BIT_OFFSET(off);
		}
		mname = vmv_btf_str(btf, m->name_off);
		if (!mname)
			return -ENOEXEC;
		if (!*mname) {
			/* unnamed: an anonymous struct or union, or padding */
			inner = vmv_btf_skip_mods(btf, m->type, &depth);
			if (!inner)
				return -ENOEXEC;
			if (vmv_btf_kind(inner) != VMV_BTF_KIND_STRUCT &&
			    vmv_btf_kind(inner) != VMV_BTF_KIND_UNION)
				continue;
			ret = vmv_btf_member(btf, inner, name, base + off, depth + 1, found);
			if (ret != -ENOENT)
				return ret;
			continue;
		}
		if (strcmp(mname, name))
			continue;
		found->bits = base + off;
		found->type = m->type;
		found->bitfield = bitfield;
		return 0;
	}
	return -ENOENT;
}

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

	ret = vmv_btf_member(btf, t, r->member, 0, 0, &f);
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
				 const struct vmv_layout_row *skew)
{
	const struct vmv_layout_row *r;
	u32 id;
	int ret;

	for (r = vmv_layout_rows; r < vmv_layout_rows + ARRAY_SIZE(vmv_layout_rows); r++) {
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

/* Checks the rows against the BTF of size bytes at data (4-byte aligned). */
/*
 * The kernel's own .BTF section, the bytes that /sys/kernel/btf/vmlinux
 * shows, parsed and indexed; its bounds come from symbols.c, checked.
 * Returns 0, -ENOENT for a kernel without BTF, or another error. The walk
 * reads u32 fields in place. .BTF has no alignment of its own (it follows
 * .notes, which keeps it 4-byte aligned in practice), so a blob that is not
 * aligned is parsed in an aligned copy; vmv_btf_close() frees both.
 */
static int vmv_btf_load(struct vmv_btf *btf, void **copy)
{
	unsigned long start = (unsigned long)vmv_syms.btf_start;
	unsigned long stop = (unsigned long)vmv_syms.btf_stop;
	const u8 *data;
	u32 size;
	int ret;

	*copy = NULL;
	btf->index = NULL;
	if (!start || !stop)
		return -ENOENT;
	if (stop <= start || stop - start > U32_MAX)
		return vmv_btf_unusable("__start_BTF..__stop_BTF spans %ld bytes",
					(long)(stop - start));
	size = stop - start;
	data = (const u8 *)start;
	if (!IS_ALIGNED(start, sizeof(u32))) {
		*copy = kvmalloc(size, GFP_KERNEL);
		if (!*copy)
			return -ENOMEM;
		memcpy(*copy, data, size);
		data = *copy;
	}

	ret = vmv_btf_open(btf, data, size);
	if (!ret)
		ret = vmv_btf_walk(btf, NULL);
	if (ret < 0)
		goto err;
	btf->nr = ret;
	/* ids are 1..nr; slot 0, void, stays unused */
	btf->index = kvmalloc_array(btf->nr + 1, sizeof(*btf->index), GFP_KERNEL);
	if (!btf->index) {
		ret = -ENOMEM;
		goto err;
	}
	/* the same walk again over the same bytes: it cannot fail now */
	vmv_btf_walk(btf, btf->index);
	return 0;
err:
	kvfree(*copy);
	*copy = NULL;
	return ret;
}

static void vmv_btf_close(struct vmv_btf *btf, void *copy)
{
	kvfree(btf->index);
	kvfree(copy);
}

/*
 * For symbols.c, a per-CPU variable that kallsyms cannot name (x86_64
 * before 6.15 links them at offsets from 0): pahole lists every per-CPU
 * variable, with its offset, in the DATASEC .data..percpu. Returns 0 when
 * it gives name that offset, -EINVAL when another, -ENOENT when BTF has no
 * such variable (no BTF, or BTF without variables, as Debian 11's 5.10).
 */
int vmv_btf_percpu_check(const char *name, unsigned long offset)
{
	const struct vmv_btf_type *t, *var;
	struct vmv_btf btf;
	void *copy;
	const u32 *vsi;	/* btf_var_secinfo: type, offset, size */
	const char *s;
	u32 id, i;
	int ret;

	ret = vmv_btf_load(&btf, &copy);
	if (ret)
		return ret;
	ret = -ENOENT;
	for (id = 1; id <= btf.nr && ret == -ENOENT; id++) {
		t = vmv_btf_type(&btf, id);
		s = vmv_btf_str(&btf, t->name_off);
		if (vmv_btf_kind(t) != VMV_BTF_KIND_DATASEC || strcmp(s, ".data..percpu"))
			continue;
		vsi = (const u32 *)(t + 1);
		for (i = 0; i < VMV_BTF_INFO_VLEN(t->info); i++, vsi += 3) {
			var = vmv_btf_type(&btf, vsi[0]);
			if (!var || vmv_btf_kind(var) != VMV_BTF_KIND_VAR ||
			    strcmp(vmv_btf_str(&btf, var->name_off), name))
				continue;
			ret = vsi[1] == offset ? 0 : -EINVAL;
			break;
		}
	}
	vmv_btf_close(&btf, copy);
	return ret;
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
	ret = vmv_layout_skew(&skew);
	if (ret)
		return ret;

	ret = vmv_btf_load(&btf, &copy);
	if (ret == -ENOENT) {
		pr_warn("layout: the kernel has no BTF (CONFIG_DEBUG_INFO_BTF), so the layouts vmapview was built for are used unchecked\n");
		return 0;
	}
	if (ret)
		return ret;
	ret = vmv_layout_rows_check(&btf, skew);
	vmv_btf_close(&btf, copy);
	if (!ret)
		vmv_layout_btf = true;
	return ret;
}
