#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs what `make demo` and `make check` need on a Debian 12 host, and
# extracts checkpatch.pl from Debian's kernel source. Idempotent: apt-get
# runs only when a package is missing.
set -euo pipefail

WORK=${VMAPVIEW_WORK:-/var/cache/vmapview}
PACKAGES=(
	qemu-system-x86 busybox-static cpio file kmod make gcc git python3
	linux-image-amd64 linux-headers-amd64 dkms linux-source-6.1 xz-utils
	python3-drgn linux-image-amd64-dbg xfsprogs erofs-utils
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
echo "setup: ok"
