// SPDX-License-Identifier: GPL-2.0
/*
 * The BTF reader (btf.h): the format, the checks that keep every read
 * inside the blob, and the lookups. What is looked up, and why, is
 * layout.c's and symbols.c's business.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>

#include "btf.h"

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

/*
 * BTF that cannot be parsed is not trusted: it refuses the load too. The
 * message is the layout check's, the first user of the reader.
 */
__printf(1, 2) int vmv_btf_unusable(const char *fmt, ...)
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
const struct vmv_btf_type *vmv_btf_type(const struct vmv_btf *btf, u32 id)
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
int vmv_btf_size(const struct vmv_btf *btf, u32 id, u64 *size)
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
u32 vmv_btf_find_struct(const struct vmv_btf *btf, const char *name, u32 from)
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
static int vmv_btf_member_at(const struct vmv_btf *btf,
			     const struct vmv_btf_type *t, const char *name,
			     u64 base, u32 depth, struct vmv_btf_found *found)
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
			ret = vmv_btf_member_at(btf, inner, name, base + off,
						depth + 1, found);
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

int vmv_btf_member(const struct vmv_btf *btf, const struct vmv_btf_type *t,
		   const char *name, struct vmv_btf_found *found)
{
	return vmv_btf_member_at(btf, t, name, 0, 0, found);
}

/*
 * The .BTF section in [start, stop), the kernel's own (the bytes that
 * /sys/kernel/btf/vmlinux shows; its bounds come from symbols.c, checked),
 * parsed and indexed. Returns 0, -ENOENT for no bounds (a kernel without
 * BTF), or another error. The walk reads u32 fields in place. .BTF has no
 * alignment of its own (it follows .notes, which keeps it 4-byte aligned
 * in practice), so a blob that is not aligned is parsed in an aligned
 * copy; vmv_btf_close() frees both.
 */
int vmv_btf_load(struct vmv_btf *btf, void **copy, const u8 *start_p,
		 const u8 *stop_p)
{
	unsigned long start = (unsigned long)start_p;
	unsigned long stop = (unsigned long)stop_p;
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

void vmv_btf_close(struct vmv_btf *btf, void *copy)
{
	kvfree(btf->index);
	kvfree(copy);
}

/*
 * The offset BTF gives variable name in DATASEC section (pahole lists each
 * per-CPU variable, with its offset, in .data..percpu): 0 with *offset set,
 * -ENOENT when BTF has no such variable there.
 */
int vmv_btf_var_offset(const struct vmv_btf *btf, const char *section,
		       const char *name, u32 *offset)
{
	const struct vmv_btf_type *t, *var;
	const u32 *vsi;	/* btf_var_secinfo: type, offset, size */
	const char *s;
	u32 id, i;

	for (id = 1; id <= btf->nr; id++) {
		t = vmv_btf_type(btf, id);
		s = vmv_btf_str(btf, t->name_off);
		if (vmv_btf_kind(t) != VMV_BTF_KIND_DATASEC || strcmp(s, section))
			continue;
		vsi = (const u32 *)(t + 1);
		for (i = 0; i < VMV_BTF_INFO_VLEN(t->info); i++, vsi += 3) {
			var = vmv_btf_type(btf, vsi[0]);
			if (!var || vmv_btf_kind(var) != VMV_BTF_KIND_VAR ||
			    strcmp(vmv_btf_str(btf, var->name_off), name))
				continue;
			*offset = vsi[1];
			return 0;
		}
	}
	return -ENOENT;
}
