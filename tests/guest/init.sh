#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test initramfs: mount the guest root and the project tree
# (read-only 9p) and the writable results share, chroot into the guest root
# and run the job the host left in the results share. The job's exit status
# leaves QEMU through isa-debug-exit: QEMU exits with (status << 1) | 1, so
# 1 means the job passed and any other odd code that it ran and failed.

/bin/busybox --install -s /bin
export PATH=/bin
# The shares' mount tags and places, the job and status files and the exit
# port: the host (tests/runner/contract.py) writes them into the initramfs,
# as init needs them before it can reach the results share.
# shellcheck source=/dev/null
. /contract.env

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# Lockdown (integrity) closes /dev/port: then the status goes to the results
# share only, marked so, and QEMU exits 0 at poweroff. (A panic also exits
# 0, but leaves no such mark.)
qemu_exit() {
	echo "vmapview-init: exit status $1"
	echo "$1" >"/newroot$VMAPVIEW_STATUS" 2>/dev/null
	printf "\\$(printf %03o "$1")" |
		dd of=/dev/port bs=1 seek="$VMAPVIEW_EXIT_PORT" count=1 2>/dev/null ||
		echo "$VMAPVIEW_PORT_REFUSED" >>"/newroot$VMAPVIEW_STATUS" 2>/dev/null
	sync
	poweroff -f
}

die() {
	echo "vmapview-init: $*"
	qemu_exit 125
}

for m in $(cat /modules/order); do
	insmod "/modules/$m" || die "insmod $m failed"
done

mkdir -p /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose \
	"$VMAPVIEW_ROOT_TAG" /newroot || die "cannot mount the host root over 9p"
for d in tmp run var/tmp; do
	mount -t tmpfs tmpfs "/newroot/$d" || die "cannot mount tmpfs on /$d"
done
out=/newroot$VMAPVIEW_OUT
mkdir -p "$out"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 "$VMAPVIEW_OUT_TAG" "$out" ||
	die "cannot mount the results share"
# The project tree, wherever it lives on the host (even under /tmp).
mkdir -p "/newroot$VMAPVIEW_SRC"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose \
	"$VMAPVIEW_SRC_TAG" "/newroot$VMAPVIEW_SRC" || die "cannot mount the source share"
mount -t proc proc /newroot/proc
mount -t sysfs sysfs /newroot/sys
mount -t devtmpfs devtmpfs /newroot/dev
mkdir -p /newroot/dev/pts /newroot/dev/shm
mount -t devpts devpts /newroot/dev/pts
mount -t tmpfs tmpfs /newroot/dev/shm
mount -t debugfs debugfs /newroot/sys/kernel/debug

[ -f "/newroot$VMAPVIEW_JOB" ] || die "no ${VMAPVIEW_JOB##*/} in the results share"
chroot /newroot /bin/sh "$VMAPVIEW_JOB"
rc=$?
qemu_exit "$rc"
