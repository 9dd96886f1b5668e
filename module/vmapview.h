/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmapview's internal interfaces, one section per file. Data flows one
 * way: probes.c feeds mirror.c; resync.c rebuilds the mirror from what
 * kread.c reads of the kernel; debugfs.c and mem.c show the mirror.
 * Elsewhere: the counters in stats.h, what vmapview_kcore.ko may use in
 * kcore_api.h, and the kernel's private layouts in kernel_vmalloc.h,
 * which this header leaves out on purpose.
 */
#ifndef VMAPVIEW_H
#define VMAPVIEW_H

#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/percpu.h>
#include <linux/rbtree.h>
#include <linux/seq_file.h>
#include <linux/types.h>

#include "compat.h"
#include "block_geometry.h"
#include "kcore_api.h"
#include "stats.h"

#define VMAPVIEW_NAME "vmapview"

enum vmv_src { VMV_SRC_PROBE, VMV_SRC_ADOPTED };
enum vmv_type { VMV_TYPE_BLOCK, VMV_TYPE_AREA };

/*
 * --- symbols.c: private kernel symbols, passed in (ksyms=) and checked;
 * struct vmv_syms itself is in kernel_vmalloc.h ---
 */

int vmv_syms_init(void);
/* The kernel's kptr_restrict, which the views follow for addresses. */
int vmv_kptr_restrict(void);

/* --- layout.c: the copies in kernel_vmalloc.h against the kernel's BTF --- */

int vmv_layout_check(void);
const char *vmv_layout_source(void);
bool vmv_layout_arena(void);

/* --- kread.c: the only reader of mm/vmalloc.c's structures and page tables --- */

/* One kernel vmap_block, read under its lock, and its PTEs. */
struct vmv_snap {
	unsigned long start, free, dirty, dirty_min, dirty_max;
	DECLARE_BITMAP(present, VMV_BLOCK_PAGES);
#if VMV_HAS_USED_MAP
	DECLARE_BITMAP(used_map, VMV_BLOCK_PAGES);
#endif
};

struct vmv_range {
	unsigned long start, end;
};

/* and what kcore_api.h declares for vmapview_kcore */
int vmv_kread_check(void);
struct xarray *vmv_kernel_xa_nth(unsigned int n);
int vmv_kernel_snap_next(struct xarray *xa, unsigned long *idx, struct vmv_snap *s);
bool vmv_kernel_has_block(unsigned long start);
bool vmv_kernel_next_index(struct xarray *xa, unsigned long *idx);
int vmv_kernel_block_cpu(unsigned long start, bool quick);
unsigned long vmv_kernel_vb_start(const void *vb);
unsigned long vmv_kernel_va_start(const struct vmap_area *va);
bool vmv_kernel_walk_resets(const void *vb, unsigned long *start,
			    unsigned long *dirty);
int vmv_kernel_large_areas(struct vmv_range *out, int max);

/* What a busy area of vmalloc space is, from its vm_struct and va->flags. */
enum vmv_area_kind {
	VMV_KIND_VMALLOC,
	VMV_KIND_PERCPU,	/* the per-cpu allocator's (vmalloc_map.c) */
	VMV_KIND_VMAP,
	VMV_KIND_IOREMAP,
	VMV_KIND_SPARSE,	/* VM_SPARSE, 6.9+: BPF arenas */
	VMV_KIND_RAM_BLOCK,	/* a vmap_block's */
	VMV_KIND_RAM,		/* a large vm_map_ram() area */
	VMV_KIND_OTHER,
	VMV_KIND_MAX
};

/* One busy vmap_area, read under its busy list's lock. */
struct vmv_karea {
	unsigned long start, end;	/* the vmap_area, guard page included */
	unsigned long vm_flags;		/* its vm_struct's; 0 without one */
	unsigned long nr_pages;		/* the vm_struct's, once initialized */
	const void *caller;		/* the vm_struct's, NULL without one */
	const void *vm;			/* the vm_struct: compared, never read */
	enum vmv_area_kind kind;
	int first_used;			/* blocks from 6.3: used_map's first, or -1 */
};

bool vmv_kernel_next_area(unsigned long addr, struct vmv_karea *a);
unsigned long vmv_kernel_present_pages(const struct vmv_karea *a,
				       bool *last_present, bool *gone,
				       unsigned long *nscratch);
/*
 * What a reader of sparse areas keeps from page to page: on 7.x the area
 * it last read, its arena's scratch page (a hole, never data: compat.h's
 * VMV_ARENA_SCRATCH) and how many arena frees had begun when that was
 * found (sparse.c). Zeroed before the first use.
 */
struct vmv_sparse_ctx {
	const void *vm;		/* the area's vm_struct: compared, never read */
	struct page *scratch;
	unsigned int gen;
	bool known;
};

#if VMV_MEM_READS_SPARSE
struct kretprobe_instance;
struct page;
struct pt_regs;

int vmv_kernel_sparse_pin(unsigned long addr, struct page **pinned,
			  struct vmv_sparse_ctx *ctx);
bool vmv_kernel_sparse_next(unsigned long addr, unsigned long *start,
			    unsigned long *end, struct vmv_sparse_ctx *ctx);

/* --- sparse.c: reading VM_SPARSE areas while their pages stay --- */

int vmv_sparse_pin_locked(unsigned long addr, struct page **pinned,
			  const struct vmv_sparse_ctx *ctx);
unsigned int vmv_sparse_gen(void);
int vmv_arena_free_entry(struct kretprobe_instance *ri, struct pt_regs *regs);
int vmv_arena_free_ret(struct kretprobe_instance *ri, struct pt_regs *regs);
bool vmv_sparse_readable(void);
#else
static inline bool vmv_sparse_readable(void)
{
	return false;
}
#endif

/* --- pool.c: per-CPU pools of records, for probe context --- */

enum vmv_rec { VMV_REC_BLOCK, VMV_REC_AREA, VMV_REC_NR };

void *vmv_rec_get(enum vmv_rec kind);
void *vmv_rec_alloc(enum vmv_rec kind);
void vmv_rec_put(enum vmv_rec kind, void *rec);
void vmv_rec_put_any(enum vmv_rec kind, void *rec);
int vmv_pool_fill_local(enum vmv_rec kind, unsigned int want);
unsigned long vmv_pool_memory(void);
bool vmv_pool_capped(void);
void vmv_pool_cap_clear(void);
int vmv_pools_init(size_t block_size, size_t area_size);
void vmv_pools_exit(void);

/* --- mirror.c: the state and its events --- */

/* One live vm_map_ram() allocation: a block sub-allocation or a large area. */
struct vmv_area {
	struct rb_node rb;		/* in its block's tree, or the large tree */
	unsigned long start;
	unsigned long caller;		/* 0 when adopted */
	u32 pages;			/* count passed to vm_map_ram() */
	u32 reserved;			/* pages reserved for it */
	u8 type, src;
	bool merged;			/* adopted run that may hold several */
	bool embedded;			/* its block's own record (mirror.h) */
};

/* What the views see of one block. */
struct vmv_block_state {
	unsigned long start;
	DECLARE_BITMAP(used, VMV_BLOCK_PAGES);
	DECLARE_BITMAP(dirty, VMV_BLOCK_PAGES);
	u16 cursor;			/* pages handed out: BITS - vb->free */
	u16 dirty_min, dirty_max;	/* as the kernel's dirty range */
	s16 cpu;			/* owning CPU, -1 when not known */
	u8 src;
	bool uncertain;			/* lost an event; resync pending */
	bool degraded;			/* resync gave up on it for now */
};

struct vmv_totals {
	unsigned long blocks, areas, large_areas, used, dirty, free;
	unsigned long purge_eligible, uncertain, degraded, memory;
};

/* lost: called, in any context, when the mirror needs a resync */
int vmv_mirror_init(void (*lost)(void));
void vmv_mirror_exit(void);

/* probe context */
/*
 * The usual map and unmap return true when done; any other event goes to
 * vmv_on_map() or vmv_on_unmap(), which return true when they made a new
 * block record (its CPU is unknown).
 */
bool vmv_map_usual(unsigned long addr, unsigned int count, unsigned long caller);
bool vmv_unmap_usual(unsigned long addr, unsigned int count);
bool vmv_on_map(unsigned long addr, unsigned int count, unsigned long caller);
bool vmv_on_unmap(unsigned long addr, unsigned int count, bool map_failed);
void vmv_on_block_free(unsigned long start);
#if VMV_LARGE_MAY_GO_STALE
void vmv_on_va_free(unsigned long start);
#endif
/* why: a VMV_LOST_* counter of stats_table.h */
void vmv_lost_event(enum vmv_stat why);
void vmv_lost_track(void);
unsigned long vmv_aliases_begin(void);
void vmv_aliases_end(unsigned long gen);
void vmv_set_walk_resets(bool on);
void vmv_on_walk_reset(unsigned long start, unsigned long kdirty);
/* The _vm_unmap_aliases() calls around one vm_unmap_ram() (6.5+). */
struct vmv_unmap_window {
	unsigned long begun, ended;
};

void vmv_unmap_window_open(struct vmv_unmap_window *w);
void vmv_unmap_window_close(const struct vmv_unmap_window *w, unsigned long addr);

/* resync.c's side: a block at a time, checked against its event count */
struct vmv_gens {
	unsigned long aliases_done, lost_gen;
	/* _vm_unmap_aliases() calls ended and begun, read in that order */
	unsigned long aliases_ended, aliases_begun;
};

struct vmv_peek {
	struct vmv_gens gens;
	unsigned int seq;
	u8 fails;
	u32 resync_at;
	bool uncertain;
};

bool vmv_mirror_adopting(void);
void vmv_mirror_adopted(void);
int vmv_block_peek(unsigned long start, struct vmv_peek *p);
int vmv_block_apply(const struct vmv_snap *s, const struct vmv_gens *g,
		    bool existed, unsigned int seq);
void vmv_block_resync_failed(unsigned long start, unsigned long retry_at,
			     bool give_up);
void vmv_block_set_cpu(unsigned long start, int cpu);
void vmv_block_drop(unsigned long start);
unsigned int vmv_large_seq_read(void);
int vmv_large_apply(const struct vmv_range *r, int nr, unsigned int seq);
bool vmv_resync_requested(void);
bool vmv_take_resync_request(bool *large);

/* views: snapshots copied under the block's lock */
bool vmv_next_block(unsigned long from, struct vmv_block_state *out);
bool vmv_next_area(unsigned long from, struct vmv_area *out);
bool vmv_next_data(unsigned long from, unsigned long *start, unsigned long *end);
bool vmv_page_used(unsigned long addr);
void vmv_totals(struct vmv_totals *t);
#ifdef VMAPVIEW_TESTING
int vmv_test_flip_used(unsigned long addr);
int vmv_test_misjudge(unsigned long addr);
int vmv_test_add_area(unsigned long addr, u32 pages);
#endif

/* --- resync.c: adoption at load, and recovery after a loss --- */

void vmv_resync_request(void);
int vmv_adopt(void);
int vmv_resync(void);
void vmv_sync_if_needed(void);
bool vmv_degraded(void);
void vmv_resync_show(struct seq_file *m);
void vmv_resync_exit(void);
#ifdef VMAPVIEW_TESTING
void vmv_test_resync_later(unsigned long delay);
#endif

/* --- probes.c --- */

int vmv_probes_install(void);
void vmv_probes_remove(void);
void vmv_probes_show(struct seq_file *m);

/* --- mem.c and debugfs.c: the views --- */

void vmv_mem_create(struct dentry *dir);
void vmv_vmalloc_map_create(struct dentry *dir);
bool vmv_may_show_addr(void);
int vmv_debugfs_init(void);
void vmv_debugfs_exit(void);

#endif /* VMAPVIEW_H */
