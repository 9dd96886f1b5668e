#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Builds the suite's debug kernel (profile 6.12-debug) from Debian 13's own
# source package, linux-source-6.12, inside the trixie root with its gcc-14:
# x86_64_defconfig plus KASAN (generic, vmalloc), lockdep (PROVE_LOCKING with
# PROVE_RAW_LOCK_NESTING, the default since 6.13's 560af5dc839e, so that a
# spinlock_t or an allocation under a raw lock is reported as on
# PREEMPT_RT), DEBUG_ATOMIC_SLEEP, full preemption, DWARF 5 and BTF, and what the suite
# needs built in (virtio, 9p, loop, XFS, EROFS with LZ4, kprobes, debugfs,
# /proc/kcore, /dev/port, lockdown, livepatch as in Debian's kernels). Debian's geometry (MAXSMP: 8192 CPUs,
# 1 MiB vmap_blocks). The image, modules and build tree are installed in the
# root as a Debian kernel is (/boot, /lib/modules/RELEASE, build link), and
# the vmlinux with DWARF in /usr/lib/debug/boot, where drgn looks.
#
# Usage: tests/debug-kernel.sh ROOT [JOBS]   (called by tests/setup.sh)
set -euo pipefail

root=$1
jobs=${2:-$(nproc)}
flavour=debug
src=/usr/src/vmapview-debug	# inside the root

# in_root CMD...: the host tests' chroot with its own /proc (tests/host/lib.sh).
VMAPVIEW_CHROOT=$root
. "$(dirname "$0")/host/lib.sh"

start=$(date +%s)
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends linux-source-6.12 build-essential \
	bc bison flex libelf-dev libssl-dev dwarves rsync cpio kmod python3 >/dev/null
tarball=$(ls "$root"/usr/src/linux-source-6.12.tar.* | head -1)
if [ ! -f "$root$src/.vmapview-extracted" ]; then
	rm -rf --one-file-system "${root:?}$src"
	mkdir -p "$root$src"
	tar -xf "$tarball" -C "$root$src" --strip-components=1
	touch "$root$src/.vmapview-extracted"
fi
echo "debug kernel: source ready after $(($(date +%s) - start))s"

in_root sh -c "cd $src && make -s x86_64_defconfig"
on=(
	KASAN KASAN_GENERIC KASAN_OUTLINE KASAN_VMALLOC PROVE_LOCKING PROVE_RAW_LOCK_NESTING
	DEBUG_ATOMIC_SLEEP PREEMPT DEBUG_INFO_DWARF5 DEBUG_INFO_BTF
	BPF_SYSCALL DEBUG_INFO_BTF_MODULES MAXSMP MODULES MODULE_UNLOAD KPROBES
	KPROBES_ON_FTRACE FTRACE FUNCTION_TRACER DYNAMIC_FTRACE DEBUG_FS
	KALLSYMS_ALL VIRTIO VIRTIO_PCI NET_9P NET_9P_VIRTIO 9P_FS BLK_DEV_LOOP
	XFS_FS EROFS_FS EROFS_FS_ZIP DEVTMPFS DEVTMPFS_MOUNT TMPFS PROC_KCORE
	DEVPORT SECURITY SECURITYFS SECURITY_LOCKDOWN_LSM HOTPLUG_CPU IKCONFIG IKCONFIG_PROC
	SERIAL_8250 SERIAL_8250_CONSOLE LIVEPATCH
)
off=(
	DEBUG_INFO_NONE DRM SOUND USB_SUPPORT WLAN WIRELESS NETDEVICES NETFILTER HID AGP
	LOCALVERSION_AUTO MODULE_SIG DEBUG_INFO_REDUCED EFI WERROR
)
args=()
for o in "${on[@]}"; do args+=(--enable "$o"); done
for o in "${off[@]}"; do args+=(--disable "$o"); done
in_root sh -c "cd $src && scripts/config ${args[*]} --set-str LOCALVERSION +deb13-$flavour \
	--set-str LSM lockdown,yama,integrity && make -s olddefconfig"
missing=$(for o in KASAN PROVE_LOCKING PROVE_RAW_LOCK_NESTING DEBUG_ATOMIC_SLEEP PREEMPT DEBUG_INFO_BTF KPROBES \
	KRETPROBES DEBUG_FS 9P_FS EROFS_FS_ZIP XFS_FS LIVEPATCH; do
	grep -q "^CONFIG_$o=y" "$root$src/.config" || echo "$o"
done)
[ -z "$missing" ] || { echo "debug kernel: config lacks: $missing"; exit 1; }

build_start=$(date +%s)
in_root sh -c "cd $src && make -j$jobs -s bzImage modules" >"$root$src/vmapview-build.log" 2>&1 ||
	{ tail -30 "$root$src/vmapview-build.log"; exit 1; }
release=$(in_root sh -c "cd $src && make -s kernelrelease")
echo "debug kernel: $release built in $(($(date +%s) - build_start))s with -j$jobs"

in_root sh -c "cd $src && make -s modules_install INSTALL_MOD_STRIP=1" >/dev/null
cp "$root$src/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$release"
cp "$root$src/.config" "$root/boot/config-$release"
mkdir -p "$root/usr/lib/debug/boot"
cp "$root$src/vmlinux" "$root/usr/lib/debug/boot/vmlinux-$release"
cp "$root$src/System.map" "$root/usr/lib/debug/boot/System.map-$release"
ln -sfn "$src" "$root/lib/modules/$release/build"
echo "debug kernel: $release installed in $root after $(($(date +%s) - start))s"
