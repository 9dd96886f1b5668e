/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A copy of the start of kernel/bpf/arena.c's private struct bpf_arena, as
 * 7.x has it, up to the two members vmapview reads: kern_vm, which names
 * the arena's VM_SPARSE area (compared, never followed), and scratch_page,
 * the page the kernel maps wherever a BPF program faulted on an address it
 * never allocated (compat.h, VMV_ARENA_SCRATCH). layout.c checks both
 * against the kernel's BTF; on a mismatch mem leaves sparse areas unread.
 * Only the files that read the kernel include this: kread.c and layout.c.
 */
#ifndef VMAPVIEW_KERNEL_ARENA_H
#define VMAPVIEW_KERNEL_ARENA_H

#include "compat.h"

#if VMV_ARENA_SCRATCH
#include <linux/bpf.h>
#include <linux/types.h>

struct page;
struct vm_struct;

struct vmv_karena {
	struct bpf_map map;
	u64 user_vm_start;
	u64 user_vm_end;
	struct vm_struct *kern_vm;
	struct page *scratch_page;
};
#endif

#endif /* VMAPVIEW_KERNEL_ARENA_H */
