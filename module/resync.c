// SPDX-License-Identifier: GPL-2.0
/*
 * Adoption at load and recovery after a loss: the mirror rebuilt from the
 * kernel's own structures (read by kread.c), one block at a time.
 *
 * A pass visits every block the kernel has, but snapshots only those the
 * mirror lacks or holds uncertain, each under nothing but the kernel's own
 * block lock; it applies a snapshot only if no event hit the block since
 * (its event count), and tries a busy block a few times. What fails is
 * counted (resync_failures) and backs off: a block is not tried again for
 * 100 ms, doubling with each failure up to a minute, and after
 * VMV_GIVE_UP failures in a row it is marked degraded; the same holds for
 * whole passes, and a mirror whose passes keep failing, or whose records
 * hit their cap, says "degraded 1" in stats. Even passes that succeed
 * run at most 20 times a second, however fast losses come. Large areas
 * are rescanned only when an event about them was lost, through the
 * kernel's busy lists a batch at a time.
 *
 * Readers (opening a debugfs file) run a pending pass themselves, so that
 * what they show is as exact as can be, but never before its back-off.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "vmapview.h"

#define VMV_SNAP_TRIES		5
#define VMV_GIVE_UP		8
#define VMV_BACKOFF_MIN		(HZ / 10)
#define VMV_BACKOFF_MAX		(60 * HZ)
#define VMV_MAX_LARGE		4096
#define VMV_PASS_INTERVAL	(HZ / 20)

static DEFINE_MUTEX(vmv_resync_mutex);
static void vmv_resync_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(vmv_resync_work, vmv_resync_fn);

static unsigned int vmv_pass_fails;	/* passes in a row that failed */
static unsigned long vmv_next_pass;	/* jiffies: no pass before */
static bool vmv_retry, vmv_retry_large;	/* what the failed pass left */
static bool vmv_geometry_bad;

static unsigned long vmv_backoff(unsigned int fails)
{
	return min_t(unsigned long, VMV_BACKOFF_MIN << min(fails, 10U),
		     VMV_BACKOFF_MAX);
}

static unsigned long vmv_wait(void)
{
	unsigned long at = READ_ONCE(vmv_next_pass), now = jiffies;

	return time_after(at, now) ? at - now : 0;
}

/* The mirror lost track (any context): a pass, after the back-off. */
void vmv_resync_request(void)
{
	schedule_delayed_work(&vmv_resync_work, vmv_wait());
}

#ifdef VMAPVIEW_TESTING
/*
 * Test builds: test_loss_in_pass=N reports a loss at the end of each of
 * the next N passes, as a probe handler does when it misses an event while
 * a pass runs; reader_sync=0 keeps debugfs readers from running passes, so that
 * stats shows what the work item alone achieves (tests/cases/resync-rearm).
 */
static int vmv_test_loss_in_pass;
module_param_named(test_loss_in_pass, vmv_test_loss_in_pass, int, 0600);
static bool vmv_test_reader_sync = true;
module_param_named(reader_sync, vmv_test_reader_sync, bool, 0600);

/* A handler's request that is still pending (the init-failure test). */
void vmv_test_resync_later(unsigned long delay)
{
	schedule_delayed_work(&vmv_resync_work, delay);
}

static bool vmv_test_take_loss(void)
{
	if (vmv_test_loss_in_pass <= 0)
		return false;
	vmv_test_loss_in_pass--;
	return true;
}
#else
#define vmv_test_reader_sync	true

static bool vmv_test_take_loss(void)
{
	return false;
}
#endif

/*
 * One block, at index idx of xa: 0 when in step (or gone), -EAGAIN when
 * busy or backing off, -ENOMEM/-ENOSPC without records, -EIO when the
 * kernel's geometry is not the one vmapview knows.
 */
static int vmv_resync_block(struct xarray *xa, unsigned long idx,
			    struct vmv_snap *s)
{
	unsigned long start = vmv_vb_start(idx), at = idx;
	struct vmv_peek p;
	unsigned int tries, fails;
	bool existed = false;
	int ret = 0;

	for (tries = 0; tries < VMV_SNAP_TRIES; tries++) {
		/* At the cap, what the pool holds may do: apply says if not. */
		ret = vmv_pool_fill_local(VMV_REC_BLOCK, 1);
		if (ret != -ENOMEM)
			ret = vmv_pool_fill_local(VMV_REC_AREA, VMV_BLOCK_PAGES);
		if (ret == -ENOMEM)
			return ret;
		existed = !vmv_block_peek(start, &p);
		if (existed && !p.uncertain)
			return 0;
		if (existed && p.fails && time_before32((u32)jiffies, p.resync_at))
			return -EAGAIN;
		at = idx;
		ret = vmv_kernel_snap_next(xa, &at, s);
		if (ret == -EIO)
			return ret;
		/* Gone or dying: its free event retires it. */
		if (ret <= 0 || at != idx)
			return 0;
		ret = vmv_block_apply(s, &p.gens, existed, existed ? p.seq : 0);
		if (ret != -EAGAIN)
			break;
		vmv_count(VMV_STAT_RESYNC_RETRIES);
	}
	if (!ret) {
		if (!existed)
			vmv_block_set_cpu(start, vmv_kernel_block_cpu(start, false));
		return 0;
	}
	vmv_count(VMV_STAT_RESYNC_FAILURES);
	fails = (existed ? p.fails : 0) + 1;
	vmv_block_resync_failed(start, jiffies + vmv_backoff(fails),
				fails >= VMV_GIVE_UP);
	return ret;
}

/* Retires mirror blocks the kernel no longer has. */
static void vmv_drop_dead_blocks(void)
{
	struct vmv_block_state *st = kmalloc(sizeof(*st), GFP_KERNEL);
	unsigned long from = 0;

	while (st && vmv_next_block(from, st)) {
		from = st->start + 1;
		if (!vmv_kernel_has_block(st->start))
			vmv_block_drop(st->start);
		cond_resched();
	}
	kfree(st);
}

/* Large areas: the kernel's busy lists against the large-area records. */
static int vmv_resync_large(void)
{
	struct vmv_range *r;
	unsigned int tries, seq;
	int nr, ret = -EAGAIN;

	r = kvmalloc_array(2 * VMV_MAX_LARGE, sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	for (tries = 0; tries < VMV_SNAP_TRIES && ret == -EAGAIN; tries++) {
		seq = vmv_large_seq_read();
		nr = vmv_kernel_large_areas(r, VMV_MAX_LARGE);
		if (nr < 0) {
			ret = nr;
			break;
		}
		/* It makes its records itself, outside every lock. */
		ret = vmv_large_apply(r, nr, seq);
		if (ret == -EAGAIN)
			vmv_count(VMV_STAT_RESYNC_RETRIES);
	}
	kvfree(r);
	if (ret)
		vmv_count(VMV_STAT_RESYNC_FAILURES);
	return ret;
}

/* One pass; under vmv_resync_mutex. */
static int vmv_resync_pass(bool large)
{
	struct vmv_snap *s;
	struct xarray *xa;
	unsigned long idx;
	unsigned int n;
	int ret, err = 0;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	for (n = 0; (xa = vmv_kernel_xa_nth(n)); n++) {
		for (idx = 0; vmv_kernel_next_index(xa, &idx); idx++) {
			ret = vmv_resync_block(xa, idx, s);
			if (ret == -EIO) {
				vmv_geometry_bad = true;
				kfree(s);
				return ret;
			}
			if (ret)
				err = ret;
			/* No memory, or a killed reader: end the pass. */
			if (ret == -ENOMEM)
				goto out;
			if (fatal_signal_pending(current)) {
				err = -EINTR;
				goto out;
			}
			cond_resched();
		}
	}
	vmv_drop_dead_blocks();
	if (large) {
		vmv_retry_large = false;
		ret = vmv_resync_large();
		if (ret) {
			vmv_retry_large = true;
			err = ret;
		}
	}
out:
	/* After the blocks were snapshotted, so that they end uncertain. */
	if (vmv_test_take_loss())
		vmv_lost_track();
	kfree(s);
	return err;
}

static void vmv_pass_done(int err)
{
	if (!err) {
		vmv_pass_fails = 0;
		vmv_retry = false;
		vmv_pool_cap_clear();
		/* Losses that keep coming get a pass at most this often. */
		WRITE_ONCE(vmv_next_pass, jiffies + VMV_PASS_INTERVAL);
		return;
	}
	if (vmv_pass_fails < UINT_MAX)
		vmv_pass_fails++;
	vmv_retry = true;
	WRITE_ONCE(vmv_next_pass, jiffies + vmv_backoff(vmv_pass_fails));
	schedule_delayed_work(&vmv_resync_work, vmv_wait());
}

/* Adopts what existed before the load; the probes are already installed. */
int vmv_adopt(void)
{
	bool large;
	int err;

	mutex_lock(&vmv_resync_mutex);
	vmv_take_resync_request(&large);
	err = vmv_resync_pass(true);
	vmv_mirror_adopted();
	if (err != -EIO)
		vmv_pass_done(err);
	mutex_unlock(&vmv_resync_mutex);
	return vmv_geometry_bad ? -ENODEV : err;
}

/* Runs the pass that is due, if any. */
int vmv_resync(void)
{
	unsigned long wait;
	bool large;
	int err;

	mutex_lock(&vmv_resync_mutex);
	wait = vmv_wait();
	/*
	 * Not due yet: the work item comes back when it is. A request made
	 * while the last pass ran queued the work with the delay of then,
	 * before that pass moved vmv_next_pass on; dropped here, it would
	 * leave blocks uncertain with nothing scheduled.
	 */
	if (!vmv_geometry_bad && wait && (vmv_resync_requested() || vmv_retry))
		schedule_delayed_work(&vmv_resync_work, wait);
	if (vmv_geometry_bad || wait ||
	    (!vmv_take_resync_request(&large) && !vmv_retry)) {
		mutex_unlock(&vmv_resync_mutex);
		return 0;
	}
	err = vmv_resync_pass(large || vmv_retry_large);
	vmv_count(VMV_STAT_RESYNCS);
	vmv_pass_done(err);
	mutex_unlock(&vmv_resync_mutex);
	return err;
}

static void vmv_resync_fn(struct work_struct *work)
{
	vmv_resync();
}

/* Readers: what is due runs now, so that the view is up to date. */
void vmv_sync_if_needed(void)
{
	if (vmv_test_reader_sync)
		vmv_resync();
}

bool vmv_degraded(void)
{
	return READ_ONCE(vmv_pass_fails) >= VMV_GIVE_UP || vmv_pool_capped();
}

void vmv_resync_show(struct seq_file *m)
{
	seq_printf(m, "resync_pending %d\n", READ_ONCE(vmv_retry) ||
		   vmv_resync_requested() ||
		   delayed_work_pending(&vmv_resync_work));
	seq_printf(m, "resync_failed_passes %u\n", READ_ONCE(vmv_pass_fails));
	seq_printf(m, "degraded %d\n", vmv_degraded());
}

/* The probes are gone: nothing asks for a pass any more. */
void vmv_resync_exit(void)
{
	cancel_delayed_work_sync(&vmv_resync_work);
}
