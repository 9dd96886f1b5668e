// SPDX-License-Identifier: GPL-2.0
/*
 * vmapview_test: create vm_map_ram() mappings with known contents on demand,
 * so that tests control exactly which vmap_blocks and areas exist.
 *
 * /sys/kernel/debug/vmapview_test/ctl, one command per write():
 *   map NAME COUNT    map COUNT fresh pages (1..VMVT_MAX_PAGES) under NAME
 *   vmalloc NAME COUNT  a vmalloc() buffer of COUNT pages instead (the kind
 *                     of memory /proc/kcore reads correctly), same pattern
 *   unmap NAME        vm_unmap_ram() mapping NAME and free its pages
 *   unmap_all         unmap every mapping
 *   unmap_aliases     call vm_unmap_aliases()
 *   aliasrace NAME    unmap mapping NAME (vm_map_ram() only) in a kernel
 *                     thread on another CPU, held inside vb_free() by a
 *                     kprobe on __vunmap_range_noflush() (after the
 *                     vm_unmap_ram() entry, before the dirty range grows),
 *                     and call vm_unmap_aliases() meanwhile: its walk finds
 *                     the unmap in flight, every time (6.5+); EBUSY with one
 *                     CPU online, ETIME when the thread was not held
 *   churn N           stop any churn threads, then start N (0..VMVT_CHURN_MAX)
 *                     kernel threads that map and unmap without pause: counts
 *                     cycle 1..VMVT_CHURN_PAGES, the last VMVT_CHURN_RING
 *                     mappings of each stay live, filled with the pattern
 *                     (seed 0xff00 + thread)
 *   bench ITER COUNT  time ITER vm_map_ram()/vm_unmap_ram() pairs of COUNT
 *                     pages (1..VMVT_CHURN_PAGES); the bench file shows it
 *   pbench N ITER COUNT  the same in N threads at once (1..VMVT_CHURN_MAX),
 *                     one per online CPU in turn, timed until all end
 *   mapmany N COUNT   add N anonymous mappings of COUNT pages, all of one
 *                     page (cheap blocks for benchmarks); none are listed
 *   mapburst N        add N mappings of one page in each of as many
 *                     SCHED_FIFO threads as CPUs are online, at once: no
 *                     ordinary task runs meanwhile, so vmapview's work items
 *                     cannot refill the record pools the burst empties
 *   unmapmany         unmap them (mapmany's and mapburst's)
 *   mapfail SYM COUNT [N]  N (default 1, at most 1000) vm_map_ram() calls
 *                     of COUNT pages (1..VMVT_MAX_PAGES) made to fail: a
 *                     kretprobe on SYM, the function through which
 *                     vm_map_ram() maps the pages, returns -ENOMEM to
 *                     these calls only, so vm_map_ram() takes its own
 *                     failure path (vm_unmap_ram() of what it allocated,
 *                     then NULL), which no guest makes happen otherwise;
 *                     EIO when a call did not fail that way
 *   lifetime A B      stop any lifetime thread, then (A, B > 0) start one
 *                     that maps A, then B, ... fresh pages (up to
 *                     VMVT_LT_MAX_PAGES) filled with 0x5a, one mapping at a
 *                     time, unmaps each, writes 0xde over its pages, frees
 *                     them (see vmvt_lt_round()); "lifetime 0 0" stops it
 *   delay SYM ARG US  a kprobe on SYM (a function copying a page for
 *                     /proc/kcore, the page its argument ARG, 0-based) that
 *                     holds a reader copying a page of the lifetime mapping
 *                     until the thread freed it, US microseconds at most
 *   nodelay           remove that kprobe
 *   hold SYM US [N]   a kprobe on SYM that holds every caller US
 *                     microseconds (5000 at most) before SYM runs: widens a
 *                     window the kernel opens between two calls, e.g.
 *                     existing_page_cb(), between two pages of an arena
 *                     that arena_map_free() frees while still mapped; with
 *                     N, first writes 0xde over the page that the PTE its
 *                     argument N points to maps (the page SYM is about to
 *                     free), so that a reader that copies it from then on
 *                     shows the marker
 *   nohold            remove that kprobe
 *   scratch FD ADDR   7.x: map the scratch page of the BPF arena that the
 *                     writer's file descriptor FD holds at ADDR in its
 *                     kernel range (the PTE there must be none), as
 *                     bpf_arena_handle_page_fault() does where a BPF program
 *                     faulted (the suite has no BPF compiler to make a
 *                     program fault), and fill it with 0x5c, as the
 *                     program's stores there would; needs
 *                     init_mm_addr=ADDRESS at load
 *   probes 1|2|0      register (1) or remove (0) a kretprobe on vm_map_ram()
 *                     and a kprobe on vm_unmap_ram() with empty handlers:
 *                     the cost of the probes alone, for benchmarks; 2 puts
 *                     a kretprobe on vm_unmap_ram() instead, the kind
 *                     vmapview uses there on 6.5+ (its return half is part
 *                     of the floor vmapview's handlers sit on)
 * Errors: EINVAL (bad command, name or count), EEXIST, ENOENT, ENOMEM.
 *
 * /sys/kernel/debug/vmapview_test/maps, one line per mapping, oldest first:
 *   0xSTART-0xEND NAME pages=COUNT seed=SEED kind=vm_map_ram|vmalloc
 *
 * /sys/kernel/debug/vmapview_test/lifetime: "0xADDR PAGES rounds=N
 * windows=N raced=N", the lifetime thread's live mapping (0x0 0 between
 * mappings), its rounds, the readers held in the copy (windows) and those
 * of them whose page was freed before they copied it (raced).
 *
 * /sys/kernel/debug/vmapview_test/bench: the last bench, as
 *   iterations=ITER pages=COUNT threads=N map_ns=IN_MAP unmap_ns=IN_UNMAP
 *   ns=ELAPSED
 * (IN_MAP, IN_UNMAP: the time inside vm_map_ram() and vm_unmap_ram(),
 * summed over the threads)
 *
 * /sys/kernel/debug/vmapview_test/pte: write "0xADDR COUNT" (COUNT up to
 * VMVT_PTE_MAX pages of vmalloc space), then read one character per page:
 * 'P' when vmalloc_to_page() finds a present PTE, '.' when not.
 *
 * Contents: the little-endian 64-bit word at byte offset OFF of a mapping is
 * VMVT_MAGIC << 48 | SEED << 32 | OFF, so every word is non-zero and tells
 * which mapping and which offset it belongs to.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define VMVT_MAGIC	0x5654ULL
#define VMVT_NAME_LEN	16
#define VMVT_MAX_PAGES	4096
#define VMVT_CMD_LEN	64
#define VMVT_PTE_MAX	1024
#define VMVT_CHURN_MAX	8
#define VMVT_CHURN_RING	8
#define VMVT_CHURN_PAGES 70
#define VMVT_CHURN_SEED	0xff00

struct vmvt_map {
	struct list_head node;
	char name[VMVT_NAME_LEN];
	unsigned int count;
	u16 seed;
	bool vmalloced;
	void *addr;
	struct page **pages;
};

static LIST_HEAD(vmvt_maps);
static DEFINE_MUTEX(vmvt_lock);
static u16 vmvt_next_seed;
static struct dentry *vmvt_dir;
static unsigned long vmvt_pte_addr;
static unsigned int vmvt_pte_count;

static struct task_struct *vmvt_churn_tasks[VMVT_CHURN_MAX];
static unsigned int vmvt_bench_iter, vmvt_bench_pages, vmvt_bench_threads;
static u64 vmvt_bench_ns, vmvt_bench_map_ns, vmvt_bench_unmap_ns;
static void **vmvt_many;
static unsigned int vmvt_nr_many, vmvt_many_pages;
static struct page *vmvt_many_page;

#define VMVT_MANY_MAX	65536

static void vmvt_fill(void *addr, unsigned int count, u16 seed)
{
	size_t off, size = (size_t)count << PAGE_SHIFT;
	u64 *word = addr;

	for (off = 0; off < size; off += sizeof(*word))
		*word++ = VMVT_MAGIC << 48 | (u64)seed << 32 | off;
}

static void vmvt_free_pages(struct page **pages, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		__free_page(pages[i]);
	kvfree(pages);
}

static struct vmvt_map *vmvt_find(const char *name)
{
	struct vmvt_map *m;

	list_for_each_entry(m, &vmvt_maps, node)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}

static bool vmvt_name_ok(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len >= VMVT_NAME_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

static void vmvt_add(struct vmvt_map *m, const char *name, unsigned int count)
{
	strscpy(m->name, name, sizeof(m->name));
	m->count = count;
	if (!++vmvt_next_seed)
		vmvt_next_seed = 1;
	m->seed = vmvt_next_seed;
	vmvt_fill(m->addr, count, m->seed);
	list_add_tail(&m->node, &vmvt_maps);
}

static struct vmvt_map *vmvt_new(const char *name, unsigned int count)
{
	if (!vmvt_name_ok(name) || !count || count > VMVT_MAX_PAGES)
		return ERR_PTR(-EINVAL);
	if (vmvt_find(name))
		return ERR_PTR(-EEXIST);
	return kzalloc(sizeof(struct vmvt_map), GFP_KERNEL) ?: ERR_PTR(-ENOMEM);
}

static int vmvt_vmalloc(const char *name, unsigned int count)
{
	struct vmvt_map *m = vmvt_new(name, count);

	if (IS_ERR(m))
		return PTR_ERR(m);
	m->addr = vmalloc((unsigned long)count << PAGE_SHIFT);
	if (!m->addr) {
		kfree(m);
		return -ENOMEM;
	}
	m->vmalloced = true;
	vmvt_add(m, name, count);
	return 0;
}

/* COUNT fresh pages in an array vmvt_free_pages() frees, or NULL. */
static struct page **vmvt_alloc_pages(unsigned int count)
{
	struct page **pages = kvcalloc(count, sizeof(*pages), GFP_KERNEL);
	unsigned int i;

	if (!pages)
		return NULL;
	for (i = 0; i < count; i++) {
		pages[i] = alloc_page(GFP_KERNEL);
		if (!pages[i]) {
			vmvt_free_pages(pages, i);
			return NULL;
		}
	}
	return pages;
}

/* The caller of vm_map_ram(): vmapview's caller attribution names it. */
static noinline int vmvt_map(const char *name, unsigned int count)
{
	struct vmvt_map *m = vmvt_new(name, count);

	if (IS_ERR(m))
		return PTR_ERR(m);
	m->pages = vmvt_alloc_pages(count);
	if (!m->pages)
		goto err_map;
	m->addr = vm_map_ram(m->pages, count, NUMA_NO_NODE);
	if (!m->addr)
		goto err_pages;
	vmvt_add(m, name, count);
	return 0;

err_pages:
	vmvt_free_pages(m->pages, count);
err_map:
	kfree(m);
	return -ENOMEM;
}

static noinline void vmvt_unmap(struct vmvt_map *m)
{
	list_del(&m->node);
	if (m->vmalloced) {
		vfree(m->addr);
	} else {
		vm_unmap_ram(m->addr, m->count);
		vmvt_free_pages(m->pages, m->count);
	}
	kfree(m);
}

static void vmvt_unmap_all(void)
{
	struct vmvt_map *m, *tmp;

	list_for_each_entry_safe(m, tmp, &vmvt_maps, node)
		vmvt_unmap(m);
}

struct vmvt_slot {
	void *addr;
	unsigned int count;
	struct page *pages[VMVT_CHURN_PAGES];
};

static noinline int vmvt_churn_fn(void *arg)
{
	u16 seed = VMVT_CHURN_SEED + (long)arg;
	struct vmvt_slot *ring, *slot;
	unsigned int i, j;

	ring = kvcalloc(VMVT_CHURN_RING, sizeof(*ring), GFP_KERNEL);
	if (!ring)
		goto idle;
	for (i = 0; i < VMVT_CHURN_RING; i++)
		for (j = 0; j < VMVT_CHURN_PAGES; j++) {
			ring[i].pages[j] = alloc_page(GFP_KERNEL | __GFP_ZERO);
			if (!ring[i].pages[j])
				goto out;
		}
	for (i = 0; !kthread_should_stop(); i++) {
		slot = &ring[i % VMVT_CHURN_RING];
		if (slot->addr)
			vm_unmap_ram(slot->addr, slot->count);
		slot->count = i % VMVT_CHURN_PAGES + 1;
		slot->addr = vm_map_ram(slot->pages, slot->count, NUMA_NO_NODE);
		if (slot->addr)
			vmvt_fill(slot->addr, slot->count, seed);
		cond_resched();
	}
out:
	for (i = 0; i < VMVT_CHURN_RING; i++) {
		if (ring[i].addr)
			vm_unmap_ram(ring[i].addr, ring[i].count);
		for (j = 0; j < VMVT_CHURN_PAGES && ring[i].pages[j]; j++)
			__free_page(ring[i].pages[j]);
	}
	kvfree(ring);
idle:
	/* kthread_stop() needs the thread to still exist. */
	while (!kthread_should_stop())
		schedule_timeout_interruptible(HZ / 10);
	return 0;
}

static void vmvt_churn_stop(void)
{
	unsigned int i;

	for (i = 0; i < VMVT_CHURN_MAX; i++) {
		if (vmvt_churn_tasks[i])
			kthread_stop(vmvt_churn_tasks[i]);
		vmvt_churn_tasks[i] = NULL;
	}
}

static int vmvt_churn(unsigned int n)
{
	struct task_struct *t;
	unsigned long i;

	if (n > VMVT_CHURN_MAX)
		return -EINVAL;
	vmvt_churn_stop();
	for (i = 0; i < n; i++) {
		t = kthread_run(vmvt_churn_fn, (void *)i, "vmvt-churn/%lu", i);
		if (IS_ERR(t)) {
			vmvt_churn_stop();
			return PTR_ERR(t);
		}
		vmvt_churn_tasks[i] = t;
	}
	return 0;
}

/*
 * ITER map/unmap pairs of COUNT pages; *map_ns and *unmap_ns sum the time
 * inside vm_map_ram() and vm_unmap_ram() (instructions under QEMU's
 * -icount shift=0, where the guest clock counts them).
 */
static int vmvt_bench_loop(unsigned int iter, unsigned int count, u64 *map_ns,
			   u64 *unmap_ns)
{
	struct page *pages[VMVT_CHURN_PAGES];
	unsigned int i, got;
	u64 t0, t1, t2;
	int ret = 0;
	void *addr;

	for (got = 0; got < count; got++) {
		pages[got] = alloc_page(GFP_KERNEL);
		if (!pages[got]) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < iter; i++) {
		t0 = ktime_get_ns();
		addr = vm_map_ram(pages, count, NUMA_NO_NODE);
		t1 = ktime_get_ns();
		if (!addr) {
			ret = -ENOMEM;
			goto out;
		}
		vm_unmap_ram(addr, count);
		t2 = ktime_get_ns();
		*map_ns += t1 - t0;
		*unmap_ns += t2 - t1;
		if (!(i % 256))
			cond_resched();
	}
out:
	while (got--)
		__free_page(pages[got]);
	return ret;
}

struct vmvt_bench_thread {
	unsigned int iter, count;
	int ret;
	u64 map_ns, unmap_ns;
	struct completion done;
};

static int vmvt_bench_fn(void *arg)
{
	struct vmvt_bench_thread *t = arg;

	t->ret = vmvt_bench_loop(t->iter, t->count, &t->map_ns, &t->unmap_ns);
	complete(&t->done);
	return 0;
}

/*
 * THREADS kernel threads, one per online CPU in turn, each running ITER
 * pairs at once; the time is until the last one ends.
 */
static int vmvt_bench(unsigned int threads, unsigned int iter, unsigned int count)
{
	struct vmvt_bench_thread *t;
	struct task_struct *task;
	unsigned int i, started = 0;
	int ret = 0, cpu = -1;
	u64 start;

	if (!threads || threads > VMVT_CHURN_MAX || !iter || !count ||
	    count > VMVT_CHURN_PAGES)
		return -EINVAL;
	t = kcalloc(threads, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	start = ktime_get_ns();
	for (i = 0; i < threads; i++) {
		t[i].iter = iter;
		t[i].count = count;
		init_completion(&t[i].done);
		task = kthread_create(vmvt_bench_fn, &t[i], "vmvt-bench/%u", i);
		if (IS_ERR(task)) {
			ret = PTR_ERR(task);
			break;
		}
		cpu = cpumask_next(cpu, cpu_online_mask);
		if (cpu >= nr_cpu_ids)
			cpu = cpumask_first(cpu_online_mask);
		kthread_bind(task, cpu);
		wake_up_process(task);
		started++;
	}
	for (i = 0; i < started; i++) {
		wait_for_completion(&t[i].done);
		if (t[i].ret)
			ret = t[i].ret;
	}
	if (!ret) {
		vmvt_bench_ns = ktime_get_ns() - start;
		vmvt_bench_map_ns = 0;
		vmvt_bench_unmap_ns = 0;
		for (i = 0; i < started; i++) {
			vmvt_bench_map_ns += t[i].map_ns;
			vmvt_bench_unmap_ns += t[i].unmap_ns;
		}
		vmvt_bench_iter = iter;
		vmvt_bench_pages = count;
		vmvt_bench_threads = threads;
	}
	kfree(t);
	return ret;
}

static void vmvt_unmap_many(void)
{
	void *addr;

	/* A mapburst slot whose vm_map_ram() failed is NULL. */
	while (vmvt_nr_many) {
		addr = vmvt_many[--vmvt_nr_many];
		if (addr)
			vm_unmap_ram(addr, vmvt_many_pages);
	}
	kvfree(vmvt_many);
	vmvt_many = NULL;
	if (vmvt_many_page)
		__free_page(vmvt_many_page);
	vmvt_many_page = NULL;
}

/* The array and the page mapmany and mapburst use. */
static int vmvt_many_init(unsigned int count)
{
	if (vmvt_many)
		return 0;
	vmvt_many = kvcalloc(VMVT_MANY_MAX, sizeof(*vmvt_many), GFP_KERNEL);
	vmvt_many_page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!vmvt_many || !vmvt_many_page) {
		vmvt_unmap_many();
		return -ENOMEM;
	}
	vmvt_many_pages = count;
	return 0;
}

static int vmvt_map_many(unsigned int n, unsigned int count)
{
	struct page *pages[VMVT_CHURN_PAGES];
	unsigned int i;

	if (!n || !count || count > VMVT_CHURN_PAGES ||
	    n > VMVT_MANY_MAX - vmvt_nr_many ||
	    (vmvt_nr_many && count != vmvt_many_pages))
		return -EINVAL;
	if (vmvt_many_init(count))
		return -ENOMEM;
	for (i = 0; i < count; i++)
		pages[i] = vmvt_many_page;
	for (i = 0; i < n; i++) {
		void *addr = vm_map_ram(pages, count, NUMA_NO_NODE);

		if (!addr)
			return -ENOMEM;
		vmvt_many[vmvt_nr_many++] = addr;
		cond_resched();
	}
	return 0;
}

struct vmvt_burst {
	void **slot;		/* where its n mappings go */
	unsigned int n;
	struct completion done;
};

static int vmvt_burst_fn(void *arg)
{
	struct vmvt_burst *t = arg;
	unsigned int i;

	/* cond_resched() yields to other real-time tasks only. */
	for (i = 0; i < t->n; i++) {
		t->slot[i] = vm_map_ram(&vmvt_many_page, 1, NUMA_NO_NODE);
		cond_resched();
	}
	complete(&t->done);
	return 0;
}

/*
 * mapburst: N one-page mappings from each of one thread per online CPU,
 * at SCHED_FIFO's lowest priority and not bound to a CPU (hotplug may run).
 * Until they end, the CPUs run no ordinary task, vmapview's unbound work
 * items included: its per-CPU record pools (512 allocation records each)
 * run dry when N is well above that, and its events find them empty.
 */
static int vmvt_map_burst(unsigned int n)
{
	unsigned int i, started = 0, threads;
	struct task_struct *task;
	struct vmvt_burst *t;
	int ret = 0;

	threads = min_t(unsigned int, num_online_cpus(), VMVT_CHURN_MAX);
	if (!n || n > (VMVT_MANY_MAX - vmvt_nr_many) / threads ||
	    (vmvt_nr_many && vmvt_many_pages != 1))
		return -EINVAL;
	if (vmvt_many_init(1))
		return -ENOMEM;
	t = kcalloc(threads, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	for (i = 0; i < threads; i++) {
		t[i].slot = vmvt_many + vmvt_nr_many + i * n;
		t[i].n = n;
		init_completion(&t[i].done);
		task = kthread_create(vmvt_burst_fn, &t[i], "vmvt-burst/%u", i);
		if (IS_ERR(task)) {
			ret = PTR_ERR(task);
			break;
		}
		sched_set_fifo_low(task);
		wake_up_process(task);
		started++;
	}
	for (i = 0; i < started; i++)
		wait_for_completion(&t[i].done);
	for (i = 0; i < started * n && !ret; i++)
		if (!vmvt_many[vmvt_nr_many + i])
			ret = -ENOMEM;
	/* unmapmany unmaps every slot that holds a mapping. */
	vmvt_nr_many += started * n;
	kfree(t);
	return ret;
}

/*
 * mapfail: the kretprobe acts for the task in vmvt_fail_task only, once;
 * its entry handler turns every other call away, so they cost no instance.
 */
static struct task_struct *vmvt_fail_task;
static atomic_t vmvt_fail_hits;
static char vmvt_fail_sym[KSYM_NAME_LEN];

static int vmvt_fail_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return READ_ONCE(vmvt_fail_task) == current ? 0 : 1;
}

static int vmvt_fail_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (READ_ONCE(vmvt_fail_task) != current)
		return 0;
	WRITE_ONCE(vmvt_fail_task, NULL);
	/* The trampoline restores the registers from regs: the caller sees it. */
	regs_set_return_value(regs, -ENOMEM);
	atomic_inc(&vmvt_fail_hits);
	return 0;
}

static struct kretprobe vmvt_fail_rp = {
	.kp.symbol_name = vmvt_fail_sym,
	.entry_handler = vmvt_fail_entry,
	.handler = vmvt_fail_ret,
	.maxactive = 4,
};

/* One call made to fail: 0, or -EIO when it did not fail that way. */
static noinline int vmvt_map_fail_one(struct page **pages, unsigned int count)
{
	void *addr;

	atomic_set(&vmvt_fail_hits, 0);
	WRITE_ONCE(vmvt_fail_task, current);
	addr = vm_map_ram(pages, count, NUMA_NO_NODE);
	WRITE_ONCE(vmvt_fail_task, NULL);
	if (addr) {
		/* SYM is not on this kernel's vm_map_ram() path. */
		vm_unmap_ram(addr, count);
		return -EIO;
	}
	/* -EIO too when it failed, but not where this made it fail. */
	return atomic_read(&vmvt_fail_hits) ? 0 : -EIO;
}

static int vmvt_map_fail(const char *sym, unsigned int count, unsigned int n)
{
	struct page **pages;
	unsigned int i;
	int ret = 0;

	if (!count || count > VMVT_MAX_PAGES || !n || n > 1000 ||
	    strscpy(vmvt_fail_sym, sym, sizeof(vmvt_fail_sym)) < 0)
		return -EINVAL;
	pages = vmvt_alloc_pages(count);
	if (!pages)
		return -ENOMEM;
	vmvt_fail_rp.kp.addr = NULL;
	vmvt_fail_rp.kp.flags = 0;
	ret = register_kretprobe(&vmvt_fail_rp);
	if (!ret) {
		for (i = 0; !ret && i < n; i++)
			ret = vmvt_map_fail_one(pages, count);
		unregister_kretprobe(&vmvt_fail_rp);
	}
	vmvt_free_pages(pages, count);
	return ret;
}

static int vmvt_empty_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

static int vmvt_empty_pre(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

#define VMVT_EMPTY_KRETPROBE(sym) {				\
	.kp.symbol_name = sym,					\
	.entry_handler = vmvt_empty_ret,			\
	.handler = vmvt_empty_ret,				\
	.data_size = 16,					\
	.maxactive = 64,					\
}

static struct kretprobe vmvt_map_rp = VMVT_EMPTY_KRETPROBE("vm_map_ram");
static struct kretprobe vmvt_unmap_rp = VMVT_EMPTY_KRETPROBE("vm_unmap_ram");

static struct kprobe vmvt_unmap_kp = {
	.symbol_name = "vm_unmap_ram",
	.pre_handler = vmvt_empty_pre,
};

static unsigned int vmvt_probes_on;	/* 0, or the kind registered */

/* kind: 0 none, 1 kprobe on vm_unmap_ram(), 2 kretprobe there. */
static int vmvt_probes(unsigned int kind)
{
	int ret;

	if (kind > 2)
		return -EINVAL;
	if (kind == vmvt_probes_on)
		return 0;
	if (vmvt_probes_on == 1)
		unregister_kprobe(&vmvt_unmap_kp);
	else if (vmvt_probes_on == 2)
		unregister_kretprobe(&vmvt_unmap_rp);
	if (vmvt_probes_on)
		unregister_kretprobe(&vmvt_map_rp);
	vmvt_probes_on = 0;
	if (!kind)
		return 0;
	/* The structures are reused: clear what registration filled in. */
	vmvt_map_rp.kp.addr = NULL;
	vmvt_map_rp.kp.flags = 0;
	vmvt_unmap_kp.addr = NULL;
	vmvt_unmap_kp.flags = 0;
	vmvt_unmap_rp.kp.addr = NULL;
	vmvt_unmap_rp.kp.flags = 0;
	ret = register_kretprobe(&vmvt_map_rp);
	if (ret)
		return ret;
	if (kind == 1)
		ret = register_kprobe(&vmvt_unmap_kp);
	else
		ret = register_kretprobe(&vmvt_unmap_rp);
	if (ret) {
		unregister_kretprobe(&vmvt_map_rp);
		return ret;
	}
	vmvt_probes_on = kind;
	return 0;
}

/*
 * lifetime: one thread, on another CPU than the readers, maps fresh pages
 * filled with VMVT_LT_LIVE, publishes the mapping, waits for a reader to
 * enter the window (or VMVT_LT_HOLD_MS), unmaps, writes VMVT_LT_FREED over
 * the pages and frees them. A reader that copies such a page after it was
 * freed shows the marker.
 *
 * delay: a kprobe on the function that copies a page for /proc/kcore
 * (SYMBOL, the page its argument number ARG) holds the first reader that
 * copies a page of the published mapping until the thread has freed it, or
 * USECS at most. Where the reader holds what the unmap waits for (the fix),
 * the wait times out and the copy reads the pages live; where it does not,
 * the copy reads freed pages (counted as raced).
 */
#define VMVT_LT_LIVE		0x5a
#define VMVT_LT_FREED		0xde
#define VMVT_LT_MAX_PAGES	128
#define VMVT_LT_HOLD_MS		2000
#define VMVT_DELAY_MAX_US	5000

enum { VMVT_LT_IDLE, VMVT_LT_MAPPED, VMVT_LT_WINDOW, VMVT_LT_DONE };

static struct task_struct *vmvt_lt_task;
static unsigned int vmvt_lt_counts[2];
static struct page *vmvt_lt_pages[VMVT_LT_MAX_PAGES];
static unsigned int vmvt_lt_count;
static unsigned long vmvt_lt_addr;
static atomic_t vmvt_lt_state = ATOMIC_INIT(VMVT_LT_IDLE);
static atomic_long_t vmvt_lt_rounds, vmvt_lt_windows, vmvt_lt_raced;

/* A test kprobe on a symbol named at run time: delay's and hold's. */
struct vmvt_kp {
	struct kprobe kp;
	char sym[KSYM_NAME_LEN];
	bool on;
};

static void vmvt_kp_remove(struct vmvt_kp *k)
{
	if (k->on) {
		unregister_kprobe(&k->kp);
		k->on = false;
	}
}

static int vmvt_kp_add(struct vmvt_kp *k, const char *sym,
		       kprobe_pre_handler_t pre)
{
	int ret;

	if (strscpy(k->sym, sym, sizeof(k->sym)) < 0)
		return -EINVAL;
	memset(&k->kp, 0, sizeof(k->kp));
	k->kp.symbol_name = k->sym;
	k->kp.pre_handler = pre;
	ret = register_kprobe(&k->kp);
	if (!ret)
		k->on = true;
	return ret;
}

static struct vmvt_kp vmvt_delay_kp;
static unsigned int vmvt_delay_arg, vmvt_delay_us;

static bool vmvt_lt_has_page(struct page *page)
{
	unsigned int i, n = READ_ONCE(vmvt_lt_count);

	for (i = 0; i < n && i < VMVT_LT_MAX_PAGES; i++)
		if (READ_ONCE(vmvt_lt_pages[i]) == page)
			return true;
	return false;
}

/* In the reader, inside its copy: bounded by vmvt_delay_us. */
static int vmvt_delay_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct page *page = (struct page *)regs_get_kernel_argument(regs, vmvt_delay_arg);
	u64 end;

	if (atomic_read_acquire(&vmvt_lt_state) != VMVT_LT_MAPPED ||
	    !vmvt_lt_has_page(page) ||
	    atomic_cmpxchg(&vmvt_lt_state, VMVT_LT_MAPPED, VMVT_LT_WINDOW) != VMVT_LT_MAPPED)
		return 0;
	atomic_long_inc(&vmvt_lt_windows);
	end = ktime_get_ns() + (u64)vmvt_delay_us * NSEC_PER_USEC;
	while (atomic_read_acquire(&vmvt_lt_state) != VMVT_LT_DONE &&
	       ktime_get_ns() < end)
		cpu_relax();
	if (atomic_read(&vmvt_lt_state) == VMVT_LT_DONE)
		atomic_long_inc(&vmvt_lt_raced);
	return 0;
}

static int vmvt_delay(const char *sym, unsigned int arg, unsigned int usecs)
{
	vmvt_kp_remove(&vmvt_delay_kp);
	if (!sym)
		return 0;
	if (arg > 5 || !usecs || usecs > VMVT_DELAY_MAX_US)
		return -EINVAL;
	vmvt_delay_arg = arg;
	vmvt_delay_us = usecs;
	return vmvt_kp_add(&vmvt_delay_kp, sym, vmvt_delay_pre);
}

static struct vmvt_kp vmvt_hold_kp;
static unsigned int vmvt_hold_us;
static int vmvt_hold_pte_arg;

static int vmvt_hold_pre(struct kprobe *p, struct pt_regs *regs)
{
	u64 end = ktime_get_ns() + (u64)vmvt_hold_us * NSEC_PER_USEC;

	if (vmvt_hold_pte_arg >= 0) {
		pte_t *ptep = (pte_t *)regs_get_kernel_argument(regs, vmvt_hold_pte_arg);
		pte_t pte = ptep_get(ptep);

		if (pte_present(pte) && pfn_valid(pte_pfn(pte)))
			memset(page_address(pte_page(pte)), VMVT_LT_FREED, PAGE_SIZE);
	}

	while (ktime_get_ns() < end)
		cpu_relax();
	return 0;
}

static int vmvt_hold(const char *sym, unsigned int usecs, int pte_arg)
{
	vmvt_kp_remove(&vmvt_hold_kp);
	if (!sym)
		return 0;
	if (!usecs || usecs > VMVT_DELAY_MAX_US || pte_arg > 5)
		return -EINVAL;
	vmvt_hold_us = usecs;
	vmvt_hold_pte_arg = pte_arg;
	return vmvt_kp_add(&vmvt_hold_kp, sym, vmvt_hold_pre);
}

/* aliasrace: the unmapping thread, and whether it is held or let go. */
static struct task_struct *vmvt_race_task;
static bool vmvt_race_held, vmvt_race_go;
static struct vmvt_kp vmvt_race_kp;
#define VMVT_RACE_MAX_MS	2000

/* Holds the race thread alone, until let go or VMVT_RACE_MAX_MS. */
static int vmvt_race_pre(struct kprobe *p, struct pt_regs *regs)
{
	u64 end = ktime_get_ns() + (u64)VMVT_RACE_MAX_MS * NSEC_PER_MSEC;

	if (current != READ_ONCE(vmvt_race_task))
		return 0;
	WRITE_ONCE(vmvt_race_held, true);
	while (!READ_ONCE(vmvt_race_go) && ktime_get_ns() < end)
		cpu_relax();
	return 0;
}

static int vmvt_race_fn(void *arg)
{
	struct vmvt_map *m = arg;

	vm_unmap_ram(m->addr, m->count);
	while (!kthread_should_stop())
		schedule_timeout_interruptible(1);
	return 0;
}

static int vmvt_alias_race(struct vmvt_map *m)
{
	unsigned int cpu, here = raw_smp_processor_id(), waited;
	struct task_struct *task;
	bool held;
	int ret;

	if (m->vmalloced)
		return -EINVAL;
	for_each_online_cpu(cpu)
		if (cpu != here)
			break;
	if (cpu >= nr_cpu_ids)
		return -EBUSY;
	task = kthread_create(vmvt_race_fn, m, "vmvt-race");
	if (IS_ERR(task))
		return PTR_ERR(task);
	kthread_bind(task, cpu);
	WRITE_ONCE(vmvt_race_held, false);
	WRITE_ONCE(vmvt_race_go, false);
	WRITE_ONCE(vmvt_race_task, task);
	ret = vmvt_kp_add(&vmvt_race_kp, "__vunmap_range_noflush", vmvt_race_pre);
	if (ret) {
		WRITE_ONCE(vmvt_race_task, NULL);
		kthread_stop(task);
		return ret;
	}
	wake_up_process(task);
	for (waited = 0; !READ_ONCE(vmvt_race_held) && waited < VMVT_RACE_MAX_MS; waited++)
		usleep_range(1000, 2000);
	held = READ_ONCE(vmvt_race_held);
	if (held)
		vm_unmap_aliases();
	WRITE_ONCE(vmvt_race_go, true);
	kthread_stop(task);
	vmvt_kp_remove(&vmvt_race_kp);
	WRITE_ONCE(vmvt_race_task, NULL);
	/* Unmapped either way: the mapping goes. */
	list_del(&m->node);
	vmvt_free_pages(m->pages, m->count);
	kfree(m);
	return held ? 0 : -ETIME;
}

static void vmvt_lt_free(unsigned int n)
{
	while (n--) {
		__free_page(vmvt_lt_pages[n]);
		WRITE_ONCE(vmvt_lt_pages[n], NULL);
	}
}

/* One round; false when pages or the mapping could not be had. */
static bool vmvt_lt_round(unsigned int count)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(VMVT_LT_HOLD_MS);
	unsigned int i;
	bool window;
	void *addr;

	for (i = 0; i < count; i++) {
		struct page *page = alloc_page(GFP_KERNEL);

		if (!page) {
			vmvt_lt_free(i);
			return false;
		}
		memset(page_address(page), VMVT_LT_LIVE, PAGE_SIZE);
		WRITE_ONCE(vmvt_lt_pages[i], page);
	}
	addr = vm_map_ram(vmvt_lt_pages, count, NUMA_NO_NODE);
	if (!addr) {
		vmvt_lt_free(count);
		return false;
	}
	WRITE_ONCE(vmvt_lt_count, count);
	WRITE_ONCE(vmvt_lt_addr, (unsigned long)addr);
	atomic_set_release(&vmvt_lt_state, VMVT_LT_MAPPED);
	while (!kthread_should_stop() && time_before(jiffies, deadline)) {
		if (atomic_read(&vmvt_lt_state) == VMVT_LT_WINDOW)
			break;
		usleep_range(20, 50);
	}
	/* From here no reader takes the window of this round. */
	window = atomic_cmpxchg(&vmvt_lt_state, VMVT_LT_MAPPED,
				VMVT_LT_IDLE) == VMVT_LT_WINDOW;
	vm_unmap_ram(addr, count);
	WRITE_ONCE(vmvt_lt_addr, 0);
	for (i = 0; i < count; i++)
		memset(page_address(vmvt_lt_pages[i]), VMVT_LT_FREED, PAGE_SIZE);
	WRITE_ONCE(vmvt_lt_count, 0);
	vmvt_lt_free(count);
	if (window) {
		/* The reader copies now: the freed pages stay unused a while. */
		atomic_set_release(&vmvt_lt_state, VMVT_LT_DONE);
		msleep(20);
	}
	atomic_set(&vmvt_lt_state, VMVT_LT_IDLE);
	atomic_long_inc(&vmvt_lt_rounds);
	return true;
}

static int vmvt_lt_fn(void *arg)
{
	unsigned long i;

	for (i = 0; !kthread_should_stop(); i++) {
		if (!vmvt_lt_round(vmvt_lt_counts[i % 2]))
			msleep(20);
		cond_resched();
	}
	return 0;
}

static void vmvt_lt_stop(void)
{
	if (vmvt_lt_task)
		kthread_stop(vmvt_lt_task);
	vmvt_lt_task = NULL;
}

/* Counts of 0 stop it; the thread runs on the last online CPU. */
static int vmvt_lifetime(unsigned int a, unsigned int b)
{
	struct task_struct *t;

	vmvt_lt_stop();
	if (!a && !b)
		return 0;
	if (!a || !b || a > VMVT_LT_MAX_PAGES || b > VMVT_LT_MAX_PAGES)
		return -EINVAL;
	vmvt_lt_counts[0] = a;
	vmvt_lt_counts[1] = b;
	atomic_long_set(&vmvt_lt_rounds, 0);
	atomic_long_set(&vmvt_lt_windows, 0);
	atomic_long_set(&vmvt_lt_raced, 0);
	t = kthread_create(vmvt_lt_fn, NULL, "vmvt-lifetime");
	if (IS_ERR(t))
		return PTR_ERR(t);
	kthread_bind(t, cpumask_last(cpu_online_mask));
	vmvt_lt_task = t;
	wake_up_process(t);
	return 0;
}

/*
 * ptep_try_set() came with the arenas' scratch page (7.x): the kernels
 * that have it map one.
 */
#if defined(ptep_try_set) && IS_ENABLED(CONFIG_BPF_SYSCALL)
#include <linux/bpf.h>

MODULE_IMPORT_NS("BPF_INTERNAL");	/* bpf_map_get() */

/* init_mm, which modules are not given: for apply_to_page_range(). */
static unsigned long init_mm_addr;
module_param(init_mm_addr, ulong, 0444);
MODULE_PARM_DESC(init_mm_addr, "the address of init_mm, for scratch");

/* The start of kernel/bpf/arena.c's struct bpf_arena in 7.x. */
struct vmvt_arena {
	struct bpf_map map;
	u64 user_vm_start;
	u64 user_vm_end;
	struct vm_struct *kern_vm;
	struct page *scratch_page;
};

/* kernel/bpf/arena.c's apply_range_set_scratch_cb() */
static int vmvt_set_scratch(pte_t *pte, unsigned long addr, void *data)
{
	if (!pte_none(ptep_get(pte)) ||
	    !ptep_try_set(pte, mk_pte(data, PAGE_KERNEL)))
		return -EEXIST;
	return 0;
}

static int vmvt_scratch(unsigned int fd, unsigned long addr)
{
	struct bpf_map *map;
	struct vmvt_arena *arena;
	unsigned long start;
	int ret = -EINVAL;

	if (!init_mm_addr)
		return -EINVAL;
	map = bpf_map_get(fd);
	if (IS_ERR(map))
		return PTR_ERR(map);
	arena = container_of(map, struct vmvt_arena, map);
	if (map->map_type != BPF_MAP_TYPE_ARENA)
		goto out;
	start = (unsigned long)arena->kern_vm->addr;
	if (addr < start || addr >= start + get_vm_area_size(arena->kern_vm))
		goto out;
	ret = apply_to_page_range((struct mm_struct *)init_mm_addr, addr & PAGE_MASK,
				  PAGE_SIZE, vmvt_set_scratch,
				  arena->scratch_page);
	/* What a BPF program's stores there after its fault would leave. */
	if (!ret)
		memset(page_address(arena->scratch_page), 0x5c, PAGE_SIZE);
out:
	bpf_map_put(map);
	return ret;
}
#else
static int vmvt_scratch(unsigned int fd, unsigned long addr)
{
	return -EOPNOTSUPP;
}
#endif

static int vmvt_run(int argc, char **argv)
{
	struct vmvt_map *m;
	unsigned int count;

	if (argc == 3 && !strcmp(argv[0], "lifetime")) {
		unsigned int b;

		if (kstrtouint(argv[1], 0, &count) || kstrtouint(argv[2], 0, &b))
			return -EINVAL;
		return vmvt_lifetime(count, b);
	}
	if (argc == 4 && !strcmp(argv[0], "delay")) {
		unsigned int arg, usecs;

		if (kstrtouint(argv[2], 0, &arg) || kstrtouint(argv[3], 0, &usecs))
			return -EINVAL;
		return vmvt_delay(argv[1], arg, usecs);
	}
	if (argc == 1 && !strcmp(argv[0], "nodelay"))
		return vmvt_delay(NULL, 0, 0);
	if ((argc == 3 || argc == 4) && !strcmp(argv[0], "hold")) {
		unsigned int usecs, arg = 0;

		if (kstrtouint(argv[2], 0, &usecs) ||
		    (argc == 4 && kstrtouint(argv[3], 0, &arg)))
			return -EINVAL;
		return vmvt_hold(argv[1], usecs, argc == 4 ? arg : -1);
	}
	if (argc == 1 && !strcmp(argv[0], "nohold"))
		return vmvt_hold(NULL, 0, -1);
	if (argc == 3 && !strcmp(argv[0], "scratch")) {
		unsigned long addr;
		unsigned int fd;

		if (kstrtouint(argv[1], 0, &fd) || kstrtoul(argv[2], 0, &addr))
			return -EINVAL;
		return vmvt_scratch(fd, addr);
	}

	if (argc == 3 && (!strcmp(argv[0], "map") || !strcmp(argv[0], "vmalloc"))) {
		if (kstrtouint(argv[2], 0, &count))
			return -EINVAL;
		return argv[0][0] == 'm' ? vmvt_map(argv[1], count) :
					   vmvt_vmalloc(argv[1], count);
	}
	if (argc == 2 && !strcmp(argv[0], "unmap")) {
		m = vmvt_find(argv[1]);
		if (!m)
			return -ENOENT;
		vmvt_unmap(m);
		return 0;
	}
	if (argc == 1 && !strcmp(argv[0], "unmap_all")) {
		vmvt_unmap_all();
		return 0;
	}
	if (argc == 1 && !strcmp(argv[0], "unmap_aliases")) {
		vm_unmap_aliases();
		return 0;
	}
	if (argc == 2 && !strcmp(argv[0], "aliasrace")) {
		m = vmvt_find(argv[1]);
		return m ? vmvt_alias_race(m) : -ENOENT;
	}
	if (argc == 3 && (!strcmp(argv[0], "bench") || !strcmp(argv[0], "mapmany"))) {
		unsigned int n;

		if (kstrtouint(argv[1], 0, &n) || kstrtouint(argv[2], 0, &count))
			return -EINVAL;
		return argv[0][0] == 'b' ? vmvt_bench(1, n, count) : vmvt_map_many(n, count);
	}
	if (argc == 4 && !strcmp(argv[0], "pbench")) {
		unsigned int threads, n;

		if (kstrtouint(argv[1], 0, &threads) || kstrtouint(argv[2], 0, &n) ||
		    kstrtouint(argv[3], 0, &count))
			return -EINVAL;
		return vmvt_bench(threads, n, count);
	}
	if (argc == 2 && !strcmp(argv[0], "probes")) {
		unsigned int kind;

		if (kstrtouint(argv[1], 0, &kind))
			return -EINVAL;
		return vmvt_probes(kind);
	}
	if (argc == 2 && !strcmp(argv[0], "mapburst")) {
		if (kstrtouint(argv[1], 0, &count))
			return -EINVAL;
		return vmvt_map_burst(count);
	}
	if ((argc == 3 || argc == 4) && !strcmp(argv[0], "mapfail")) {
		unsigned int n = 1;

		if (kstrtouint(argv[2], 0, &count) ||
		    (argc == 4 && kstrtouint(argv[3], 0, &n)))
			return -EINVAL;
		return vmvt_map_fail(argv[1], count, n);
	}
	if (argc == 1 && !strcmp(argv[0], "unmapmany")) {
		vmvt_unmap_many();
		return 0;
	}
	if (argc == 2 && !strcmp(argv[0], "churn")) {
		if (kstrtouint(argv[1], 0, &count))
			return -EINVAL;
		return vmvt_churn(count);
	}
	return -EINVAL;
}

static ssize_t vmvt_ctl_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	char buf[VMVT_CMD_LEN], *argv[4], *cur, *tok;
	int argc = 0, ret;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	cur = strim(buf);
	while ((tok = strsep(&cur, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (argc == ARRAY_SIZE(argv))
			return -EINVAL;
		argv[argc++] = tok;
	}

	mutex_lock(&vmvt_lock);
	ret = vmvt_run(argc, argv);
	mutex_unlock(&vmvt_lock);
	return ret ? ret : len;
}

static const struct file_operations vmvt_ctl_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = vmvt_ctl_write,
	.llseek = noop_llseek,
};

static int vmvt_maps_show(struct seq_file *s, void *unused)
{
	struct vmvt_map *m;

	mutex_lock(&vmvt_lock);
	list_for_each_entry(m, &vmvt_maps, node) {
		unsigned long start = (unsigned long)m->addr;

		seq_printf(s, "0x%lx-0x%lx %s pages=%u seed=%u kind=%s\n", start,
			   start + ((unsigned long)m->count << PAGE_SHIFT),
			   m->name, m->count, m->seed,
			   m->vmalloced ? "vmalloc" : "vm_map_ram");
	}
	mutex_unlock(&vmvt_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmvt_maps);

static int vmvt_bench_show(struct seq_file *s, void *unused)
{
	mutex_lock(&vmvt_lock);
	seq_printf(s, "iterations=%u pages=%u threads=%u map_ns=%llu unmap_ns=%llu ns=%llu\n",
		   vmvt_bench_iter, vmvt_bench_pages, vmvt_bench_threads,
		   vmvt_bench_map_ns, vmvt_bench_unmap_ns, vmvt_bench_ns);
	mutex_unlock(&vmvt_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmvt_bench);

/* Without vmvt_lock: read while the thread and readers run. */
static int vmvt_lifetime_show(struct seq_file *s, void *unused)
{
	unsigned long addr = READ_ONCE(vmvt_lt_addr);

	seq_printf(s, "0x%lx %u rounds=%ld windows=%ld raced=%ld\n", addr,
		   addr ? READ_ONCE(vmvt_lt_count) : 0,
		   atomic_long_read(&vmvt_lt_rounds),
		   atomic_long_read(&vmvt_lt_windows),
		   atomic_long_read(&vmvt_lt_raced));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vmvt_lifetime);

static ssize_t vmvt_pte_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	char buf[VMVT_CMD_LEN];
	unsigned long addr;
	unsigned int count;
	int end = 0;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	if (sscanf(strim(buf), "%lx %u%n", &addr, &count, &end) != 2 ||
	    strim(buf)[end] || !count || count > VMVT_PTE_MAX ||
	    !PAGE_ALIGNED(addr) || addr < VMALLOC_START ||
	    addr + ((unsigned long)count << PAGE_SHIFT) > VMALLOC_END)
		return -EINVAL;
	mutex_lock(&vmvt_lock);
	vmvt_pte_addr = addr;
	vmvt_pte_count = count;
	mutex_unlock(&vmvt_lock);
	return len;
}

static ssize_t vmvt_pte_read(struct file *file, char __user *ubuf, size_t len,
			     loff_t *ppos)
{
	unsigned int i, count;
	unsigned long addr;
	ssize_t ret;
	char *buf;

	mutex_lock(&vmvt_lock);
	addr = vmvt_pte_addr;
	count = vmvt_pte_count;
	mutex_unlock(&vmvt_lock);
	if (!count)
		return -ENODATA;
	buf = kmalloc(count + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < count; i++)
		buf[i] = vmalloc_to_page((void *)(addr + i * PAGE_SIZE)) ? 'P' : '.';
	buf[count] = '\n';
	ret = simple_read_from_buffer(ubuf, len, ppos, buf, count + 1);
	kfree(buf);
	return ret;
}

static const struct file_operations vmvt_pte_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vmvt_pte_read,
	.write = vmvt_pte_write,
	.llseek = default_llseek,
};

static int __init vmvt_init(void)
{
	vmvt_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	if (IS_ERR(vmvt_dir))
		return PTR_ERR(vmvt_dir);
	debugfs_create_file("ctl", 0200, vmvt_dir, NULL, &vmvt_ctl_fops);
	debugfs_create_file("maps", 0400, vmvt_dir, NULL, &vmvt_maps_fops);
	debugfs_create_file("pte", 0600, vmvt_dir, NULL, &vmvt_pte_fops);
	debugfs_create_file("bench", 0400, vmvt_dir, NULL, &vmvt_bench_fops);
	debugfs_create_file("lifetime", 0400, vmvt_dir, NULL, &vmvt_lifetime_fops);
	return 0;
}

static void __exit vmvt_exit(void)
{
	debugfs_remove_recursive(vmvt_dir);
	mutex_lock(&vmvt_lock);
	vmvt_churn_stop();
	vmvt_delay(NULL, 0, 0);
	vmvt_hold(NULL, 0, -1);
	vmvt_lt_stop();
	vmvt_probes(0);
	vmvt_unmap_all();
	vmvt_unmap_many();
	mutex_unlock(&vmvt_lock);
}

module_init(vmvt_init);
module_exit(vmvt_exit);

MODULE_DESCRIPTION("vmapview tests: vm_map_ram() mappings with known contents");
MODULE_LICENSE("GPL");
