#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-kernels: 6.12
# vmapview-timeout: 900
# A kernel upgrade on a machine with vmapview in DKMS never fails dpkg. In a
# throwaway copy (overlayfs) of the Debian 13 root, with vmapview installed
# through DKMS for 6.12:
# - supported: installing trixie-backports' 7.3 headers runs DKMS from
#   their postinst, builds vmapview for 7.3, and dpkg succeeds;
# - unsupported: installing headers of a kernel older than 5.10, and of a
#   kernel without CONFIG_KPROBES (packages made here, with the postinst
#   Debian's headers have), succeeds, and DKMS builds nothing for them;
# - control: the same unsupported headers with a dkms.conf that lacks the
#   BUILD_EXCLUSIVE lines make dpkg fail, so the cases above are real.
set -u
. "$VMAPVIEW_SRC/tests/host/lib.sh"

if [ "${1:-}" != --in-namespace ]; then
	# Every mount below goes away with this private mount namespace.
	exec unshare --mount --propagation private bash "$0" --in-namespace
fi
[ -n "$VMAPVIEW_CHROOT" ] || { echo "needs a kernel root of its own"; exit 1; }
base=$VMAPVIEW_CHROOT
ls "$base"/boot/vmlinuz-7.3.* >/dev/null 2>&1 || {
	echo "SKIP: no 7.3 kernel in $base (make setup KERNEL=7.3)"
	exit 77
}
new=$(basename "$(ls "$base"/boot/vmlinuz-7.3.*-amd64 | grep -v -- -rt- | sort -V | tail -1)")
new=${new#vmlinuz-}
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$VMAPVIEW_SRC/dkms.conf")

tmp=$(mktemp -d -p /var/tmp vmapview-dkms-upgrade.XXXXXX)
trap 'umount -R -l "$tmp/root" 2>/dev/null; rm -rf --one-file-system "$tmp"' EXIT
mkdir "$tmp/upper" "$tmp/work" "$tmp/root"
mount -t overlay overlay -o "lowerdir=$base,upperdir=$tmp/upper,workdir=$tmp/work" \
	"$tmp/root" || exit 1
mount -t proc proc "$tmp/root/proc" || exit 1
r=$tmp/root

ch() {
	chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		DEBIAN_FRONTEND=noninteractive "$@"
}

# register [EDIT]: this tree's vmapview is DKMS's only one (EDIT, a
# function, may change its dkms.conf first).
register() {
	ch dkms remove "vmapview/$version" --all >/dev/null 2>&1
	rm -rf "$r/var/lib/dkms/vmapview" "$r/usr/src/vmapview-$version"
	mkdir -p "$r/usr/src/vmapview-$version"
	(cd "$VMAPVIEW_SRC" && git ls-files -co --exclude-standard Kbuild Makefile dkms.conf module |
		cpio -pdm --quiet "$r/usr/src/vmapview-$version") || return 1
	[ -z "${1:-}" ] || "$1" "$r/usr/src/vmapview-$version/dkms.conf"
	ch dkms add -m vmapview -v "$version" >/dev/null
}

# fake_headers RELEASE CONFIG: a headers package for RELEASE, as Debian's
# (its postinst runs the kernel's header hooks, DKMS among them), whose
# tree cannot build anything.
fake_headers() {
	local rel=$1 d=$tmp/pkg-$1

	# DKMS takes a tree with an include/ for headers.
	mkdir -p "$d/DEBIAN" "$d/usr/src/linux-headers-$rel/include" "$d/usr/lib/modules/$rel"
	printf 'Package: linux-headers-%s\nVersion: 1\nArchitecture: amd64\nMaintainer: vmapview tests <root@localhost>\nDescription: headers of a kernel vmapview cannot be built for\n' \
		"$rel" >"$d/DEBIAN/control"
	printf '#!/bin/sh -e\nlinux-run-hooks headers postinst %s -- "$@"\nexit 0\n' "$rel" \
		>"$d/DEBIAN/postinst"
	chmod 755 "$d/DEBIAN/postinst"
	printf '%s\n' "$2" >"$d/usr/src/linux-headers-$rel/.config"
	printf 'all modules:\n\t@echo "not a kernel tree"; false\n' \
		>"$d/usr/src/linux-headers-$rel/Makefile"
	ln -s "/usr/src/linux-headers-$rel" "$d/usr/lib/modules/$rel/build"
	dpkg-deb -b --root-owner-group "$d" "$r/var/tmp/linux-headers-$rel.deb" >/dev/null
}

dkms_state() {
	ch dkms status -m vmapview -v "$version" -k "$1" 2>/dev/null
}

status=0
bad() {
	echo "FAIL: $*"
	status=1
}

# vmapview installed through DKMS for the running 6.12, as a user has it.
register || exit 1
ch dkms install -m vmapview -v "$version" -k "$VMAPVIEW_KVER" >"$tmp/install.log" 2>&1 ||
	{ tail -20 "$tmp/install.log"; exit 1; }
echo "installed for $VMAPVIEW_KVER: $(dkms_state "$VMAPVIEW_KVER")"

# Supported: trixie-backports' 7.3 headers, removed and installed anew.
# (With the metapackage that may depend on them.)
meta=$(ch dpkg-query -W -f='${Package} ${Status}\n' linux-headers-amd64 2>/dev/null |
	awk '/ok installed/ { print $1 }')
# shellcheck disable=SC2086
ch dpkg -r $meta "linux-headers-$new" >/dev/null || exit 1
ch dkms status -m vmapview -k "$new" | grep -q installed && bad "still built for $new"
ch apt-get install -y -q --no-install-recommends "linux-headers-$new" >"$tmp/new.log" 2>&1 ||
	{ ch apt-get update -q >/dev/null 2>&1 &&
	  ch apt-get install -y -q --no-install-recommends "linux-headers-$new" \
		>"$tmp/new.log" 2>&1; }
rc=$?
grep -iE 'dkms|vmapview|error' "$tmp/new.log" | head -20
[ "$rc" = 0 ] || bad "installing linux-headers-$new: apt-get exit status $rc"
echo "after installing linux-headers-$new: $(dkms_state "$new")"
dkms_state "$new" | grep -q ': installed' || bad "vmapview not built for $new"
ls "$r/lib/modules/$new/updates/dkms/vmapview.ko"* >/dev/null 2>&1 ||
	bad "no vmapview.ko in /lib/modules/$new/updates/dkms"

# Unsupported: too old, and no kprobes.
fake_headers 4.19.0-99-amd64 "$(printf 'CONFIG_KPROBES=y\nCONFIG_KRETPROBES=y\nCONFIG_DEBUG_FS=y\nCONFIG_KALLSYMS=y')"
fake_headers 6.12.0-99-nokprobes-amd64 "$(printf 'CONFIG_DEBUG_FS=y\nCONFIG_KALLSYMS=y')"
for rel in 4.19.0-99-amd64 6.12.0-99-nokprobes-amd64; do
	ch dpkg -i "/var/tmp/linux-headers-$rel.deb" >"$tmp/$rel.log" 2>&1
	rc=$?
	grep -iE 'dkms|vmapview|error|exclusive' "$tmp/$rel.log" | head -10
	[ "$rc" = 0 ] || bad "dpkg -i linux-headers-$rel: exit status $rc"
	ch dpkg-query -W -f='${Status}\n' "linux-headers-$rel" | grep -q "ok installed" ||
		bad "linux-headers-$rel is not configured"
	dkms_state "$rel" | grep -q ': installed' && bad "vmapview built for $rel"
	echo "linux-headers-$rel: dpkg exit status $rc, dkms: '$(dkms_state "$rel")'"
	ch dpkg -r "linux-headers-$rel" >/dev/null 2>&1
done

# Control: without the BUILD_EXCLUSIVE lines, the old kernel's headers
# make dpkg fail (as vmapview's old #error did), so the cases above test
# what they claim.
drop_exclusive() {
	sed -i '/^BUILD_EXCLUSIVE/d' "$1"
}
register drop_exclusive || exit 1
ch dpkg -i /var/tmp/linux-headers-4.19.0-99-amd64.deb >"$tmp/control.log" 2>&1
rc=$?
grep -iE 'dkms|vmapview|error' "$tmp/control.log" | head -10
echo "control, dkms.conf without BUILD_EXCLUSIVE: dpkg -i exit status $rc"
[ "$rc" != 0 ] || bad "control: dpkg succeeded, so the unsupported cases prove nothing"
exit $status
