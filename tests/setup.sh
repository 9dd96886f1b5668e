#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installs what `make demo` and `make check` need on a Debian 12 host, for
# the kernels named on the command line (profiles of tests/kernels.conf, or
# "generic", "rt", "debug", "all"; default "generic debug"):
# - host packages: QEMU, busybox-static, DKMS, drgn, crash, the 6.1 kernel
#   source (for checkpatch.pl), xfsprogs, erofs-utils, debootstrap;
# - the root of each kernel's Debian release (bullseye, trixie), made once
#   with debootstrap: that release's gcc, DKMS and drgn build and inspect
#   its kernels, and the guest boots into it;
# - each kernel's image and headers from Debian's archive, in its root, and
#   the vmlinux with DWARF from its -dbg package (only that file: the whole
#   package is 6-8 GB unpacked, vmlinux 0.4-0.7 GB).
# Idempotent: nothing is downloaded twice. Delete a root to remake it.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
# VMAPVIEW_SETUP_DBG=0 (make demo): no -dbg vmlinux, about 1 GB to fetch for
# each kernel, which only the tests (drgn, crash, the host checks) read; a
# later make check fetches it.
SETUP_DBG=${VMAPVIEW_SETUP_DBG:-1}
WORK=${VMAPVIEW_WORK:-/var/cache/vmapview}
PACKAGES=(
	qemu-system-x86 busybox-static cpio file kmod make gcc git python3
	dkms linux-source-6.1 xz-utils zstd python3-drgn xfsprogs erofs-utils
	debootstrap crash dpkg-dev debhelper dh-dkms dh-python lintian fakeroot
	pybuild-plugin-pyproject python3-all
)
# What every guest root holds besides its kernels (drgn where the release
# has it: bullseye does not).
ROOT_PACKAGES=(dkms make python3 xfsprogs erofs-utils kmod util-linux procps file login crash)
declare -A ROOT_SUITE=([bullseye]=bullseye [trixie]=trixie)
declare -A ROOT_EXTRA=([bullseye]="" [trixie]="python3-drgn")
# Suites added to a root's sources, relative to debootstrap's own mirror.
declare -A ROOT_SOURCES=(
	[bullseye]="-security bullseye-security main"
	[trixie]=" trixie-backports main"
)

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	else
		sudo "$@"
	fi
}

log() {
	echo "setup: $*"
}

# The profiles of tests/kernels.conf that the arguments select.
select_profiles() {
	local want=${*:-generic debug}

	awk -v want=" $want " '!/^#/ && NF >= 5 &&
		(index(want, " " $1 " ") || index(want, " " $5 " ") || want == " all ") { print $1 }' \
		"$SRC/tests/kernels.conf"
}

# field PROFILE COLUMN: one column of the profile's line.
field() {
	awk -v p="$1" -v c="$2" '!/^#/ && $1 == p { print $c }' "$SRC/tests/kernels.conf"
}

root_dir() {
	if [ "$1" = host ]; then echo /; else echo "$WORK/$1-root"; fi
}

# in_root ROOT CMD...: CMD run in the root (chrooted unless it is the host).
in_root() {
	local root=$1

	shift
	if [ "$root" = / ]; then
		as_root env DEBIAN_FRONTEND=noninteractive "$@"
	else
		as_root chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root DEBIAN_FRONTEND=noninteractive "$@"
	fi
}

installed() {
	local root=$1 p

	shift
	for p in "$@"; do
		in_root "$root" dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q "ok installed" || return 1
	done
}

# Only proc and sys are mounted into a root (debootstrap made its /dev
# nodes); they are unmounted on every exit, and nothing is removed across
# file systems, so a setup killed halfway never deletes outside the root.
unmount_in() {
	local m

	for m in proc sys; do
		mountpoint -q "$1/$m" 2>/dev/null && as_root umount -l "$1/$m"
	done
	return 0
}
MOUNTED=()
cleanup() {
	local r

	for r in "${MOUNTED[@]}"; do
		unmount_in "$r"
	done
}
trap cleanup EXIT

mount_root() {
	[ "$1" = / ] && return 0
	mountpoint -q "$1/proc" || as_root mount -t proc proc "$1/proc"
	mountpoint -q "$1/sys" || as_root mount -t sysfs sysfs "$1/sys"
	MOUNTED+=("$1")
}

# add_sources NAME DIR: the root's extra suites (roots made before they
# were listed get them too).
add_sources() {
	local mirror line

	mirror=$(awk '/^deb /{ print $2; exit }' "$2/etc/apt/sources.list")
	line="deb ${mirror}${ROOT_SOURCES[$1]}"
	grep -qxF "$line" "$2/etc/apt/sources.list" && return 1
	echo "$line" | as_root tee -a "$2/etc/apt/sources.list" >/dev/null
}

make_root() {
	local name=$1 dir tmp

	dir=$(root_dir "$name")
	if [ -e "$dir/.vmapview-ready" ]; then
		add_sources "$name" "$dir" || true
		# Packages added to the lists since the root was made.
		# shellcheck disable=SC2086
		if ! installed "$dir" "${ROOT_PACKAGES[@]}" ${ROOT_EXTRA[$name]}; then
			mount_root "$dir"
			update_root "$dir"
			# shellcheck disable=SC2086
			in_root "$dir" apt-get install -y -q --no-install-recommends \
				"${ROOT_PACKAGES[@]}" ${ROOT_EXTRA[$name]}
			in_root "$dir" apt-get clean
		fi
		return 0
	fi
	log "making the ${ROOT_SUITE[$name]} root in $dir"
	tmp=$dir.tmp
	unmount_in "$tmp"
	as_root rm -rf --one-file-system "$tmp"
	# No mirror argument: debootstrap's default Debian mirror.
	as_root debootstrap --variant=minbase --include=ca-certificates \
		"${ROOT_SUITE[$name]}" "$tmp"
	add_sources "$name" "$tmp"
	mount_root "$tmp"
	in_root "$tmp" apt-get update -q
	# shellcheck disable=SC2086
	in_root "$tmp" apt-get install -y -q --no-install-recommends \
		"${ROOT_PACKAGES[@]}" ${ROOT_EXTRA[$name]}
	in_root "$tmp" apt-get clean
	unmount_in "$tmp"
	as_root touch "$tmp/.vmapview-ready"
	unmount_in "$dir"
	as_root rm -rf --one-file-system "$dir"
	as_root mv "$tmp" "$dir"
	UPDATED[$dir]=1
}

# The newest release of the profile already complete in root (image,
# headers, modules, vmlinux), as tests/runner/kernels.py finds it.
have_kernel() {
	local root=$1 profile=$2 flavour=$3 ver re v

	ver=${profile%%-*}
	re="^${ver//./\\.}\\.[0-9]+(-[0-9]+|\\+deb[0-9]+)-${flavour}\$"
	for v in $(ls "$root/boot" 2>/dev/null | sed -n 's/^vmlinuz-//p' | grep -E "$re" | sort -rV); do
		[ -d "$root/usr/src/linux-headers-$v" ] && [ -f "$root/lib/modules/$v/modules.dep" ] &&
			{ [ "$SETUP_DBG" = 0 ] || [ -s "$root/usr/lib/debug/boot/vmlinux-$v" ]; } &&
			{ echo "$v"; return 0; }
	done
	return 1
}

# Refreshes a root's package lists, once per run.
declare -A UPDATED=()
update_root() {
	[ -n "${UPDATED[$1]:-}" ] && return 0
	in_root "$1" apt-get update -q
	UPDATED[$1]=1
}

# The Debian release (uname -r) the profile's metapackage points to.
kernel_release() {
	local root=$1 suite=$2 flavour=$3 version

	version=$(in_root "$root" apt-cache ${suite:+-t "$suite"} policy "linux-image-$flavour" |
		sed -n 's/^ *Candidate: //p')
	[ -n "$version" ] && [ "$version" != "(none)" ] ||
		{ echo "setup: no linux-image-$flavour in $root's sources" >&2; return 1; }
	in_root "$root" apt-cache show "linux-image-$flavour=$version" |
		grep -o 'linux-image-[0-9][^ ,]*' | head -1 | sed 's/^linux-image-//'
}

# install_release ROOT RELEASE SUITE: the image (signed, or its -unsigned
# twin, the same kernel) and headers of RELEASE.
install_release() {
	local root=$1 release=$2 suite=$3

	installed "$root" "linux-headers-$release" &&
		[ -f "$root/lib/modules/$release/modules.dep" ] && return 0
	log "installing $release in $root"
	{ in_root "$root" apt-get install -y -q --no-install-recommends \
		${suite:+-t "$suite"} "linux-image-$release" "linux-headers-$release" ||
		in_root "$root" apt-get install -y -q --no-install-recommends \
			${suite:+-t "$suite"} "linux-image-$release-unsigned" \
			"linux-headers-$release"; } || return 1
	in_root "$root" apt-get clean
}

# The suite a root was made from ("bookworm" for the host).
field_root_suite() {
	local name

	name=$(basename "$1" -root)
	echo "${ROOT_SUITE[$name]:-bookworm}"
}

install_kernel() {
	local profile=$1 root suite flavour release tmp deb base

	root=$(root_dir "$(field "$profile" 2)")
	suite=$(field "$profile" 3)
	[ "$suite" = - ] && suite=
	flavour=$(field "$profile" 4)
	# A debug kernel built before LIVEPATCH or PROVE_RAW_LOCK_NESTING was
	# in its config is rebuilt.
	if release=$(have_kernel "$root" "$profile" "$flavour") &&
		{ [ "$flavour" != debug ] ||
			{ grep -q '^CONFIG_LIVEPATCH=y' "$root/boot/config-$release" &&
			grep -q '^CONFIG_PROVE_RAW_LOCK_NESTING=y' "$root/boot/config-$release"; }; }; then
		log "kernel $profile: $release"
		return 0
	fi
	if [ "$flavour" = debug ]; then
		log "kernel $profile: building it (tests/debug-kernel.sh)"
		mount_root "$root"
		update_root "$root"
		bash "$SRC/tests/debug-kernel.sh" "$root"
		return 0
	fi
	mount_root "$root"
	update_root "$root"
	release=$(kernel_release "$root" "$suite" "$flavour")
	if ! install_release "$root" "$release" "$suite"; then
		# Seen with bullseye-security's 5.10 rt image: listed, but not
		# served. The release's own point release is the next best.
		base=$(field_root_suite "$root")
		log "kernel $profile: $release cannot be fetched; trying $base's"
		suite=$base
		release=$(kernel_release "$root" "$suite" "$flavour")
		install_release "$root" "$release" "$suite"
	fi
	if [ "$SETUP_DBG" != 0 ] && [ ! -s "$root/usr/lib/debug/boot/vmlinux-$release" ]; then
		log "kernel $profile: vmlinux with debug info from linux-image-$release-dbg"
		tmp=$(as_root mktemp -d -p "$root/var/tmp")
		in_root "$root" sh -c "cd '${tmp#"${root%/}"}' && apt-get download -q \
			${suite:+-t $suite} linux-image-$release-dbg" 2>&1 | grep -v unsandboxed || true
		deb=$(ls "$tmp"/linux-image-"$release"-dbg_*.deb)
		# vmlinux is in boot/ up to 6.12; from 7.x boot/ has a link to
		# lib/modules/RELEASE/vmlinux. The modules' debug files stay out.
		dpkg-deb --fsys-tarfile "$deb" | as_root tar -x -C "$root" \
			--exclude='*.ko' --exclude='*.ko.*' \
			./usr/lib/debug/boot ./usr/lib/debug/lib/modules
		as_root rm -rf --one-file-system "$tmp"
	fi
	log "kernel $profile: $release"
}

mapfile -t profiles < <(select_profiles "$@")
[ ${#profiles[@]} -gt 0 ] || { echo "setup: no kernel matches '$*'" >&2; exit 2; }

# A lock per kernel, held until setup ends: tests/run waits on it before it
# uses a kernel that a setup still running has not finished. A kernel that
# another setup is at is left to it (CI builds the debug kernel beside the
# other kernels' suites, see .ci/run).
as_root mkdir -p "$WORK/locks"
mine=()
for p in "${profiles[@]}"; do
	exec {lock}>"$WORK/locks/$p.lock"
	if flock -xn "$lock"; then
		mine+=("$p")
	else
		log "kernel $p: another make setup is installing it (tests/run waits for it)"
		exec {lock}>&-
	fi
done
profiles=("${mine[@]}")

missing=()
for p in "${PACKAGES[@]}"; do
	installed / "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	as_root apt-get update -q
	as_root env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -q --no-install-recommends "${missing[@]}"
	UPDATED[/]=1
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

for profile in "${profiles[@]}"; do
	root=$(field "$profile" 2)
	[ "$root" = host ] || make_root "$root"
	install_kernel "$profile"
done
# The newest mainline source in Debian's archive, which the patch series in
# upstream/ must apply to and compile in (tests/host/kcore-fix-upstream.sh).
if printf '%s\n' "${profiles[@]}" | grep -qx 7.3; then
	root=$(root_dir trixie)
	if ! installed "$root" linux-source-7.3; then
		log "linux-source-7.3 in $root"
		mount_root "$root"
		update_root "$root"
		in_root "$root" apt-get install -y -q --no-install-recommends \
			-t trixie-backports linux-source-7.3
		in_root "$root" apt-get clean
	fi
fi
log "ok (${profiles[*]:-nothing left to do here})"
