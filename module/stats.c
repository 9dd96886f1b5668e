// SPDX-License-Identifier: GPL-2.0
/*
 * The counters of stats.h: every file counts into them, debugfs.c sums
 * them. Their own file, so that counting makes no file depend on the
 * mirror's.
 */
#include <linux/percpu.h>

#include "stats.h"

DEFINE_PER_CPU(struct vmv_pcpu_stats, vmv_pcpu_stats);

long vmv_stat_sum(enum vmv_stat s)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(vmv_pcpu_stats.n[s], cpu);
	return sum;
}
