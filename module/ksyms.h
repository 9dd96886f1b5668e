/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel symbols this build of vmapview needs, listed once: symbols.c
 * includes this file twice, for its table and for the modinfo string
 * vmapview_ksyms that user space reads (/usr/lib/vmapview/ksyms), so no
 * include guard. VMV_KSYM(field of struct vmv_syms, symbol, how it is
 * checked); the first entry is VMV_KSYM_FIRST. The list differs with the
 * kernel version (compat.h) and config.
 */
VMV_KSYM_FIRST(init_mm, init_mm, VMV_KSYM_DATA)
VMV_KSYM(kptr_restrict, kptr_restrict, VMV_KSYM_DATA)
VMV_KSYM(vmap_block_queue, vmap_block_queue, VMV_KSYM_PERCPU)
#if !VMV_HAS_PERCPU_VB_XA
VMV_KSYM(vmap_blocks, vmap_blocks, VMV_KSYM_DATA)
#endif
#if VMV_HAS_VMAP_NODES
VMV_KSYM(vmap_nodes, vmap_nodes, VMV_KSYM_DATA)
VMV_KSYM(nr_vmap_nodes, nr_vmap_nodes, VMV_KSYM_DATA)
VMV_KSYM(vmap_zone_size, vmap_zone_size, VMV_KSYM_DATA)
#else
VMV_KSYM(vmap_area_root, vmap_area_root, VMV_KSYM_DATA)
VMV_KSYM(vmap_area_list, vmap_area_list, VMV_KSYM_DATA)
VMV_KSYM(vmap_area_lock, vmap_area_lock, VMV_KSYM_DATA)
#endif
#if VMV_ARENA_SCRATCH
/* kernel/bpf/syscall.c: the BPF maps by id, to find the arena of an area */
VMV_KSYM(map_idr, map_idr, VMV_KSYM_DATA)
VMV_KSYM(map_idr_lock, map_idr_lock, VMV_KSYM_DATA)
#endif
/* layout.c checks the copied layouts against the kernel's BTF */
#ifdef CONFIG_DEBUG_INFO_BTF
VMV_KSYM(btf_start, __start_BTF, VMV_KSYM_BTF)
VMV_KSYM(btf_stop, __stop_BTF, VMV_KSYM_BTF)
#endif
