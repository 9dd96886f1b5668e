#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# vmapview-kernels: 6.1 6.12
# vmapview-guest: boots
# vmapview-timeout: 1500
# The packages installed as a user installs them, on Debian 12 (6.1, the
# host's own root) and Debian 13 (6.12): in a throwaway copy (overlayfs) of
# the kernel's root, `apt-get install ./vmapview-dkms_*.deb
# ./vmapview-tools_*.deb` with apt resolving dependencies; DKMS builds the
# module during the install; a guest booted from that copy loads it with
# modprobe and runs the tools from PATH (tests/package/installed.sh); then
# `apt-get purge` leaves no module, no DKMS tree and no tool behind.
# The copy keeps only the tested kernel's headers, so that DKMS builds once
# (building for every installed kernel is DKMS's own business, and
# tests/host/dkms-upgrade.sh covers kernels it cannot build for).
set -u
. "$VMAPVIEW_SRC/tests/host/lib.sh"

if [ "${1:-}" != --in-namespace ]; then
	# Every mount below goes away with this private mount namespace.
	exec unshare --mount --propagation private bash "$0" --in-namespace
fi
for t in dpkg-buildpackage dh_dkms lintian; do
	command -v $t >/dev/null || {
		echo "SKIP: $t is missing (make setup installs the packaging tools)"
		exit 77
	}
done
base=${VMAPVIEW_CHROOT:-/}
kver=$VMAPVIEW_KVER
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$VMAPVIEW_SRC/dkms.conf")

tmp=$(mktemp -d -p /var/tmp vmapview-package.XXXXXX)
trap 'umount -R -l "$tmp/root" "$tmp/lower" "$tmp/t" 2>/dev/null; rm -rf --one-file-system "$tmp"' EXIT
start=$(date +%s)
make -s -C "$VMAPVIEW_SRC" deb DEB_DIR="$tmp/deb" >"$tmp/deb.log" 2>&1 || {
	cat "$tmp/deb.log"
	echo "make deb failed"
	exit 1
}
echo "make deb: $(ls "$tmp/deb"/*.deb | xargs -n1 basename | tr '\n' ' ')($(($(date +%s) - start))s)"

# The copy: the root's own file system only (a bind mount is not
# recursive), its changes on a tmpfs, which never overlaps the root.
mkdir "$tmp/lower" "$tmp/t" "$tmp/root"
mount --bind "$base" "$tmp/lower" || exit 1
mount -t tmpfs tmpfs "$tmp/t" || exit 1
mkdir "$tmp/t/upper" "$tmp/t/work"
mount -t overlay overlay -o "lowerdir=$tmp/lower,upperdir=$tmp/t/upper,workdir=$tmp/t/work" \
	"$tmp/root" || exit 1
r=$tmp/root
ch() {
	unshare --mount --propagation private chroot "$r" /bin/sh -c \
		'mount -t proc proc /proc && mount -t devtmpfs dev /dev 2>/dev/null; exec /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive "$@"' \
		sh "$@"
}
leftovers() {
	ls -d "$r"/usr/src/vmapview-* "$r"/var/lib/dkms/vmapview \
		"$r"/lib/modules/*/updates/dkms/vmapview*.ko* \
		"$r"/usr/bin/vmapview-* "$r"/usr/lib/python3/dist-packages/vmapview* \
		"$r"/usr/share/man/man*/vmapview* "$r"/usr/lib/vmapview \
		"$r"/etc/modprobe.d/vmapview.conf 2>/dev/null
}

# The suite's own vmapview (registered in DKMS by the runner) goes first,
# so that everything found later comes from the packages.
ch dkms remove "vmapview/$version" --all >/dev/null 2>&1
rm -rf "$r"/usr/src/vmapview-* "$r"/var/lib/dkms/vmapview "$r"/lib/modules/*/updates/dkms/vmapview* \
	"$r"/usr/lib/vmapview "$r"/etc/modprobe.d/vmapview.conf
[ -z "$(leftovers)" ] || { echo "left from the suite: $(leftovers)"; exit 1; }
for b in "$r"/lib/modules/*/build; do
	[ "$b" = "$r/lib/modules/$kver/build" ] || rm -f "$b"
done
mkdir "$r/tmp/debs"
cp "$tmp/deb"/*.deb "$r/tmp/debs/"
start=$(date +%s)
ch sh -c 'apt-get install -y -q ./tmp/debs/vmapview-dkms_*.deb ./tmp/debs/vmapview-tools_*.deb' \
	>"$tmp/install.log" 2>&1 || {
	tail -40 "$tmp/install.log"
	echo "apt-get install failed"
	exit 1
}
echo "apt-get install: $(($(date +%s) - start))s"
grep -E '^(Setting up|Building|Installing|DKMS)' "$tmp/install.log" | head -20
status=$(ch dkms status vmapview)
echo "dkms status: $status"
echo "$status" | grep -q "vmapview/$version, $kver, x86_64: installed" ||
	{ echo "DKMS did not build vmapview $version for $kver"; exit 1; }
ls "$r/lib/modules/$kver/updates/dkms/"vmapview.ko* >/dev/null ||
	{ echo "no vmapview module for $kver"; exit 1; }

# A guest booted from the copy: modprobe and the tools from PATH.
out=$("$VMAPVIEW_RUN" --kernel "$kver" --root "$r" --case "$VMAPVIEW_SRC/tests/package/installed.sh" 2>&1)
rc=$?
echo "$out" | grep -v '^     [|]' | sed 's/^/guest: /'
sed -n 's/^# /guest installed: /p' "$VMAPVIEW_MAIN_KTAP" 2>/dev/null
[ $rc = 0 ] && echo "$out" | grep -q '^PASS .* guest/installed' ||
	{ echo "$out" | grep '^     |'; echo "the guest run failed (runner exit status $rc)"; exit 1; }

start=$(date +%s)
ch apt-get purge -y -q vmapview-dkms vmapview-tools >"$tmp/purge.log" 2>&1 || {
	tail -20 "$tmp/purge.log"
	echo "apt-get purge failed"
	exit 1
}
echo "apt-get purge: $(($(date +%s) - start))s"
left=$(leftovers)
[ -z "$left" ] || { echo "left behind by the purge: $left"; exit 1; }
echo "purge left no module, DKMS tree, tool, ksyms helper, modprobe.d file or man page"
