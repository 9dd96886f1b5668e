// SPDX-License-Identifier: GPL-2.0
/*
 * Records for probe context: per-CPU pools, as the kernel keeps a
 * vmap_block_queue per CPU. Slab allocation may sleep on PREEMPT_RT, so a
 * probe handler only takes records from its CPU's pool and gives them back
 * there, without a lock and with interrupts on (struct vmv_pool says why
 * that is safe); a work item per CPU refills a pool that runs low and frees
 * what a pool had too much of (more than a quarter over its target).
 *
 * Nothing here allocates under a raw lock (the mirror's or a pool's): slab
 * takes spinlock_t, which sleeps on PREEMPT_RT and which lockdep's
 * PROVE_RAW_LOCK_NESTING forbids inside a raw one everywhere. Under a raw
 * lock an event only takes records (vmv_rec_get()); before taking it, it
 * makes sure its pool holds what it may take (vmv_rec_reserve()).
 *
 * The total of records is capped: at the cap a pool is not refilled, the
 * event that needed a record is counted lost, and stats says so.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/llist.h>
#include <linux/moduleparam.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include "vmapview.h"
#include "pool.h"

DEFINE_PER_CPU(struct vmv_pool, vmv_pools);

static const struct {
	unsigned int target;	/* per CPU */
} vmv_rec_kinds[VMV_REC_NR] = {
	/*
	 * A dead block's record comes back only after a grace period, and
	 * PREEMPT_RT has no GFP_NOWAIT fallback: four churn threads on 7.3-rt
	 * emptied pools of 8 blocks and 256 areas per CPU (6056 lost records).
	 */
	[VMV_REC_BLOCK] = { 64 },
	[VMV_REC_AREA] = { 512 },
};

static long vmv_rec_cap[VMV_REC_NR] = {
	[VMV_REC_BLOCK] = 65536, [VMV_REC_AREA] = 262144 };
module_param_named(max_blocks, vmv_rec_cap[VMV_REC_BLOCK], long, 0444);
MODULE_PARM_DESC(max_blocks, "block records at most (default 65536)");
module_param_named(max_areas, vmv_rec_cap[VMV_REC_AREA], long, 0444);
MODULE_PARM_DESC(max_areas, "allocation records at most (default 262144)");

static size_t vmv_rec_size[VMV_REC_NR];
static atomic_long_t vmv_rec_allocated[VMV_REC_NR];
static bool vmv_rec_capped[VMV_REC_NR];
static bool vmv_pools_live;

/*
 * A record was needed and the cap kept it from being made: counted once
 * until a resync pass succeeds again (vmv_pool_cap_clear()).
 */
static void vmv_rec_cap_hit(enum vmv_rec kind)
{
	if (!READ_ONCE(vmv_rec_capped[kind])) {
		WRITE_ONCE(vmv_rec_capped[kind], true);
		vmv_count(VMV_STAT_RECORD_CAP);
	}
}

#ifdef VMAPVIEW_TESTING
/*
 * Test builds: pool_refill=0 holds the refill and trim work back, as a
 * burst of maps that outruns it does. Whether the work gets a CPU during
 * a burst depends on real-time throttling and on the emulator's speed, so
 * the test that must find a pool short sets it (tests/cases/torture).
 */
static bool vmv_test_pool_refill = true;
module_param_named(pool_refill, vmv_test_pool_refill, bool, 0600);

static bool vmv_test_refill_held(void)
{
	return !READ_ONCE(vmv_test_pool_refill);
}
#else
static bool vmv_test_refill_held(void)
{
	return false;
}
#endif

static void vmv_pool_kick(struct vmv_pool *pool)
{
	/* Unbound: a task mapping in a loop here must not starve it. */
	if (READ_ONCE(vmv_pools_live) && !vmv_test_refill_held())
		queue_work(system_unbound_wq, &pool->work);
}

/* Any context: a record into pool's incoming list. */
static void vmv_pool_give(struct vmv_pool *pool, enum vmv_rec kind,
			  struct vmv_free *rec)
{
	llist_add((struct llist_node *)rec, &pool->in[kind]);
	atomic_inc(&pool->in_nr[kind]);
}

/*
 * The owner takes the incoming list whole, as its spare list, in O(1)
 * when it has none. The count may be off by a record being given at the
 * same moment; vmv_pool_pop() corrects nr when the lists end first.
 */
static void vmv_pool_take_in(struct vmv_pool *pool, enum vmv_rec kind)
{
	if (pool->spare[kind] || llist_empty(&pool->in[kind]))
		return;
	pool->spare[kind] = (struct vmv_free *)llist_del_all(&pool->in[kind]);
	pool->nr[kind] += atomic_xchg(&pool->in_nr[kind], 0);
}

static struct vmv_free *vmv_pool_pop(struct vmv_pool *pool, enum vmv_rec kind)
{
	struct vmv_free *rec = pool->free[kind];

	if (unlikely(!rec)) {
		vmv_pool_take_in(pool, kind);
		rec = pool->spare[kind];
		pool->spare[kind] = NULL;
		if (!rec) {
			pool->nr[kind] = 0;
			return NULL;
		}
	}
	pool->free[kind] = rec->next;
	pool->nr[kind] -= !!pool->nr[kind];
	return rec;
}

/*
 * A burst can empty a pool before its work item runs. Where slab
 * allocation never sleeps (not PREEMPT_RT), the event then makes the
 * record itself, within the cap, before it takes any raw lock.
 */
static void *vmv_rec_alloc_atomic(enum vmv_rec kind)
{
	void *rec;

	if (atomic_long_inc_return(&vmv_rec_allocated[kind]) > vmv_rec_cap[kind]) {
		atomic_long_dec(&vmv_rec_allocated[kind]);
		return NULL;
	}
	rec = kmalloc(vmv_rec_size[kind], GFP_NOWAIT | __GFP_NOWARN);
	if (!rec)
		atomic_long_dec(&vmv_rec_allocated[kind]);
	return rec;
}

/*
 * The owner pushes a record. A pool already a quarter over its target
 * sends it out to be freed, with whatever its incoming list holds, as one
 * chain (the owner never walks its lists), so a pool left by a burst
 * holds at most that.
 */
static void vmv_pool_push(struct vmv_pool *pool, enum vmv_rec kind,
			  struct vmv_free *f)
{
	unsigned int target = vmv_rec_kinds[kind].target;

	if (unlikely(pool->nr[kind] >= target + target / 4)) {
		f->next = (struct vmv_free *)llist_del_all(&pool->in[kind]);
		if (f->next)
			atomic_set(&pool->in_nr[kind], 0);
		llist_add(&f->chain, &pool->out[kind]);
		vmv_pool_kick(pool);
		return;
	}
	f->next = pool->free[kind];
	pool->free[kind] = f;
	pool->nr[kind]++;
}

/*
 * An uninitialised record from this CPU's pool, or NULL. Never allocates:
 * callers hold raw locks (a block's, vmv_large_lock) and have reserved.
 * Task context; preemption is off in every caller but may not be.
 */
void *vmv_rec_get(enum vmv_rec kind)
{
	unsigned int low = vmv_rec_kinds[kind].target / 2;
	struct vmv_pool *pool;
	struct vmv_free *rec;

	preempt_disable();
	pool = this_cpu_ptr(&vmv_pools);
	rec = vmv_pool_pop(pool, kind);
	if (unlikely(pool->nr[kind] < low)) {
		vmv_pool_take_in(pool, kind);
		if (pool->nr[kind] < low)
			vmv_pool_kick(pool);
	}
	preempt_enable();
	if (!rec && atomic_long_read(&vmv_rec_allocated[kind]) >= vmv_rec_cap[kind])
		vmv_rec_cap_hit(kind);
	return rec;
}

/* vmv_rec_reserve() found this CPU's pool short of n (pool.h). */
void __vmv_rec_reserve(enum vmv_rec kind, unsigned int n)
{
	struct vmv_pool *pool;
	void *rec;

	preempt_disable();
	pool = this_cpu_ptr(&vmv_pools);
	if (likely(pool->nr[kind] >= n))
		goto out;
	vmv_pool_take_in(pool, kind);
	if (pool->nr[kind] >= n)
		goto out;
	vmv_count(VMV_STAT_POOL_EMPTY);
	if (IS_ENABLED(CONFIG_PREEMPT_RT) || in_nmi())
		goto out;
	while (pool->nr[kind] < n) {
		rec = vmv_rec_alloc_atomic(kind);
		if (!rec)
			break;
		vmv_pool_push(pool, kind, rec);
	}
out:
	preempt_enable();
}

/* Task context, any preemption state, never from interrupts. */
void vmv_rec_put(enum vmv_rec kind, void *rec)
{
	preempt_disable();
	vmv_pool_push(this_cpu_ptr(&vmv_pools), kind, rec);
	preempt_enable();
}

/* Any context (RCU callbacks): through this CPU's incoming list. */
void vmv_rec_put_any(enum vmv_rec kind, void *rec)
{
	vmv_pool_give(raw_cpu_ptr(&vmv_pools), kind, rec);
}

/* Allocates records into pool's incoming list until it holds want; task context. */
static int vmv_pool_fill(struct vmv_pool *pool, enum vmv_rec kind,
			 unsigned int want)
{
	struct vmv_free *rec;

	while (READ_ONCE(pool->nr[kind]) + atomic_read(&pool->in_nr[kind]) < want) {
		if (atomic_long_inc_return(&vmv_rec_allocated[kind]) >
		    vmv_rec_cap[kind]) {
			atomic_long_dec(&vmv_rec_allocated[kind]);
			return -ENOSPC;
		}
		rec = kzalloc(vmv_rec_size[kind], GFP_KERNEL);
		if (!rec) {
			atomic_long_dec(&vmv_rec_allocated[kind]);
			return -ENOMEM;
		}
		vmv_pool_give(pool, kind, rec);
	}
	return 0;
}

/*
 * A record made now, within the cap, for task context that holds no lock
 * (a large-area rescan builds its new tree so); vmv_rec_put() takes it
 * back like any other. NULL at the cap or without memory.
 */
void *vmv_rec_alloc(enum vmv_rec kind)
{
	void *rec;

	might_sleep();
	if (atomic_long_inc_return(&vmv_rec_allocated[kind]) > vmv_rec_cap[kind]) {
		atomic_long_dec(&vmv_rec_allocated[kind]);
		vmv_rec_cap_hit(kind);
		return NULL;
	}
	rec = kzalloc(vmv_rec_size[kind], GFP_KERNEL);
	if (!rec)
		atomic_long_dec(&vmv_rec_allocated[kind]);
	return rec;
}

static void vmv_free_chain(enum vmv_rec kind, struct vmv_free *f)
{
	struct vmv_free *next;

	for (; f; f = next) {
		next = f->next;
		kfree(f);
		atomic_long_dec(&vmv_rec_allocated[kind]);
	}
}

/* The chains the owner sent out (vmv_pool_push()). */
static void vmv_free_out(enum vmv_rec kind, struct llist_node *chains)
{
	struct llist_node *next;

	for (; chains; chains = next) {
		next = chains->next;
		vmv_free_chain(kind, container_of(chains, struct vmv_free, chain));
	}
}

/* Frees what the owner sent out, and fills a pool that runs low. */
static void vmv_pool_work(struct work_struct *work)
{
	struct vmv_pool *pool = container_of(work, struct vmv_pool, work);
	enum vmv_rec kind;

	for (kind = 0; kind < VMV_REC_NR; kind++) {
		vmv_free_out(kind, llist_del_all(&pool->out[kind]));
		vmv_pool_fill(pool, kind, vmv_rec_kinds[kind].target);
	}
}

/*
 * Task context, before work that will need up to want records on this
 * CPU (resync): fills the local pool now rather than losing records.
 */
int vmv_pool_fill_local(enum vmv_rec kind, unsigned int want)
{
	struct vmv_pool *pool;
	int cpu = get_cpu();

	pool = per_cpu_ptr(&vmv_pools, cpu);
	put_cpu();
	/* Another CPU's pool may be filled if we migrate: harmless. */
	return vmv_pool_fill(pool, kind, want);
}

void vmv_pool_cap_clear(void)
{
	WRITE_ONCE(vmv_rec_capped[VMV_REC_BLOCK], false);
	WRITE_ONCE(vmv_rec_capped[VMV_REC_AREA], false);
}

bool vmv_pool_capped(void)
{
	return READ_ONCE(vmv_rec_capped[VMV_REC_BLOCK]) ||
	       READ_ONCE(vmv_rec_capped[VMV_REC_AREA]);
}

unsigned long vmv_pool_memory(void)
{
	enum vmv_rec kind;
	unsigned long bytes = 0;

	for (kind = 0; kind < VMV_REC_NR; kind++)
		bytes += atomic_long_read(&vmv_rec_allocated[kind]) * vmv_rec_size[kind];
	return bytes;
}

/* The record sizes come from the mirror, whose records they are. */
int vmv_pools_init(size_t block_size, size_t area_size)
{
	enum vmv_rec kind;
	int cpu, ret;

	if (vmv_rec_cap[VMV_REC_BLOCK] < 1 || vmv_rec_cap[VMV_REC_AREA] < 1) {
		pr_err("max_blocks and max_areas must be at least 1\n");
		return -EINVAL;
	}
	vmv_rec_size[VMV_REC_BLOCK] = block_size;
	vmv_rec_size[VMV_REC_AREA] = area_size;
	for_each_possible_cpu(cpu) {
		struct vmv_pool *pool = per_cpu_ptr(&vmv_pools, cpu);

		for (kind = 0; kind < VMV_REC_NR; kind++)
			init_llist_head(&pool->in[kind]);
		INIT_WORK(&pool->work, vmv_pool_work);
	}
	/* CPUs that come online later start empty and fill on first use. */
	for_each_online_cpu(cpu) {
		for (kind = 0; kind < VMV_REC_NR; kind++) {
			ret = vmv_pool_fill(per_cpu_ptr(&vmv_pools, cpu), kind,
					    vmv_rec_kinds[kind].target);
			/* At the cap already: a small cap, asked for. */
			if (ret && ret != -ENOSPC) {
				vmv_pools_exit();
				return ret;
			}
		}
	}
	WRITE_ONCE(vmv_pools_live, true);
	return 0;
}

/* Nothing may take or give records any more, RCU callbacks included. */
void vmv_pools_exit(void)
{
	enum vmv_rec kind;
	int cpu;

	WRITE_ONCE(vmv_pools_live, false);
	for_each_possible_cpu(cpu) {
		struct vmv_pool *pool = per_cpu_ptr(&vmv_pools, cpu);

		cancel_work_sync(&pool->work);
		for (kind = 0; kind < VMV_REC_NR; kind++) {
			vmv_free_chain(kind, pool->free[kind]);
			vmv_free_chain(kind, pool->spare[kind]);
			pool->free[kind] = NULL;
			pool->spare[kind] = NULL;
			pool->nr[kind] = 0;
			vmv_free_chain(kind, (struct vmv_free *)llist_del_all(&pool->in[kind]));
			atomic_set(&pool->in_nr[kind], 0);
			vmv_free_out(kind, llist_del_all(&pool->out[kind]));
		}
	}
}
