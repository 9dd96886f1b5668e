# SPDX-License-Identifier: GPL-2.0
# Sourced by host tests (the runner runs only tests/host/*.sh files that are
# tests; this one it skips by name). Builds for a kernel run on the host, or
# chrooted into the kernel's root ($VMAPVIEW_CHROOT) when it has one.

# in_root CMD...: CMD (paths inside the root) for the kernel under test.
in_root() {
	if [ -n "$VMAPVIEW_CHROOT" ]; then
		# As tests/runner/kernels.py: a mount namespace with /proc.
		unshare --mount --propagation private chroot "$VMAPVIEW_CHROOT" /bin/sh -c \
			'mount -t proc proc /proc && exec /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"' \
			sh "$@"
	else
		"$@"
	fi
}

# root_path HOST_PATH: the same file as seen from inside the root.
root_path() {
	echo "/${1#"$VMAPVIEW_CHROOT"/}"
}

# ktmp: a temporary directory that builds for the kernel can see.
ktmp() {
	mktemp -d -p "${VMAPVIEW_CHROOT:-}/tmp"
}

# kmake DIR ARGS...: make in DIR (a host path) against the kernel's headers.
kmake() {
	local dir=$1

	shift
	in_root make -C "$(root_path "$dir")" KDIR="$VMAPVIEW_KDIR" "$@"
}
