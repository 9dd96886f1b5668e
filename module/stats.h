/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmapview's counters (stats_table.h lists them): per-CPU, counted in any
 * context without a lock, summed by readers (stats.c).
 */
#ifndef VMAPVIEW_STATS_H
#define VMAPVIEW_STATS_H

#include <linux/percpu.h>

enum vmv_stat {
#define VMV_STAT(id, key, desc)		VMV_STAT_##id,
#define VMV_LOST(id, key, desc)		VMV_LOST_##id,
#include "stats_table.h"
#undef VMV_STAT
#undef VMV_LOST
	VMV_STAT_NR
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

static inline void vmv_count_add(enum vmv_stat s, long n)
{
	this_cpu_add(vmv_pcpu_stats.n[s], n);
}

long vmv_stat_sum(enum vmv_stat s);

#endif /* VMAPVIEW_STATS_H */
