/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmapview's internal interfaces, one section per file. Data flows one
 * way: probes.c feeds mirror.c; resync.c rebuilds the mirror from what
 * kread.c reads of the kernel; debugfs.c and mem.c show the mirror.
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

#define VMAPVIEW_NAME "vmapview"

enum vmv_src { VMV_SRC_PROBE, VMV_SRC_ADOPTED };
enum vmv_type { VMV_TYPE_BLOCK, VMV_TYPE_AREA };

/* mm/vmalloc.c: addr_to_vb_idx() */
static inline unsigned long vmv_vb_idx(unsigned long addr)
{
	return (addr - (VMALLOC_START & ~(VMV_BLOCK_SIZE - 1))) / VMV_BLOCK_SIZE;
}

/* The start of the block at index idx of the kernel's xarrays. */
static inline unsigned long vmv_vb_start(unsigned long idx)
{
	return (VMALLOC_START & ~(VMV_BLOCK_SIZE - 1)) + idx * VMV_BLOCK_SIZE;
}

/* The start of the vmap_block that holds addr: blocks are size-aligned. */
static inline unsigned long vmv_block_start(unsigned long addr)
{
	return addr & ~(VMV_BLOCK_SIZE - 1);
}

/* Pages vb_alloc() reserves for a count: the next power of two. */
static inline unsigned int vmv_reserved_pages(unsigned int count)
{
	return 1U << get_order((unsigned long)count << PAGE_SHIFT);
}

/* --- stats: per-CPU counters, summed by readers --- */

/* Why the mirror lost track: stats shows each count as lost.REASON. */
enum vmv_lost {
	VMV_LOST_MISSED_PROBE,	/* a kprobe or kretprobe missed hits */
	VMV_LOST_MAP_RECORD,	/* no record free for an allocation */
	VMV_LOST_UNMAP_BLOCK,	/* an unmap inside a block the mirror lacks */
	VMV_LOST_UNMAP_AREA,	/* an unmap of a large area the mirror lacks */
	VMV_LOST_BAD_EVENT,	/* a map past the end of its block */
	VMV_LOST_NR,
};

enum vmv_stat {
	VMV_STAT_MAPS, VMV_STAT_UNMAPS, VMV_STAT_PURGES, VMV_STAT_UNMAP_ALIASES,
	VMV_STAT_BLOCKS_FREED, VMV_STAT_LOST_EVENTS, VMV_STAT_STALE_AREAS,
	VMV_STAT_RESYNCS, VMV_STAT_RESYNC_RETRIES, VMV_STAT_RESYNC_FAILURES,
	VMV_STAT_RECORD_CAP, VMV_STAT_VB_ALLOC, VMV_STAT_VB_FREE,
	VMV_STAT_ALIAS_OVERLAPS,	/* unmaps a _vm_unmap_aliases() overlapped */
	VMV_STAT_POOL_EMPTY,	/* events that found their record pool short */
	VMV_STAT_VA_FREE_RESCANS,	/* large rescans a vfree() asked for */
	VMV_STAT_AREAS,		/* live allocation records (a CPU's may be < 0) */
	VMV_STAT_LOST,		/* VMV_LOST_NR counters, one per reason */
	VMV_STAT_NR = VMV_STAT_LOST + VMV_LOST_NR,
};

struct vmv_pcpu_stats {
	long n[VMV_STAT_NR];
};

DECLARE_PER_CPU(struct vmv_pcpu_stats, vmv_pcpu_stats);

/* Any context: this_cpu ops need no lock and no preemption control. */
static inline void vmv_count(enum vmv_stat s)
{
	this_cpu_inc(vmv_pcpu_stats.n[s]);
}

static inline void vmv_uncount(enum vmv_stat s)
{
	this_cpu_dec(vmv_pcpu_stats.n[s]);
}

long vmv_stat_sum(enum vmv_stat s);

/* --- symbols.c: private kernel symbols, passed in (ksyms=) and checked --- */

struct vmv_syms {
	struct vmv_kvbq __percpu *vmap_block_queue;
#if VMV_HAS_PERCPU_VB_XA
	/* the block xarrays are in vmap_block_queue */
#else
	struct xarray *vmap_blocks;
#endif
#if VMV_HAS_VMAP_NODES
	struct vmv_kvnode **vmap_nodes;
	unsigned int *nr_vmap_nodes;
	unsigned int *vmap_zone_size;	/* for addr_to_node() */
#else
	struct rb_root *vmap_area_root;	/* the busy tree, by address */
	struct list_head *vmap_area_list;
	spinlock_t *vmap_area_lock;	/* the kernel's, for both */
#endif
	int *kptr_restrict;
	struct mm_struct *init_mm;	/* not exported to modules */
	/* [__start_BTF, __stop_BTF): NULL without CONFIG_DEBUG_INFO_BTF */
	const u8 *btf_start, *btf_stop;
};

extern struct vmv_syms vmv_syms;
int vmv_syms_init(void);

/* --- layout.c: the copies in compat.h against the kernel's BTF, at load --- */

int vmv_layout_check(void);
const char *vmv_layout_source(void);
int vmv_btf_percpu_check(const char *name, unsigned long offset);

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

int vmv_kread_check(void);
struct page *vmv_vmalloc_to_page(unsigned long addr);
struct xarray *vmv_kernel_xa_nth(unsigned int n);
int vmv_kernel_snap_next(struct xarray *xa, unsigned long *idx, struct vmv_snap *s);
bool vmv_kernel_has_block(unsigned long start);
bool vmv_kernel_next_index(struct xarray *xa, unsigned long *idx);
int vmv_kernel_block_cpu(unsigned long start, bool quick);
unsigned long vmv_kernel_vb_start(const void *vb);
unsigned long vmv_kernel_va_start(const struct vmap_area *va);
int vmv_kernel_large_areas(struct vmv_range *out, int max);
struct xarray *vmv_kernel_vb_xa(unsigned long addr);
struct vmap_area *vmv_kernel_area_from(struct rb_root *root, unsigned long addr);
#if !VMV_HAS_USED_MAP
bool vmv_kernel_is_block_va(struct vmap_area *va);
#endif

/* --- pool.c: per-CPU pools of records, for probe context --- */

enum vmv_rec { VMV_REC_BLOCK, VMV_REC_AREA, VMV_REC_NR };

void *vmv_rec_get(enum vmv_rec kind);
void vmv_rec_reserve(enum vmv_rec kind, unsigned int n);
void *vmv_rec_alloc(enum vmv_rec kind);
void vmv_rec_put(enum vmv_rec kind, void *rec);
int vmv_pool_fill_local(enum vmv_rec kind, unsigned int want);
unsigned long vmv_pool_memory(void);
bool vmv_pool_capped(void);
void vmv_pool_cap_clear(void);
int vmv_pools_init(void);
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
size_t vmv_mirror_block_size(void);
int vmv_mirror_init(void (*lost)(void));
void vmv_mirror_exit(void);

/* probe context */
bool vmv_on_map(unsigned long addr, unsigned int count, unsigned long caller);
bool vmv_on_unmap(unsigned long addr, unsigned int count, bool map_failed);
void vmv_on_block_free(unsigned long start);
#if VMV_LARGE_MAY_GO_STALE
void vmv_on_va_free(unsigned long start);
#endif
void vmv_lost_event(enum vmv_lost why);
void vmv_lost_track(void);
unsigned long vmv_aliases_begin(void);
void vmv_aliases_end(unsigned long gen);
/* The _vm_unmap_aliases() calls around one vm_unmap_ram() (6.5+). */
struct vmv_unmap_window {
	unsigned long begun, ended;
};

void vmv_unmap_window_open(struct vmv_unmap_window *w);
void vmv_unmap_window_close(const struct vmv_unmap_window *w, unsigned long addr);

/* resync.c's side: a block at a time, checked against its event count */
struct vmv_gens {
	unsigned long aliases_done, lost_gen;
};

struct vmv_peek {
	struct vmv_gens gens;
	unsigned int seq;
	u8 fails;
	unsigned long resync_at;
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
bool vmv_copy_if_used(unsigned long addr, char *buf, size_t len,
		      void (*copy)(unsigned long addr, char *buf, size_t len));
bool vmv_large_known(unsigned long start);
void vmv_totals(struct vmv_totals *t);
#ifdef VMAPVIEW_TESTING
int vmv_test_flip_used(unsigned long addr);
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
void vmv_probes_check(void);

/* --- mem.c and debugfs.c: the views --- */

void vmv_mem_create(struct dentry *dir);
int vmv_debugfs_init(void);
void vmv_debugfs_exit(void);
/* vmapview_kcore says whether its livepatch is active, for stats */
void vmv_kcore_fix_set(bool active);

/*
 * --- kcore_vread.c, in vmapview_kcore.ko: the corrected reader behind
 * /proc/kcore, which kcore_fix.c installs in place of the kernel's ---
 */
#if VMV_KCORE_VREAD
long vmv_kcore_vread(char *buf, char *addr, unsigned long count);
void vmv_kcore_copy_page(char *buf, struct page *page, unsigned long offset,
			 unsigned long len);
#elif VMV_KCORE_VREAD_ITER
struct iov_iter;

long vmv_kcore_vread_iter(struct iov_iter *iter, const char *addr, size_t count);
#endif

#endif /* VMAPVIEW_H */
