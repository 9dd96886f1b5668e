/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reader of BTF (Documentation/bpf/btf.rst), the kernel's own type
 * information: it parses a .BTF blob, checking every offset in it, and
 * finds structs, their members and sizes, and variables. Nothing here
 * knows what vmapview looks for: layout.c and symbols.c do.
 */
#ifndef VMAPVIEW_BTF_H
#define VMAPVIEW_BTF_H

#include <linux/compiler.h>
#include <linux/types.h>

struct vmv_btf_type {
	u32 name_off;
	u32 info;
	u32 size_or_type;	/* size of INT..., type of PTR, TYPEDEF... */
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

int vmv_btf_load(struct vmv_btf *btf, void **copy, const u8 *start,
		 const u8 *stop);
void vmv_btf_close(struct vmv_btf *btf, void *copy);
const struct vmv_btf_type *vmv_btf_type(const struct vmv_btf *btf, u32 id);
u32 vmv_btf_find_struct(const struct vmv_btf *btf, const char *name, u32 from);
int vmv_btf_member(const struct vmv_btf *btf, const struct vmv_btf_type *t,
		   const char *name, struct vmv_btf_found *found);
int vmv_btf_size(const struct vmv_btf *btf, u32 id, u64 *size);
int vmv_btf_var_offset(const struct vmv_btf *btf, const char *section,
		       const char *name, u32 *offset);
__printf(1, 2) int vmv_btf_unusable(const char *fmt, ...);

#endif /* VMAPVIEW_BTF_H */
