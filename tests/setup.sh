#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs what `make demo` and `make check` need on a Debian 12 host,
# extracts checkpatch.pl from Debian's kernel source, and makes the Debian 13
# (trixie) root that the 6.12 guests boot into and build with (gcc-14, 6.12
# headers, drgn 0.0.31). Idempotent: apt-get runs only when a package is
# missing, the trixie root is made once (delete it to remake it).
set -euo pipefail

WORK=${VMAPVIEW_WORK:-/var/cache/vmapview}
PACKAGES=(
	qemu-system-x86 busybox-static cpio file kmod make gcc git python3
	linux-image-amd64 linux-headers-amd64 dkms linux-source-6.1 xz-utils
	python3-drgn linux-image-amd64-dbg xfsprogs erofs-utils debootstrap
)
TRIXIE_ROOT=$WORK/trixie-root
TRIXIE_PACKAGES=(
	linux-image-amd64 linux-headers-amd64 linux-image-amd64-dbg dkms make
	python3 python3-drgn xfsprogs erofs-utils kmod util-linux procps file login
)

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# checkpatch.pl (the coding-style referee) ships only inside the source tarball.
cp_dir="$WORK/checkpatch"
if [ ! -x "$cp_dir/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.1.tar.* | head -1)
	as_root mkdir -p "$cp_dir"
	as_root tar -xf "$tarball" -C "$cp_dir" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
# Debian 13's kernel, its toolchain and its drgn, in a root of their own.
# Only proc and sys are mounted into it (debootstrap made its /dev nodes),
# they are unmounted on every exit, and nothing is removed across file
# systems, so a setup killed halfway can never delete outside the root.
unmount_in() {
	local m

	for m in proc sys; do
		mountpoint -q "$1/$m" 2>/dev/null && as_root umount -l "$1/$m"
	done
	return 0
}

if [ ! -e "$TRIXIE_ROOT/.vmapview-ready" ]; then
	echo "setup: making the trixie root in $TRIXIE_ROOT"
	tmp=$TRIXIE_ROOT.tmp
	unmount_in "$tmp"
	as_root rm -rf --one-file-system "$tmp"
	# No mirror argument: debootstrap's default Debian mirror.
	as_root debootstrap --variant=minbase --include=ca-certificates trixie "$tmp"
	trap 'unmount_in "$tmp"' EXIT
	as_root mount -t proc proc "$tmp/proc"
	as_root mount -t sysfs sysfs "$tmp/sys"
	as_root chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${TRIXIE_PACKAGES[@]}"
	unmount_in "$tmp"
	trap - EXIT
	as_root chroot "$tmp" apt-get clean
	as_root touch "$tmp/.vmapview-ready"
	unmount_in "$TRIXIE_ROOT"
	as_root rm -rf --one-file-system "$TRIXIE_ROOT"
	as_root mv "$tmp" "$TRIXIE_ROOT"
fi
echo "setup: ok"
