/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-CPU record pools' layout: pool.c's, and here so that
 * vmv_rec_reserve(), on every event that may take a record, is an inline
 * test of this CPU's count rather than a call. Included by pool.c and
 * mirror.h only.
 */
#ifndef VMAPVIEW_POOL_H
#define VMAPVIEW_POOL_H

#include <linux/llist.h>
#include <linux/percpu.h>
#include <linux/workqueue.h>

#include "vmapview.h"

struct vmv_free {
	struct vmv_free *next;		/* in a pool's lists and in a chain */
	struct llist_node chain;	/* a chain's first record, on out */
};

/*
 * A CPU's pool. The free lists are its owner's: only code running on that
 * CPU in task context with preemption off (probe handlers, a block's or
 * vmv_large_lock's holder) pops and pushes there, so they need neither a
 * lock nor interrupts off: events never come from interrupt context
 * (vm_map_ram() and vm_unmap_ram() may sleep). What comes from anywhere
 * else (RCU callbacks giving back block records, the refill work) goes
 * through the lock-free incoming list, which only the owner takes, whole,
 * when its lists run low; what the owner has too much of goes out, in
 * chains, through the outgoing list, which the work frees.
 */
struct vmv_pool {
	struct vmv_free *free[VMV_REC_NR];
	struct vmv_free *spare[VMV_REC_NR];	/* the last incoming list taken */
	unsigned int nr[VMV_REC_NR];		/* free and spare */
	struct llist_head in[VMV_REC_NR];
	atomic_t in_nr[VMV_REC_NR];	/* about as many as in holds */
	struct llist_head out[VMV_REC_NR];	/* chains, by their chain node */
	struct work_struct work;
};

DECLARE_PER_CPU(struct vmv_pool, vmv_pools);

void __vmv_rec_reserve(enum vmv_rec kind, unsigned int n);

/*
 * Before an event takes the raw locks under which it will take up to n
 * records of kind: makes this CPU's pool hold them. O(n) for a constant n,
 * never under a raw lock. A pool found short is counted (pool_empty); on
 * PREEMPT_RT, and in NMI context (a kprobe on int3), nothing is allocated
 * and the event may then lose its record, as it does at the cap. Probe
 * handlers run with preemption off, so the pool is the one vmv_rec_get()
 * takes from; from task context a migration may make it another CPU's,
 * which only costs a lost record, which the event counts. The test reads
 * the count without preemption control: the slow path tests again with it.
 */
static __always_inline void vmv_rec_reserve(enum vmv_rec kind, unsigned int n)
{
	if (likely(raw_cpu_read(vmv_pools.nr[kind]) >= n))
		return;
	__vmv_rec_reserve(kind, n);
}

#endif /* VMAPVIEW_POOL_H */
