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
	command -v drgn >/dev/null || skip "drgn is not installed"
	ls /usr/lib/debug/boot/vmlinux-"$(uname -r)" >/dev/null 2>&1 ||
		skip "no debug vmlinux for $(uname -r) (linux-image-*-dbg)"
}
