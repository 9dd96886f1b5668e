# SPDX-License-Identifier: GPL-2.0
# Helpers for guest-side tests (sourced; runs inside the guest's chroot).
# Environment from the host's job.sh: VMAPVIEW_SRC, VMAPVIEW_KVER,
# VMAPVIEW_KMOD (directory of the built test modules), VMAPVIEW_OUT.

VMV_DEBUGFS=/sys/kernel/debug/vmapview
VMVT_DEBUGFS=/sys/kernel/debug/vmapview_test
# The tools' Python package (tools/vmapview) and the guest helpers
# (tests/guest/vmv.py) from this checkout, as an installed vmapview-tools
# would provide the first.
export PYTHONPATH=$VMAPVIEW_SRC/tools:$VMAPVIEW_SRC/tests/guest${PYTHONPATH:+:$PYTHONPATH}

# The tools from this checkout, as their installed commands run them.
vmapview_check() {
	python3 -m vmapview.check "$@"
}

vmapview_read() {
	python3 -m vmapview.read "$@"
}

# A test ends with exit 0 (pass), 77 (skip, after a "SKIP: reason" line) or
# anything else (fail).
fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# Loads the DKMS-installed vmapview, as a user's `modprobe` would.
load_vmapview() {
	modprobe vmapview "$@" || fail "modprobe vmapview $*"
}

load_testmod() {
	insmod "$VMAPVIEW_KMOD/vmapview_test.ko" "$@" || fail "insmod vmapview_test"
}

unload_all() {
	local m

	kcore_fix_off
	for m in vmapview_test vmapview_warn vmapview; do
		[ -d "/sys/module/$m" ] && rmmod "$m"
	done
	return 0
}

KLP=/sys/kernel/livepatch/vmapview_kcore

# klp_settle: waits (up to 60 s) for the livepatch's transition to end.
klp_settle() {
	local i

	for i in $(seq 600); do
		[ "$(cat "$KLP/transition" 2>/dev/null)" = 1 ] || return 0
		sleep 0.1
	done
	echo "livepatch transition still running after 60 s"
	return 1
}

# kcore_fix_on: loads the opt-in /proc/kcore fix, as a user would; skips
# where the kernel cannot take it, with the module's own reason.
kcore_fix_on() {
	[ -d /sys/kernel/livepatch ] || skip "the kernel has no livepatch (CONFIG_LIVEPATCH)"
	if ! modprobe vmapview_kcore 2>/dev/null; then
		dmesg | grep 'vmapview_kcore:' | tail -3
		fail "modprobe vmapview_kcore"
	fi
	klp_settle || fail "the fix's livepatch did not settle"
	expect_eq "stats kcore_fix with the fix loaded" "$(vmv stat kcore_fix)" 1
}

# misread_layout: vmapview and the test module loaded, and, pinned to
# CPU 0, in a fresh block, a (2 pages), b (3, then unmapped: dirty), c
# (16), and big (80, a large area): the layout kcore misreads from 6.3.
# Sets BLK_LO/BLK_HI (the block's first 32 pages: a, b's hole, c and free
# pages) and BIG_LO/BIG_HI.
misread_layout() {
	local a

	taskset -pc 0 $$ >/dev/null || fail "taskset"
	load_testmod
	load_vmapview
	vmv fresh-block >/dev/null || fail "fresh-block"
	tctl map a 2
	tctl map b 3
	tctl map c 16
	tctl map big 80
	tctl unmap b
	a=$(vmv addr a) || fail "no mapping a"
	BLK_LO=$(vmv block "$a" | cut -d- -f1)
	BLK_HI=$(printf '0x%x' $((BLK_LO + 32 * 4096)))
	BIG_LO=$(vmv addr big) || fail "no mapping big"
	BIG_HI=$(printf '0x%x' $((BIG_LO + 80 * 4096)))
}

# kcore_fix_readers NAME READ: READ LO HI FILE dumps [LO, HI) with an
# unmodified reader. With the fix off the reader shows the kernel's bug;
# on, it reads the page-table truth; off and unloaded, the bug again.
kcore_fix_readers() {
	local name=$1 read=$2 out=/tmp/kcore-fix.$$ phase

	misread_layout
	for phase in off on again-off; do
		case $phase in
		on) kcore_fix_on ;;
		again-off) kcore_fix_off || fail "turning the fix off" ;;
		esac
		"$read" "$BLK_LO" "$BLK_HI" "$out.blk" || fail "$name could not read the block ($phase)"
		"$read" "$BIG_LO" "$BIG_HI" "$out.big" || fail "$name could not read the large area ($phase)"
		if [ $phase = on ]; then
			vmv expect "$BLK_LO" "$BLK_HI" "$out.blk" ||
				fail "$name, fix on: the block does not read as its pages hold"
			vmv expect "$BIG_LO" "$BIG_HI" "$out.big" ||
				fail "$name, fix on: the large area does not read as its pages hold"
		else
			# The block misreads (6.3 on) or reads as zeros (before).
			vmv expect "$BLK_LO" "$BLK_HI" "$out.blk" &&
				fail "$name, fix $phase: the block reads right, the kernel's bug is gone?"
			if [ "$(kcore_bug)" = zeros ]; then
				vmv expect "$BIG_LO" "$BIG_HI" "$out.big" &&
					fail "$name, fix $phase: the large area reads right before 6.3?"
			fi
		fi
		echo "$name: fix $phase as expected"
	done
	rm -f "$out".*
}

# kcore_fix_off: turns the fix off the livepatch way, and unloads it.
kcore_fix_off() {
	[ -d /sys/module/vmapview_kcore ] || return 0
	[ -e "$KLP/enabled" ] && echo 0 >"$KLP/enabled"
	klp_settle || return 1
	# The livepatch core drops the module's reference once its kobject goes.
	for _ in $(seq 100); do
		rmmod vmapview_kcore 2>/dev/null && return 0
		sleep 0.1
	done
	echo "rmmod vmapview_kcore failed"
	return 1
}

# tctl CMD...: one command to the test module; fails the test on error.
tctl() {
	echo "$*" >"$VMVT_DEBUGFS/ctl" || fail "vmapview_test: '$*' failed"
}

# churn_idle N: N churn threads of the test module at nice 19. They still
# take every idle cycle of both CPUs, but modprobe, rmmod and the readers
# (user space, which TCG runs slowly) are not starved for seconds at a time.
churn_idle() {
	local task comm

	tctl churn "$1"
	for task in /proc/[0-9]*; do
		read -r comm <"$task/comm" 2>/dev/null || continue
		case $comm in
		vmvt-churn/*) renice -n 19 -p "${task#/proc/}" >/dev/null ;;
		esac
	done
}

# tctl_errno CMD...: runs a command that must fail; prints the errno text.
tctl_errno() {
	local err

	err=$( (echo "$*" >"$VMVT_DEBUGFS/ctl") 2>&1) && fail "'$*' succeeded"
	echo "${err##*: }"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# vmv stat KEY is read here, not by vmv.py: a python start costs seconds
# under TCG, minutes on the debug kernel while churn threads hold both CPUs,
# and the churn tests poll stats in loops.
vmv() {
	if [ "$1" = stat ] && [ $# = 2 ]; then
		awk -v k="$2" '$1 == k { print substr($0, length(k) + 2); f = 1 }
			END { exit !f }' "$VMV_DEBUGFS/stats"
		return
	fi
	python3 "$VMAPVIEW_SRC/tests/guest/vmv.py" "$@"
}

# The map= string of the block holding test mapping NAME.
block_map_of() {
	vmv block "$(vmv addr "$1")" | sed 's/.* map=//'
}

# A key's value in the blocks line holding test mapping NAME.
block_key_of() {
	vmv block "$(vmv addr "$1")" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# rep CHAR N: CHAR repeated N times.
rep() {
	local i out=

	for ((i = 0; i < $2; i++)); do
		out+=$1
	done
	printf %s "$out"
}

# Loads the test build of vmapview (with debugfs "inject"), not the DKMS one,
# with the kernel addresses it needs (ksyms=) from the helper that modprobe
# runs for the DKMS build (/etc/modprobe.d/vmapview.conf).
load_vmapview_testing() {
	try_vmapview_testing "$@" || fail "insmod testing vmapview $*"
}

# The testing build's ksyms= parameter (see load_vmapview_testing).
testing_ksyms() {
	/usr/lib/vmapview/ksyms "$VMAPVIEW_KMOD/testing/vmapview.ko"
}

# drgn on the live kernel, with Debian's python (drgn 0.0.22 on Debian 12).
# can_audit: vmapview-check can run here (drgn, the debug vmlinux),
# and the run wants it: the debug kernel's default run leaves the drgn
# audits to make check KERNEL=debug (VMAPVIEW_TOOLS=0), as it does the
# tools' own tests.
can_audit() {
	[ "${VMAPVIEW_TOOLS:-1}" = 1 ] && command -v drgn >/dev/null &&
		[ -e /usr/lib/debug/boot/vmlinux-"$(uname -r)" ]
}
need_drgn() {
	if ! command -v drgn >/dev/null; then
		case $(cat /etc/debian_version 2>/dev/null) in
		11*) skip "Debian 11 has no drgn (python3-drgn starts with Debian 12)" ;;
		*) skip "drgn is not installed" ;;
		esac
	fi
	ls /usr/lib/debug/boot/vmlinux-"$(uname -r)" >/dev/null 2>&1 ||
		skip "no debug vmlinux for $(uname -r) (linux-image-*-dbg)"
}

# make_xfs_dir MOUNTPOINT NAMES: a loop-mounted XFS with 64 KiB directory
# blocks and a directory d of NAMES entries, remounted so that reading the
# directory maps its multi-page buffers with vm_map_ram().
make_xfs_dir() {
	local mnt=$1 names=$2 img=/tmp/xfs.img

	command -v mkfs.xfs >/dev/null || skip "xfsprogs is not installed"
	modprobe loop && modprobe xfs || fail "modprobe loop xfs"
	truncate -s 300M "$img" && mkfs.xfs -q -f -n size=65536 "$img" || fail "mkfs.xfs"
	mkdir -p "$mnt" && mount -o loop "$img" "$mnt" || fail "mount xfs"
	python3 -c '
import os, sys
d = os.path.join(sys.argv[1], "d")
os.mkdir(d)
for i in range(int(sys.argv[2])):
    os.close(os.open(os.path.join(d, "vmapview-file-%05d" % i), os.O_CREAT | os.O_WRONLY))
' "$mnt" "$names" || fail "creating files"
	umount "$mnt" && mount -o loop "$img" "$mnt" || fail "remount xfs"
	expect_eq "entries" "$(ls -f "$mnt/d" | wc -l)" $((names + 2))
}

# XFS maps multi-page buffers with vm_map_ram() until "xfs: use vmalloc
# for multi-folio buffers" (e2874632a621, 6.15); later kernels never do.
xfs_maps_ram() {
	! kernel_at_least 6 15
}

# make_erofs IMG DIR: an LZ4 EROFS image of DIR, whose reads decompress
# through vm_map_ram(). 64 KiB physical clusters (-C, erofs-utils 1.3 and
# kernel 5.13) make every decompression a multi-page mapping; with 4 KiB
# clusters (bullseye's erofs-utils 1.2, kernel 5.10) the decompressor maps
# the outputs that span pages.
make_erofs() {
	local opts=-zlz4hc

	command -v mkfs.erofs >/dev/null || skip "erofs-utils is not installed"
	mkfs.erofs --help 2>&1 | grep -q -- ' -C#' && kernel_at_least 5 13 &&
		opts="$opts -C65536"
	echo "mkfs.erofs $opts"
	# shellcheck disable=SC2086
	mkfs.erofs $opts "$1" "$2" >/dev/null || fail "mkfs.erofs $opts"
}

# The start of an XFS directory data block that vmapview shows, read
# through mem and holding our file names; empty when none.
find_xfs_dir_block() {
	python3 - <<'PY'
from vmapview import debugfs as vdf
mem = vdf.Mem()
for area in vdf.records("areas"):
    if "xfs_buf" not in area.fields["caller"] and area.fields["src"] != "adopted":
        continue
    data = mem.read(area.start, area.end - area.start)
    if data[:4] == b"XDD3" and b"vmapview-file-" in data:
        print(hex(area.start))
        break
PY
}

# wait_settled SECS: waits up to SECS seconds for vmapview to be in step
# (no block uncertain, no resync due, not degraded); says first whether it
# got there and when, then prints stats. Fails (1) when it did not.
wait_settled() {
	local i state

	for i in $(seq 0 "$1"); do
		state="uncertain_blocks=$(vmv stat uncertain_blocks) resync_pending=$(vmv stat resync_pending) degraded=$(vmv stat degraded)"
		[ "$state" = "uncertain_blocks=0 resync_pending=0 degraded=0" ] && break
		[ "$i" = "$1" ] || sleep 1
	done
	if [ "$state" = "uncertain_blocks=0 resync_pending=0 degraded=0" ]; then
		echo "settled after ${i}s"
	else
		echo "not settled after ${1}s: $state"
	fi
	cat "$VMV_DEBUGFS/stats"
	[ "$state" = "uncertain_blocks=0 resync_pending=0 degraded=0" ]
}

# kernel_at_least MAJOR MINOR: whether the running kernel is that or newer.
kernel_at_least() {
	local v=${VMAPVIEW_KVER%%-*}

	[ "${v%%.*}" -gt "$1" ] || { [ "${v%%.*}" = "$1" ] &&
		[ "$(echo "$v" | cut -d. -f2)" -ge "$2" ]; }
}

# How the kernel's /proc/kcore reads vm_map_ram memory: "zeros" before 6.3
# (vread() skips areas without a vm_struct), "misreads" from 6.3 (block
# pages read as the block's first used page, vmap_ram_vread_iter()).
kcore_bug() {
	if kernel_at_least 6 3; then echo misreads; else echo zeros; fi
}

# From 6.5, any vm_unmap_aliases() in the kernel (they are frequent) resets
# the dirty range of blocks: same_but_range GOT WANT compares block lines,
# ignoring dirty_range there when such a call happened since $aliases0.
same_but_range() {
	if kernel_at_least 6 5 && [ "$(vmv stat unmap_aliases)" != "$aliases0" ]; then
		set -- "$(echo "$1" | sed 's/dirty_range=[0-9-]*/dirty_range=*/')" \
			"$(echo "$2" | sed 's/dirty_range=[0-9-]*/dirty_range=*/')"
	fi
	[ "$1" = "$2" ]
}

# try_vmapview_testing ARGS: loads the test build, or says why not (for
# tests whose load is meant to fail).
try_vmapview_testing() {
	local ksyms

	ksyms=$(testing_ksyms) || return 1
	insmod "$VMAPVIEW_KMOD/testing/vmapview.ko" "$ksyms" "$@"
}
