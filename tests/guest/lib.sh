# SPDX-License-Identifier: GPL-2.0
# Helpers for guest-side tests (sourced; runs inside the guest's chroot).
# Environment from the host's job.sh: VMAPVIEW_SRC, VMAPVIEW_KVER,
# VMAPVIEW_KMOD (directory of the built test modules), VMAPVIEW_OUT.

VMV_DEBUGFS=/sys/kernel/debug/vmapview
VMVT_DEBUGFS=/sys/kernel/debug/vmapview_test

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

	for m in vmapview_test vmapview_warn vmapview; do
		[ -d "/sys/module/$m" ] && rmmod "$m"
	done
	return 0
}

# tctl CMD...: one command to the test module; fails the test on error.
tctl() {
	echo "$*" >"$VMVT_DEBUGFS/ctl" || fail "vmapview_test: '$*' failed"
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

vmv() {
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

# Loads the test build of vmapview (with debugfs "inject"), not the DKMS one.
load_vmapview_testing() {
	insmod "$VMAPVIEW_KMOD/testing/vmapview.ko" "$@" || fail "insmod testing vmapview"
}

# drgn on the live kernel, with Debian's python (drgn 0.0.22 on Debian 12).
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
	python3 - "$VMAPVIEW_SRC" <<'PY'
import sys
sys.path.insert(0, sys.argv[1] + "/tools")
import vmapview_debugfs as vdf
mem = vdf.Mem()
for area in vdf.records("areas"):
    if "[xfs]" not in area.line and area.fields["src"] != "adopted":
        continue
    data = mem.read(area.start, area.end - area.start)
    if data[:4] == b"XDD3" and b"vmapview-file-" in data:
        print(hex(area.start))
        break
PY
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
